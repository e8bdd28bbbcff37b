/**
 * The provider Claude Code uses and exactly the variables it gets, unconfined
 * (`direct`) and behind the credential proxy (`proxied`), asserted whole.
 */
import { describe, expect, it } from '@jest/globals'
import {
  ACTION_HINTS,
  CLI_HINTS,
  ProviderConfigError,
  providerSecrets,
  resolveProvider,
  type Provider
} from '../../src/claude/providers.js'

const PROXY = 'http://127.0.0.2:40001'
const STAND_IN = 'sk-ant-orchestrator-standin'

const action = (env: Record<string, string>): Provider =>
  resolveProvider(env, { requireCredential: true, hints: ACTION_HINTS })

function refusal(env: Record<string, string>, hints = ACTION_HINTS): string {
  try {
    resolveProvider(env, { requireCredential: true, hints })
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderConfigError)
    return (err as Error).message
  }
  throw new Error('expected a ProviderConfigError')
}

const AWS_KEYS = {
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-key',
  AWS_SESSION_TOKEN: 'aws-session-token'
}

describe('the Anthropic API and gateways', () => {
  it('an API key: x-api-key swapped by the proxy; the real key only unconfined', () => {
    const p = action({ ANTHROPIC_API_KEY: 'sk-ant-real', PATH: '/bin' })
    expect(p.name).toBe('anthropic')
    expect(p.upstream).toBe('https://api.anthropic.com')
    expect(p.credential).toEqual({ kind: 'api-key', value: 'sk-ant-real' })
    expect(p.direct).toEqual({ ANTHROPIC_API_KEY: 'sk-ant-real' })
    expect(p.proxied(PROXY, STAND_IN)).toEqual({ ANTHROPIC_BASE_URL: PROXY, ANTHROPIC_API_KEY: STAND_IN })
  })

  it('a company gateway: anthropic_base_url with an auth token, sent as a bearer token', () => {
    const p = action({ ANTHROPIC_BASE_URL: 'https://llm.acme.example/anthropic/', ANTHROPIC_AUTH_TOKEN: 'gw-token' })
    expect(p.upstream).toBe('https://llm.acme.example/anthropic')
    expect(p.credential).toEqual({ kind: 'bearer', value: 'gw-token' })
    expect(p.direct).toEqual({
      ANTHROPIC_BASE_URL: 'https://llm.acme.example/anthropic/',
      ANTHROPIC_AUTH_TOKEN: 'gw-token'
    })
    expect(p.proxied(PROXY, STAND_IN)).toEqual({ ANTHROPIC_BASE_URL: PROXY, ANTHROPIC_AUTH_TOKEN: STAND_IN })
  })

  it('an OAuth token is a bearer token too; the API key wins when both are set, as in Claude Code', () => {
    expect(action({ CLAUDE_CODE_OAUTH_TOKEN: 'oat' }).proxied(PROXY, STAND_IN)).toEqual({
      ANTHROPIC_BASE_URL: PROXY,
      CLAUDE_CODE_OAUTH_TOKEN: STAND_IN
    })
    expect(action({ CLAUDE_CODE_OAUTH_TOKEN: 'oat', ANTHROPIC_API_KEY: 'k' }).credential).toEqual({
      kind: 'api-key',
      value: 'k'
    })
  })

  it('no credential at all: named with the inputs that would give one', () => {
    expect(refusal({})).toBe(
      'Claude Code has no model credential (set anthropic_api_key, claude_code_oauth_token, or anthropic_auth_token with anthropic_base_url; or use_bedrock, use_vertex or use_foundry with their settings)'
    )
    // The CLI may rely on a `claude login` unconfined: no credential is then no error.
    expect(resolveProvider({}, { requireCredential: false, hints: CLI_HINTS })).toMatchObject({
      name: 'anthropic',
      credential: null,
      direct: {}
    })
  })
})

describe('Amazon Bedrock', () => {
  const BEDROCK = { CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'eu-west-1', ...AWS_KEYS }

  it('with the keys aws-actions/configure-aws-credentials exports: the proxy signs, Claude skips its own signing', () => {
    const p = action({ ...BEDROCK, AWS_DEFAULT_REGION: 'eu-west-1', AWS_PROFILE: 'ignored' })
    expect(p.name).toBe('bedrock')
    expect(p.upstream).toBe('https://bedrock-runtime.eu-west-1.amazonaws.com')
    expect(p.credential).toEqual({
      kind: 'aws-sigv4',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'aws-secret-key', sessionToken: 'aws-session-token' }
    })
    expect(p.proxied(PROXY, STAND_IN)).toEqual({
      CLAUDE_CODE_USE_BEDROCK: '1',
      AWS_REGION: 'eu-west-1',
      CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1',
      ANTHROPIC_BEDROCK_BASE_URL: PROXY,
      ANTHROPIC_AUTH_TOKEN: STAND_IN
    })
    expect(p.direct).toEqual({ CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'eu-west-1', ...AWS_KEYS })
    expect(p.secrets).toEqual(['aws-secret-key', 'aws-session-token'])
  })

  it('AWS_DEFAULT_REGION stands in for AWS_REGION; a VPC endpoint replaces the runtime endpoint', () => {
    const p = action({
      CLAUDE_CODE_USE_BEDROCK: 'true',
      AWS_DEFAULT_REGION: 'us-west-2',
      ANTHROPIC_BEDROCK_BASE_URL: 'https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com',
      ...AWS_KEYS
    })
    expect(p.upstream).toBe('https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com')
    expect(p.direct.AWS_REGION).toBe('us-west-2')
    expect(p.direct.ANTHROPIC_BEDROCK_BASE_URL).toBe('https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com')
  })

  it('a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) is a bearer token, and the keys are then not passed', () => {
    const p = action({ ...BEDROCK, AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key' })
    expect(p.credential).toEqual({ kind: 'bearer', value: 'bedrock-api-key' })
    expect(p.direct).toEqual({
      CLAUDE_CODE_USE_BEDROCK: '1',
      AWS_REGION: 'eu-west-1',
      AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key'
    })
  })

  it('names each missing piece and where it comes from', () => {
    expect(refusal({ CLAUDE_CODE_USE_BEDROCK: '1', ...AWS_KEYS })).toBe(
      'Bedrock needs AWS_REGION (set it with aws-actions/configure-aws-credentials or the aws_region input)'
    )
    expect(refusal({ CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'eu-west-1' })).toBe(
      'Bedrock needs AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK (aws-actions/configure-aws-credentials with role-to-assume sets them over OIDC; the job needs `id-token: write`)'
    )
    expect(refusal({ CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'A' })).toMatch(
      /^Bedrock needs AWS_SECRET_ACCESS_KEY with AWS_ACCESS_KEY_ID/
    )
  })

  it('unconfined without keys in the environment (the CLI): Claude Code finds its own, so its AWS settings pass', () => {
    const p = resolveProvider(
      { CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'eu-west-1', AWS_PROFILE: 'dev', PATH: '/bin' },
      { requireCredential: false, hints: CLI_HINTS }
    )
    expect(p.credential).toBeNull()
    expect(p.direct).toEqual({ CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'eu-west-1', AWS_PROFILE: 'dev' })
  })
})

describe('Google Vertex AI', () => {
  const VERTEX = {
    CLAUDE_CODE_USE_VERTEX: '1',
    CLOUD_ML_REGION: 'us-east5',
    ANTHROPIC_VERTEX_PROJECT_ID: 'acme-ml',
    GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.access-token'
  }

  it("with google-github-actions/auth's access token: the proxy adds it, Claude skips Google's sign-in", () => {
    const p = action({ ...VERTEX, GOOGLE_APPLICATION_CREDENTIALS: '/w/gha-creds.json' })
    expect(p.name).toBe('vertex')
    expect(p.upstream).toBe('https://us-east5-aiplatform.googleapis.com/v1')
    expect(p.credential).toEqual({ kind: 'bearer', value: 'ya29.access-token' })
    expect(p.proxied(PROXY, STAND_IN)).toEqual({
      CLAUDE_CODE_USE_VERTEX: '1',
      CLOUD_ML_REGION: 'us-east5',
      ANTHROPIC_VERTEX_PROJECT_ID: 'acme-ml',
      CLAUDE_CODE_SKIP_VERTEX_AUTH: '1',
      ANTHROPIC_VERTEX_BASE_URL: PROXY,
      ANTHROPIC_AUTH_TOKEN: STAND_IN
    })
    expect(p.direct).toEqual({
      CLAUDE_CODE_USE_VERTEX: '1',
      CLOUD_ML_REGION: 'us-east5',
      ANTHROPIC_VERTEX_PROJECT_ID: 'acme-ml',
      CLAUDE_CODE_SKIP_VERTEX_AUTH: '1',
      ANTHROPIC_AUTH_TOKEN: 'ya29.access-token'
    })
  })

  it('the endpoints Claude Code builds per region; the project from google-github-actions/auth', () => {
    expect(action({ ...VERTEX, CLOUD_ML_REGION: 'global' }).upstream).toBe('https://aiplatform.googleapis.com/v1')
    expect(action({ ...VERTEX, CLOUD_ML_REGION: 'eu' }).upstream).toBe('https://aiplatform.eu.rep.googleapis.com/v1')
    const { ANTHROPIC_VERTEX_PROJECT_ID: _, ...noProject } = VERTEX
    expect(action({ ...noProject, GOOGLE_CLOUD_PROJECT: 'from-auth' }).direct.ANTHROPIC_VERTEX_PROJECT_ID).toBe(
      'from-auth'
    )
  })

  it('names each missing piece', () => {
    expect(refusal({ CLAUDE_CODE_USE_VERTEX: '1' })).toBe(
      'Vertex AI needs CLOUD_ML_REGION (set it with the cloud_ml_region input, e.g. us-east5 or global)'
    )
    expect(refusal({ CLAUDE_CODE_USE_VERTEX: '1', CLOUD_ML_REGION: 'us-east5' })).toBe(
      'Vertex AI needs ANTHROPIC_VERTEX_PROJECT_ID (set it with the anthropic_vertex_project_id input, or google-github-actions/auth with project_id)'
    )
    expect(
      refusal({ CLAUDE_CODE_USE_VERTEX: '1', CLOUD_ML_REGION: 'us-east5', ANTHROPIC_VERTEX_PROJECT_ID: 'p' })
    ).toBe(
      'Vertex AI needs a Google access token (GOOGLE_OAUTH_ACCESS_TOKEN) (google-github-actions/auth with token_format: access_token, passed as google_access_token: ${{ steps.auth.outputs.access_token }})'
    )
    expect(refusal({ ...VERTEX, CLOUD_ML_REGION: 'evil.example/x' })).toMatch(/is not a region name/)
  })
})

describe('Microsoft Foundry', () => {
  it('a resource and its API key: x-api-key swapped by the proxy', () => {
    const p = action({
      CLAUDE_CODE_USE_FOUNDRY: '1',
      ANTHROPIC_FOUNDRY_RESOURCE: 'acme',
      ANTHROPIC_FOUNDRY_API_KEY: 'fk'
    })
    expect(p.upstream).toBe('https://acme.services.ai.azure.com/anthropic')
    expect(p.credential).toEqual({ kind: 'api-key', value: 'fk' })
    expect(p.proxied(PROXY, STAND_IN)).toEqual({
      CLAUDE_CODE_USE_FOUNDRY: '1',
      ANTHROPIC_FOUNDRY_BASE_URL: PROXY,
      ANTHROPIC_FOUNDRY_API_KEY: STAND_IN
    })
    expect(p.direct).toEqual({
      CLAUDE_CODE_USE_FOUNDRY: '1',
      ANTHROPIC_FOUNDRY_RESOURCE: 'acme',
      ANTHROPIC_FOUNDRY_API_KEY: 'fk'
    })
  })

  it('a base URL instead of the resource; each missing piece named', () => {
    const p = action({
      CLAUDE_CODE_USE_FOUNDRY: '1',
      ANTHROPIC_FOUNDRY_BASE_URL: 'https://acme.services.ai.azure.com/anthropic/',
      ANTHROPIC_FOUNDRY_API_KEY: 'fk'
    })
    expect(p.upstream).toBe('https://acme.services.ai.azure.com/anthropic')
    expect(refusal({ CLAUDE_CODE_USE_FOUNDRY: '1', ANTHROPIC_FOUNDRY_API_KEY: 'fk' })).toBe(
      'Foundry needs ANTHROPIC_FOUNDRY_RESOURCE or ANTHROPIC_FOUNDRY_BASE_URL (set the anthropic_foundry_resource or anthropic_foundry_base_url input)'
    )
    expect(refusal({ CLAUDE_CODE_USE_FOUNDRY: '1', ANTHROPIC_FOUNDRY_RESOURCE: 'acme' })).toMatch(
      /^Foundry needs ANTHROPIC_FOUNDRY_API_KEY \(Microsoft Entra ID sign-in cannot be used from inside the sandbox\)/
    )
  })
})

describe('choosing', () => {
  it('one switch at a time; 0 and false are off, as in Claude Code', () => {
    expect(refusal({ CLAUDE_CODE_USE_BEDROCK: '1', CLAUDE_CODE_USE_VERTEX: 'true' })).toBe(
      'CLAUDE_CODE_USE_BEDROCK and CLAUDE_CODE_USE_VERTEX are both set: choose one provider (Amazon Bedrock or Google Vertex AI)'
    )
    expect(action({ CLAUDE_CODE_USE_BEDROCK: '0', ANTHROPIC_API_KEY: 'k' }).name).toBe('anthropic')
    expect(action({ CLAUDE_CODE_USE_VERTEX: 'false', ANTHROPIC_API_KEY: 'k' }).name).toBe('anthropic')
  })

  it('lists every secret value for masking, whichever provider is chosen', () => {
    expect(
      providerSecrets({
        ...AWS_KEYS,
        GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29',
        ANTHROPIC_FOUNDRY_API_KEY: 'fk',
        PATH: '/bin'
      }).sort()
    ).toEqual(['aws-secret-key', 'aws-session-token', 'fk', 'ya29'])
  })
})
