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
    // A byte before the key: the first two characters spell bits of `x`, the last the key's last bits and padding.
    const shifted = Buffer.from(`x${env.AWS_SECRET_ACCESS_KEY}`).toString('base64url')
    const text = [
      env.AWS_SECRET_ACCESS_KEY,
      Buffer.from(env.GOOGLE_OAUTH_ACCESS_TOKEN).toString('base64'),
      shifted,
      env.ANTHROPIC_FOUNDRY_API_KEY,
      env.OPENAI_API_KEY,
      'region eu-west-1'
    ].join(' | ')
    expect(redact(text)).toBe(
      `*** | *** | ${shifted.slice(0, 2)}***${shifted.slice(-1)} | *** | *** | region eu-west-1`
    )
  })
})
