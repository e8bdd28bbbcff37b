/**
 * The one place that runs git: argv arrays only, never a shell string, so no
 * branch name or path from an issue can become a command; and hermetic (see
 * hermetic.ts), so nothing a phase wrote makes git run a program.
 */
import { execa } from 'execa'
import path from 'node:path'
import { cachedConfig, parseConfigWithOrigins } from './config-cache.js'
import { withoutSecrets } from '../util/secret-env.js'
import {
  configEnv,
  driverOverrides,
  FIXED_CONFIG,
  hermeticEnv,
  transportProblems,
  type ConfigEntry
} from './hermetic.js'

export class GitError extends Error {
  constructor(
    message: string,
    readonly args: string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
    readonly stdout: string = ''
  ) {
    super(message)
  }
}

export interface GitOptions {
  /** Extra settings for this call only (e.g. an auth header), passed in git's environment. */
  config?: Record<string, string>
  /** Values to hide if they appear in an error message. */
  secrets?: string[]
  env?: Record<string, string>
  input?: string
  /** The remote URL this call talks to: refused if the repository's config would redirect or intercept it. */
  remoteUrl?: string
}

function redact(text: string, secrets: string[] = []): string {
  return secrets.filter(Boolean).reduce((t, s) => t.split(s).join('***'), text)
}

async function exec(cwd: string, args: string[], env: Record<string, string>, input?: string) {
  return execa('git', args, { cwd, reject: false, stripFinalNewline: true, input, extendEnv: false, env })
}

/** Variables a caller may set that do not change which config git reads (a scratch index, who commits). */
const CONFIG_NEUTRAL_VARS = /^GIT_(INDEX_FILE|AUTHOR_\w+|COMMITTER_\w+)$/

/**
 * The repository's own config as git will read it for this call (local and
 * worktree files and what they include): what a phase may have changed.
 * Kept between calls while its files are unchanged (config-cache.ts), unless
 * the caller's variables point git at other files.
 */
async function repositoryConfig(
  cwd: string,
  env: Record<string, string>,
  extra: Record<string, string> = {}
): Promise<ConfigEntry[]> {
  const read = async () => {
    const result = await exec(cwd, ['config', '--list', '--null', '--show-origin'], env)
    // A config git cannot parse fails the real command the same way; outside a repository there is none.
    if (result.exitCode !== 0)
      throw new GitError(
        `git config failed: ${String(result.stderr).trim()}`,
        ['config'],
        result.exitCode,
        String(result.stderr)
      )
    return parseConfigWithOrigins(String(result.stdout))
  }
  if (Object.keys(extra).some(key => key.startsWith('GIT_') && !CONFIG_NEUTRAL_VARS.test(key))) return read()
  return cachedConfig(path.resolve(cwd), read)
}

export async function git(cwd: string, args: string[], opts: GitOptions = {}): Promise<string> {
  const env = hermeticEnv(withoutSecrets(process.env), opts.env)
  const entries = await repositoryConfig(cwd, env, opts.env)
  if (opts.remoteUrl) {
    const problems = transportProblems(entries, opts.remoteUrl)
    if (problems.length) {
      const message = `git ${args[0]} refused: the repository's git config sets ${problems.join(', ')}; the orchestrator only talks to origin with settings it chose`
      throw new GitError(message, args, undefined, '')
    }
  }
  const settings = [...FIXED_CONFIG, ...driverOverrides(entries), ...Object.entries(opts.config ?? {})]
  const result = await exec(cwd, args, { ...env, ...configEnv(settings) }, opts.input)
  if (result.exitCode !== 0) {
    const stderr = redact(String(result.stderr).trim(), opts.secrets)
    const stdout = redact(String(result.stdout).trim(), opts.secrets)
    throw new GitError(
      `git ${args[0]} failed: ${stderr || `exit code ${result.exitCode}`}`,
      args,
      result.exitCode,
      stderr,
      stdout
    )
  }
  return String(result.stdout)
}

/**
 * The last value of `key` in the repository's config (keys in git's lower
 * case), from the same reading every call takes: no process of its own while
 * the config is unchanged. Null when unset.
 */
export async function configValue(cwd: string, key: string): Promise<string | null> {
  const entries = await repositoryConfig(cwd, hermeticEnv(withoutSecrets(process.env)))
  return entries.findLast(e => e.key === key)?.value ?? null
}

/** Like `git`, but answers false instead of throwing when git exits non-zero. */
export async function gitSucceeds(cwd: string, args: string[]): Promise<boolean> {
  try {
    await git(cwd, args)
    return true
  } catch (err) {
    if (err instanceof GitError) return false
    throw err
  }
}

export async function headSha(cwd: string): Promise<string | null> {
  try {
    return await git(cwd, ['rev-parse', '--verify', '-q', 'HEAD'])
  } catch {
    return null
  }
}

/**
 * Paths that differ from HEAD in the work tree or index, untracked files
 * included. A submodule counts when its commit changed; its work tree is not
 * examined, since that would run git inside it, under a config we never read.
 */
export async function dirtyPaths(cwd: string): Promise<string[]> {
  const out = await git(cwd, [
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
    '--no-renames',
    '--ignore-submodules=dirty'
  ])
  return out
    .split('\0')
    .filter(entry => entry.length > 3)
    .map(entry => entry.slice(3))
}

/**
 * `git add -A -- <pathspec>`, without running git inside submodules: add -A
 * runs `git status` in each one, under that submodule's own config, which is
 * not ours to trust. Their commits are staged with update-index instead,
 * which only reads where the submodule's HEAD points.
 */
export async function stageAll(cwd: string, pathspec: string[], opts: GitOptions = {}): Promise<void> {
  const staged = await git(cwd, ['ls-files', '-z', '--stage', '--', ...pathspec], opts)
  const submodules = staged
    .split('\0')
    .filter(entry => entry.startsWith('160000 '))
    .map(entry => entry.slice(entry.indexOf('\t') + 1))
  await git(cwd, ['add', '-A', '--', ...pathspec, ...submodules.map(p => `:(exclude,literal)${p}`)], opts)
  if (submodules.length)
    await git(cwd, ['update-index', '--add', '--remove', '-z', '--stdin'], {
      ...opts,
      input: `${submodules.join('\0')}\0`
    })
}
