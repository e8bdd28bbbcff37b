/**
 * The report over a fixed ledger of 50 runs (test/fixtures/ledger/ledger-50.jsonl),
 * "now" being Wednesday 2026-03-04 12:00 UTC. The story, by issue (W1 is the
 * week of 2026-01-12 … W8 the week of 2026-03-02; W0, the week of 01-05, is
 * before the 8 weeks of trend):
 *
 * | issue | runs (status) | PR | ended |
 * |---|---|---|---|
 * | 1 (W0) | start, approve | 101 | merged 01-08, 2d after the start; no human commit |
 * | 2 (W1) | start (2 openai questions), approve, fix | 102 | merged 01-15 (3d); 1 human commit; 1 /fix round |
 * | 3 (W1) | start failed (plan, timeout), start, approve | 103 | merged 01-16 (3d) |
 * | 4 (W2) | start, revise (1 openai), approve, fix, fix | 104 | merged 01-23 18:00 (4d 8h); 2 rounds |
 * | 5 (W2) | start, approve failed (implement, budget), approve failed (implement, max-turns) | | |
 * | 6 (W3) | start (awaiting-answer), answer (maintainer), approve | 106 | closed without merge |
 * | 7 (W3) | start, cancel | | |
 * | 8 (W4) | start, approve, fix failed (implement, empty-change), fix | 108 | merged 02-06 (4d); 2 human commits; 1 round |
 * | 9 (W4) | start refused (no write access): a run, but no work | | |
 * | 10 (W5) | start failed (research, rule-broken), start, approve | 110 | still open |
 * | 11 (W5) | start without approval (1 azure question) | 111 | merged 02-12 (2d) |
 * | 12 (W6) | start, approve failed (review, review-malformed), approve (1 fallback), fix ×3 | 112 | merged 02-21 (5d); 3 rounds |
 * | 17 (W6) | start, revise, revise failed (plan, no-document), revise | | |
 * | 13 (W7) | start, approve | 113 | merged 02-25 (2d) |
 * | 14 (W7) | start failed outside a phase (github-api) | | |
 * | 15 (W8) | start, approve failed (implement, timeout) | | |
 * | 16 (W8) | start; an outsider's approve refused | | |
 * | CLI | W6 completed, W7 failed (plan, budget), W8 completed | | |
 *
 * So: 50 runs, 10 failed, 2 refused; 16 issues worked on (not 9); 10 pull
 * requests, 8 merged, 6 of them without human commits (6 of 16 = 37.5%, shown
 * 38%). Time to merge 2d,2d,2d,3d,3d,4d,4d 8h,5d: median 3d. Claude time per
 * merged PR 600,600,600,780,960,1080,1380,1440 s: median 870 s = 14m 30s. Cost
 * 1.50,1.50,1.50,1.60,1.90,2.00,2.50,3.60: median $1.75. The findings, fix
 * rounds, review signal and weekly rows follow from the records the same way;
 * each row was counted by hand from the fixture's generator.
 * Two more lines (a future schema version, a line cut short) are skipped.
 */
import { describe, expect, it } from '@jest/globals'
import { DOMParser } from '@xmldom/xmldom'
import fs from 'node:fs'
import path from 'node:path'
import { parseLedger } from '../../../src/ledger/schema.js'
import { buildReport, median, weekStart, type Report } from '../../../src/report/aggregate.js'
import { chartSpecs, type ChartSpec } from '../../../src/report/chart-specs.js'
import { renderCharts } from '../../../src/report/charts.js'
import { formatDuration, renderReport } from '../../../src/report/markdown.js'
import { ledgerSchemaErrors } from '../../support/ledger-schema.js'
import { REPO_ROOT } from '../../support/sandbox.js'

const NOW = new Date('2026-03-04T12:00:00Z')
const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'ledger', 'ledger-50.jsonl')

function fixtureReport(): Report {
  return buildReport(parseLedger(fs.readFileSync(FIXTURE, 'utf8')).records, { now: NOW, weeks: 8 })
}

const EXPECTED = `## Orchestrator ledger

50 runs from 2026-01-06 to 2026-03-04.

| Measure | Value |
|---|---|
| Runs | 50 (start 19, revise 4, answer 1, approve 14, fix 8, cancel 1, cli 3) |
| Failed runs | 10 (20%) |
| Refused commands | 2 |
| Issues worked on | 16 |
| Pull requests opened | 10 |
| Merged | 8 |
| Ended in a merged PR without human commits | 6 of 16 issues (38%) |
| Closed without merge | 1 |
| Still open | 1 |
| Median time to merge (first run → merge) | 3d 0h |
| Median Claude time per merged PR | 14m 30s |
| Median cost per merged PR | $1.75 |
| Questions Claude asked and got answered | 6 (by openai 3, azure 1, maintainer 1, fallback 1) |
| Runs that stopped for a maintainer’s answer | 1 |

### Failures by phase and reason

| Reason | index | research | plan | implement | review | outside a phase | Total |
|---|---:|---:|---:|---:|---:|---:|---:|
| budget | 0 | 0 | 1 | 1 | 0 | 0 | 2 |
| timeout | 0 | 0 | 1 | 1 | 0 | 0 | 2 |
| empty-change | 0 | 0 | 0 | 1 | 0 | 0 | 1 |
| github-api | 0 | 0 | 0 | 0 | 0 | 1 | 1 |
| max-turns | 0 | 0 | 0 | 1 | 0 | 0 | 1 |
| no-document | 0 | 0 | 1 | 0 | 0 | 0 | 1 |
| review-malformed | 0 | 0 | 0 | 0 | 1 | 0 | 1 |
| rule-broken | 0 | 1 | 0 | 0 | 0 | 0 | 1 |

### \`/fix\` rounds per pull request

| Rounds | Pull requests |
|---|---:|
| 0 | 6 |
| 1 | 2 |
| 2 | 1 |
| 3+ | 1 |

### Review findings per pull request (its latest review)

| Severity | Findings | Per pull request |
|---|---:|---:|
| blocker | 1 | 0.10 |
| major | 3 | 0.30 |
| minor | 4 | 0.40 |
| nit | 3 | 0.30 |

### What human review caught (merged pull requests)

Review comments people left on the 8 merged pull request(s), against the bot's findings published before them (same file, within 5 lines). Comments the bot had not raised are counted under the lens they most likely belong to.

| Lens | Bot findings | Human comments the bot had raised | Human comments the bot missed |
|---|---:|---:|---:|
| plan-conformance | 2 | 0 | 1 |
| tests | 2 | 2 | 1 |
| correctness | 4 | 3 | 1 |
| security | 1 | 1 | 1 |
| other | 0 | 0 | 1 |
| **total** | 9 | 6 | 5 |

### Last 8 weeks

| Week of | Runs | Failed | PRs opened | Merged | Merged without human commits | Cost |
|---|---:|---:|---:|---:|---:|---:|
| 2026-01-12 | 6 | 1 | 2 | 2 | 1 | $3.50 |
| 2026-01-19 | 8 | 2 | 1 | 1 | 1 | $3.20 |
| 2026-01-26 | 5 | 0 | 1 | 0 | 0 | $2.10 |
| 2026-02-02 | 5 | 1 | 1 | 1 | 0 | $2.00 |
| 2026-02-09 | 4 | 1 | 2 | 1 | 1 | $3.10 |
| 2026-02-16 | 11 | 2 | 1 | 1 | 1 | $5.60 |
| 2026-02-23 | 4 | 2 | 1 | 1 | 1 | $2.10 |
| 2026-03-02 | 5 | 1 | 0 | 0 | 0 | $2.10 |
`

describe('the report over the 50-run fixture', () => {
  it('is a ledger of valid records, with two lines a reader must skip', () => {
    const { records, skipped } = parseLedger(fs.readFileSync(FIXTURE, 'utf8'))
    expect(skipped).toBe(2)
    expect(records.filter(r => r.kind === 'run')).toHaveLength(50)
    for (const r of records) expect([r.id, ledgerSchemaErrors(r)]).toEqual([r.id, []])
  })

  it('gives exactly the expected tables', () => {
    expect(renderReport(fixtureReport())).toBe(EXPECTED)
  })

  it('draws the expected series', () => {
    const specs = Object.fromEntries(chartSpecs(fixtureReport()).map(s => [s.name, s]))
    const series = (name: string) => specs[name]?.series.map(s => [s.name, s.type, s.data])
    expect(Object.keys(specs)).toEqual(['trend', 'failures', 'fix-rounds', 'findings', 'review'])
    expect(specs.trend?.categories).toEqual(['01-12', '01-19', '01-26', '02-02', '02-09', '02-16', '02-23', '03-02'])
    expect(series('trend')).toEqual([
      ['Runs', 'bar', [6, 8, 5, 5, 4, 11, 4, 5]],
      ['Failed', 'bar', [1, 2, 0, 1, 1, 2, 2, 1]],
      ['Merged', 'line', [2, 1, 0, 1, 1, 1, 1, 0]],
      ['Merged without human commits', 'line', [1, 1, 0, 0, 1, 1, 1, 0]]
    ])
    expect(specs.failures?.categories).toEqual([
      'budget',
      'timeout',
      'empty-change',
      'github-api',
      'max-turns',
      'no-document',
      'review-malformed',
      'rule-broken'
    ])
    expect(series('failures')).toEqual([
      ['research', 'bar', [0, 0, 0, 0, 0, 0, 0, 1]],
      ['plan', 'bar', [1, 1, 0, 0, 0, 1, 0, 0]],
      ['implement', 'bar', [1, 1, 1, 0, 1, 0, 0, 0]],
      ['review', 'bar', [0, 0, 0, 0, 0, 0, 1, 0]],
      ['outside a phase', 'bar', [0, 0, 0, 1, 0, 0, 0, 0]]
    ])
    expect(specs.failures?.series.every(s => s.stack === 'phase')).toBe(true)
    expect(series('fix-rounds')).toEqual([['Pull requests', 'bar', [6, 2, 1, 1]]])
    expect(series('findings')).toEqual([['Findings', 'bar', [1, 3, 4, 3]]])
    expect(specs.review?.categories).toEqual(['plan-conformance', 'tests', 'correctness', 'security', 'other'])
    expect(series('review')).toEqual([
      ['Bot findings', 'bar', [2, 2, 4, 1, 0]],
      ['Human comments the bot had raised', 'bar', [0, 2, 3, 1, 0]],
      ['Human comments the bot missed', 'bar', [1, 1, 1, 1, 1]]
    ])
  })

  it('draws charts that parse as SVG and show those series', () => {
    const specs = chartSpecs(fixtureReport())
    const files = renderCharts(specs)
    expect(Object.keys(files)).toEqual(specs.map(s => `${s.name}.svg`))
    for (const spec of specs) checkSvg(files[`${spec.name}.svg`] as string, spec)
  })
})

describe('the report’s parts', () => {
  it('says so when the ledger is empty, and its charts still parse', () => {
    const empty = buildReport([], { now: NOW, weeks: 2 })
    const md = renderReport(empty)
    expect(md).toContain('The ledger has no runs yet.')
    expect(md).toContain('No run failed.')
    expect(md).toContain('| Ended in a merged PR without human commits | 0 of 0 issues (—) |')
    const specs = chartSpecs(empty)
    expect(specs.map(s => s.name)).toEqual(['trend', 'fix-rounds', 'findings', 'review'])
    for (const spec of specs) checkSvg(renderCharts([spec])[`${spec.name}.svg`] as string, spec)
  })

  it('links the charts where it is told', () => {
    const md = renderReport(fixtureReport(), {
      charts: [{ name: 'trend', title: 'Trend', src: 'https://example.test/raw/abc/report/trend.svg' }]
    })
    expect(md).toContain('### Last 8 weeks\n\n![Trend](https://example.test/raw/abc/report/trend.svg)\n\n| Week of |')
    expect(md).not.toContain('![Failed')
  })

  it('has medians, weeks and durations a person reads the same way', () => {
    expect(median([])).toBeNull()
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(weekStart(new Date('2026-03-08T23:59:00Z')).toISOString()).toBe('2026-03-02T00:00:00.000Z')
    expect(weekStart(new Date('2026-03-02T00:00:00Z')).toISOString()).toBe('2026-03-02T00:00:00.000Z')
    expect([45_000, 90_000, 3_661_000, 93_600_000].map(formatDuration)).toEqual(['45.0s', '1m 30s', '1h 1m', '1d 2h'])
    expect(formatDuration(null)).toBe('—')
  })
})

/**
 * Parses the SVG strictly and reads the chart back out of it: ECharts' server
 * renderer marks every data shape with its series and data index, so each
 * series must have one shape per value, bar heights and line points must be
 * proportional to the values (one scale for the whole chart), and the legend
 * and axis must name the series and categories.
 */
function checkSvg(svg: string, spec: ChartSpec): void {
  const problems: string[] = []
  const doc = new DOMParser({
    onError: (level, message) => void (level !== 'warning' && problems.push(message))
  }).parseFromString(svg, 'image/svg+xml')
  expect(problems).toEqual([])
  const root = doc.documentElement
  expect(root?.nodeName).toBe('svg')
  expect(root?.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg')
  expect(Number(root?.getAttribute('width'))).toBeGreaterThan(0)

  const texts = Array.from(doc.getElementsByTagName('text')).map(t => t.textContent ?? '')
  expect(texts).toEqual(expect.arrayContaining([spec.title, ...spec.series.map(s => s.name), ...spec.categories]))

  const shapes = Array.from(doc.getElementsByTagName('path')).filter(p => p.getAttribute('ecmeta_ssr_type') === 'chart')
  const measured = spec.series.map((s, i) => {
    const mine = shapes.filter(p => p.getAttribute('ecmeta_series_index') === String(i))
    expect([s.name, mine.length]).toEqual([s.name, s.data.length])
    return mine
      .sort((a, b) => Number(a.getAttribute('ecmeta_data_index')) - Number(b.getAttribute('ecmeta_data_index')))
      .map(p => {
        if (s.type === 'bar') {
          // M x y l w 0 l 0 -h l -w 0Z: a bar h pixels tall from its base y.
          const m = (p.getAttribute('d') ?? '').match(/^M([\d.]+) ([\d.]+)l[\d.]+ 0l0 (-?[\d.]+)l/)
          if (!m) throw new Error(`unexpected bar path: ${p.getAttribute('d')}`)
          return { base: Number(m[2]), height: -Number(m[3]) }
        }
        // A line's point: a symbol translated to (x, y).
        const m = (p.getAttribute('transform') ?? '').match(/matrix\([^,]+,[^,]+,[^,]+,[^,]+,([\d.]+),([\d.]+)\)/)
        if (!m) throw new Error(`unexpected line symbol: ${p.getAttribute('transform')}`)
        return { base: null, y: Number(m[2]) }
      })
  })
  // The zero line: where the unstacked bars of the first bar series stand.
  const first = measured.find((_, i) => spec.series[i]?.type === 'bar') as Array<{ base: number | null }>
  const zero = first[0]?.base as number
  let scale: number | null = null
  spec.series.forEach((s, i) => {
    s.data.forEach((value, j) => {
      const shape = measured[i]?.[j] as { base: number | null; height?: number; y?: number }
      const pixels = s.type === 'bar' ? (shape.height as number) : zero - (shape.y as number)
      if (value === 0) {
        expect([s.name, j, Math.abs(pixels) < 0.25]).toEqual([s.name, j, true])
        return
      }
      scale ??= pixels / value
      // The renderer writes coordinates to a tenth of a pixel; one unit is many pixels.
      expect([s.name, j, Math.abs(pixels - value * scale) < 0.25]).toEqual([s.name, j, true])
    })
  })
}
