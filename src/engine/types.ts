/** The shapes the engine produces: what `--json` prints and what the action renders. */

export const PHASES = ['index', 'research', 'plan', 'implement', 'review'] as const
export type PhaseName = (typeof PHASES)[number]

export const SEVERITIES = ['blocker', 'major', 'minor', 'nit'] as const
export type Severity = (typeof SEVERITIES)[number]

export interface Finding {
  severity: Severity
  file: string
  line: number | null
  title: string
  detail: string
  /** The review lens that produced the finding, when the reviewer names one. */
  lens?: string
  /**
   * `F1`, `F2`…: stable across a pull request's review rounds (a finding still
   * open keeps its id; a new one gets the next number, never a reused one).
   */
  id?: string
}

/** What the next round's review said of an earlier finding. */
export interface EarlierFinding {
  id: string
  title: string
  status: 'fixed' | 'open'
}

export type AnsweredBy = 'openai' | 'azure' | 'fallback' | 'maintainer'

export interface QuestionRecord {
  question: string
  answer: string
  answeredBy: AnsweredBy
  /** The options Claude offered, for a structured question. */
  options?: string[]
}

export type PhaseStatus = 'succeeded' | 'failed' | 'skipped' | 'waiting'

/** A structured question Claude asked that waits for a maintainer (questions: maintainer). */
export interface PendingQuestion {
  question: string
  header?: string
  options: Array<{ label: string; description?: string }>
}

/** A maintainer's answer to a pending question, given to the phase when it runs again. */
export interface MaintainerAnswer {
  phase: PhaseName
  question: string
  answer: string
}

export interface PhaseResult {
  name: PhaseName
  status: PhaseStatus
  durationMs: number
  costUsd: number
  inputTokens: number
  outputTokens: number
  turns: number
  sessionId: string | null
  /** Documents the phase wrote, relative to the repository root. */
  artifacts: string[]
  questions: QuestionRecord[]
  /** Tool calls the phase's rules refused (`Bash rm -rf src`), as the model was told. */
  refusals?: string[]
  /** Connections the sandbox refused during the phase (`host:port`, repeats counted). */
  blockedConnections?: string[]
  /** Writes the sandbox refused during the phase, as the runtime reported them. */
  deniedPaths?: string[]
  /** Set when the phase stopped to wait for a maintainer's answer (status `waiting`). */
  pendingQuestions?: PendingQuestion[]
  /** True when the phase's document was reused from an earlier run instead of running Claude. */
  reused?: boolean
  /**
   * Parts of git's own setup the phase changed (e.g. `.git/config`, `.git/hooks/pre-commit`),
   * relative to the repository: put back as they were before the phase. Absent when untouched.
   */
  restored?: string[]
  /** Set when the phase failed because it broke its rules (the workspace guard): its work is never kept. */
  brokeRules?: true
  error?: string
  /** For a failed phase: Claude's last text before it stopped (at most 1,000 characters). */
  lastText?: string
}

export type RunStatus = 'completed' | 'planned' | 'failed' | 'awaiting-answer'

export interface Totals {
  durationMs: number
  costUsd: number
  inputTokens: number
  outputTokens: number
}

/** How Claude Code was contained for the run. */
export interface SandboxSummary {
  sandboxed: boolean
  /** Why not, when it was not. */
  reason?: string
}

export type { VerifyRound, VerifySummary } from './verify.js'

export interface RunResult {
  task: string
  /** The project's check after implement: each round, and whether it passed in the end. */
  verify?: import('./verify.js').VerifySummary
  sandbox?: SandboxSummary
  status: RunStatus
  phases: PhaseResult[]
  planPath: string | null
  reviewPath: string | null
  findings: Finding[]
  /** The previous round's findings, each marked fixed or still open by this round's review. */
  earlierFindings?: EarlierFinding[]
  changedFiles: string[]
  totals: Totals
  /** Set when status is `awaiting-answer`: the phase that asked and what. */
  waiting?: { phase: PhaseName; questions: PendingQuestion[] }
  /** Set when status is `failed`. */
  failedPhase?: PhaseName
  error?: string
}
