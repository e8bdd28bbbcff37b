/**
 * Runs one Claude Code CLI invocation (`claude -p … --output-format stream-json`)
 * and folds its event stream into an outcome. Phases know nothing about
 * processes or JSON lines; they get events as they happen and an outcome at the end.
 */
import { execa } from 'execa'
import type { Launch } from '../sandbox/runtime.js'
import { LineSplitter, parseStreamLine, type ClaudeEvent, type ResultSummary, type ToolCall } from './stream.js'

/** Where a process starts: as it is, or wrapped into the sandbox. */
export interface ProcessHost {
  launch(file: string, args: string[], cwd: string): Promise<Launch>
  /** Called once the process ended. */
  afterCommand(): void
}

export interface ClaudeInvocation {
  claudePath: string
  cwd: string
  prompt: string
  /** Flags besides -p/--output-format/--verbose/--resume (permissions, model, budget…). */
  args: string[]
  resumeSessionId?: string
  /** The complete environment for the child: nothing else leaks into it. */
  env: Record<string, string>
  timeoutMs: number
  onEvent?: (event: ClaudeEvent) => void
  /** Starts the process inside the sandbox; unconfined without one. */
  host?: ProcessHost
}

export interface CompletedToolCall extends ToolCall {
  /** Undefined when the call never got a result (the process stopped first). */
  isError?: boolean
}

export interface ClaudeOutcome {
  /** True when the CLI produced a successful result. */
  ok: boolean
  sessionId: string | null
  result: ResultSummary | null
  toolCalls: CompletedToolCall[]
  /** Last assistant text seen, for when there is no result event. */
  lastText: string
  /** Why the invocation failed, in a sentence a user can act on. */
  error?: string
  exitCode: number | null
  timedOut: boolean
}

const KILL_GRACE_MS = 3000

/**
 * Process groups of running claude invocations. Each runs in its own group
 * (so a timeout can stop the tools it started), which also means a Ctrl-C
 * or a cancelled job does not reach it: the entry points stop them here.
 */
const activeGroups = new Set<number>()

export function stopActiveClaude(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const pid of activeGroups) {
    try {
      process.kill(-pid, signal)
    } catch {
      // Already gone.
    }
  }
}

/** Stops running claude processes when this process is interrupted or exits. */
export function stopClaudeOnExit(): void {
  process.once('exit', () => stopActiveClaude('SIGKILL'))
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopActiveClaude('SIGTERM')
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1))
    })
  }
}

/** Explains a result event that reports an error. */
export function describeResultError(result: ResultSummary): string {
  switch (result.subtype) {
    case 'error_max_turns':
      return `Claude Code stopped at the maximum number of turns (${result.turns})`
    case 'error_max_budget_usd':
      return `Claude Code stopped because the budget was exhausted (spent $${result.costUsd.toFixed(4)})`
    default: {
      const text = result.text.trim().slice(0, 500)
      if (result.apiErrorStatus) return `Anthropic API error ${result.apiErrorStatus}${text ? `: ${text}` : ''}`
      return `Claude Code reported an error (${result.subtype || 'unknown'})${text ? `: ${text}` : ''}`
    }
  }
}

export async function runClaude(inv: ClaudeInvocation): Promise<ClaudeOutcome> {
  // The prompt goes on standard input: an issue body of any size GitHub accepts
  // fits there, and never shows up in a process listing or an E2BIG error.
  const args = ['-p', '--output-format', 'stream-json', '--verbose']
  if (inv.resumeSessionId) args.push('--resume', inv.resumeSessionId)
  args.push(...inv.args)
  const launch = inv.host ? await inv.host.launch(inv.claudePath, args, inv.cwd) : { file: inv.claudePath, args }

  const child = execa(launch.file, launch.args, {
    cwd: inv.cwd,
    env: inv.env,
    extendEnv: false,
    input: inv.prompt,
    buffer: false,
    reject: false,
    // Its own process group, so a timeout can stop the tools it started too.
    detached: true,
    cleanup: true
  })

  if (child.pid !== undefined) activeGroups.add(child.pid)
  const toolCalls: CompletedToolCall[] = []
  const byId = new Map<string, CompletedToolCall>()
  let sessionId: string | null = null
  let result: ResultSummary | null = null
  let lastText = ''
  let stderrTail = ''

  const handle = (event: ClaudeEvent): void => {
    switch (event.type) {
      case 'init':
        sessionId = event.sessionId
        break
      case 'text':
        lastText = event.text
        break
      case 'tool_use': {
        const call: CompletedToolCall = { ...event.call }
        toolCalls.push(call)
        byId.set(call.id, call)
        break
      }
      case 'tool_result': {
        const call = byId.get(event.toolUseId)
        if (call) call.isError = event.isError
        break
      }
      case 'result':
        result = event.result
        if (event.result.sessionId) sessionId = event.result.sessionId
        break
    }
    inv.onEvent?.(event)
  }

  const splitter = new LineSplitter()
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) parseStreamLine(line).forEach(handle)
  })
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000)
  })

  let timedOut = false
  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return
    try {
      process.kill(-child.pid, signal)
    } catch {
      // Already gone.
    }
  }
  let forceTimer: NodeJS.Timeout | undefined
  const timer = setTimeout(() => {
    timedOut = true
    killGroup('SIGTERM')
    forceTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS)
  }, inv.timeoutMs)

  const done = await child
  if (child.pid !== undefined) activeGroups.delete(child.pid)
  clearTimeout(timer)
  if (forceTimer) clearTimeout(forceTimer)
  // Tools the CLI started in the background must not outlive the phase.
  killGroup('SIGKILL')
  inv.host?.afterCommand()
  for (const line of splitter.flush()) parseStreamLine(line).forEach(handle)

  const outcome: ClaudeOutcome = {
    ok: false,
    sessionId,
    result,
    toolCalls,
    lastText,
    exitCode: done.exitCode ?? null,
    timedOut
  }
  const final = result as ResultSummary | null
  if (timedOut) {
    outcome.error = `Claude Code did not finish within ${Math.round(inv.timeoutMs / 60000) || inv.timeoutMs / 60000} minute(s) and was stopped`
  } else if (final?.isError || (final && final.subtype !== 'success')) {
    outcome.error = describeResultError(final)
  } else if (done.exitCode !== 0) {
    // Not shortMessage: it repeats the whole command line, the sandbox's wrapper included.
    const reason = done.failed && done.exitCode === undefined ? `could not be started: ${done.originalMessage || 'unknown error'}` : `exited with code ${done.exitCode}`
    const detail = stderrTail.trim().split('\n').slice(-5).join(' ').slice(0, 500)
    outcome.error = `Claude Code ${reason}${detail ? `: ${detail}` : ''}`
  } else if (!final) {
    outcome.error = 'Claude Code ended without reporting a result'
  } else {
    outcome.ok = true
  }
  return outcome
}
