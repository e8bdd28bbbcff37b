/**
 * Ledger records from what a run produced. Pure: the action and the CLI pass
 * in what they know, and the same function decides what is kept — numbers,
 * names of phases and reasons, places of findings; never texts.
 */
import { SEVERITIES, type RunResult, type Severity } from '../engine/types.js'
import { classifyFailure, failurePhase, shortDetail } from './classify.js'
import { LEDGER_VERSION, type LedgerCommand, type LedgerFinding, type LedgerTrigger, type RunRecord } from './schema.js'

export interface RunFacts {
  id: string
  source: 'action' | 'cli'
  repository: string | null
  issue: number | null
  pr: number | null
  command: LedgerCommand
  trigger: LedgerTrigger
  startedAt: Date
  endedAt: Date
  /** The action's status output, or the CLI result's status. */
  status: string
  /** Why the run failed or was refused, as the run said it. */
  reason?: string
  result?: RunResult
}

const FAILED = new Set(['failed'])

export function emptySeverities(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map(s => [s, 0])) as Record<Severity, number>
}

export function buildRunRecord(f: RunFacts): RunRecord {
  const result = f.result
  const failed = FAILED.has(f.status)
  const refused = f.status === 'refused'
  const message = f.reason ?? result?.error
  const bySeverity = emptySeverities()
  const byLens: Record<string, number> = {}
  const items: LedgerFinding[] = []
  for (const finding of result?.findings ?? []) {
    bySeverity[finding.severity]++
    const lens = finding.lens ?? null
    byLens[lens ?? 'none'] = (byLens[lens ?? 'none'] ?? 0) + 1
    items.push({ severity: finding.severity, lens, file: finding.file, line: finding.line })
  }
  const questions: RunRecord['questions'] = []
  for (const phase of result?.phases ?? []) {
    for (const q of phase.questions) questions.push({ phase: phase.name, answeredBy: q.answeredBy })
  }
  // A run that stopped for a maintainer: its questions are answered by the next run, which records them again.
  const waiting = result?.waiting
  for (const _ of waiting?.questions ?? []) if (waiting) questions.push({ phase: waiting.phase, answeredBy: 'pending' })
  return {
    v: LEDGER_VERSION,
    kind: 'run',
    id: f.id,
    source: f.source,
    repository: f.repository,
    issue: f.issue,
    pr: f.pr,
    command: f.command,
    trigger: f.trigger,
    startedAt: f.startedAt.toISOString(),
    durationMs: Math.max(0, f.endedAt.getTime() - f.startedAt.getTime()),
    status: f.status,
    failedPhase: failed ? failurePhase(message, result?.failedPhase) : null,
    reason: failed || refused ? classifyFailure(message, f.status) : null,
    detail: failed || refused ? shortDetail(message) : null,
    phases: (result?.phases ?? []).map(p => ({
      name: p.name,
      status: p.status,
      durationMs: p.durationMs,
      costUsd: round(p.costUsd),
      inputTokens: p.inputTokens,
      outputTokens: p.outputTokens,
      turns: p.turns,
      reused: p.reused === true
    })),
    totals: {
      costUsd: round(result?.totals.costUsd ?? 0),
      inputTokens: result?.totals.inputTokens ?? 0,
      outputTokens: result?.totals.outputTokens ?? 0
    },
    questions,
    findings: { bySeverity, byLens, items },
    verifyRounds: verifyRounds(result),
    changedFiles: result?.changedFiles.length ?? 0,
    sandboxed: result?.sandbox ? result.sandbox.sandboxed : null
  }
}

/**
 * Rounds of the project's check after implement, for results that carry one
 * (`verify.rounds`); read by shape, so a result without it records 0.
 */
function verifyRounds(result: RunResult | undefined): number {
  const rounds = (result as { verify?: { rounds?: unknown } } | undefined)?.verify?.rounds
  return Array.isArray(rounds) ? rounds.length : 0
}

/** Costs to a millionth of a dollar, as Claude Code reports them, without float noise. */
function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6
}
