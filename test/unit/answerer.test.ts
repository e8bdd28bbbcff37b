import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  buildQuestionMessage,
  createAnswerer,
  FALLBACK_ANSWER,
  parseAnswer,
  withMaintainer,
  type QuestionContext
} from '../../src/answerer/answerer.js'
import { startFakeOpenAI, type FakeOpenAI } from '../support/openai-server.js'

const QUESTION: QuestionContext = {
  task: 'Add rate limiting to the API endpoints',
  phase: 'plan',
  question: 'Should the limiter use Redis or memory?',
  artifacts: [{ path: 'thoughts/shared/research/2025-03-01-x.md', content: '# Research\nNo Redis in the stack.' }]
}

let openai: FakeOpenAI
beforeEach(async () => {
  openai = await startFakeOpenAI('Use an in-memory token bucket.')
})
afterEach(async () => {
  await openai.close()
})

describe('createAnswerer with OpenAI', () => {
  it("returns the model's answer and sends the task, phase, question and documents", async () => {
    const answerer = createAnswerer({
      kind: 'openai',
      apiKey: 'sk-test',
      model: 'gpt-5-mini',
      baseURL: `${openai.url}/v1`
    })
    const answer = await answerer.answer(QUESTION)
    expect(answer).toEqual({ answer: 'Use an in-memory token bucket.', answeredBy: 'openai' })

    expect(openai.requests).toHaveLength(1)
    const req = openai.requests[0]
    expect(req?.path).toBe('/v1/chat/completions')
    expect(req?.headers.authorization).toBe('Bearer sk-test')
    expect(req?.body.model).toBe('gpt-5-mini')
    expect(req?.body.messages.map(m => m.role)).toEqual(['system', 'user'])
    expect(req?.body.messages[0]?.content).toContain('Never ask a question back')
    expect(req?.body.messages[1]?.content).toBe(buildQuestionMessage(QUESTION))
  })

  it('trims the answer text', async () => {
    openai.respondWith({ answer: '\n  Use memory.  \n' })
    const answerer = createAnswerer(
      { kind: 'openai', apiKey: 'k', model: 'm', baseURL: `${openai.url}/v1` },
      { maxRetries: 0 }
    )
    expect((await answerer.answer(QUESTION)).answer).toBe('Use memory.')
  })

  it('falls back with a reason when the server answers HTTP 500', async () => {
    openai.respondWith({ status: 500 })
    const answerer = createAnswerer(
      { kind: 'openai', apiKey: 'k', model: 'm', baseURL: `${openai.url}/v1` },
      { maxRetries: 0 }
    )
    const answer = await answerer.answer(QUESTION)
    expect(answer.answer).toBe(FALLBACK_ANSWER)
    expect(answer.answeredBy).toBe('fallback')
    expect(answer.fallbackReason).toMatch(/^OpenAI failed: .*500/)
    expect(openai.requests).toHaveLength(1)
  })

  it('falls back with a reason when the server sends garbage', async () => {
    openai.respondWith({ garbage: '<html>502 Bad Gateway' })
    const answerer = createAnswerer(
      { kind: 'openai', apiKey: 'k', model: 'm', baseURL: `${openai.url}/v1` },
      { maxRetries: 0 }
    )
    const answer = await answerer.answer(QUESTION)
    expect(answer.answeredBy).toBe('fallback')
    expect(answer.answer).toBe(FALLBACK_ANSWER)
    expect(answer.fallbackReason).toMatch(/^OpenAI failed: /)
  })

  it('falls back when the model returns an empty answer', async () => {
    openai.respondWith({ answer: '   ' })
    const answerer = createAnswerer(
      { kind: 'openai', apiKey: 'k', model: 'm', baseURL: `${openai.url}/v1` },
      { maxRetries: 0 }
    )
    expect(await answerer.answer(QUESTION)).toEqual({
      answer: FALLBACK_ANSWER,
      answeredBy: 'fallback',
      fallbackReason: 'OpenAI failed: the model returned no answer text'
    })
  })

  it('falls back when nothing listens at the address', async () => {
    // Port 1 (tcpmux) is privileged and never served in a test environment: connection refused.
    const answerer = createAnswerer(
      { kind: 'openai', apiKey: 'k', model: 'm', baseURL: 'http://127.0.0.1:1/v1' },
      { maxRetries: 0 }
    )
    const answer = await answerer.answer(QUESTION)
    expect(answer.answeredBy).toBe('fallback')
    expect(answer.answer).toBe(FALLBACK_ANSWER)
    expect(answer.fallbackReason).toMatch(/^OpenAI failed: /)
  })
})

describe('createAnswerer with Azure OpenAI', () => {
  it('calls the deployment with the API version and answers as azure', async () => {
    const answerer = createAnswerer(
      { kind: 'azure', apiKey: 'az-key', endpoint: openai.url, deployment: 'gpt4o-prod', apiVersion: '2024-10-21' },
      { maxRetries: 0 }
    )
    expect(await answerer.answer(QUESTION)).toEqual({ answer: 'Use an in-memory token bucket.', answeredBy: 'azure' })
    const req = openai.requests[0]
    expect(req?.path).toBe('/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21')
    expect(req?.headers['api-key']).toBe('az-key')
  })

  it('names Azure in the fallback reason', async () => {
    openai.respondWith({ status: 500 })
    const answerer = createAnswerer(
      { kind: 'azure', apiKey: 'az-key', endpoint: openai.url, deployment: 'd', apiVersion: '2024-10-21' },
      { maxRetries: 0 }
    )
    const answer = await answerer.answer(QUESTION)
    expect(answer.answeredBy).toBe('fallback')
    expect(answer.fallbackReason).toMatch(/^Azure OpenAI failed: /)
  })
})

describe('createAnswerer without a config', () => {
  it('always returns the fallback instruction without calling anything', async () => {
    const answer = await createAnswerer(null).answer(QUESTION)
    expect(answer).toEqual({
      answer: FALLBACK_ANSWER,
      answeredBy: 'fallback',
      fallbackReason: 'no answerer configured'
    })
    expect(openai.requests).toHaveLength(0)
  })
})

describe('buildQuestionMessage', () => {
  it('includes the task, the phase, the documents and the question', () => {
    expect(buildQuestionMessage(QUESTION)).toBe(
      [
        '<task>\nAdd rate limiting to the API endpoints\n</task>',
        'Current phase: plan',
        'Documents so far:\n<document path="thoughts/shared/research/2025-03-01-x.md">\n# Research\nNo Redis in the stack.\n</document>',
        '<question>\nShould the limiter use Redis or memory?\n</question>'
      ].join('\n\n')
    )
  })

  it('says so when there are no documents yet', () => {
    expect(buildQuestionMessage({ ...QUESTION, phase: 'index', artifacts: [] })).toContain(
      'Current phase: index\n\nNo documents yet.'
    )
  })

  it('truncates a long document at 12000 characters and marks it', () => {
    const long = 'a'.repeat(12000) + 'TAIL-NOT-SENT'
    const message = buildQuestionMessage({ ...QUESTION, artifacts: [{ path: 'p.md', content: long }] })
    expect(message).toContain(`<document path="p.md">\n${'a'.repeat(12000)}\n[…truncated]\n</document>`)
    expect(message).not.toContain('TAIL-NOT-SENT')

    const exact = buildQuestionMessage({ ...QUESTION, artifacts: [{ path: 'p.md', content: 'b'.repeat(12000) }] })
    expect(exact).not.toContain('[…truncated]')
  })
})

describe('withRedaction', () => {
  it('never hands the inner answerer a secret, in the task, the question or a document', async () => {
    const { withRedaction } = await import('../../src/answerer/answerer.js')
    const seen: string[] = []
    const inner = {
      answer: async (ctx: { task: string; question: string; artifacts: Array<{ content: string }> }) => {
        seen.push(ctx.task, ctx.question, ...ctx.artifacts.map(a => a.content))
        return { answer: 'ok', answeredBy: 'openai' as const }
      }
    }
    const redacting = withRedaction(inner, t => t.split('sk-ant-SECRET').join('***'))
    const answer = await redacting.answer({
      task: 'use sk-ant-SECRET',
      phase: 'plan',
      question: 'is sk-ant-SECRET right?',
      artifacts: [{ path: 'thoughts/shared/research/r.md', content: 'key: sk-ant-SECRET' }]
    })
    expect(answer).toEqual({ answer: 'ok', answeredBy: 'openai' })
    expect(seen.join('\n')).not.toContain('sk-ant-SECRET')
    expect(seen).toEqual(['use ***', 'is *** right?', 'key: ***'])
  })
})

describe('parseAnswer', () => {
  const options = [{ label: 'Redis' }, { label: 'In memory', description: 'a Map per process' }]

  it('takes an option by its label or its number, word for word, and reads the confidence', () => {
    expect(parseAnswer('in memory\nconfidence: high', options)).toEqual({ answer: 'In memory', confidence: 'high' })
    expect(parseAnswer('**2**\nKeeps it simple.\nConfidence: low', options)).toEqual({
      answer: 'In memory',
      confidence: 'low'
    })
  })

  it('keeps a free answer when no option fits, and no confidence when none is given', () => {
    expect(parseAnswer('Use SQLite; both options are wrong here.', options)).toEqual({
      answer: 'Use SQLite; both options are wrong here.',
      confidence: undefined
    })
  })
})

describe('withMaintainer', () => {
  const model = (confidence: 'high' | 'low', answeredBy: 'openai' | 'fallback' = 'openai') => ({
    answer: async () => ({ answer: 'Redis', answeredBy, confidence })
  })
  const ctx = { task: 't', phase: 'plan' as const, question: 'Which?', options: [{ label: 'Redis' }], artifacts: [] }

  it('leaves the model to answer in model mode', async () => {
    expect(await withMaintainer(model('low'), 'model').answer(ctx)).toMatchObject({
      answer: 'Redis',
      answeredBy: 'openai'
    })
  })

  it('sends planning questions to a maintainer, and in model-or-maintainer mode only when the model is unsure or down', async () => {
    expect(await withMaintainer(model('high'), 'maintainer').answer(ctx)).toMatchObject({
      deferred: true,
      answeredBy: 'maintainer'
    })
    expect(await withMaintainer(model('high'), 'model-or-maintainer').answer(ctx)).toMatchObject({ answer: 'Redis' })
    expect(await withMaintainer(model('low'), 'model-or-maintainer').answer(ctx)).toMatchObject({ deferred: true })
    expect(await withMaintainer(model('high', 'fallback'), 'model-or-maintainer').answer(ctx)).toMatchObject({
      deferred: true
    })
  })

  it('never makes implement or review wait: the model answers there', async () => {
    expect(await withMaintainer(model('high'), 'maintainer').answer({ ...ctx, phase: 'implement' })).toMatchObject({
      answer: 'Redis'
    })
  })
})
