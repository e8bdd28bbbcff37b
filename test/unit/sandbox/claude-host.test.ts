import { describe, expect, it } from '@jest/globals'
import { CLI_HINTS, resolveProvider } from '../../../src/claude/providers.js'
import { startClaudeHost } from '../../../src/sandbox/claude-host.js'

describe('startClaudeHost, unconfined', () => {
  it("hands Claude its environment plus exactly the provider's direct variables, real credential included", async () => {
    const provider = resolveProvider(
      {
        CLAUDE_CODE_USE_BEDROCK: '1',
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token'
      },
      { requireCredential: true, hints: CLI_HINTS }
    )
    const warnings: string[] = []
    const host = await startClaudeHost({
      mode: 'off',
      runtimeDir: null,
      workspace: '/work/repo',
      claudePath: '/usr/bin/claude',
      env: { PATH: '/bin', HOME: '/home/me' },
      provider,
      allowedDomains: [],
      denyRead: [],
      warn: m => warnings.push(m)
    })
    expect(host.sandboxed).toBe(false)
    expect(host.env).toEqual({
      PATH: '/bin',
      HOME: '/home/me',
      CLAUDE_CODE_USE_BEDROCK: '1',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token'
    })
    expect(warnings).toEqual([
      'the sandbox is off (sandbox: off): Claude Code runs with the same powers as the orchestrator'
    ])
    await host.close()
  })
})
