/**
 * Which model provider Claude Code uses, chosen the way Claude Code itself
 * chooses it (CLAUDE_CODE_USE_BEDROCK / _VERTEX / _FOUNDRY, else Anthropic's
 * API or ANTHROPIC_BASE_URL), and exactly the variables it then needs.
 *
 * Two shapes of the same provider: `direct` (the real credential in Claude's
 * environment, for an unconfined run) and `proxied` (what Claude gets inside the
 * sandbox: a stand-in and the credential proxy's URL; the proxy outside holds
 * the real credential and adds it, or signs, on the way out). Pure: a missing
 * piece is a ProviderConfigError that names the variable and where it comes from.
 */
import type { AwsCredentials } from '../sandbox/sigv4.js'

export type ProviderName = 'anthropic' | 'bedrock' | 'vertex' | 'foundry'

export const PROVIDER_LABELS: Record<ProviderName, string> = {
  anthropic: 'the Anthropic API',
  bedrock: 'Amazon Bedrock',
  vertex: 'Google Vertex AI',
  foundry: 'Microsoft Foundry'
}

/** What the credential proxy adds to each request on its way to the provider. */
export type UpstreamCredential =
  | { kind: 'api-key'; value: string }
  | { kind: 'bearer'; value: string }
  | { kind: 'aws-sigv4'; credentials: AwsCredentials; region: string }

export interface Provider {
  name: ProviderName
  /** Where Claude's model requests really go. */
  upstream: string
  /** Null: not in the environment; Claude Code finds its own (a `claude login`, an AWS profile, gcloud's ADC). */
  credential: UpstreamCredential | null
  /** Claude's provider variables when it runs unconfined: the real credential included. */
  direct: Record<string, string>
  /** Claude's provider variables behind the credential proxy: no real credential. */
  proxied(proxyUrl: string, standIn: string): Record<string, string>
  /** Every secret value the provider holds, for masking and redaction. */
  secrets: string[]
}

export class ProviderConfigError extends Error {}

/** Where a missing variable can come from: the action names its inputs and the usual setup steps. */
export type Hints = Partial<Record<string, string>>

export const ACTION_HINTS: Hints = {
  AWS_REGION: 'set it with aws-actions/configure-aws-credentials or the aws_region input',
  AWS_CREDENTIALS:
    'aws-actions/configure-aws-credentials with role-to-assume sets them over OIDC; the job needs `id-token: write`',
  CLOUD_ML_REGION: 'set it with the cloud_ml_region input, e.g. us-east5 or global',
  ANTHROPIC_VERTEX_PROJECT_ID:
    'set it with the anthropic_vertex_project_id input, or google-github-actions/auth with project_id',
  GOOGLE_OAUTH_ACCESS_TOKEN:
    'google-github-actions/auth with token_format: access_token, passed as google_access_token: ${{ steps.auth.outputs.access_token }}',
  ANTHROPIC_FOUNDRY_RESOURCE: 'set the anthropic_foundry_resource or anthropic_foundry_base_url input',
  ANTHROPIC_FOUNDRY_API_KEY: 'set the anthropic_foundry_api_key input from a secret',
  ANTHROPIC:
    'set anthropic_api_key, claude_code_oauth_token, or anthropic_auth_token with anthropic_base_url; or use_bedrock, use_vertex or use_foundry with their settings'
}

export const CLI_HINTS: Hints = {
  AWS_REGION: 'set it in the environment or in .env.claude',
  AWS_CREDENTIALS:
    'export them (e.g. `eval "$(aws configure export-credentials --format env)"`) or put them in .env.claude',
  CLOUD_ML_REGION: 'set it in the environment or in .env.claude, e.g. us-east5 or global',
  ANTHROPIC_VERTEX_PROJECT_ID: 'set it in the environment or in .env.claude',
  GOOGLE_OAUTH_ACCESS_TOKEN: 'e.g. GOOGLE_OAUTH_ACCESS_TOKEN="$(gcloud auth print-access-token)"',
  ANTHROPIC_FOUNDRY_RESOURCE: 'set ANTHROPIC_FOUNDRY_RESOURCE or ANTHROPIC_FOUNDRY_BASE_URL',
  ANTHROPIC_FOUNDRY_API_KEY: 'set it in the environment or in .env.claude',
  ANTHROPIC: 'set ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN or ANTHROPIC_AUTH_TOKEN'
}

/**
 * Variables that select or reach a model provider, or hold a cloud credential.
 * None passes from the job's environment to Claude: the provider puts back
 * exactly what it needs.
 */
const PROVIDER_VARIABLE =
  /^(ANTHROPIC_\w+|AWS_\w+|CLAUDE_CODE_USE_\w+|CLAUDE_CODE_SKIP_\w*AUTH|CLAUDE_CODE_OAUTH_\w+|CLOUD_ML_REGION|VERTEX_REGION_\w+|GOOGLE_APPLICATION_CREDENTIALS|GOOGLE_GHA_CREDS_PATH|GOOGLE_OAUTH_ACCESS_TOKEN|CLOUDSDK_AUTH_\w+|AZURE_\w+)$/

/** Which model, not how to reach it: these still pass. */
const MODEL_CHOICE = /^ANTHROPIC_(MODEL|SMALL_FAST_MODEL|DEFAULT_[A-Z]+_MODEL(_[A-Z_]+)?)$/

export function isProviderVariable(name: string): boolean {
  return PROVIDER_VARIABLE.test(name) && !MODEL_CHOICE.test(name)
}

type Env = Record<string, string | undefined>

/** Claude Code's reading of a switch: `1`, `true`, `yes`, `on`. */
export function isOn(value: string | undefined): boolean {
  return /^(1|true|yes|on)$/i.test((value ?? '').trim())
}

function value(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = env[name]?.trim()
    if (v) return v
  }
  return undefined
}

function defined(vars: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => Boolean(e[1])))
}

/** Every variable of `env` whose name matches: what Claude Code reads to find a credential itself. */
function ambient(env: Env, name: RegExp): Record<string, string> {
  return defined(Object.fromEntries(Object.entries(env).filter(([k]) => name.test(k))))
}

function missing(what: string, key: string, hints: Hints): ProviderConfigError {
  const hint = hints[key]
  return new ProviderConfigError(`${what}${hint ? ` (${hint})` : ''}`)
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '')
}

function anthropic(env: Env, required: boolean, hints: Hints): Provider {
  const baseUrl = value(env, 'ANTHROPIC_BASE_URL')
  const found = (
    [
      ['ANTHROPIC_API_KEY', 'api-key'],
      ['CLAUDE_CODE_OAUTH_TOKEN', 'bearer'],
      ['ANTHROPIC_AUTH_TOKEN', 'bearer']
    ] as const
  ).find(([name]) => value(env, name))
  if (!found && required) throw missing('Claude Code has no model credential', 'ANTHROPIC', hints)
  const secret = found ? (value(env, found[0]) as string) : undefined
  return {
    name: 'anthropic',
    upstream: baseUrl ?? 'https://api.anthropic.com',
    credential: found && secret ? { kind: found[1], value: secret } : null,
    direct: defined({ ANTHROPIC_BASE_URL: baseUrl, ...(found ? { [found[0]]: secret } : {}) }),
    proxied: (url, standIn) => ({ ANTHROPIC_BASE_URL: url, ...(found ? { [found[0]]: standIn } : {}) }),
    secrets: secret ? [secret] : []
  }
}

function bedrock(env: Env, required: boolean, hints: Hints): Provider {
  const region = value(env, 'AWS_REGION', 'AWS_DEFAULT_REGION')
  if (!region) throw missing('Bedrock needs AWS_REGION', 'AWS_REGION', hints)
  const baseUrl = value(env, 'ANTHROPIC_BEDROCK_BASE_URL')
  const bearer = value(env, 'AWS_BEARER_TOKEN_BEDROCK')
  const keyId = value(env, 'AWS_ACCESS_KEY_ID')
  const secretKey = value(env, 'AWS_SECRET_ACCESS_KEY')
  const sessionToken = value(env, 'AWS_SESSION_TOKEN')
  let credential: UpstreamCredential | null = null
  if (bearer) credential = { kind: 'bearer', value: bearer }
  else if (keyId && secretKey)
    credential = {
      kind: 'aws-sigv4',
      region,
      credentials: { accessKeyId: keyId, secretAccessKey: secretKey, sessionToken }
    }
  else if (keyId || secretKey)
    throw missing(
      `Bedrock needs ${keyId ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} with ${keyId ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'}`,
      'AWS_CREDENTIALS',
      hints
    )
  else if (required)
    throw missing(
      'Bedrock needs AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK',
      'AWS_CREDENTIALS',
      hints
    )
  const common = { CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: region }
  const direct = credential
    ? defined({
        ...common,
        ANTHROPIC_BEDROCK_BASE_URL: baseUrl,
        AWS_BEARER_TOKEN_BEDROCK: bearer,
        ...(bearer
          ? {}
          : { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secretKey, AWS_SESSION_TOKEN: sessionToken })
      })
    : { ...ambient(env, /^AWS_/), ...defined({ ...common, ANTHROPIC_BEDROCK_BASE_URL: baseUrl }) }
  return {
    name: 'bedrock',
    upstream: baseUrl ?? `https://bedrock-runtime.${region}.amazonaws.com`,
    credential,
    direct,
    // Claude Code sends ANTHROPIC_AUTH_TOKEN as `Authorization: Bearer` when it skips its own signing.
    proxied: (url, standIn) => ({
      ...common,
      CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1',
      ANTHROPIC_BEDROCK_BASE_URL: url,
      ANTHROPIC_AUTH_TOKEN: standIn
    }),
    secrets: [bearer, secretKey, sessionToken].filter((s): s is string => Boolean(s))
  }
}

/** Vertex AI's regional endpoints, as Claude Code's SDK builds them. */
function vertexEndpoint(region: string): string {
  if (region === 'global') return 'https://aiplatform.googleapis.com/v1'
  if (region === 'us' || region === 'eu') return `https://aiplatform.${region}.rep.googleapis.com/v1`
  return `https://${region}-aiplatform.googleapis.com/v1`
}

function vertex(env: Env, required: boolean, hints: Hints): Provider {
  const region = value(env, 'CLOUD_ML_REGION')
  if (!region) throw missing('Vertex AI needs CLOUD_ML_REGION', 'CLOUD_ML_REGION', hints)
  if (!/^[a-z0-9-]+$/.test(region)) throw new ProviderConfigError(`CLOUD_ML_REGION "${region}" is not a region name`)
  // google-github-actions/auth exports the project under these names.
  const project = value(
    env,
    'ANTHROPIC_VERTEX_PROJECT_ID',
    'GOOGLE_CLOUD_PROJECT',
    'GCLOUD_PROJECT',
    'CLOUDSDK_CORE_PROJECT'
  )
  if (!project) throw missing('Vertex AI needs ANTHROPIC_VERTEX_PROJECT_ID', 'ANTHROPIC_VERTEX_PROJECT_ID', hints)
  const baseUrl = value(env, 'ANTHROPIC_VERTEX_BASE_URL')
  const token = value(env, 'GOOGLE_OAUTH_ACCESS_TOKEN')
  if (!token && required)
    throw missing(
      'Vertex AI needs a Google access token (GOOGLE_OAUTH_ACCESS_TOKEN)',
      'GOOGLE_OAUTH_ACCESS_TOKEN',
      hints
    )
  const common = { CLAUDE_CODE_USE_VERTEX: '1', CLOUD_ML_REGION: region, ANTHROPIC_VERTEX_PROJECT_ID: project }
  // Claude Code sends ANTHROPIC_AUTH_TOKEN as `Authorization: Bearer` when it skips Google's own sign-in.
  const direct = token
    ? defined({
        ...common,
        ANTHROPIC_VERTEX_BASE_URL: baseUrl,
        CLAUDE_CODE_SKIP_VERTEX_AUTH: '1',
        ANTHROPIC_AUTH_TOKEN: token
      })
    : defined({
        ...common,
        ANTHROPIC_VERTEX_BASE_URL: baseUrl,
        GOOGLE_APPLICATION_CREDENTIALS: value(env, 'GOOGLE_APPLICATION_CREDENTIALS')
      })
  return {
    name: 'vertex',
    upstream: baseUrl ?? vertexEndpoint(region),
    credential: token ? { kind: 'bearer', value: token } : null,
    direct,
    proxied: (url, standIn) => ({
      ...common,
      CLAUDE_CODE_SKIP_VERTEX_AUTH: '1',
      ANTHROPIC_VERTEX_BASE_URL: url,
      ANTHROPIC_AUTH_TOKEN: standIn
    }),
    secrets: token ? [token] : []
  }
}

function foundry(env: Env, required: boolean, hints: Hints): Provider {
  const resource = value(env, 'ANTHROPIC_FOUNDRY_RESOURCE')
  const baseUrl = value(env, 'ANTHROPIC_FOUNDRY_BASE_URL')
  if (!resource && !baseUrl)
    throw missing(
      'Foundry needs ANTHROPIC_FOUNDRY_RESOURCE or ANTHROPIC_FOUNDRY_BASE_URL',
      'ANTHROPIC_FOUNDRY_RESOURCE',
      hints
    )
  if (resource && !/^[A-Za-z0-9-]+$/.test(resource))
    throw new ProviderConfigError(`ANTHROPIC_FOUNDRY_RESOURCE "${resource}" is not a resource name`)
  const key = value(env, 'ANTHROPIC_FOUNDRY_API_KEY')
  if (!key && required)
    throw missing(
      'Foundry needs ANTHROPIC_FOUNDRY_API_KEY (Microsoft Entra ID sign-in cannot be used from inside the sandbox)',
      'ANTHROPIC_FOUNDRY_API_KEY',
      hints
    )
  const where: Record<string, string> = baseUrl
    ? { ANTHROPIC_FOUNDRY_BASE_URL: baseUrl }
    : { ANTHROPIC_FOUNDRY_RESOURCE: resource as string }
  return {
    name: 'foundry',
    upstream: baseUrl ?? `https://${resource}.services.ai.azure.com/anthropic`,
    credential: key ? { kind: 'api-key', value: key } : null,
    direct: key
      ? { CLAUDE_CODE_USE_FOUNDRY: '1', ...where, ANTHROPIC_FOUNDRY_API_KEY: key }
      : { ...ambient(env, /^AZURE_(?!OPENAI_)/), CLAUDE_CODE_USE_FOUNDRY: '1', ...where },
    proxied: (url, standIn) => ({
      CLAUDE_CODE_USE_FOUNDRY: '1',
      ANTHROPIC_FOUNDRY_BASE_URL: url,
      ANTHROPIC_FOUNDRY_API_KEY: standIn
    }),
    secrets: key ? [key] : []
  }
}

const SWITCHES: Array<[string, ProviderName]> = [
  ['CLAUDE_CODE_USE_BEDROCK', 'bedrock'],
  ['CLAUDE_CODE_USE_VERTEX', 'vertex'],
  ['CLAUDE_CODE_USE_FOUNDRY', 'foundry']
]

/**
 * The provider the environment selects. `requireCredential`: the credential
 * must be in the environment (the sandbox, where Claude Code cannot look for
 * its own). Throws ProviderConfigError naming what is missing.
 */
export function resolveProvider(env: Env, opts: { requireCredential: boolean; hints: Hints }): Provider {
  const on = SWITCHES.filter(([name]) => isOn(env[name]))
  if (on.length > 1)
    throw new ProviderConfigError(
      `${on.map(([n]) => n).join(' and ')} are both set: choose one provider (${on.map(([, p]) => PROVIDER_LABELS[p]).join(' or ')})`
    )
  const name = on[0]?.[1] ?? 'anthropic'
  const build = { anthropic, bedrock, vertex, foundry }[name]
  const provider = build(env, opts.requireCredential, opts.hints)
  if (!/^https?:\/\/[^/\s]+/.test(provider.upstream))
    throw new ProviderConfigError(`${PROVIDER_LABELS[name]}: "${provider.upstream}" is not an http(s) URL`)
  return { ...provider, upstream: trimSlash(provider.upstream) }
}

/** Secret values among the provider variables of an environment, whatever the provider: for masking early. */
export function providerSecrets(env: Env): string[] {
  return [
    'ANTHROPIC_API_KEY',
    'CLAUDE_CODE_OAUTH_TOKEN',
    'ANTHROPIC_AUTH_TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_BEARER_TOKEN_BEDROCK',
    'GOOGLE_OAUTH_ACCESS_TOKEN',
    'ANTHROPIC_FOUNDRY_API_KEY'
  ]
    .map(name => env[name]?.trim())
    .filter((v): v is string => Boolean(v))
}
