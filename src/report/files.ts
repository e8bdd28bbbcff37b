/**
 * The report as files: Markdown plus one SVG per chart. The action keeps
 * them on the ledger branch (its README.md shows the report when the branch
 * is opened on GitHub) and puts the same Markdown, with the images at the
 * pushed commit, in the job summary; the CLI writes them where it is told.
 */
import { parseLedger } from '../ledger/schema.js'
import { buildReport, type Report } from './aggregate.js'
import { chartSpecs, type ChartSpec } from './chart-specs.js'
import { renderReport } from './markdown.js'

export const REPORT_DIR = 'report'

/** One ledger text's report and its charts: built once for both the branch's files and the job summary. */
export interface LedgerReport {
  /** The ledger text it was built from. */
  text: string
  report: Report
  specs: ChartSpec[]
}

export function reportFromLedger(text: string, now: Date, weeks: number): LedgerReport {
  const report = buildReport(parseLedger(text).records, { now, weeks })
  return { text, report, specs: chartSpecs(report) }
}

/** The charts as the Markdown shows them: each one's SVG file under `base` (a path or URL ending with `/`). */
export function chartRefs(specs: ChartSpec[], base: string) {
  return specs.map(s => ({ name: s.name, title: s.title, src: `${base}${s.name}.svg` }))
}

/** SVG file name → content, drawn by the charting library (loaded only here). */
export async function drawCharts(specs: ChartSpec[]): Promise<Record<string, string>> {
  // Eager: bundled into the same file (ncc writes licenses.txt for one chunk only), evaluated only here.
  const { renderCharts } = await import(/* webpackMode: "eager" */ './charts.js')
  return renderCharts(specs)
}

export async function branchFiles({ report, specs }: LedgerReport): Promise<Record<string, string>> {
  const svgs = await drawCharts(specs)
  return {
    'README.md': renderReport(report, { charts: chartRefs(specs, `${REPORT_DIR}/`) }),
    ...Object.fromEntries(Object.entries(svgs).map(([file, svg]) => [`${REPORT_DIR}/${file}`, svg]))
  }
}

/** The report for the job summary, its images served from the ledger branch at `rawBase` (ends with `/`). */
export function summaryMarkdown({ report, specs }: LedgerReport, rawBase: string): string {
  return renderReport(report, { charts: chartRefs(specs, `${rawBase}${REPORT_DIR}/`) })
}
