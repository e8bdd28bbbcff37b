/**
 * Which charts the report draws and with what numbers. Pure, so the series
 * can be checked without drawing; `charts.ts` hands them to the library.
 */
import { PHASES, SEVERITIES } from '../engine/types.js'
import { FIX_ROUND_BUCKETS, type Report } from './aggregate.js'

export interface ChartSeries {
  name: string
  type: 'bar' | 'line'
  /** Bars with the same stack are drawn on top of each other. */
  stack?: string
  data: number[]
}

export interface ChartSpec {
  /** File name without `.svg`. */
  name: string
  title: string
  categories: string[]
  series: ChartSeries[]
}

export function chartSpecs(report: Report): ChartSpec[] {
  const specs: ChartSpec[] = []
  const weeks = report.weeks
  specs.push({
    name: 'trend',
    title: `Runs and merged pull requests, last ${weeks.length} weeks`,
    categories: weeks.map(w => w.week.slice(5)),
    series: [
      { name: 'Runs', type: 'bar', data: weeks.map(w => w.runs) },
      { name: 'Failed', type: 'bar', data: weeks.map(w => w.failed) },
      { name: 'Merged', type: 'line', data: weeks.map(w => w.merged) },
      { name: 'Merged without human commits', type: 'line', data: weeks.map(w => w.mergedClean) }
    ]
  })
  if (report.failures.length) {
    const columns = [...PHASES, 'none' as const].filter(c => report.failures.some(f => f.byPhase[c]))
    specs.push({
      name: 'failures',
      title: 'Failed runs by reason and phase',
      categories: report.failures.map(f => f.reason),
      series: columns.map(c => ({
        name: c === 'none' ? 'outside a phase' : c,
        type: 'bar',
        stack: 'phase',
        data: report.failures.map(f => f.byPhase[c])
      }))
    })
  }
  specs.push({
    name: 'fix-rounds',
    title: '/fix rounds per pull request',
    categories: [...FIX_ROUND_BUCKETS],
    series: [{ name: 'Pull requests', type: 'bar', data: FIX_ROUND_BUCKETS.map(b => report.fixRounds[b]) }]
  })
  specs.push({
    name: 'findings',
    title: 'Review findings by severity (latest review of each pull request)',
    categories: [...SEVERITIES],
    series: [{ name: 'Findings', type: 'bar', data: SEVERITIES.map(s => report.findings.bySeverity[s]) }]
  })
  const rows = report.review.rows
  specs.push({
    name: 'review',
    title: 'Merged pull requests: the bot’s findings and what people commented, by lens',
    categories: rows.map(r => r.lens),
    series: [
      { name: 'Bot findings', type: 'bar', data: rows.map(r => r.botFindings) },
      { name: 'Human comments the bot had raised', type: 'bar', data: rows.map(r => r.raised) },
      { name: 'Human comments the bot missed', type: 'bar', data: rows.map(r => r.missed) }
    ]
  })
  return specs
}
