/**
 * Runs one Claude Code session through its control protocol
 * (`-p --input-format stream-json --output-format stream-json --verbose
 * --permission-prompt-tool stdio`): the prompt goes in on standard input, every
 * tool call that is not pre-allowed comes back as a permission request the host
 * decides (structured questions included), and the event stream is folded into
 * an outcome. Phases know nothing about processes or JSON lines.
 *
 * A small client of our own rather than @anthropic-ai/claude-agent-sdk: the
 * SDK's platform package carries a second copy of the Claude Code binary
 * (245 MB unpacked for linux-x64), and we need our own spawning anyway (the
 * sandbox wrapper, process groups); the protocol we use is five message kinds.
 */
import crypto from 'node:crypto'
import { execa } from 'execa'
import type { Launch } from '../sandbox/runtime.js'
import {
  errorResponse,
  initializeRequest,
  interruptRequest,
  permissionResponse,
  userMessage,
  type PermissionDecision
} from './protocol.js'
import {
  LineSplitter,
  parseStreamLine,
  type ClaudeEvent,
  type PermissionRequest,
  type ResultSummary,
  type ToolCall
} from './stream.js'
import { timeoutMessage, usd } from '../util/format.js'

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
  /** Flags besides the protocol's own and --resume (permissions, model, budget…). */
  args: string[]
  resumeSessionId?: string
  /** The complete environment for the child: nothing else leaks into it. */
  env: Record<string, string>
  timeoutMs: number
  onEvent?: (event: ClaudeEvent) => void
  /** Decides each tool call Claude Code asks about; without it every such call is denied. */
  canUseTool?: (request: PermissionRequest) => Promise<PermissionDecision>
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
  /** Why the invocation failed, in a sentence a user can act on. */
  error?: string
  timedOut: boolean
}

/** After an interrupt, how long Claude gets to stop on its own before its process group is killed. */
const INTERRUPT_GRACE_MS = 3000
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
  const said = (result.errors.length ? result.errors.join('; ') : result.text).trim().slice(0, 500)
  switch (result.subtype) {
    case 'error_max_turns':
      // errors[] names the limit that was set; num_turns counts one more.
      return result.errors.length
        ? `Claude Code stopped: ${said}`
        : `Claude Code stopped at the maximum number of turns (${result.turns})`
    case 'error_max_budget_usd':
      return `Claude Code stopped because the budget was exhausted (spent ${usd(result.costUsd)})`
    default:
      if (/not logged in|invalid api key|please run \/login/i.test(said)) {
        return `no usable Anthropic credential reached Claude Code (it said: ${said}); set anthropic_api_key or claude_code_oauth_token (ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN for the CLI)`
      }
      if (result.apiErrorStatus === 401 || result.apiErrorStatus === 403)
        return credentialRejected(result.apiErrorStatus, said)
      if (result.apiErrorStatus) return `Anthropic API error ${result.apiErrorStatus}${said ? `: ${said}` : ''}`
      return `Claude Code reported an error${result.subtype && result.subtype !== 'success' ? ` (${result.subtype})` : ''}${said ? `: ${said}` : ''}`
  }
}

function credentialRejected(status: number, detail = ''): string {
  return `the model credential was rejected (HTTP ${status}${detail ? `: ${detail}` : ''}); check anthropic_api_key / claude_code_oauth_token, or the Bedrock, Vertex AI or Foundry credentials`
}

export async function runClaude(inv: ClaudeInvocation): Promise<ClaudeOutcome> {
  const args = [
    '-p',
    '--input-format',
    'stream-json',
    '--output-format',
    'stream-json',
    '--verbose',
    '--permission-prompt-tool',
    'stdio'
  ]
  if (inv.resumeSessionId) args.push('--resume', inv.resumeSessionId)
  args.push(...inv.args)
  const launch = inv.host ? await inv.host.launch(inv.claudePath, args, inv.cwd) : { file: inv.claudePath, args }

  const child = execa(launch.file, launch.args, {
    cwd: inv.cwd,
    env: inv.env,
    extendEnv: false,
    stdin: 'pipe',
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
  let stderrTail = ''
  let stopReason: string | null = null
  let timedOut = false

  const send = (text: string): void => {
    if (child.stdin && !child.stdin.destroyed && child.stdin.writable) child.stdin.write(text)
  }
  child.stdin?.on('error', () => undefined) // A process that died takes its pipe with it.

  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return
    try {
      process.kill(-child.pid, signal)
    } catch {
      // Already gone.
    }
  }
  const timers: NodeJS.Timeout[] = []
  /** Asks Claude to stop (interrupt), then stops its process group if it does not. */
  const stop = (why: string): void => {
    if (stopReason) return
    stopReason = why
    send(interruptRequest(`interrupt-${crypto.randomUUID()}`))
    timers.push(
      setTimeout(() => {
        child.stdin?.end()
        killGroup('SIGTERM')
        timers.push(setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS))
      }, INTERRUPT_GRACE_MS)
    )
  }

  const decide = async (request: PermissionRequest): Promise<void> => {
    let decision: PermissionDecision
    try {
      decision = inv.canUseTool
        ? await inv.canUseTool(request)
        : { behavior: 'deny', message: 'This tool is not available in this phase.' }
    } catch (err) {
      decision = {
        behavior: 'deny',
        message: `The orchestrator could not decide on this call: ${(err as Error).message}`
      }
    }
    send(permissionResponse(request.requestId, decision, request.input))
  }

  const handle = (event: ClaudeEvent): void => {
    switch (event.type) {
      case 'init':
        sessionId = event.sessionId
        break
      case 'permission':
        void decide(event.request)
        break
      case 'control':
        send(errorResponse(event.requestId, `unsupported request: ${event.subtype}`))
        break
      case 'api_retry':
        // A rejected credential does not get better with retries: stop at the first.
        if (event.status === 401 || event.status === 403) stop(credentialRejected(event.status))
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
        // One prompt per session: closing stdin lets the CLI exit.
        child.stdin?.end()
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

  send(initializeRequest(`init-${crypto.randomUUID()}`))
  send(userMessage(inv.prompt))
  timers.push(
    setTimeout(() => {
      timedOut = true
      stop('timeout')
    }, inv.timeoutMs)
  )

  const done = await child
  if (child.pid !== undefined) activeGroups.delete(child.pid)
  timers.forEach(clearTimeout)
  // Tools the CLI started in the background must not outlive the phase.
  killGroup('SIGKILL')
  inv.host?.afterCommand()
  for (const line of splitter.flush()) parseStreamLine(line).forEach(handle)

  const outcome: ClaudeOutcome = { ok: false, sessionId, result, toolCalls, timedOut }
  const final = result as ResultSummary | null
  if (timedOut) {
    outcome.error = `Claude Code ${timeoutMessage(inv.timeoutMs)} and was stopped`
  } else if (stopReason) {
    outcome.error = stopReason
  } else if (final?.isError || (final && final.subtype !== 'success')) {
    outcome.error = describeResultError(final)
  } else if (done.exitCode !== 0) {
    // Not shortMessage: it repeats the whole command line, the sandbox's wrapper included.
    const reason =
      done.failed && done.exitCode === undefined
        ? `could not be started: ${done.originalMessage || 'unknown error'}`
        : `exited with code ${done.exitCode}`
    const detail = stderrTail.trim().split('\n').slice(-5).join(' ').slice(0, 500)
    outcome.error = `Claude Code ${reason}${detail ? `: ${detail}` : ''}`
  } else if (!final) {
    outcome.error = 'Claude Code ended without reporting a result'
  } else {
    outcome.ok = true
  }
  return outcome
}
