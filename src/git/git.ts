/**
 * The one place that runs git: argv arrays only, never a shell string, so no
 * branch name or path from an issue can become a command.
 */
import { execa } from 'execa'
import { withoutSecrets } from '../util/secret-env.js'

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
  /** Extra `-c key=value` settings for this call only (e.g. an auth header). */
  config?: Record<string, string>
  /** Values to hide if they appear in an error message. */
  secrets?: string[]
  env?: Record<string, string>
  input?: string
}

function redact(text: string, secrets: string[] = []): string {
  return secrets.filter(Boolean).reduce((t, s) => t.split(s).join('***'), text)
}

/**
 * Hooks and fsmonitor are programs the work tree's `.git` can name: a phase
 * that wrote one must not get it run by our own git calls.
 */
// An empty core.fsmonitor disables it on every git version (before 2.36 "false" named a hook).
const SAFE_CONFIG = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=']

export async function git(cwd: string, args: string[], opts: GitOptions = {}): Promise<string> {
  const configArgs = Object.entries(opts.config ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`])
  const result = await execa('git', [...SAFE_CONFIG, ...configArgs, ...args], {
    cwd,
    reject: false,
    stripFinalNewline: true,
    input: opts.input,
    extendEnv: false,
    env: { ...withoutSecrets(process.env), GIT_TERMINAL_PROMPT: '0', ...opts.env }
  })
  if (result.exitCode !== 0) {
    const stderr = redact(String(result.stderr).trim(), opts.secrets)
    const stdout = redact(String(result.stdout).trim(), opts.secrets)
    throw new GitError(`git ${args[0]} failed: ${stderr || `exit code ${result.exitCode}`}`, args, result.exitCode, stderr, stdout)
  }
  return String(result.stdout)
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

/** Paths that differ from HEAD in the work tree or index, untracked files included. */
export async function dirtyPaths(cwd: string): Promise<string[]> {
  const out = await git(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'])
  return out
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3))
}
