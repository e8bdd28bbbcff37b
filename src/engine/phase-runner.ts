/**
 * Runs one phase: one Claude Code session, resumed with answers while it ends
 * on a question, then checked (what it changed, what it wrote, what it found).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Answerer } from '../answerer/answerer.js'
import type { ClaudeHost } from '../sandbox/claude-host.js'
import { deniedWrites } from '../sandbox/refusals.js'
import type { PermissionDecision } from '../claude/protocol.js'
import { runClaude, type ClaudeOutcome, type CompletedToolCall } from '../claude/runner.js'
import type { PermissionRequest } from '../claude/stream.js'
import { artifactsFromText, artifactsFromToolCalls } from './artifacts.js'
import {
  FINDINGS_SCHEMA,
  FindingsError,
  parseVerdict,
  renderFindingsSection,
  trackFindings,
  verdictFromText,
  type ReviewVerdict
} from './findings.js'
import { decideToolCall } from './permissions.js'
import { customCommandFile, permissionArgs, type PhaseSpec } from './phases.js'
import { toolTarget, type ProgressEvent } from './progress.js'
import { builtInPrompt, commandArguments, type PromptContext } from './prompts.js'
import { extractQuestion } from './questions.js'
import type { EarlierFinding, MaintainerAnswer, PendingQuestion, PhaseResult } from './types.js'
import { restoreGitSetup, snapshotGitSetup } from '../git/setup.js'
import { checkImplement, checkReadOnly, snapshotWorkspace } from './workspace-guard.js'
import { timeoutMessage, usd } from '../util/format.js'
import { emptyPhase } from './results.js'

export interface ClaudeSettings {
  path: string
  env: Record<string, string>
  /** The sandbox Claude runs in (its refusals are reported per phase); unconfined when absent. */
  host?: ClaudeHost
  model?: string
  /** Extra CLI flags from the user, appended last. */
  extraArgs: string[]
}

export interface PhaseRunOptions {
  spec: PhaseSpec
  ctx: PromptContext
  repoDir: string
  claude: ClaudeSettings
  timeoutMs: number
  maxTurns?: number
  /** What is left of the run's budget; undefined when there is no budget. */
  budgetUsd?: number
  maxQuestionRounds: number
  answerer: Answerer
  /** Maintainers' answers to questions this phase asked in an earlier run. */
  answered?: MaintainerAnswer[]
  emit: (event: ProgressEvent) => void
}

export interface PhaseRunOutput {
  result: PhaseResult
  verdict?: ReviewVerdict
  /** For a review given earlier findings: each marked fixed or still open. */
  earlier?: EarlierFinding[]
  /** Claude's last words in the phase (its result text). */
  finalText?: string
}

const MAX_ANSWERER_DOC_CHARS = 20000

/** `a, a, b` → `a (2 times), b`: a loop that retries a blocked host should not fill the report. */
export function countRepeats(items: string[]): string[] {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1)
  return [...counts].map(([item, n]) => (n > 1 ? `${item} (${n} times)` : item))
}

/** The prompt a phase starts with: the repository's own command when it has one. */
export function phasePrompt(spec: PhaseSpec, ctx: PromptContext, repoDir: string): string {
  return customCommandFile(repoDir, spec)
    ? `/${spec.command} ${commandArguments(spec.name, ctx)}`
    : builtInPrompt(spec.name, ctx)
}

function readArtifacts(repoDir: string, paths: string[]): Array<{ path: string; content: string }> {
  return paths.map(p => {
    let content = ''
    try {
      content = fs.readFileSync(path.join(repoDir, p), 'utf8').slice(0, MAX_ANSWERER_DOC_CHARS)
    } catch {
      // A listed document that vanished is simply not shown.
    }
    return { path: p, content }
  })
}

export async function runPhase(opts: PhaseRunOptions): Promise<PhaseRunOutput> {
  const { spec, ctx, repoDir } = opts
  const started = Date.now()
  const deadline = started + opts.timeoutMs
  const result: PhaseResult = emptyPhase(spec.name, 'failed')
  let lastText = ''
  const fail = (error: string): PhaseRunOutput => {
    sandboxRefusals()
    if (refused.length) result.refusals = [...new Set(refused)].slice(0, 20)
    result.status = 'failed'
    result.error = error
    // What it said last is what a resumed session is told it had got to.
    if (lastText.trim()) result.lastText = lastText.trim().slice(0, 1000)
    result.durationMs = Date.now() - started
    return { result }
  }

  const before = await snapshotWorkspace(repoDir)
  const setup = await snapshotGitSetup(repoDir)
  const host = opts.claude.host
  const connectionsBefore = host?.blockedConnections().length ?? 0
  const deniedPaths = new Set<string>()
  /** What the sandbox refused during this phase: reported, never by itself a failure. */
  const sandboxRefusals = (): void => {
    if (!host?.sandboxed) return
    const connections = host.blockedConnections().slice(connectionsBefore)
    if (connections.length) result.blockedConnections = countRepeats(connections)
    if (deniedPaths.size) result.deniedPaths = [...deniedPaths].slice(0, 20)
  }
  const toolCalls: CompletedToolCall[] = []
  /** What the phase's rules refused the model, e.g. `Bash rm -rf src`: the likely reason a phase got nowhere. */
  const refused: string[] = []
  const rules = { phase: spec.name, readOnly: spec.readOnly, repoDir, artifactsDir: ctx.artifactsDir }
  let structuredQuestions = 0
  /** Questions that wait for a maintainer: the phase stops and the run ends waiting. */
  let waitingFor: PendingQuestion[] | null = null
  // Answers maintainers gave in an earlier run are on record from the start.
  for (const a of opts.answered ?? [])
    result.questions.push({ question: a.question, answer: a.answer, answeredBy: 'maintainer' })

  /** AskUserQuestion: each question goes to the answerer; the answers return to Claude in the same turn. */
  const answerQuestions = async (input: Record<string, unknown>): Promise<PermissionDecision> => {
    if (++structuredQuestions > opts.maxQuestionRounds) {
      return {
        behavior: 'deny',
        message: `No more questions in this phase: proceed on the most reasonable assumption and write it down under "Assumptions".`
      }
    }
    const asked = Array.isArray(input.questions) ? (input.questions as Array<Record<string, unknown>>) : []
    const answers: Record<string, string> = {}
    const pending: PendingQuestion[] = []
    for (const q of asked) {
      const question = String(q.question ?? '').trim()
      if (!question) continue
      const options = (Array.isArray(q.options) ? (q.options as Array<Record<string, unknown>>) : [])
        .map(o => ({
          label: String(o.label ?? ''),
          description: typeof o.description === 'string' ? o.description : undefined
        }))
        .filter(o => o.label)
      const given = opts.answered?.find(a => a.question === question)
      if (given) {
        answers[question] = given.answer
        continue
      }
      opts.emit({ type: 'question', phase: spec.name, question })
      const answer = await opts.answerer.answer({
        task: ctx.task,
        phase: spec.name,
        question: typeof q.header === 'string' && q.header ? `${q.header}: ${question}` : question,
        options,
        artifacts: readArtifacts(repoDir, [...new Set(Object.values(ctx.inputs).flat())])
      })
      if (answer.deferred) {
        pending.push({ question, ...(typeof q.header === 'string' && q.header ? { header: q.header } : {}), options })
        continue
      }
      opts.emit({ type: 'answer', phase: spec.name, ...answer })
      result.questions.push({
        question,
        answer: answer.answer,
        answeredBy: answer.answeredBy,
        ...(options.length ? { options: options.map(o => o.label) } : {})
      })
      answers[question] = answer.answer
    }
    if (pending.length) {
      waitingFor = pending
      return {
        behavior: 'deny',
        message: 'A maintainer will answer this question; stop here without further work.',
        interrupt: true
      }
    }
    return { behavior: 'allow', updatedInput: { ...input, answers } }
  }

  const canUseTool = async (request: PermissionRequest): Promise<PermissionDecision> => {
    if (request.toolName === 'AskUserQuestion') return answerQuestions(request.input)
    const decision = decideToolCall(request.toolName, request.input, rules)
    if (decision.behavior === 'deny')
      refused.push(
        `${request.toolName} ${toolTarget({ id: '', name: request.toolName, input: request.input }, repoDir)}`
      )
    return decision
  }

  const invoke = async (prompt: string, resume?: string): Promise<ClaudeOutcome | string> => {
    const remainingMs = deadline - Date.now()
    if (remainingMs <= 0) return timeoutMessage(opts.timeoutMs)
    const args = permissionArgs()
    if (opts.claude.model) args.push('--model', opts.claude.model)
    if (opts.maxTurns) args.push('--max-turns', String(opts.maxTurns))
    if (opts.budgetUsd !== undefined) {
      const left = opts.budgetUsd - result.costUsd
      if (left <= 0) return `the budget ran out (spent ${usd(result.costUsd)} in this phase)`
      args.push('--max-budget-usd', left.toFixed(4))
    }
    if (spec.name === 'review') args.push('--json-schema', JSON.stringify(FINDINGS_SCHEMA))
    args.push(...opts.claude.extraArgs)
    const outcome = await runClaude({
      claudePath: opts.claude.path,
      cwd: repoDir,
      prompt,
      args,
      resumeSessionId: resume,
      env: opts.claude.env,
      host,
      canUseTool,
      timeoutMs: remainingMs,
      onEvent: event => {
        if (event.type === 'api_retry') {
          opts.emit({
            type: 'retry',
            phase: spec.name,
            attempt: event.attempt,
            maxRetries: event.maxRetries,
            status: event.status,
            error: event.error
          })
        }
        if (event.type === 'tool_result' && host?.sandboxed)
          for (const p of deniedWrites(event.content)) deniedPaths.add(p)
        if (event.type === 'tool_use') opts.emit({ type: 'tool', phase: spec.name, call: event.call })
        else if (event.type === 'text') {
          lastText = event.text
          opts.emit({ type: 'text', phase: spec.name, text: event.text })
        }
      }
    })
    toolCalls.push(...outcome.toolCalls)
    result.sessionId ??= outcome.sessionId
    // Refusals by the CLI's own rules (the forbidden git commands) come back in the result.
    for (const d of outcome.result?.permissionDenials ?? []) {
      const line = `${d.tool} ${toolTarget({ id: '', name: d.tool, input: (d.input ?? {}) as Record<string, unknown> }, repoDir)}`
      if (!refused.includes(line)) refused.push(line)
    }
    if (outcome.result) {
      result.costUsd += outcome.result.costUsd
      result.inputTokens += outcome.result.inputTokens
      result.outputTokens += outcome.result.outputTokens
      result.turns += outcome.result.turns
    }
    return outcome
  }

  /** The first invocation, then one resumed invocation per answered question. */
  const converse = async (): Promise<ClaudeOutcome | string> => {
    let outcome = await invoke(phasePrompt(spec, ctx, repoDir))
    for (let round = 0; round < opts.maxQuestionRounds; round++) {
      if (waitingFor || typeof outcome === 'string' || !outcome.ok || !outcome.result) break
      const question = extractQuestion(outcome.result.text)
      if (!question) break
      opts.emit({ type: 'question', phase: spec.name, question })
      const read = [
        ...Object.values(ctx.inputs).flat(),
        ...artifactsFromToolCalls(toolCalls, repoDir, ctx.artifactsDir)
      ]
      const answer = await opts.answerer.answer({
        task: ctx.task,
        phase: spec.name,
        question,
        artifacts: readArtifacts(repoDir, [...new Set(read)])
      })
      opts.emit({ type: 'answer', phase: spec.name, ...answer })
      result.questions.push({ question, answer: answer.answer, answeredBy: answer.answeredBy })
      // The same session continues, so Claude keeps everything it already read.
      outcome = await invoke(answer.answer, outcome.sessionId ?? result.sessionId ?? undefined)
    }
    return outcome
  }

  let outcome: ClaudeOutcome | string
  try {
    outcome = await converse()
  } finally {
    // However the phase ended, git's setup is back before anything (the guard, our commits) runs git again.
    const restored = restoreGitSetup(setup)
    if (restored.length) result.restored = restored
  }

  // The guard holds however the phase ended: a phase that waits for an answer or stopped half-way
  // leaves a tree the orchestrator commits too.
  const violation = spec.readOnly
    ? await checkReadOnly(repoDir, before, ctx.artifactsDir)
    : await checkImplement(repoDir, before)
  if (violation) {
    result.brokeRules = true
    return fail(`the ${spec.name} phase broke its rules: ${violation.reason}`)
  }

  if (waitingFor) {
    sandboxRefusals()
    result.status = 'waiting'
    result.pendingQuestions = waitingFor
    result.durationMs = Date.now() - started
    return { result }
  }
  if (typeof outcome === 'string') return fail(outcome)
  if (outcome.timedOut) {
    return fail(`${timeoutMessage(opts.timeoutMs)}; Claude Code was stopped`)
  }
  if (!outcome.ok || !outcome.result) return fail(outcome.error ?? 'Claude Code failed')

  const finalText = outcome.result.text
  result.artifacts = artifactsFromToolCalls(toolCalls, repoDir, ctx.artifactsDir)
  if (!result.artifacts.length) result.artifacts = artifactsFromText(finalText, repoDir, ctx.artifactsDir)
  // The document the phase was asked for leads: it is what the next phase reads first.
  result.artifacts.sort((a, b) => Number(b === ctx.outputPath) - Number(a === ctx.outputPath))
  if (spec.needsArtifact && !result.artifacts.length) {
    const pending = extractQuestion(finalText)
    return fail(
      pending
        ? `the ${spec.name} phase was still asking a question after ${opts.maxQuestionRounds} answer(s): ${pending.slice(0, 300)}`
        : `the ${spec.name} phase finished without writing its document in ${ctx.artifactsDir}/ (expected ${ctx.outputPath})` +
            (refused.length ? `; refused: ${[...new Set(refused)].slice(0, 3).join('; ')}` : '')
    )
  }

  let verdict: ReviewVerdict | undefined
  let earlier: EarlierFinding[] | undefined
  if (spec.name === 'review') {
    try {
      const parsed =
        outcome.result.structuredOutput !== undefined
          ? parseVerdict(outcome.result.structuredOutput)
          : verdictFromText(finalText)
      if (!parsed) return fail('the review phase returned no structured findings')
      // Ids before the document is written: the document, the PR body and `/fix F2` all use them.
      const tracked = trackFindings(ctx.earlierFindings ?? [], parsed, ctx.nextFindingId)
      verdict = { ...parsed, findings: tracked.findings }
      earlier = ctx.earlierFindings?.length ? tracked.earlier : undefined
      // Whatever the reviewer wrote, the document ends with the validated findings in one fixed shape.
      const doc = path.join(repoDir, result.artifacts[0] as string)
      fs.appendFileSync(doc, `\n\n${renderFindingsSection(verdict)}`)
    } catch (err) {
      if (err instanceof FindingsError) return fail(`the review phase returned malformed findings: ${err.message}`)
      throw err
    }
  }

  sandboxRefusals()
  if (refused.length) result.refusals = [...new Set(refused)].slice(0, 20)
  result.status = 'succeeded'
  result.durationMs = Date.now() - started
  return { result, verdict, earlier, finalText }
}
