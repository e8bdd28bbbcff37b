/**
 * Turns a failure's sentence into one countable reason and the phase it
 * happened in. Pure: the patterns follow the texts of describeResultError and
 * runClaude (src/claude/runner.ts), runPhase and runEngine (src/engine/), the
 * flows and the secret and sandbox checks, and the unit tests feed it those
 * texts from the functions themselves where they are exported.
 */
import { PHASES, type PhaseName } from '../engine/types.js'
import type { FailureReason } from './schema.js'

/** First match wins: the more specific sentences come before the generic ones. */
const RULES: Array<[FailureReason, RegExp]> = [
  // runClaude's own timeout and runPhase's.
  ['timeout', /did not finish within|phase timeout|timed out/i],
  // describeResultError (error_max_budget_usd) and runEngine's check before a phase.
  ['budget', /budget was exhausted|budget of \$[\d.]+ is spent/i],
  // describeResultError (error_max_turns), with or without Claude Code's errors[].
  ['max-turns', /maximum number of turns/i],
  // describeResultError and runClaude; a provider's missing setting (claude/providers.ts) is `config`.
  ['credential', /credential was rejected|no usable Anthropic credential/i],
  ['model-api', /Anthropic API error \d{3}/i],
  ['sandbox', /the sandbox (cannot start|needs|runtime)/i],
  ['secret-blocked', /would publish a secret|has a secret in its message|whose name contains a secret/i],
  // The project's check after implement ("the project's check `npm test` still fails after 3 round(s)").
  ['verify-failed', /the project's check .* still fails|\bverif(y|ication)\b.*\bfail|\bfailed verification/i],
  ['rule-broken', /broke its rules/i],
  ['question-unanswered', /still asking a question/i],
  ['no-document', /finished without writing its document|produced no plan/i],
  ['review-malformed', /returned (no structured|malformed) findings/i],
  ['empty-change', /changed nothing|wrote nothing to commit|nothing to propose/i],
  ['branch-moved', /changed on origin while the run worked|commits the orchestrator did not make|no longer exists/i],
  [
    'claude-error',
    /Claude Code (reported an error|exited with code|could not be started|ended without reporting|failed)/i
  ],
  [
    'config',
    /^Input [a-z_]+ |is not set: this step must run inside GitHub Actions|does not look like Claude Code|is not supported: this release needs|refusing to run .* inside the repository|\b(Bedrock|Vertex AI|Foundry) needs |Claude Code has no model credential|are both set: choose one provider|is not a (region|resource) name/i
  ],
  [
    'github-api',
    /Resource not accessible by integration|Bad credentials|API rate limit|HttpError|Not Found - https:\/\/docs\.github\.com|Validation Failed/i
  ]
]

/** The reason class of a failure message (`status` refused is always `refused`). */
export function classifyFailure(message: string | null | undefined, status?: string): FailureReason {
  if (status === 'refused') return 'refused'
  const text = message ?? ''
  for (const [reason, pattern] of RULES) if (pattern.test(text)) return reason
  return 'other'
}

/**
 * The phase a failure belongs to: the engine's own (`failedPhase`), else the
 * one the sentence names ("implement failed: …", "the implement phase changed
 * nothing"), else null (a failure outside any phase: git, GitHub, setup).
 */
export function failurePhase(message: string | null | undefined, failedPhase?: PhaseName | null): PhaseName | null {
  if (failedPhase) return failedPhase
  const text = message ?? ''
  const names = PHASES.join('|')
  const m = text.match(new RegExp(`^(${names}) failed:`)) ?? text.match(new RegExp(`\\bthe (${names}) phase\\b`))
  if (m) return m[1] as PhaseName
  // The project's check runs as part of implementing.
  return /the project's check .* still fails/.test(text) ? 'implement' : null
}

/** One line of at most `max` characters: failure details are for a glance, not a log. */
export function shortDetail(message: string | null | undefined, max = 200): string | null {
  if (!message) return null
  const line = message.replace(/\s+/g, ' ').trim()
  if (!line) return null
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
