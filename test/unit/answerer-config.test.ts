import { describe, expect, it } from '@jest/globals'
import {
  AnswererConfigError,
  DEFAULT_AZURE_API_VERSION,
  DEFAULT_OPENAI_MODEL,
  describeAnswerer,
  detectAnswerer
} from '../../src/answerer/config.js'

describe('detectAnswerer', () => {
  it('returns null when no key is set, or only blank ones', () => {
    expect(detectAnswerer({})).toBeNull()
    expect(detectAnswerer({ OPENAI_API_KEY: '   ', AZURE_OPENAI_API_KEY: '' })).toBeNull()
  })

  it('uses OpenAI with the default model when only OPENAI_API_KEY is set', () => {
    expect(detectAnswerer({ OPENAI_API_KEY: 'sk-1' })).toEqual({
      kind: 'openai',
      apiKey: 'sk-1',
      model: DEFAULT_OPENAI_MODEL
    })
    expect(DEFAULT_OPENAI_MODEL).toBe('gpt-5-mini')
  })

  it('honours OPENAI_MODEL and OPENAI_BASE_URL, trimming whitespace', () => {
    expect(
      detectAnswerer({
        OPENAI_API_KEY: ' sk-1\n',
        OPENAI_MODEL: ' gpt-4.1 ',
        OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1 '
      })
    ).toEqual({ kind: 'openai', apiKey: 'sk-1', model: 'gpt-4.1', baseURL: 'http://127.0.0.1:8080/v1' })
    expect(detectAnswerer({ OPENAI_API_KEY: 'sk-1', OPENAI_MODEL: '', OPENAI_BASE_URL: ' ' })).toEqual({
      kind: 'openai',
      apiKey: 'sk-1',
      model: DEFAULT_OPENAI_MODEL
    })
  })

  it('prefers Azure when both its key and endpoint are set', () => {
    expect(
      detectAnswerer({
        OPENAI_API_KEY: 'sk-1',
        AZURE_OPENAI_API_KEY: 'az-1',
        AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com',
        AZURE_OPENAI_DEPLOYMENT: 'gpt4o-prod'
      })
    ).toEqual({
      kind: 'azure',
      apiKey: 'az-1',
      endpoint: 'https://x.openai.azure.com',
      deployment: 'gpt4o-prod',
      apiVersion: DEFAULT_AZURE_API_VERSION
    })
  })

  it('uses OPENAI_MODEL as the Azure deployment and honours AZURE_OPENAI_API_VERSION', () => {
    expect(
      detectAnswerer({
        AZURE_OPENAI_API_KEY: 'az-1',
        AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com',
        OPENAI_MODEL: 'my-deployment',
        AZURE_OPENAI_API_VERSION: '2025-01-01-preview'
      })
    ).toMatchObject({ kind: 'azure', deployment: 'my-deployment', apiVersion: '2025-01-01-preview' })
  })

  it('falls back to OpenAI when Azure is only half configured', () => {
    expect(detectAnswerer({ OPENAI_API_KEY: 'sk-1', AZURE_OPENAI_API_KEY: 'az-1' })).toMatchObject({ kind: 'openai' })
    expect(detectAnswerer({ OPENAI_API_KEY: 'sk-1', AZURE_OPENAI_ENDPOINT: 'https://x' })).toMatchObject({
      kind: 'openai'
    })
    expect(detectAnswerer({ AZURE_OPENAI_API_KEY: 'az-1' })).toBeNull()
  })

  it('fails with an actionable message when Azure has no deployment', () => {
    const env = {
      AZURE_OPENAI_API_KEY: 'az-1',
      AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com',
      OPENAI_API_KEY: 'sk-1'
    }
    expect(() => detectAnswerer(env)).toThrow(AnswererConfigError)
    expect(() => detectAnswerer(env)).toThrow(/AZURE_OPENAI_DEPLOYMENT is not: name the deployment to use/)
  })
})

describe('describeAnswerer', () => {
  it('names the model or deployment without exposing the key', () => {
    expect(describeAnswerer(null)).toBe('no answerer configured (questions get the fallback instruction)')
    expect(describeAnswerer({ kind: 'openai', apiKey: 'sk-secret', model: 'gpt-5-mini' })).toBe(
      'OpenAI model gpt-5-mini'
    )
    expect(describeAnswerer({ kind: 'openai', apiKey: 'sk-secret', model: 'm', baseURL: 'http://h/v1' })).toBe(
      'OpenAI model m at http://h/v1'
    )
    const azure = describeAnswerer({
      kind: 'azure',
      apiKey: 'az-secret',
      endpoint: 'https://e',
      deployment: 'd',
      apiVersion: 'v'
    })
    expect(azure).toBe('Azure OpenAI deployment d')
  })
})
