/** A Claude Code result event as the stream parser returns it, for tests of what reads one. */
import type { ResultSummary } from '../../src/claude/stream.js'

export function resultSummary(overrides: Partial<ResultSummary> = {}): ResultSummary {
  return {
    subtype: 'success',
    isError: true,
    text: '',
    sessionId: 's-1',
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    turns: 0,
    apiErrorStatus: null,
    permissionDenials: [],
    errors: [],
    ...overrides
  }
}
