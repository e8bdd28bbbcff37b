/**
 * Runs one phase: one Claude Code session, resumed with answers while it ends
 * on a question, then checked (what it changed, what it wrote, what it found).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Answerer } from '../answerer/answerer.js'
import { runClaude, type ClaudeOutcome, type CompletedToolCall } from '../claude/runner.js'
import { artifactsFromText, artifactsFromToolCalls } from './artifacts.js'
import { FINDINGS_SCHEMA, FindingsError, parseVerdict, renderFindingsSection, verdictFromText, type ReviewVerdict } from './findings.js'
import { customCommandFile, permissionArgs, type PhaseSpec } from './phases.js'
import { toolTarget, type ProgressEvent } from './progress.js'
import { builtInPrompt, commandArguments, type PromptContext } from './prompts.js'
import { extractQuestion } from './questions.js'
import type { PhaseResult } from './types.js'
import { restoreGitSetup, snapshotGitSetup } from '../git/setup.js'
import { checkImplement, checkReadOnly, snapshotWorkspace } from './workspace-guard.js'

export interface ClaudeSettings {
  path: string
  env: Record<string, string>
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
  emit: (event: ProgressEvent) => void
}

export interface PhaseRunOutput {
  result: PhaseResult
  verdict?: ReviewVerdict
}

const MAX_ANSWERER_DOC_CHARS = 20000

function minutes(ms: number): string {
  const m = ms / 60000
  return m >= 1 && Number.isInteger(m) ? `${m} minute${m === 1 ? '' : 's'}` : `${Math.round(ms / 1000)} second${Math.round(ms / 1000) === 1 ? '' : 's'}`
}

/** The prompt a phase starts with: the repository's own command when it has one. */
export function phasePrompt(spec: PhaseSpec, ctx: PromptContext, repoDir: string): string {
  return customCommandFile(repoDir, spec)
    ? `/${spec.command} ${commandArguments(spec.name, ctx)}`
    : builtInPrompt(spec.name, ctx)
}

function readDocs(repoDir: string, paths: string[]): Array<{ path: string; content: string }> {
  return paths.map((p) => {
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
  const result: PhaseResult = {
    name: spec.name,
    status: 'failed',
    durationMs: 0,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    turns: 0,
    sessionId: null,
    artifacts: [],
    questions: []
  }
  const fail = (error: string): PhaseRunOutput => {
    result.status = 'failed'
    result.error = error
    result.durationMs = Date.now() - started
    return { result }
  }

  const before = await snapshotWorkspace(repoDir)
  const setup = await snapshotGitSetup(repoDir)
  const toolCalls: CompletedToolCall[] = []
  /** What Claude Code refused the model, e.g. `Write src/x.js`: the likely reason a phase got nowhere. */
  const denied: string[] = []

  const invoke = async (prompt: string, resume?: string): Promise<ClaudeOutcome | string> => {
    const remainingMs = deadline - Date.now()
    if (remainingMs <= 0) return `did not finish within the ${minutes(opts.timeoutMs)} phase timeout`
    const args = permissionArgs(spec, ctx.artifactsDir)
    if (opts.claude.model) args.push('--model', opts.claude.model)
    if (opts.maxTurns) args.push('--max-turns', String(opts.maxTurns))
    if (opts.budgetUsd !== undefined) {
      const left = opts.budgetUsd - result.costUsd
      if (left <= 0) return `the budget ran out (spent $${result.costUsd.toFixed(4)} in this phase)`
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
      timeoutMs: remainingMs,
      onEvent: (event) => {
        if (event.type === 'tool_use') opts.emit({ type: 'tool', phase: spec.name, call: event.call })
        else if (event.type === 'text') opts.emit({ type: 'text', phase: spec.name, text: event.text })
      }
    })
    toolCalls.push(...outcome.toolCalls)
    result.sessionId ??= outcome.sessionId
    for (const d of outcome.result?.permissionDenials ?? []) {
      denied.push(`${d.tool} ${toolTarget({ id: '', name: d.tool, input: (d.input ?? {}) as Record<string, unknown> }, repoDir)}`)
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
      if (typeof outcome === 'string' || !outcome.ok || !outcome.result) break
      const question = extractQuestion(outcome.result.text)
      if (!question) break
      opts.emit({ type: 'question', phase: spec.name, question })
      const documents = [
        ...Object.values(ctx.inputs).flat(),
        ...artifactsFromToolCalls(toolCalls, repoDir, ctx.artifactsDir)
      ]
      const answer = await opts.answerer.answer({
        task: ctx.task,
        phase: spec.name,
        question,
        artifacts: readDocs(repoDir, [...new Set(documents)])
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

  if (typeof outcome === 'string') return fail(outcome)
  if (outcome.timedOut) {
    return fail(`did not finish within the ${minutes(opts.timeoutMs)} phase timeout; Claude Code was stopped`)
  }
  if (!outcome.ok || !outcome.result) return fail(outcome.error ?? 'Claude Code failed')

  const violation = spec.readOnly
    ? await checkReadOnly(repoDir, before, ctx.artifactsDir)
    : await checkImplement(repoDir, before)
  if (violation) return fail(`the ${spec.name} phase broke its rules: ${violation.reason}`)

  const finalText = outcome.result.text
  result.artifacts = artifactsFromToolCalls(toolCalls, repoDir, ctx.artifactsDir)
  if (!result.artifacts.length) result.artifacts = artifactsFromText(finalText, repoDir, ctx.artifactsDir)
  // The document the phase was asked for leads: it is what the next phase reads first.
  result.artifacts.sort((a, b) => Number(b === ctx.outputPath) - Number(a === ctx.outputPath))
  if (spec.needsDocument && !result.artifacts.length) {
    const pending = extractQuestion(finalText)
    return fail(
      pending
        ? `the ${spec.name} phase was still asking a question after ${opts.maxQuestionRounds} answer(s): ${pending.slice(0, 300)}`
        : `the ${spec.name} phase finished without writing its document in ${ctx.artifactsDir}/ (expected ${ctx.outputPath})` +
            (denied.length ? `; Claude Code refused: ${[...new Set(denied)].slice(0, 3).join('; ')}` : '')
    )
  }

  let verdict: ReviewVerdict | undefined
  if (spec.name === 'review') {
    try {
      const parsed =
        outcome.result.structuredOutput !== undefined
          ? parseVerdict(outcome.result.structuredOutput)
          : verdictFromText(finalText)
      if (!parsed) return fail('the review phase returned no structured findings')
      verdict = parsed
      // Whatever the reviewer wrote, the document ends with the validated findings in one fixed shape.
      const doc = path.join(repoDir, result.artifacts[0] as string)
      fs.appendFileSync(doc, `\n\n${renderFindingsSection(verdict)}`)
    } catch (err) {
      if (err instanceof FindingsError) return fail(`the review phase returned malformed findings: ${err.message}`)
      throw err
    }
  }

  result.status = 'succeeded'
  result.durationMs = Date.now() - started
  return { result, verdict }
}
