import { describe, expect, it } from '@jest/globals'
import { redactor } from '../../../src/ledger/cli.js'

describe("the CLI ledger's redactor", () => {
  it("hides every provider's credential and the answerer's key, in their encoded forms too", () => {
    const env = {
      AWS_SECRET_ACCESS_KEY: 'aws-secret-0123456789',
      GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.google-token-012',
      ANTHROPIC_FOUNDRY_API_KEY: 'foundry-key-0123456789',
      OPENAI_API_KEY: 'sk-openai-0123456789',
      AWS_REGION: 'eu-west-1'
    }
    const redact = redactor(env)
    const text = [
      env.AWS_SECRET_ACCESS_KEY,
      Buffer.from(env.GOOGLE_OAUTH_ACCESS_TOKEN).toString('base64'),
      env.ANTHROPIC_FOUNDRY_API_KEY,
      env.OPENAI_API_KEY,
      'region eu-west-1'
    ].join(' | ')
    expect(redact(text)).toBe('*** | *** | *** | *** | region eu-west-1')
  })
})
