/**
 * What the ledger says about unattended runs, as numbers. Pure: records in,
 * one Report out; the Markdown and the charts are drawn from it.
 *
 * Work is counted per issue: the action's run records of an issue (and of
 * the pull requests opened for it, linked through the records that carry
 * both numbers) are one piece of work. A pull request's outcome is its latest
 * `pr-closed` record. A command the bot refused is a run but no work; CLI
 * runs count as runs only.
 */
import { sumTotals } from '../engine/results.js'
import { PHASES, SEVERITIES, type PhaseName, type Severity } from '../engine/types.js'
import { emptySeverities } from '../ledger/record.js'
import { SIGNAL_LENSES } from '../ledger/review-signal.js'
import type { FailureReason, LedgerRecord, PullClosedRecord, RunRecord } from '../ledger/schema.js'

export type PhaseOrNone = PhaseName | 'none'
export const FAILURE_COLUMNS: readonly PhaseOrNone[] = [...PHASES, 'none']
export const FIX_ROUND_BUCKETS = ['0', '1', '2', '3+'] as const

export interface WeekRow {
  /** Monday of the week (UTC), YYYY-MM-DD. */
  week: string
  runs: number
  failed: number
  opened: number
  merged: number
  mergedClean: number
  costUsd: number
}

export interface Report {
  period: { from: string; to: string } | null
  runs: { total: number; failed: number; refused: number; waitedForAnswer: number; byCommand: Record<string, number> }
  issues: number
  pulls: { opened: number; merged: number; mergedClean: number; closedUnmerged: number; open: number }
  merged: { timeToMergeMs: number | null; claudeMs: number | null; costUsd: number | null }
  /** Questions Claude asked that were answered, by who answered (a run that stopped for a maintainer is counted in `runs.waitedForAnswer`). */
  questions: Record<string, number>
  failures: Array<{ reason: FailureReason; byPhase: Record<PhaseOrNone, number>; total: number }>
  fixRounds: Record<(typeof FIX_ROUND_BUCKETS)[number], number>
  findings: { reviewedPulls: number; bySeverity: Record<Severity, number> }
  review: {
    mergedPulls: number
    rows: Array<{ lens: string; botFindings: number; raised: number; missed: number }>
  }
  weeks: WeekRow[]
}

export function median(values: number[]): number | null {
  if (!values.length) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Monday 00:00 UTC of the week that holds `t`. */
export function weekStart(t: Date): Date {
  const day = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()))
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7))
  return day
}

const iso = (d: Date) => d.toISOString().slice(0, 10)
const time = (s: string) => Date.parse(s)
const MERGE_STATES = new Set(['pr-opened', 'pr-updated'])

export function buildReport(records: LedgerRecord[], opts: { now: Date; weeks: number }): Report {
  const runs = records.filter((r): r is RunRecord => r.kind === 'run')
  const closes = records.filter((r): r is PullClosedRecord => r.kind === 'pr-closed')
  const pullKey = (repository: string | null, pr: number) => `${repository ?? ''}#${pr}`

  // Which issue a pull request belongs to, from any record that names both.
  const issueOfPull = new Map<string, number>()
  for (const r of records) if (r.pr !== null && r.issue !== null) issueOfPull.set(pullKey(r.repository, r.pr), r.issue)
  const itemOf = (r: LedgerRecord): string | null => {
    if (r.source !== 'action') return null
    const issue = r.issue ?? (r.pr !== null ? issueOfPull.get(pullKey(r.repository, r.pr)) : undefined)
    if (issue !== undefined && issue !== null) return `${r.repository ?? ''}#i${issue}`
    return r.pr !== null ? `${r.repository ?? ''}#p${r.pr}` : null
  }
  const items = new Map<string, RunRecord[]>()
  for (const r of runs) {
    const key = r.status === 'refused' ? null : itemOf(r)
    if (key) items.set(key, [...(items.get(key) ?? []), r])
  }

  // The bot's pull requests: opened or updated by a run, or closed.
  interface Pull {
    item: string | null
    closed: PullClosedRecord | null
    lastReview: RunRecord | null
    fixUpdates: number
  }
  const pulls = new Map<string, Pull>()
  const pull = (repository: string | null, pr: number, item: string | null): Pull => {
    const key = pullKey(repository, pr)
    const found = pulls.get(key) ?? { item, closed: null, lastReview: null, fixUpdates: 0 }
    found.item ??= item
    pulls.set(key, found)
    return found
  }
  for (const r of [...runs].sort((a, b) => time(a.startedAt) - time(b.startedAt))) {
    if (r.pr === null || !MERGE_STATES.has(r.status)) continue
    const p = pull(r.repository, r.pr, itemOf(r))
    p.lastReview = r
    if (r.command === 'fix') p.fixUpdates++
  }
  for (const c of [...closes].sort((a, b) => time(a.closedAt) - time(b.closedAt)))
    pull(c.repository, c.pr, itemOf(c)).closed = c

  const mergedPulls = [...pulls.values()].filter(p => p.closed?.merged)
  const toMerge: number[] = []
  const claude: number[] = []
  const cost: number[] = []
  for (const p of mergedPulls) {
    const closedAt = time((p.closed as PullClosedRecord).closedAt)
    const work = (p.item ? (items.get(p.item) ?? []) : []).filter(r => time(r.startedAt) <= closedAt)
    if (!work.length) continue
    toMerge.push(closedAt - Math.min(...work.map(r => time(r.startedAt))))
    claude.push(sumTotals(...work.flatMap(r => r.phases)).durationMs)
    cost.push(work.reduce((sum, r) => sum + r.totals.costUsd, 0))
  }

  const byCommand: Record<string, number> = {}
  const questions: Record<string, number> = {}
  const failures = new Map<FailureReason, Record<PhaseOrNone, number>>()
  for (const r of runs) {
    byCommand[r.command] = (byCommand[r.command] ?? 0) + 1
    for (const q of r.questions)
      if (q.answeredBy !== 'pending') questions[q.answeredBy] = (questions[q.answeredBy] ?? 0) + 1
    if (r.status !== 'failed') continue
    const reason = r.reason ?? 'other'
    const row =
      failures.get(reason) ?? (Object.fromEntries(FAILURE_COLUMNS.map(c => [c, 0])) as Record<PhaseOrNone, number>)
    row[r.failedPhase ?? 'none']++
    failures.set(reason, row)
  }

  const fixRounds = Object.fromEntries(FIX_ROUND_BUCKETS.map(b => [b, 0])) as Report['fixRounds']
  for (const p of pulls.values()) {
    const rounds = p.closed ? p.closed.fixRounds : p.fixUpdates
    fixRounds[rounds >= 3 ? '3+' : (String(rounds) as '0' | '1' | '2')]++
  }

  const bySeverity = emptySeverities()
  const reviewed = [...pulls.values()].filter(p => p.lastReview)
  for (const p of reviewed)
    for (const s of SEVERITIES) bySeverity[s] += (p.lastReview as RunRecord).findings.bySeverity[s] ?? 0

  const lensRows = new Map<string, { lens: string; botFindings: number; raised: number; missed: number }>(
    SIGNAL_LENSES.map(lens => [lens, { lens, botFindings: 0, raised: 0, missed: 0 }])
  )
  const lensRow = (lens: string) =>
    lensRows.get((SIGNAL_LENSES as readonly string[]).includes(lens) ? lens : 'other') as {
      botFindings: number
      raised: number
      missed: number
    }
  for (const p of mergedPulls) {
    for (const f of p.lastReview?.findings.items ?? []) lensRow(f.lens ?? 'other').botFindings++
    const human = p.closed?.humanReview
    for (const [lens, n] of Object.entries(human?.raisedByLens ?? {})) lensRow(lens).raised += n
    for (const [lens, n] of Object.entries(human?.missedByLens ?? {})) lensRow(lens).missed += n
  }

  const thisWeek = weekStart(opts.now)
  const weeks: WeekRow[] = []
  for (let i = opts.weeks - 1; i >= 0; i--) {
    const start = new Date(thisWeek.getTime() - i * 7 * 86400000)
    weeks.push({ week: iso(start), runs: 0, failed: 0, opened: 0, merged: 0, mergedClean: 0, costUsd: 0 })
  }
  const rowFor = (at: string) => weeks.find(w => w.week === iso(weekStart(new Date(at))))
  for (const r of runs) {
    const row = rowFor(r.startedAt)
    if (!row) continue
    row.runs++
    if (r.status === 'failed') row.failed++
    if (r.status === 'pr-opened') row.opened++
    row.costUsd += r.totals.costUsd
  }
  for (const p of mergedPulls) {
    const row = rowFor((p.closed as PullClosedRecord).closedAt)
    if (!row) continue
    row.merged++
    if (p.closed?.humanCommits === 0) row.mergedClean++
  }

  const times = records.map(r => time(r.startedAt)).filter(t => !Number.isNaN(t))
  return {
    period: times.length
      ? { from: new Date(Math.min(...times)).toISOString(), to: new Date(Math.max(...times)).toISOString() }
      : null,
    runs: {
      total: runs.length,
      failed: runs.filter(r => r.status === 'failed').length,
      refused: runs.filter(r => r.status === 'refused').length,
      waitedForAnswer: runs.filter(r => r.status === 'awaiting-answer').length,
      byCommand
    },
    issues: items.size,
    pulls: {
      opened: pulls.size,
      merged: mergedPulls.length,
      mergedClean: mergedPulls.filter(p => p.closed?.humanCommits === 0).length,
      closedUnmerged: [...pulls.values()].filter(p => p.closed && !p.closed.merged).length,
      open: [...pulls.values()].filter(p => !p.closed).length
    },
    merged: { timeToMergeMs: median(toMerge), claudeMs: median(claude), costUsd: median(cost) },
    questions,
    failures: [...failures.entries()]
      .map(([reason, byPhase]) => ({ reason, byPhase, total: Object.values(byPhase).reduce((a, b) => a + b, 0) }))
      .sort((a, b) => b.total - a.total || a.reason.localeCompare(b.reason)),
    fixRounds,
    findings: { reviewedPulls: reviewed.length, bySeverity },
    review: { mergedPulls: mergedPulls.length, rows: [...lensRows.values()] },
    weeks
  }
}
