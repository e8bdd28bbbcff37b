import { describe, expect, it } from '@jest/globals'
import { buildClaudeEnv } from '../../src/claude/env.js'

const RUNNER_ENV = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/home/runner',
  LANG: 'C.UTF-8',
  ANTHROPIC_API_KEY: 'sk-ant-test',
  ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999',
  ANTHROPIC_MODEL: 'claude-sonnet-4-5',
  OPENAI_API_KEY: 'sk-openai',
  OPENAI_BASE_URL: 'http://openai.local/v1',
  OPENAI_MODEL: 'gpt-5-mini',
  AZURE_OPENAI_API_KEY: 'azure-key',
  AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com',
  GITHUB_TOKEN: 'ghs_secret',
  GH_TOKEN: 'ghp_secret',
  GH_ENTERPRISE_TOKEN: 'ghe_secret',
  INPUT_GITHUB_TOKEN: 'ghs_secret',
  INPUT_OPENAI_API_KEY: 'sk-openai',
  ACTIONS_RUNTIME_TOKEN: 'rt',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'idt',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token',
  ACTIONS_CACHE_URL: 'https://cache',
  ACTIONS_RESULTS_URL: 'https://results',
  GITHUB_REPOSITORY: 'octo/repo',
  GITHUB_WORKSPACE: '/home/runner/work/repo',
  CI: 'true',
  UNSET: undefined
}

describe('buildClaudeEnv', () => {
  it('withholds second-model keys, GitHub tokens, action inputs and runtime tokens', () => {
    const env = buildClaudeEnv(RUNNER_ENV)
    for (const key of [
      'OPENAI_API_KEY',
      'OPENAI_BASE_URL',
      'OPENAI_MODEL',
      'AZURE_OPENAI_API_KEY',
      'AZURE_OPENAI_ENDPOINT',
      'GITHUB_TOKEN',
      'GH_TOKEN',
      'GH_ENTERPRISE_TOKEN',
      'INPUT_GITHUB_TOKEN',
      'INPUT_OPENAI_API_KEY',
      'ACTIONS_RUNTIME_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_CACHE_URL',
      'ACTIONS_RESULTS_URL'
    ]) {
      expect(env).not.toHaveProperty(key)
    }
    // No secret value survives under any name.
    const values = Object.values(env)
    for (const secret of ['sk-openai', 'azure-key', 'ghs_secret', 'ghp_secret', 'ghe_secret', 'rt', 'idt']) {
      expect(values).not.toContain(secret)
    }
  })

  it('keeps what Claude needs: its model choice, PATH, HOME and ordinary variables', () => {
    const env = buildClaudeEnv(RUNNER_ENV)
    expect(env).toMatchObject({
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: '/home/runner',
      LANG: 'C.UTF-8',
      ANTHROPIC_MODEL: 'claude-sonnet-4-5',
      GITHUB_REPOSITORY: 'octo/repo',
      GITHUB_WORKSPACE: '/home/runner/work/repo',
      CI: 'true'
    })
    expect(env).not.toHaveProperty('UNSET')
  })

  it('passes no provider variable or cloud credential of the job: the provider adds back exactly its own', () => {
    const env = buildClaudeEnv({
      PATH: '/bin',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999',
      ANTHROPIC_AUTH_TOKEN: 'gw',
      ANTHROPIC_CUSTOM_HEADERS: 'x-key: secret',
      CLAUDE_CODE_OAUTH_TOKEN: 'oat',
      CLAUDE_CODE_USE_BEDROCK: '1',
      CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'aws-secret',
      AWS_SESSION_TOKEN: 'aws-session',
      AWS_BEARER_TOKEN_BEDROCK: 'bedrock-key',
      CLOUD_ML_REGION: 'us-east5',
      VERTEX_REGION_CLAUDE_4_5_SONNET: 'europe-west1',
      GOOGLE_APPLICATION_CREDENTIALS: '/home/runner/work/repo/gha-creds-1.json',
      GOOGLE_GHA_CREDS_PATH: '/home/runner/work/repo/gha-creds-1.json',
      CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE: '/home/runner/work/repo/gha-creds-1.json',
      GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.x',
      AZURE_CLIENT_SECRET: 'az',
      ANTHROPIC_MODEL: 'claude-sonnet-4-5',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-haiku-4-5',
      ANTHROPIC_SMALL_FAST_MODEL: 'claude-haiku-4-5'
    })
    expect(env).toEqual({
      PATH: '/bin',
      ANTHROPIC_MODEL: 'claude-sonnet-4-5',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-haiku-4-5',
      ANTHROPIC_SMALL_FAST_MODEL: 'claude-haiku-4-5',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      HUSKY: '0'
    })
    expect(buildClaudeEnv({ PATH: '/bin' }, { ANTHROPIC_API_KEY: 'from-the-provider' }).ANTHROPIC_API_KEY).toBe(
      'from-the-provider'
    )
  })

  it('turns off non-essential traffic and auto-updates by default', () => {
    const env = buildClaudeEnv({ PATH: '/bin' })
    expect(env).toEqual({
      PATH: '/bin',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      HUSKY: '0'
    })
  })

  it('does not override explicit values for the two defaults', () => {
    const env = buildClaudeEnv({ CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '0' }, { DISABLE_AUTOUPDATER: '0' })
    expect(env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe('0')
    expect(env.DISABLE_AUTOUPDATER).toBe('0')
  })

  it('lets extra values override the base, but still withholds secrets passed as extra', () => {
    const env = buildClaudeEnv(
      { HOME: '/home/runner' },
      { HOME: '/tmp/claude-home', GITHUB_TOKEN: 'ghs_x', MAX_THINKING_TOKENS: '0' }
    )
    expect(env.HOME).toBe('/tmp/claude-home')
    expect(env.MAX_THINKING_TOKENS).toBe('0')
    expect(env).not.toHaveProperty('GITHUB_TOKEN')
  })

  it('matches withheld names exactly, not by substring', () => {
    const env = buildClaudeEnv({ MY_GITHUB_TOKEN_HINT: 'a', GITHUB_TOKEN_PATH: 'b', NOT_OPENAI_KEY: 'c' })
    expect(env).toMatchObject({ MY_GITHUB_TOKEN_HINT: 'a', GITHUB_TOKEN_PATH: 'b', NOT_OPENAI_KEY: 'c' })
  })
})

describe('buildClaudeEnv and the runner', () => {
  it('withholds the runner file-command paths, through which a step could set variables, PATH or outputs', () => {
    const env = buildClaudeEnv({
      PATH: '/usr/bin',
      GITHUB_ENV: '/runner/_temp/set_env_1',
      GITHUB_PATH: '/runner/_temp/add_path_1',
      GITHUB_OUTPUT: '/runner/_temp/set_output_1',
      GITHUB_STATE: '/runner/_temp/save_state_1',
      GITHUB_STEP_SUMMARY: '/runner/_temp/step_summary_1',
      GITHUB_WORKSPACE: '/work/repo'
    })
    expect(Object.keys(env).filter(k => k.startsWith('GITHUB_'))).toEqual(['GITHUB_WORKSPACE'])
    expect(env.PATH).toBe('/usr/bin')
  })
})

describe('buildClaudeEnv and husky', () => {
  it('turns husky off, so installing dependencies does not rewrite .git/config mid-phase', () => {
    expect(buildClaudeEnv({}).HUSKY).toBe('0')
    expect(buildClaudeEnv({ HUSKY: '1' }).HUSKY).toBe('1')
  })
})
