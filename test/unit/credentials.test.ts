import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { assertModelCredential, CREDENTIAL_VARIABLES, MissingCredentialError } from '../../src/cli/credentials.js'

let home: string
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'cred-home-'))
})
afterEach(() => fs.rmSync(home, { recursive: true, force: true }))

const refusal = (env: Record<string, string>, sandboxed: boolean, platform: NodeJS.Platform = 'linux'): string => {
  try {
    assertModelCredential(env, { sandboxed, platform })
  } catch (err) {
    expect(err).toBeInstanceOf(MissingCredentialError)
    return (err as Error).message
  }
  return ''
}

describe('assertModelCredential', () => {
  it('accepts any one of the variables Claude Code reads (unconfined, a provider switch finds its own credential)', () => {
    for (const name of CREDENTIAL_VARIABLES) expect(refusal({ HOME: home, [name]: '1' }, false)).toBe('')
    for (const name of ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN'])
      expect(refusal({ HOME: home, [name]: 'k' }, true)).toBe('')
  })

  it('in the sandbox, names what a provider still needs: the credential proxy must hold it', () => {
    expect(refusal({ HOME: home, CLAUDE_CODE_USE_BEDROCK: '1' }, true)).toBe(
      'Bedrock needs AWS_REGION (set it in the environment or in .env.claude)'
    )
    expect(refusal({ HOME: home, CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'eu-west-1' }, true)).toMatch(
      /^Bedrock needs AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or/
    )
    expect(
      refusal(
        {
          HOME: home,
          CLAUDE_CODE_USE_BEDROCK: '1',
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'A',
          AWS_SECRET_ACCESS_KEY: 'S'
        },
        true
      )
    ).toBe('')
    expect(
      refusal(
        { HOME: home, CLAUDE_CODE_USE_VERTEX: '1', CLOUD_ML_REGION: 'global', ANTHROPIC_VERTEX_PROJECT_ID: 'p' },
        true
      )
    ).toContain('GOOGLE_OAUTH_ACCESS_TOKEN="$(gcloud auth print-access-token)"')
  })

  it('names every variable and .env.claude when none is set (empty, or a provider switch set to 0)', () => {
    const message = refusal({ HOME: home, ANTHROPIC_API_KEY: '', CLAUDE_CODE_USE_BEDROCK: '0' }, true)
    for (const name of [
      'ANTHROPIC_API_KEY',
      'CLAUDE_CODE_OAUTH_TOKEN',
      'ANTHROPIC_AUTH_TOKEN',
      'ANTHROPIC_BASE_URL',
      'CLAUDE_CODE_USE_BEDROCK',
      'CLAUDE_CODE_USE_VERTEX'
    ]) {
      expect(message).toContain(name)
    }
    expect(message).toContain('.env.claude')
    expect(message).toContain('throwaway HOME')
  })

  it('lets a `claude login` session count only where Claude sees the real HOME', () => {
    fs.mkdirSync(path.join(home, '.claude'))
    fs.writeFileSync(path.join(home, '.claude', '.credentials.json'), '{}')
    expect(refusal({ HOME: home }, false)).toBe('')
    expect(refusal({ HOME: home }, true)).toContain('throwaway HOME')
    expect(refusal({ HOME: path.join(home, 'elsewhere') }, false)).toContain('No `claude login` session was found')
    // The macOS keychain cannot be looked into: assume the login is there.
    expect(refusal({ HOME: path.join(home, 'elsewhere') }, false, 'darwin')).toBe('')
  })
})
