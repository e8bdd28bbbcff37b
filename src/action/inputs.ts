/**
 * The action's inputs, read and validated in one place. Nothing else in the
 * action reads `core.getInput` or `process.env`: a bad value fails here, before
 * any API write, with a message naming the input.
 */
import * as core from '@actions/core'
import type { QuestionsMode } from '../answerer/answerer.js'
import { answererConfig, type AnswererConfig } from '../answerer/config.js'
import { normalizeArtifactsDir } from '../engine/artifacts.js'
import { DEFAULT_ALLOWED_DOMAINS, parseAllowedDomains } from '../sandbox/policy.js'
import { splitArgs } from '../util/split-args.js'

export interface Inputs {
  githubToken: string
  anthropicApiKey?: string
  claudeCodeOauthToken?: string
  /** Who answers Claude's questions (OpenAI or Azure OpenAI), or null for the fallback instruction. */
  answerer: AnswererConfig | null
  triggerLabel: string
  requireApproval: boolean
  baseBranch?: string
  branchPrefix: string
  model?: string
  maxBudgetUsd?: number
  phaseTimeoutMinutes: number
  claudePath?: string
  claudeArgs: string[]
  draftPr: boolean
  artifactsDir: string
  reuseIndex: boolean
  botLogin: string
  commitAuthorName: string
  commitAuthorEmail: string
  /** The project's check after implement (else the repository's .claude/orchestrator.json). */
  verifyCommand?: string
  /** Implement rounds a failing check gets before the PR opens as a draft. */
  verifyRounds: number
  /** No pull request while the check fails (the work stays on the branch). */
  requireGreen: boolean
  /** Who answers Claude's structured questions. */
  questions: QuestionsMode
  /** `required`: no run without the OS sandbox; `off`: Claude runs unconfined. */
  sandbox: 'required' | 'off'
  /** Hosts Claude's tools may reach besides the model (package registries by default). */
  allowedDomains: readonly string[]
  /** Append every run to the ledger on the branch orchestrator/ledger. */
  ledger: boolean
  /** Add the ledger's report (tables and charts) to the job summary. */
  ledgerReport: boolean
  /**
   * The model provider's inputs as the Claude Code variables they stand for
   * (`use_bedrock` → CLAUDE_CODE_USE_BEDROCK=1, `aws_region` → AWS_REGION…).
   * They win over the job's environment; `claude/providers.ts` decides what is missing.
   */
  providerEnv: Record<string, string>
  // Red CI on the bot's pull requests (issue #13).
  /** A failed check_suite/workflow_run on the bot's pull request starts a fix run. */
  fixFailingChecks: boolean
  /** Fix runs for failed checks per pull request, at most. */
  maxAutoFixes: number
}

/** The environment the action runs in (runner-provided variables). */
export interface RunnerContext {
  eventName: string
  eventPath: string
  repository: { owner: string; repo: string }
  apiUrl: string
  serverUrl: string
  runId: string
  workspace: string
  toolCache?: string
  /** RUNNER_TEMP: actions/checkout keeps its credentials file here. */
  runnerTemp?: string
  /** The action's own files (GITHUB_ACTION_PATH). */
  actionPath?: string
  /** Everything else Claude Code may legitimately need (PATH, HOME, proxies…). */
  env: Record<string, string | undefined>
}

export class InputError extends Error {}

type Reader = (name: string) => string

const SECRET_INPUTS = [
  'github_token',
  'anthropic_api_key',
  'claude_code_oauth_token',
  'openai_api_key',
  'azure_openai_api_key',
  'anthropic_auth_token',
  'google_access_token',
  'anthropic_foundry_api_key'
] as const

/** Model provider inputs and the Claude Code variable each sets. */
const PROVIDER_INPUTS: ReadonlyArray<[input: string, variable: string]> = [
  ['anthropic_api_key', 'ANTHROPIC_API_KEY'],
  ['claude_code_oauth_token', 'CLAUDE_CODE_OAUTH_TOKEN'],
  ['anthropic_auth_token', 'ANTHROPIC_AUTH_TOKEN'],
  ['anthropic_base_url', 'ANTHROPIC_BASE_URL'],
  ['aws_region', 'AWS_REGION'],
  ['anthropic_bedrock_base_url', 'ANTHROPIC_BEDROCK_BASE_URL'],
  ['cloud_ml_region', 'CLOUD_ML_REGION'],
  ['anthropic_vertex_project_id', 'ANTHROPIC_VERTEX_PROJECT_ID'],
  ['anthropic_vertex_base_url', 'ANTHROPIC_VERTEX_BASE_URL'],
  ['google_access_token', 'GOOGLE_OAUTH_ACCESS_TOKEN'],
  ['anthropic_foundry_resource', 'ANTHROPIC_FOUNDRY_RESOURCE'],
  ['anthropic_foundry_base_url', 'ANTHROPIC_FOUNDRY_BASE_URL'],
  ['anthropic_foundry_api_key', 'ANTHROPIC_FOUNDRY_API_KEY']
]

const PROVIDER_SWITCHES: ReadonlyArray<[input: string, variable: string]> = [
  ['use_bedrock', 'CLAUDE_CODE_USE_BEDROCK'],
  ['use_vertex', 'CLAUDE_CODE_USE_VERTEX'],
  ['use_foundry', 'CLAUDE_CODE_USE_FOUNDRY']
]

function providerEnv(read: Reader): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [input, variable] of PROVIDER_INPUTS) {
    const value = optional(read, input)
    if (value) env[variable] = value
  }
  // `use_bedrock: false` turns off a CLAUDE_CODE_USE_BEDROCK the job's environment sets.
  for (const [input, variable] of PROVIDER_SWITCHES) {
    if (read(input).trim() !== '') env[variable] = bool(read, input, false) ? '1' : '0'
  }
  for (const input of [
    'anthropic_base_url',
    'anthropic_bedrock_base_url',
    'anthropic_vertex_base_url',
    'anthropic_foundry_base_url'
  ]) {
    const value = optional(read, input)
    if (value && !/^https?:\/\/[^/\s]+/.test(value))
      throw new InputError(`Input ${input} must be an http(s) URL, got "${value}"`)
  }
  return env
}

function optional(read: Reader, name: string): string | undefined {
  const value = read(name).trim()
  return value === '' ? undefined : value
}

function bool(read: Reader, name: string, fallback: boolean): boolean {
  const raw = read(name).trim().toLowerCase()
  if (raw === '') return fallback
  if (['true', 'yes', '1', 'on'].includes(raw)) return true
  if (['false', 'no', '0', 'off'].includes(raw)) return false
  throw new InputError(`Input ${name} must be true or false, got "${read(name)}"`)
}

function positive(read: Reader, name: string): number | undefined {
  const raw = read(name).trim()
  if (raw === '') return undefined
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`Input ${name} must be a positive number, got "${raw}"`)
  return n
}

/** A ref component git and GitHub both accept (no spaces, `..`, `~^:?*[\`, leading `-`). */
function validRefPart(value: string): boolean {
  return !/(\.\.|[\s~^:?*[\\]|@\{|^-|^\/|\/\/|\.lock\/|\.$)/.test(value)
}

export function readInputs(read: Reader = n => core.getInput(n)): Inputs {
  // Mask first, so no later error message can print a key.
  for (const name of SECRET_INPUTS) {
    const value = read(name).trim()
    if (value) core.setSecret(value)
  }
  const githubToken = optional(read, 'github_token')
  if (!githubToken) throw new InputError('Input github_token is required (the default is ${{ github.token }})')
  const anthropicApiKey = optional(read, 'anthropic_api_key')
  const claudeCodeOauthToken = optional(read, 'claude_code_oauth_token')
  // The runner fills in action.yml's default, so an empty value was set on purpose.
  const triggerLabel = read('trigger_label').trim()
  if (!triggerLabel) throw new InputError('Input trigger_label must not be empty (the default is "orchestrator")')
  const branchPrefix = read('branch_prefix').trim() || 'orchestrator/issue-'
  if (!validRefPart(branchPrefix))
    throw new InputError(`Input branch_prefix is not usable in a branch name: "${branchPrefix}"`)
  const baseBranch = optional(read, 'base_branch')
  if (baseBranch && !validRefPart(baseBranch))
    throw new InputError(`Input base_branch is not a valid branch name: "${baseBranch}"`)
  const artifactsDir = normalizeArtifactsDir(read('artifacts_dir') || 'thoughts/shared')
  if (!artifactsDir) {
    throw new InputError(
      `Input artifacts_dir must be a relative path inside the repository, got "${read('artifacts_dir')}"`
    )
  }
  let claudeArgs: string[]
  try {
    claudeArgs = splitArgs(read('claude_args'))
  } catch (err) {
    throw new InputError(`Input claude_args: ${(err as Error).message}`)
  }
  // Stricter than answererConfig's rules for the CLI's environment (which may hold a half-set Azure
  // from other tools, and falls back to OpenAI or to OPENAI_MODEL as the deployment): an Azure key
  // given to this step was meant for the answerer, so a missing endpoint or deployment is named here.
  const azureKey = optional(read, 'azure_openai_api_key')
  const azureEndpoint = optional(read, 'azure_openai_endpoint')
  const azureDeployment = optional(read, 'azure_openai_deployment')
  if (azureKey && !azureEndpoint)
    throw new InputError('Input azure_openai_endpoint is required when azure_openai_api_key is set')
  if (azureKey && !azureDeployment) {
    throw new InputError('Input azure_openai_deployment is required when azure_openai_api_key is set')
  }
  const author =
    read('commit_author').trim() || 'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>'
  const authorMatch = author.match(/^(.+?)\s*<([^<>\s]+)>$/)
  if (!authorMatch) throw new InputError(`Input commit_author must look like "Name <email>", got "${author}"`)
  const sandbox = (read('sandbox').trim().toLowerCase() || 'required') as Inputs['sandbox']
  if (sandbox !== 'required' && sandbox !== 'off')
    throw new InputError(`Input sandbox must be required or off, got "${read('sandbox')}"`)
  let allowedDomains: readonly string[] = DEFAULT_ALLOWED_DOMAINS
  if (read('allowed_domains').trim()) {
    try {
      allowedDomains = parseAllowedDomains(read('allowed_domains'))
    } catch (err) {
      throw new InputError(`Input allowed_domains: ${(err as Error).message}`)
    }
  }
  const questions = (read('questions').trim().toLowerCase() || 'model') as QuestionsMode
  if (!['model', 'maintainer', 'model-or-maintainer'].includes(questions)) {
    throw new InputError(`Input questions must be model, maintainer or model-or-maintainer, got "${read('questions')}"`)
  }
  const rounds = read('verify_rounds').trim()
  const verifyRounds = rounds === '' ? 2 : Number(rounds)
  if (!Number.isInteger(verifyRounds) || verifyRounds < 0 || verifyRounds > 10) {
    throw new InputError(`Input verify_rounds must be a whole number from 0 to 10, got "${rounds}"`)
  }
  const autoFixes = read('max_auto_fixes').trim()
  const maxAutoFixes = autoFixes === '' ? 2 : Number(autoFixes)
  if (!Number.isInteger(maxAutoFixes) || maxAutoFixes < 0 || maxAutoFixes > 10) {
    throw new InputError(`Input max_auto_fixes must be a whole number from 0 to 10, got "${autoFixes}"`)
  }
  return {
    fixFailingChecks: bool(read, 'fix_failing_checks', false),
    maxAutoFixes,
    verifyCommand: optional(read, 'verify_command'),
    verifyRounds,
    requireGreen: bool(read, 'require_green', false),
    questions,
    sandbox,
    allowedDomains,
    githubToken,
    anthropicApiKey,
    claudeCodeOauthToken,
    answerer: answererConfig({
      openaiApiKey: optional(read, 'openai_api_key'),
      openaiModel: optional(read, 'openai_model'),
      openaiBaseUrl: optional(read, 'openai_base_url'),
      azureApiKey: azureKey,
      azureEndpoint: azureEndpoint,
      azureDeployment: azureDeployment,
      azureApiVersion: optional(read, 'azure_openai_api_version')
    }),
    triggerLabel,
    requireApproval: bool(read, 'require_approval', true),
    baseBranch,
    branchPrefix,
    model: optional(read, 'model'),
    maxBudgetUsd: positive(read, 'max_budget_usd'),
    phaseTimeoutMinutes: positive(read, 'phase_timeout_minutes') ?? 30,
    claudePath: optional(read, 'claude_path'),
    claudeArgs,
    draftPr: bool(read, 'draft_pr', false),
    artifactsDir,
    reuseIndex: bool(read, 'reuse_index', true),
    ledger: bool(read, 'ledger', true),
    ledgerReport: bool(read, 'ledger_report', false),
    providerEnv: providerEnv(read),
    botLogin: read('bot_login').trim() || 'github-actions[bot]',
    commitAuthorName: authorMatch[1] as string,
    commitAuthorEmail: authorMatch[2] as string
  }
}

export function readRunnerContext(env: Record<string, string | undefined> = process.env): RunnerContext {
  const need = (name: string): string => {
    const value = env[name]
    if (!value) throw new InputError(`${name} is not set: this step must run inside GitHub Actions`)
    return value
  }
  const parts = need('GITHUB_REPOSITORY').split('/')
  const [owner, repo] = parts
  if (parts.length !== 2 || !owner || !repo)
    throw new InputError(`GITHUB_REPOSITORY must be OWNER/REPO, got "${env.GITHUB_REPOSITORY}"`)
  return {
    eventName: need('GITHUB_EVENT_NAME'),
    eventPath: need('GITHUB_EVENT_PATH'),
    repository: { owner, repo },
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    runId: env.GITHUB_RUN_ID || '0',
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    toolCache: env.RUNNER_TOOL_CACHE,
    runnerTemp: env.RUNNER_TEMP,
    actionPath: env.GITHUB_ACTION_PATH,
    env
  }
}
