/**
 * The report as Markdown tables a maintainer reads at a glance, with the
 * charts as images when there are any. Pure.
 */
import { SEVERITIES } from '../engine/types.js'
import { FAILURE_COLUMNS, FIX_ROUND_BUCKETS, type Report } from './aggregate.js'
import { duration, usd } from '../util/format.js'

export interface ChartRef {
  name: string
  title: string
  /** Where the Markdown finds the SVG (relative path or URL). */
  src: string
}

/** A median the ledger may not have yet: '—' until it does. */
export const formatDuration = (ms: number | null): string => (ms === null ? '—' : duration(ms))
export const formatUsd = (value: number | null): string => (value === null ? '—' : usd(value))

const pct = (n: number, of: number): string => (of ? `${Math.round((n / of) * 100)}%` : '—')

/** A Markdown table; the columns after the first are numbers unless `text` says otherwise (numbers align right). */
function table(head: string[], rows: Array<Array<string | number>>, text = false): string {
  const rule = head.map((_, i) => (i && !text ? '---:' : '---')).join('|')
  return [`| ${head.join(' | ')} |`, `|${rule}|`, ...rows.map(r => `| ${r.join(' | ')} |`)].join('\n')
}

const COMMAND_ORDER = ['start', 'revise', 'answer', 'approve', 'fix', 'cancel', 'cli']
const ANSWER_ORDER = ['openai', 'azure', 'maintainer', 'fallback']

function breakdown(counts: Record<string, number>, order: string[]): string {
  const keys = [
    ...order.filter(k => counts[k]),
    ...Object.keys(counts)
      .filter(k => !order.includes(k) && counts[k])
      .sort()
  ]
  return keys.map(k => `${k} ${counts[k]}`).join(', ')
}

export function renderReport(report: Report, opts: { charts?: ChartRef[]; title?: string } = {}): string {
  const chart = (name: string) => {
    const c = opts.charts?.find(x => x.name === name)
    return c ? `\n\n![${c.title}](${c.src})` : ''
  }
  const r = report
  const out: string[] = [`## ${opts.title ?? 'Orchestrator ledger'}`]
  out.push(
    r.period
      ? `${r.runs.total} runs from ${r.period.from.slice(0, 10)} to ${r.period.to.slice(0, 10)}.`
      : 'The ledger has no runs yet.'
  )
  const askedTotal = Object.values(r.questions).reduce((a, b) => a + b, 0)
  out.push(
    table(
      ['Measure', 'Value'],
      [
        ['Runs', `${r.runs.total}${r.runs.total ? ` (${breakdown(r.runs.byCommand, COMMAND_ORDER)})` : ''}`],
        ['Failed runs', `${r.runs.failed} (${pct(r.runs.failed, r.runs.total)})`],
        ['Refused commands', r.runs.refused],
        ['Issues worked on', r.issues],
        ['Pull requests opened', r.pulls.opened],
        ['Merged', r.pulls.merged],
        [
          'Ended in a merged PR without human commits',
          `${r.pulls.mergedClean} of ${r.issues} issues (${pct(r.pulls.mergedClean, r.issues)})`
        ],
        ['Closed without merge', r.pulls.closedUnmerged],
        ['Still open', r.pulls.open],
        ['Median time to merge (first run → merge)', formatDuration(r.merged.timeToMergeMs)],
        ['Median Claude time per merged PR', formatDuration(r.merged.claudeMs)],
        ['Median cost per merged PR', formatUsd(r.merged.costUsd)],
        [
          'Questions Claude asked and got answered',
          `${askedTotal}${askedTotal ? ` (by ${breakdown(r.questions, ANSWER_ORDER)})` : ''}`
        ],
        ['Runs that stopped for a maintainer’s answer', r.runs.waitedForAnswer]
      ],
      true
    )
  )

  out.push(`### Failures by phase and reason${chart('failures')}`)
  out.push(
    r.failures.length
      ? table(
          ['Reason', ...FAILURE_COLUMNS.map(c => (c === 'none' ? 'outside a phase' : c)), 'Total'],
          r.failures.map(f => [f.reason, ...FAILURE_COLUMNS.map(c => f.byPhase[c]), f.total])
        )
      : 'No run failed.'
  )

  out.push(`### \`/fix\` rounds per pull request${chart('fix-rounds')}`)
  out.push(
    table(
      ['Rounds', 'Pull requests'],
      FIX_ROUND_BUCKETS.map(b => [b, r.fixRounds[b]])
    )
  )

  out.push(`### Review findings per pull request (its latest review)${chart('findings')}`)
  const reviewed = r.findings.reviewedPulls
  out.push(
    table(
      ['Severity', 'Findings', 'Per pull request'],
      SEVERITIES.map(s => [
        s,
        r.findings.bySeverity[s],
        reviewed ? (r.findings.bySeverity[s] / reviewed).toFixed(2) : '—'
      ])
    )
  )

  out.push(`### What human review caught (merged pull requests)${chart('review')}`)
  out.push(
    `Review comments people left on the ${r.review.mergedPulls} merged pull request(s), against the bot's findings published before them ` +
      '(same file, within 5 lines). Comments the bot had not raised are counted under the lens they most likely belong to.'
  )
  const total = r.review.rows.reduce(
    (t, row) => ({ b: t.b + row.botFindings, r: t.r + row.raised, m: t.m + row.missed }),
    { b: 0, r: 0, m: 0 }
  )
  out.push(
    table(
      ['Lens', 'Bot findings', 'Human comments the bot had raised', 'Human comments the bot missed'],
      [
        ...r.review.rows.map(row => [row.lens, row.botFindings, row.raised, row.missed]),
        ['**total**', total.b, total.r, total.m]
      ]
    )
  )

  out.push(`### Last ${r.weeks.length} weeks${chart('trend')}`)
  out.push(
    table(
      ['Week of', 'Runs', 'Failed', 'PRs opened', 'Merged', 'Merged without human commits', 'Cost'],
      r.weeks.map(w => [w.week, w.runs, w.failed, w.opened, w.merged, w.mergedClean, formatUsd(w.costUsd)])
    )
  )
  return `${out.join('\n\n')}\n`
}
