import { describe, expect, it } from '@jest/globals'
import { resultSummary } from '../support/claude-result.js'
import { describeResultError } from '../../src/claude/runner.js'

const result = resultSummary

describe('describeResultError', () => {
  it('names the turn limit for error_max_turns', () => {
    expect(describeResultError(result({ subtype: 'error_max_turns', turns: 12 }))).toBe(
      'Claude Code stopped at the maximum number of turns (12)'
    )
  })

  it('prefers what errors[] says about the turn limit', () => {
    expect(
      describeResultError(
        result({ subtype: 'error_max_turns', turns: 2, errors: ['Reached maximum number of turns (1)'] })
      )
    ).toBe('Claude Code stopped: Reached maximum number of turns (1)')
  })

  it('names the money spent for error_max_budget_usd', () => {
    expect(describeResultError(result({ subtype: 'error_max_budget_usd', costUsd: 0.51234 }))).toBe(
      'Claude Code stopped because the budget was exhausted (spent $0.5123)'
    )
  })

  it('reports an Anthropic API error with its status and message', () => {
    expect(describeResultError(result({ apiErrorStatus: 529, text: '  API Error: 529 Overloaded\n' }))).toBe(
      'Anthropic API error 529: API Error: 529 Overloaded'
    )
    expect(describeResultError(result({ apiErrorStatus: 500 }))).toBe('Anthropic API error 500')
  })

  it('says a rejected or missing credential in words a maintainer can act on', () => {
    expect(describeResultError(result({ apiErrorStatus: 401, text: 'Failed to authenticate. API Error: 401' }))).toBe(
      'the model credential was rejected (HTTP 401: Failed to authenticate. API Error: 401); check anthropic_api_key / claude_code_oauth_token, or the Bedrock, Vertex AI or Foundry credentials'
    )
    expect(describeResultError(result({ text: 'Not logged in · Please run /login' }))).toMatch(
      /^no usable Anthropic credential reached Claude Code \(it said: Not logged in · Please run \/login\); set anthropic_api_key/
    )
  })

  it('takes the reason from errors[] when the result lists them', () => {
    expect(
      describeResultError(result({ subtype: 'error_during_execution', text: '', errors: ['Tool crashed', 'EPIPE'] }))
    ).toBe('Claude Code reported an error (error_during_execution): Tool crashed; EPIPE')
  })

  it('falls back to the subtype and the result text for other errors', () => {
    expect(describeResultError(result({ subtype: 'error_during_execution', text: 'Tool crashed' }))).toBe(
      'Claude Code reported an error (error_during_execution): Tool crashed'
    )
    expect(describeResultError(result({ subtype: '' }))).toBe('Claude Code reported an error')
  })

  it('caps a long error text at 500 characters', () => {
    const message = describeResultError(result({ subtype: 'error_during_execution', text: 'x'.repeat(2000) }))
    expect(message).toBe(`Claude Code reported an error (error_during_execution): ${'x'.repeat(500)}`)
  })
})
