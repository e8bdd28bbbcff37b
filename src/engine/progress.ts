/**
 * Progress events the engine emits while it works, and the one-line rendering
 * used on the CLI's stderr and in the action's log.
 */
import path from 'node:path'
import type { AnsweredBy, PhaseName, PhaseResult, VerifyRound } from './types.js'
import type { ToolCall } from '../claude/stream.js'
import { duration, usd } from '../util/format.js'

export type ProgressEvent =
  | { type: 'phase-start'; phase: PhaseName; position: number; total: number }
  | { type: 'tool'; phase: PhaseName; call: ToolCall }
  | { type: 'text'; phase: PhaseName; text: string }
  | { type: 'question'; phase: PhaseName; question: string }
  | { type: 'answer'; phase: PhaseName; answer: string; answeredBy: AnsweredBy; fallbackReason?: string }
  | { type: 'phase-end'; phase: PhaseName; result: PhaseResult }
  | { type: 'verify'; phase: PhaseName; command: string; round: VerifyRound }
  | { type: 'retry'; phase: PhaseName; attempt: number; maxRetries: number; status: number | null; error: string }

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** What a tool call acts on, e.g. `thoughts/shared/plans/x.md` or `npm test`. */
export function toolTarget(call: ToolCall, repoDir: string): string {
  const input = call.input
  const file = input.file_path ?? input.notebook_path ?? input.path
  if (typeof file === 'string') {
    const rel = path.relative(repoDir, path.resolve(repoDir, file))
    return rel.startsWith('..') ? file : rel || '.'
  }
  if (typeof input.command === 'string') return oneLine(input.command, 120)
  if (typeof input.pattern === 'string') return input.pattern
  return oneLine(JSON.stringify(input), 80)
}

/** What a phase changed in git's own setup and the engine put back, in one clause; '' when nothing. */
export function restoredClause(result: PhaseResult): string {
  const paths = result.restored ?? []
  if (!paths.length) return ''
  const shown = paths.slice(0, 8).join(', ')
  return `put back what it changed in git's setup: ${shown}${paths.length > 8 ? ` and ${paths.length - 8} more` : ''}`
}

export function formatProgress(event: ProgressEvent, repoDir: string): string | null {
  switch (event.type) {
    case 'phase-start':
      return `▶ ${event.phase} (${event.position}/${event.total})`
    case 'verify':
      return `  ${event.round.passed ? '✔' : '✖'} verify (round ${event.round.round}): \`${event.command}\` ${event.round.passed ? 'passed' : event.round.timedOut ? 'timed out' : `exited ${event.round.exitCode}`} in ${duration(event.round.durationMs)}`
    case 'retry':
      return `  ↻ Anthropic API ${event.status ?? (event.error || 'error')}, retry ${event.attempt} of ${event.maxRetries}`
    case 'tool':
      if (event.call.name === 'StructuredOutput') return `  · ${event.phase}: returned structured findings`
      return `  · ${event.call.name} ${toolTarget(event.call, repoDir)}`
    case 'text':
      return `  ${oneLine(event.text)}`
    case 'question':
      return `  ? ${oneLine(event.question, 300)}`
    case 'answer':
      return `  ↳ ${event.answeredBy}${event.fallbackReason ? ` (${oneLine(event.fallbackReason, 120)})` : ''}: ${oneLine(event.answer, 300)}`
    case 'phase-end': {
      const r = event.result
      const stats = `${duration(r.durationMs)}, ${usd(r.costUsd)}, ${r.inputTokens}/${r.outputTokens} tokens`
      const restored = restoredClause(r) ? `; ${restoredClause(r)}` : ''
      if (r.reused)
        return r.artifacts.length
          ? `✔ ${r.name} reused from an earlier run → ${r.artifacts.join(', ')}`
          : `✔ ${r.name} reused: its work from an earlier run is in the tree`
      if (r.status === 'succeeded') {
        return `✔ ${r.name} (${stats})${r.artifacts.length ? ` → ${r.artifacts.join(', ')}` : ''}${restored}`
      }
      if (r.status === 'failed') return `✖ ${r.name} failed (${stats}): ${r.error ?? 'unknown error'}${restored}`
      return `- ${r.name} skipped`
    }
  }
}
