import { describe, expect, it } from '@jest/globals'
import { describeResultError } from '../../src/claude/runner.js'
import type { ResultSummary } from '../../src/claude/stream.js'

function result(overrides: Partial<ResultSummary>): ResultSummary {
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
    ...overrides
  }
}

describe('describeResultError', () => {
  it('names the turn limit for error_max_turns', () => {
    expect(describeResultError(result({ subtype: 'error_max_turns', turns: 12 }))).toBe(
      'Claude Code stopped at the maximum number of turns (12)'
    )
  })

  it('names the money spent for error_max_budget_usd', () => {
    expect(describeResultError(result({ subtype: 'error_max_budget_usd', costUsd: 0.51234 }))).toBe(
      'Claude Code stopped because the budget was exhausted (spent $0.5123)'
    )
  })

  it('reports an Anthropic API error with its status and message', () => {
    expect(
      describeResultError(result({ apiErrorStatus: 529, text: '  API Error: 529 Overloaded\n' }))
    ).toBe('Anthropic API error 529: API Error: 529 Overloaded')
    expect(describeResultError(result({ apiErrorStatus: 401 }))).toBe('Anthropic API error 401')
  })

  it('falls back to the subtype and the result text for other errors', () => {
    expect(describeResultError(result({ subtype: 'error_during_execution', text: 'Tool crashed' }))).toBe(
      'Claude Code reported an error (error_during_execution): Tool crashed'
    )
    expect(describeResultError(result({ subtype: '' }))).toBe('Claude Code reported an error (unknown)')
  })

  it('caps a long error text at 500 characters', () => {
    const message = describeResultError(result({ subtype: 'error_during_execution', text: 'x'.repeat(2000) }))
    expect(message).toBe(`Claude Code reported an error (error_during_execution): ${'x'.repeat(500)}`)
  })
})
