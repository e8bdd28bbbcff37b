/**
 * The run ledger: one JSON object per line, appended by every action run (on
 * the branch `orchestrator/ledger`) and every CLI run (in a local file). The
 * shape is documented in docs/ledger.schema.json, which the tests validate
 * every record against; README.md explains each field.
 *
 * What never goes in: secrets (records are redacted before they are written),
 * code, prompts, the issue's text, finding titles, review comments. A failure's
 * detail is its error sentence, one redacted line of at most 200 characters.
 */
import type { AnsweredBy, PhaseName, PhaseResult, Severity } from '../engine/types.js'

export const LEDGER_VERSION = 1
export const LEDGER_BRANCH = 'orchestrator/ledger'
export const LEDGER_FILE = 'ledger.jsonl'

/**
 * Why a run failed, in a word a maintainer can count. Classified from the
 * error texts of the Claude runner, the phase runner and the flows
 * (`classifyFailure`).
 */
export const FAILURE_REASONS = [
  'timeout',
  'budget',
  'max-turns',
  'credential',
  'model-api',
  'claude-error',
  'rule-broken',
  'no-document',
  'question-unanswered',
  'review-malformed',
  'verify-failed',
  'empty-change',
  'branch-moved',
  'secret-blocked',
  'sandbox',
  'github-api',
  'config',
  'refused',
  'other'
] as const
export type FailureReason = (typeof FAILURE_REASONS)[number]

/** What started the run: a route kind of the action, or a local CLI run. */
export type LedgerCommand = 'start' | 'revise' | 'approve' | 'answer' | 'resume' | 'cancel' | 'fix' | 'cli'
export type LedgerTrigger = 'label' | 'comment' | 'review' | 'checks' | 'cli'

/** A phase's numbers, as the engine reports them, and whether its document was reused (index cache, /revise, /answer). */
export type LedgerPhase = Pick<
  PhaseResult,
  'name' | 'status' | 'durationMs' | 'costUsd' | 'inputTokens' | 'outputTokens' | 'turns'
> & { reused: boolean }

/** A review finding without its words: enough to count it and to find it again by place. */
export interface LedgerFinding {
  severity: Severity
  lens: string | null
  file: string
  line: number | null
}

export interface RunRecord {
  v: typeof LEDGER_VERSION
  kind: 'run'
  /** Unique per run: `action:<run id>.<attempt>` or `cli:<uuid>`; an append never repeats an id. */
  id: string
  source: 'action' | 'cli'
  /** `owner/repo`; for the CLI, from origin's URL when it has that shape, else null. */
  repository: string | null
  issue: number | null
  pr: number | null
  command: LedgerCommand
  trigger: LedgerTrigger
  startedAt: string
  /** Wall-clock time of the whole run, git and API calls included. */
  durationMs: number
  /** The action's `status` output, or the CLI result's status. */
  status: string
  /** Set for failed and refused runs. */
  failedPhase: PhaseName | null
  reason: FailureReason | null
  detail: string | null
  phases: LedgerPhase[]
  totals: { costUsd: number; inputTokens: number; outputTokens: number }
  questions: Array<{ phase: PhaseName; answeredBy: AnsweredBy | 'pending' }>
  findings: {
    bySeverity: Record<Severity, number>
    byLens: Record<string, number>
    items: LedgerFinding[]
  }
  /** Rounds of the project's check after implement (0 when the run had none). */
  verifyRounds: number
  changedFiles: number
  sandboxed: boolean | null
}

/** Review comments people left on a merged pull request, compared with what the bot's review had raised. */
export interface HumanReview {
  comments: number
  raised: number
  missed: number
  /** By the lens of the bot's finding that was near the comment. */
  raisedByLens: Record<string, number>
  /** By the lens the comment most likely belongs to (`guessLens`). */
  missedByLens: Record<string, number>
}

/** Appended when one of the bot's pull requests is closed: completes the run records of that pull request. */
export interface PullClosedRecord {
  v: typeof LEDGER_VERSION
  kind: 'pr-closed'
  id: string
  source: 'action'
  repository: string
  issue: number | null
  pr: number
  /** When the closed event was recorded. */
  startedAt: string
  openedAt: string | null
  closedAt: string
  merged: boolean
  /** `/fix` feedback the bot carried out on the pull request. */
  fixRounds: number
  /** Commits on the pull request not authored with the bot's commit email. */
  humanCommits: number
  botCommits: number
  /** Null when the pull request was closed without merge. */
  humanReview: HumanReview | null
}

export type LedgerRecord = RunRecord | PullClosedRecord

/** Parses a ledger file: lines that are not records of a known version are skipped and counted. */
export function parseLedger(text: string): { records: LedgerRecord[]; skipped: number } {
  const records: LedgerRecord[] = []
  let skipped = 0
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    try {
      const value = JSON.parse(line) as Partial<LedgerRecord>
      if (
        value.v === LEDGER_VERSION &&
        (value.kind === 'run' || value.kind === 'pr-closed') &&
        typeof value.id === 'string'
      ) {
        records.push(value as LedgerRecord)
      } else {
        skipped++
      }
    } catch {
      skipped++
    }
  }
  return { records, skipped }
}

/** The ids already in a ledger text, so an append never writes a record twice. */
export function ledgerIds(text: string): Set<string> {
  return new Set(parseLedger(text).records.map(r => r.id))
}
