/**
 * The project's own check (its tests, its build) run by the orchestrator
 * after implement, in the same sandbox as Claude and under the phase
 * timeout: what the pull request can prove, instead of what Claude says it ran.
 */
import fs from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'
import type { ProcessHost } from '../claude/runner.js'
import { restoreGitSetup, snapshotGitSetup } from '../git/setup.js'
import { checkImplement, snapshotWorkspace } from './workspace-guard.js'

export interface VerifyRound {
  round: number
  passed: boolean
  exitCode: number | null
  durationMs: number
  /** The last lines of the output (stdout and stderr together). */
  tail: string
  timedOut?: boolean
}

export interface VerifySummary {
  command: string
  /** Where the command came from: the input or flag, or the repository's .claude/orchestrator.json. */
  source: 'input' | 'repository'
  passed: boolean
  rounds: VerifyRound[]
}

const TAIL_LINES = 60
const TAIL_CHARS = 4000

/** The repository's own declaration: `.claude/orchestrator.json` with `{ "verify": "npm test" }`. */
export function declaredVerifyCommand(repoDir: string): string | null {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(repoDir, '.claude', 'orchestrator.json'), 'utf8')) as {
      verify?: unknown
    }
    return typeof json.verify === 'string' && json.verify.trim() ? json.verify.trim() : null
  } catch {
    return null
  }
}

function outputTail(output: string): string {
  const lines = output.replace(/\r/g, '').trimEnd().split('\n')
  const tail = lines.slice(-TAIL_LINES).join('\n')
  return tail.length > TAIL_CHARS ? `…${tail.slice(-TAIL_CHARS)}` : tail
}

/**
 * The project's check runs code Claude just wrote: the same rules hold for it as for the
 * implement phase (no workflow files, no history rewrites), and git's setup is put back after it.
 */
export async function runGuardedVerify(
  opts: Parameters<typeof runVerify>[0]
): Promise<{ round: VerifyRound; violation: string | null }> {
  const before = await snapshotWorkspace(opts.repoDir)
  const setup = await snapshotGitSetup(opts.repoDir)
  let round: VerifyRound
  try {
    round = await runVerify(opts)
  } finally {
    restoreGitSetup(setup)
  }
  const violation = await checkImplement(opts.repoDir, before)
  return { round, violation: violation?.reason ?? null }
}

export async function runVerify(opts: {
  command: string
  round: number
  repoDir: string
  env: Record<string, string>
  host?: ProcessHost
  timeoutMs: number
}): Promise<VerifyRound> {
  const started = Date.now()
  const launch = opts.host
    ? await opts.host.launch('/bin/sh', ['-c', opts.command], opts.repoDir)
    : { file: '/bin/sh', args: ['-c', opts.command] }
  const child = execa(launch.file, launch.args, {
    cwd: opts.repoDir,
    env: { ...opts.env, CI: 'true' },
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    detached: true,
    timeout: Math.max(1000, opts.timeoutMs),
    killSignal: 'SIGKILL'
  })
  const done = await child
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // The group is gone already.
    }
  }
  opts.host?.afterCommand()
  const timedOut = Boolean(done.timedOut)
  return {
    round: opts.round,
    passed: done.exitCode === 0 && !timedOut,
    exitCode: done.exitCode ?? null,
    durationMs: Date.now() - started,
    tail: outputTail(String(done.all ?? '')),
    ...(timedOut ? { timedOut } : {})
  }
}

/** What the next implement session is told about a failed check. */
export function verifyFeedback(command: string, round: VerifyRound): string {
  const how = round.timedOut ? 'did not finish in time' : `failed with exit code ${round.exitCode}`
  return `The project's check \`${command}\` ${how} after your changes. Fix the cause (not the check), keeping to the plan. The end of its output:\n\`\`\`\n${round.tail}\n\`\`\``
}
