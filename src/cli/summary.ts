/** The short human summary the CLI prints on stdout when --json is not given. */
import { countBySeverity } from '../engine/findings.js'
import { restoredClause } from '../engine/progress.js'
import type { RunResult } from '../engine/types.js'
import { duration, usd } from '../util/format.js'
import type { Kept, Resumed } from './checkpoints.js'

export function renderSummary(result: RunResult, run: { runId?: string; resumed?: Resumed; kept?: Kept } = {}): string {
  const lines: string[] = []
  const cost = usd(result.totals.costUsd)
  const time = duration(result.totals.durationMs)
  if (result.status === 'failed') lines.push(`Failed: ${result.error ?? 'unknown error'}`)
  else if (result.status === 'planned') lines.push('Planned (implementation not run).')
  else lines.push('Completed.')
  if (run.resumed) {
    const r = run.resumed
    lines.push(
      `Resumed run ${r.runId} (attempt ${r.attempt}) from ${r.from}; reused without a model request: ${r.reused.length ? r.reused.join(', ') : 'nothing'}`
    )
  } else if (run.runId) lines.push(`Run: ${run.runId}`)
  if (run.kept) lines.push(run.kept.note)
  if (result.planPath) lines.push(`Plan: ${result.planPath}`)
  if (result.reviewPath) lines.push(`Review: ${result.reviewPath}`)
  if (result.status === 'completed') {
    lines.push(`Findings: ${countBySeverity(result.findings)}`)
    for (const f of result.findings) {
      lines.push(`  [${f.severity}] ${f.file}${f.line ? `:${f.line}` : ''} ${f.title}`)
    }
    lines.push(`Changed files: ${result.changedFiles.length ? result.changedFiles.join(', ') : 'none'}`)
  }
  if (result.sandbox && !result.sandbox.sandboxed)
    lines.push(`Sandbox: off (${result.sandbox.reason ?? 'sandbox off'})`)
  for (const p of result.phases) {
    if (p.blockedConnections?.length) lines.push(`Sandbox blocked in ${p.name}: ${p.blockedConnections.join(', ')}`)
    if (p.deniedPaths?.length) lines.push(`Sandbox refused writes in ${p.name}: ${p.deniedPaths.length}`)
    if (restoredClause(p)) lines.push(`Warning: ${p.name} changed git's own setup; ${restoredClause(p)}`)
  }
  const questions = result.phases.reduce((n, p) => n + p.questions.length, 0)
  if (questions) lines.push(`Questions answered: ${questions}`)
  lines.push(`Cost: ${cost}, time: ${time}`)
  return lines.join('\n')
}
