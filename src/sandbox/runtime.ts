/**
 * Anthropic's sandbox runtime (bubblewrap with a fresh PID namespace, no
 * network namespace but a filtering proxy), loaded from where it is installed
 * and driven in this process: its proxies run here, outside the sandbox, so
 * what they refuse is known to us and reported.
 *
 * It is loaded at run time rather than bundled: it finds its seccomp helper
 * relative to its own files.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { execa } from 'execa'
import type { SandboxPolicy } from './policy.js'

/** The part of the runtime's API this module uses. */
interface SandboxManagerApi {
  checkDependencies(): { warnings: string[]; errors: string[] }
  isSupportedPlatform(): boolean
  initialize(
    config: SandboxPolicy,
    ask?: (p: { host: string; port?: number }) => Promise<boolean>,
    enableLogMonitor?: boolean
  ): Promise<void>
  wrapWithSandbox(
    command: string,
    binShell?: string,
    customConfig?: undefined,
    abortSignal?: undefined,
    options?: { commandId?: string }
  ): Promise<string>
  cleanupAfterCommand(): void
  reset(): Promise<void>
}

export class SandboxUnavailableError extends Error {}

/** The runtime package's folder, found beside this program (CLI, tests) or given (the action's install). */
export function findRuntimePackage(startDirs: string[]): string | null {
  for (const start of startDirs) {
    let dir = path.resolve(start)
    for (;;) {
      const candidate = path.join(dir, 'node_modules', '@anthropic-ai', 'sandbox-runtime')
      if (fs.existsSync(path.join(candidate, 'dist', 'index.js'))) return candidate
      const parent = path.dirname(dir)
      if (parent === dir) break
      dir = parent
    }
  }
  return null
}

async function loadManager(packageDir: string): Promise<SandboxManagerApi> {
  const entry = pathToFileURL(path.join(packageDir, 'dist', 'index.js')).href
  const mod = (await import(/* webpackIgnore: true */ entry)) as { SandboxManager: SandboxManagerApi }
  return mod.SandboxManager
}

/** Quotes argv for the POSIX shell the runtime wraps commands in. */
export function shellQuote(argv: string[]): string {
  return argv.map(a => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')
}

export interface Launch {
  file: string
  args: string[]
}

export interface RuntimeSession {
  /** Turns `file args…` into the command that runs it inside the sandbox. */
  wrap(file: string, args: string[], cwd: string): Promise<Launch>
  /** Called after each wrapped process ended: removes the runtime's mount points from the checkout. */
  afterCommand(): void
  /** host:port of connections the proxy refused, in order, with repeats. */
  blockedConnections(): string[]
  close(): Promise<void>
}

const HOW_TO_FIX =
  'On Debian or Ubuntu: sudo apt-get install -y bubblewrap socat ripgrep; where unprivileged user namespaces are ' +
  'restricted (Ubuntu 24.04): sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0. ' +
  "Or run without the sandbox (sandbox: off / --sandbox off) and accept that Claude can read the job's secrets."

/** What the runtime says it lacks, or null when its dependencies are there. */
export function dependencyProblem(check: { errors: string[] }): string | null {
  return check.errors.length ? check.errors.join('; ') : null
}

export async function startRuntime(opts: {
  packageDir: string | null
  policy: SandboxPolicy
  /** Private temp folder the runtime points TMPDIR at inside the sandbox. */
  tmp: string
}): Promise<RuntimeSession> {
  if (process.platform !== 'linux') {
    throw new SandboxUnavailableError(`the sandbox needs Linux (bubblewrap); this is ${process.platform}`)
  }
  if (!opts.packageDir) {
    throw new SandboxUnavailableError('the sandbox runtime (@anthropic-ai/sandbox-runtime) is not installed')
  }
  const manager = await loadManager(opts.packageDir)
  const problem = dependencyProblem(manager.checkDependencies())
  if (problem) throw new SandboxUnavailableError(`the sandbox cannot start: ${problem}. ${HOW_TO_FIX}`)

  const blocked: string[] = []
  // The runtime reads the sandbox's TMPDIR from its host's environment.
  const previousTmp = process.env.CLAUDE_CODE_TMPDIR
  process.env.CLAUDE_CODE_TMPDIR = opts.tmp
  await manager.initialize(
    opts.policy,
    async ({ host, port }) => {
      blocked.push(port ? `${host}:${port}` : host)
      return false
    },
    false
  )
  const restore = async (): Promise<void> => {
    await manager.reset()
    if (previousTmp === undefined) delete process.env.CLAUDE_CODE_TMPDIR
    else process.env.CLAUDE_CODE_TMPDIR = previousTmp
  }

  const session: RuntimeSession = {
    async wrap(file, args, cwd) {
      // The runtime protects the dangerous files (.git/hooks, .git/config, shell rc files)
      // of the folder it is called from: that must be the checkout, not ours.
      const here = process.cwd()
      process.chdir(cwd)
      try {
        const commandId = crypto.randomBytes(16).toString('base64url')
        const wrapped = await manager.wrapWithSandbox(shellQuote([file, ...args]), undefined, undefined, undefined, {
          commandId
        })
        return { file: '/bin/sh', args: ['-c', wrapped] }
      } finally {
        process.chdir(here)
      }
    },
    afterCommand: () => manager.cleanupAfterCommand(),
    blockedConnections: () => [...blocked],
    close: restore
  }

  // Proof that the sandbox really starts here, before any model request: user
  // namespaces may be switched off, or AppArmor may forbid them.
  const probe = await session.wrap('/bin/true', [], opts.tmp)
  const started = await execa(probe.file, probe.args, { reject: false, stdin: 'ignore', cwd: opts.tmp, timeout: 20000 })
  session.afterCommand()
  if (started.exitCode !== 0) {
    await restore()
    const detail = String(started.stderr).trim().split('\n').slice(-3).join(' ').slice(0, 400)
    throw new SandboxUnavailableError(
      `the sandbox cannot start on this machine${detail ? ` (${detail})` : ''}. ${HOW_TO_FIX}`
    )
  }
  return session
}
