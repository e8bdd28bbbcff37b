/**
 * Claude Code without a model credential fails its first phase with "Not
 * logged in", which names neither the variables it reads nor where the CLI
 * takes them from. This check says both before anything starts.
 */
import fs from 'node:fs'
import path from 'node:path'
import { CLI_HINTS, isOn, ProviderConfigError, resolveProvider } from '../claude/providers.js'

/** Each is enough on its own for Claude Code to reach a model. */
export const CREDENTIAL_VARIABLES = [
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_USE_FOUNDRY'
] as const

export class MissingCredentialError extends Error {}

const SWITCHES = ['CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX', 'CLAUDE_CODE_USE_FOUNDRY']

const HOW_TO_SET = [
  'Set one of these in the environment or in .env.claude at the repository top level:',
  ...[
    ['ANTHROPIC_API_KEY', 'an Anthropic API key'],
    ['CLAUDE_CODE_OAUTH_TOKEN', 'a Claude subscription token (`claude setup-token`)'],
    ['ANTHROPIC_AUTH_TOKEN + ANTHROPIC_BASE_URL', 'a company gateway and its token'],
    ['CLAUDE_CODE_USE_BEDROCK=1', "Amazon Bedrock, with AWS's usual credentials"],
    ['CLAUDE_CODE_USE_VERTEX=1', "Google Vertex AI, with Google Cloud's usual credentials"],
    ['CLAUDE_CODE_USE_FOUNDRY=1', 'Microsoft Foundry, with ANTHROPIC_FOUNDRY_API_KEY']
  ].map(([name, what]) => `  ${(name as string).padEnd(42)} ${what}`)
].join('\n')

/**
 * A `claude login` session may hold the credential instead, but only where
 * Claude sees the real HOME (unconfined): on Linux in
 * `$CLAUDE_CONFIG_DIR/.credentials.json` (default `~/.claude`); on macOS in the
 * keychain, which this process cannot look into, so it is assumed there.
 */
export function mayHaveLogin(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform
): boolean {
  if (platform === 'darwin') return true
  const dir = env.CLAUDE_CONFIG_DIR || (env.HOME ? path.join(env.HOME, '.claude') : null)
  return dir !== null && fs.existsSync(path.join(dir, '.credentials.json'))
}

/** Throws MissingCredentialError, naming the variables, when Claude Code would have no way to reach a model. */
export function assertModelCredential(
  env: Record<string, string | undefined>,
  opts: { sandboxed: boolean; platform?: NodeJS.Platform }
): void {
  if (SWITCHES.some(name => isOn(env[name]))) {
    // Unconfined, Claude Code finds a cloud credential itself (an AWS profile, gcloud's ADC);
    // in the sandbox the credential proxy must hold it, so it has to be in the environment.
    if (!opts.sandboxed) return
    try {
      resolveProvider(env, { requireCredential: true, hints: CLI_HINTS })
      return
    } catch (err) {
      if (err instanceof ProviderConfigError) throw new MissingCredentialError(err.message)
      throw err
    }
  }
  if (['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN'].some(name => env[name]?.trim())) return
  if (!opts.sandboxed && mayHaveLogin(env, opts.platform)) return
  const login = opts.sandboxed
    ? 'A `claude login` session is not used: in the sandbox Claude Code gets a throwaway HOME.'
    : 'No `claude login` session was found either.'
  throw new MissingCredentialError(`Claude Code has no model credential.\n${HOW_TO_SET}\n${login}`)
}
