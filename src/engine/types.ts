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
}

export type AnsweredBy = 'openai' | 'azure' | 'fallback'

export interface QuestionRecord {
  question: string
  answer: string
  answeredBy: AnsweredBy
}

export type PhaseStatus = 'succeeded' | 'failed' | 'skipped'

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
  /** True when the phase's document was reused from an earlier run instead of running Claude. */
  reused?: boolean
  /**
   * Parts of git's own setup the phase changed (e.g. `.git/config`, `.git/hooks/pre-commit`),
   * relative to the repository: put back as they were before the phase. Absent when untouched.
   */
  restored?: string[]
  error?: string
}

export type RunStatus = 'completed' | 'planned' | 'failed'

export interface Totals {
  durationMs: number
  costUsd: number
  inputTokens: number
  outputTokens: number
}

export interface RunResult {
  task: string
  status: RunStatus
  phases: PhaseResult[]
  planPath: string | null
  reviewPath: string | null
  findings: Finding[]
  changedFiles: string[]
  totals: Totals
  /** Set when status is `failed`. */
  failedPhase?: PhaseName
  error?: string
}
