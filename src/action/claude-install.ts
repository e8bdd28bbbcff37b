/**
 * The programs the action runs Claude Code with, from places the repository
 * under work cannot reach: `claude` from claude_path, PATH or the pinned
 * version installed with npm into the runner's tool cache, and the sandbox
 * runtime from the tool cache. A candidate inside the checkout is never used:
 * an earlier implement phase could have committed a `node_modules/.bin/claude`
 * that would steal the next run's secrets.
 */
import * as core from '@actions/core'
import { execa } from 'execa'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ClaudeNotFoundError, locateClaude } from '../claude/locate.js'

/** The Claude Code version this release is tested with. */
export const PINNED_CLAUDE_CODE_VERSION = '2.1.197'
/** The sandbox runtime version this release is tested with. */
export const PINNED_SANDBOX_RUNTIME_VERSION = '0.0.83'
/** Claude Code releases whose stream-json protocol this release speaks. */
const SUPPORTED_CLAUDE = { major: 2, minMinor: 1 }

function inside(file: string, dir: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p)
    } catch {
      return path.resolve(p)
    }
  }
  const f = real(file)
  const d = real(dir)
  return f === d || f.startsWith(`${d}${path.sep}`)
}

/** Installs `pkg@version` into the tool cache once per runner; returns the install prefix. */
async function toolCacheInstall(
  pkg: string,
  version: string,
  toolCache: string | undefined,
  pathVar: string | undefined,
  check: string
): Promise<string> {
  const dir = path.join(toolCache ?? os.tmpdir(), `orchestrator-${pkg.split('/').pop()}`, version)
  if (!fs.existsSync(path.join(dir, check))) {
    core.info(`Installing ${pkg} ${version} into ${dir}`)
    fs.mkdirSync(dir, { recursive: true })
    await execa('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', `${pkg}@${version}`], {
      stdio: 'inherit',
      env: pathVar ? { PATH: pathVar } : undefined
    })
  }
  return dir
}

export async function resolveClaude(opts: {
  claudePath?: string
  pathVar?: string
  workspace: string
  toolCache?: string
}): Promise<string> {
  const trusted = (file: string): string => {
    if (inside(file, opts.workspace)) {
      throw new ClaudeNotFoundError(
        `refusing to run ${file}: it is inside the repository under work, which an earlier run's changes could have planted. ` +
          'Point claude_path outside the checkout or leave it empty to use the pinned install.'
      )
    }
    return file
  }
  if (opts.claudePath) return trusted(locateClaude({ explicit: opts.claudePath, cwd: opts.workspace }))
  // PATH only: never the checkout's node_modules, and no PATH entry inside the checkout.
  const pathVar = (opts.pathVar ?? '')
    .split(path.delimiter)
    .filter(dir => dir && path.isAbsolute(dir) && !inside(dir, opts.workspace))
    .join(path.delimiter)
  try {
    return locateClaude({ pathVar, cwd: opts.workspace, nodeModulesFrom: [] })
  } catch (err) {
    if (!(err instanceof ClaudeNotFoundError)) throw err
  }
  const dir = await toolCacheInstall(
    '@anthropic-ai/claude-code',
    PINNED_CLAUDE_CODE_VERSION,
    opts.toolCache,
    opts.pathVar,
    'node_modules/.bin/claude'
  )
  return locateClaude({ explicit: path.join(dir, 'node_modules', '.bin', 'claude'), cwd: opts.workspace })
}

/** `2.1.197 (Claude Code)` → 2.1.197; throws when the version is outside what this release speaks. */
export function checkClaudeVersion(output: string, file: string): string {
  const m = output.match(/(\d+)\.(\d+)\.(\d+)/)
  if (!m)
    throw new ClaudeNotFoundError(
      `${file} does not look like Claude Code: \`claude --version\` printed "${output.trim().slice(0, 80)}"`
    )
  const [major, minor] = [Number(m[1]), Number(m[2])]
  if (major !== SUPPORTED_CLAUDE.major || minor < SUPPORTED_CLAUDE.minMinor) {
    throw new ClaudeNotFoundError(
      `Claude Code ${m[0]} at ${file} is not supported: this release needs ${SUPPORTED_CLAUDE.major}.${SUPPORTED_CLAUDE.minMinor} or a later ${SUPPORTED_CLAUDE.major}.x ` +
        `(tested with ${PINNED_CLAUDE_CODE_VERSION}). Leave claude_path empty to use the tested version.`
    )
  }
  return m[0]
}

/** Runs `claude --version` once (outside any sandbox: the binary is trusted by now) and logs which one runs. */
export async function verifyClaude(file: string): Promise<string> {
  const out = await execa(file, ['--version'], {
    reject: false,
    timeout: 30000,
    stdin: 'ignore',
    extendEnv: false,
    env: { PATH: '/usr/bin:/bin' }
  })
  const version = checkClaudeVersion(String(out.stdout || out.stderr), file)
  core.info(`Claude Code ${version} (${file})`)
  return version
}

/** The sandbox runtime's package folder in the tool cache, installed there on first use. */
export async function resolveSandboxRuntime(opts: { toolCache?: string; pathVar?: string }): Promise<string> {
  const check = 'node_modules/@anthropic-ai/sandbox-runtime/dist/index.js'
  const dir = await toolCacheInstall(
    '@anthropic-ai/sandbox-runtime',
    PINNED_SANDBOX_RUNTIME_VERSION,
    opts.toolCache,
    opts.pathVar,
    check
  )
  return path.join(dir, 'node_modules', '@anthropic-ai', 'sandbox-runtime')
}
