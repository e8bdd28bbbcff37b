import { describe, expect, it } from '@jest/globals'
import { renderQuestionComment, resolveAnswers } from '../../../src/action/render/question-comment.js'
import { decodeQuestionMarker, type QuestionState } from '../../../src/action/markers.js'

const q = {
  question: 'Which store?',
  header: 'Store',
  options: [{ label: 'Redis', description: 'shared' }, { label: 'In memory' }]
}
const state: QuestionState = {
  v: 1,
  issue: 7,
  phase: 'research',
  questions: [q],
  headSha: 'abc',
  artifacts: { index: ['i.md'] },
  extra: '',
  answered: [],
  state: 'pending'
}

describe('renderQuestionComment', () => {
  it('shows the question, its options and how to answer, and carries the state marker', () => {
    const body = renderQuestionComment(state, 'https://run')
    expect(body).toContain('### ❓ Claude has a question (research)')
    expect(body).toContain('**Store:** Which store?\n\n1. **Redis** — shared\n2. **In memory**')
    expect(body).toContain('Reply `/answer <number>` to pick an option, or `/answer <your own words>`.')
    expect(decodeQuestionMarker(body)).toEqual(state)
  })

  it('keeps model text from opening an HTML comment or pinging people', () => {
    const body = renderQuestionComment(
      { ...state, questions: [{ question: 'Ask @admin? <!-- x', options: [] }] },
      'https://run'
    )
    expect(body).not.toContain('<!-- x')
    expect(body).not.toContain(' @admin')
  })
})

describe('resolveAnswers', () => {
  it('turns a number into that option and keeps free text', () => {
    expect(resolveAnswers([q], '2')).toEqual(['In memory'])
    expect(resolveAnswers([q], 'redis')).toEqual(['Redis'])
    expect(resolveAnswers([q], 'SQLite, please')).toEqual(['SQLite, please'])
    expect(resolveAnswers([q], '9')).toEqual(['9'])
  })

  it('answers several questions one line each, and says when one is missing', () => {
    const two = [q, { question: 'Limit?', options: [] }]
    expect(resolveAnswers(two, '1\n100 per minute')).toEqual(['Redis', '100 per minute'])
    expect(resolveAnswers(two, '1')).toBeNull()
    expect(resolveAnswers([q], '   ')).toBeNull()
  })
})
