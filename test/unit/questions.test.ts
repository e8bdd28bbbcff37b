import { describe, expect, it } from '@jest/globals'
import { extractQuestion, namedOption } from '../../src/engine/questions.js'

describe('extractQuestion', () => {
  it('returns the text after a QUESTION: marker line', () => {
    const text = [
      'I read the API handlers and the middleware.',
      '',
      'QUESTION: Should the rate limit be per API key or per IP address? Options: (a) per key, (b) per IP.'
    ].join('\n')
    expect(extractQuestion(text)).toBe(
      'Should the rate limit be per API key or per IP address? Options: (a) per key, (b) per IP.'
    )
  })

  it('accepts a bold marker in either form', () => {
    expect(extractQuestion('Research done.\n\n**QUESTION:** Keep Express 4 or move to Express 5?')).toBe(
      'Keep Express 4 or move to Express 5?'
    )
    expect(extractQuestion('Research done.\n\n**QUESTION**: Keep Express 4 or move to Express 5?')).toBe(
      'Keep Express 4 or move to Express 5?'
    )
  })

  it('keeps the options and context that follow the marker line', () => {
    const text = [
      'The plan depends on one decision.',
      'QUESTION: Which store should back the limiter?',
      '1. Redis (already deployed)',
      '2. In-memory (simpler, per instance)'
    ].join('\n')
    expect(extractQuestion(text)).toBe(
      'Which store should back the limiter?\n1. Redis (already deployed)\n2. In-memory (simpler, per instance)'
    )
  })

  it('finds a marker even when it is not a question sentence', () => {
    expect(extractQuestion('QUESTION: tell me the target Node version')).toBe('tell me the target Node version')
  })

  it('takes a final paragraph that ends with a question mark', () => {
    const text = [
      'I have mapped the endpoints in src/api.js.',
      '',
      'Before I plan further: should unauthenticated requests share one global limit?'
    ].join('\n')
    expect(extractQuestion(text)).toBe('Before I plan further: should unauthenticated requests share one global limit?')
  })

  it('takes a question followed by a separate list of options', () => {
    const text = [
      'Two approaches fit the codebase.',
      '',
      'Which one do you prefer?',
      '',
      '- Token bucket in middleware',
      '- Fixed window per route'
    ].join('\n')
    expect(extractQuestion(text)).toBe(
      'Which one do you prefer?\n- Token bucket in middleware\n- Fixed window per route'
    )
  })

  it('accepts numbered options with a parenthesis', () => {
    expect(extractQuestion('Which store?\n\n1) Redis\n2) Memory')).toBe('Which store?\n1) Redis\n2) Memory')
  })

  it('takes a question whose option list follows without a blank line', () => {
    expect(extractQuestion('I can go two ways.\n\nWhich store should I use?\n- Redis\n- In-memory')).toBe(
      'Which store should I use?\n- Redis\n- In-memory'
    )
  })

  it('does not treat an option list without a preceding question as a question', () => {
    expect(extractQuestion('I changed these files:\n\n- src/api.js\n- test.js')).toBeNull()
  })

  it('returns null for a final report that asks nothing', () => {
    expect(
      extractQuestion(
        'Wrote the plan.\n\nWhy this approach? It reuses the middleware.\n\nDOCUMENT: thoughts/shared/plans/x.md'
      )
    ).toBeNull()
    expect(extractQuestion('All tests pass. Changed src/api.js and test.js.')).toBeNull()
  })

  it('returns null for empty or whitespace-only text', () => {
    expect(extractQuestion('')).toBeNull()
    expect(extractQuestion('  \n\n ')).toBeNull()
  })

  it('does not mistake a line that merely starts with "Questions" for the marker', () => {
    expect(extractQuestion('I wrote the plan.\n\nQuestions: none.')).toBeNull()
    expect(extractQuestion('Plan written.\nQuestioned assumptions are listed in the plan.')).toBeNull()
  })
})

describe('namedOption', () => {
  const options = [{ label: '2' }, { label: '1' }, { label: 'Redis' }]

  it('takes an option by its number or its label in any case, and none for anything else', () => {
    expect(namedOption(options, '3', 'number')).toBe(options[2])
    expect(namedOption(options, 'redis', 'label')).toBe(options[2])
    expect(namedOption(options, '4', 'number')).toBeUndefined()
    expect(namedOption(options, 'Redis, please', 'label')).toBeUndefined()
  })

  it('reads a label that is a number as the asker was told to answer: the model by label, a maintainer by number', () => {
    expect(namedOption(options, '1', 'label')).toBe(options[1])
    expect(namedOption(options, '1', 'number')).toBe(options[0])
  })
})
