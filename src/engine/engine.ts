/**
 * The orchestration: the requested phases in their fixed order, each handing
 * its documents to the next, stopping at the first failure.
 */
import type { Answerer } from '../answerer/answerer.js'
import { headSha } from '../git/git.js'
import { artifactPath } from './artifacts.js'
import { sortFindings } from './findings.js'
import { runPhase, type ClaudeSettings } from './phase-runner.js'
import { PHASE_SPECS, type PhaseSpec } from './phases.js'
import type { ProgressEvent } from './progress.js'
import type { PromptContext } from './prompts.js'
import { resumeGuidance, type EarlierAttempt } from './resume.js'
import {
  PHASES,
  type EarlierFinding,
  type Finding,
  type MaintainerAnswer,
  type PhaseName,
  type PhaseResult,
  type RunResult
} from './types.js'
import { changedFilesSince, changesSince, recordStartingPoint } from './starting-point.js'
import { declaredVerifyCommand, runGuardedVerify, verifyFeedback, type VerifySummary } from './verify.js'
import { emptyPhase, runError, sumTotals } from './results.js'

/** Diffs larger than this are not inlined into the review prompt; the reviewer runs git diff itself. */
const MAX_INLINE_DIFF = 60000

export interface EngineOptions {
  task: string
  repoDir: string
  /** Relative to the repository root, e.g. `thoughts/shared`. */
  artifactsDir: string
  /** Which phases to run; they always run in the canonical order. */
  phases: PhaseName[]
  /** Documents from an earlier run (e.g. the approved plan), by phase. */
  inputs?: Partial<Record<PhaseName, string[]>>
  /**
   * Requested phases whose documents already exist (an index of the same tree),
   * or whose work is already in the tree (implement, with no documents):
   * reported as succeeded and reused, without starting Claude.
   */
  reuse?: Partial<Record<PhaseName, string[]>>
  /** An implement attempt that stopped half-way: the new session is told what it left (engine/resume.ts). */
  resume?: EarlierAttempt
  /** Used in document names: `2026-11-24-<slug>.md`. */
  slug: string
  date: string
  /** Guidance for plan (revision feedback) or implement (approval note). */
  guidance?: Partial<Record<PhaseName, string>>
  /**
   * The commit the review and the changed files are measured from. Default:
   * HEAD before implement. A pull request's is where it forked from its base,
   * so the review covers the whole change, earlier implementations included.
   */
  reviewBase?: string
  claude: ClaudeSettings
  phaseTimeoutMs: number
  maxTurns?: number
  maxBudgetUsd?: number
  maxQuestionRounds: number
  answerer: Answerer
  /** Maintainers' answers to questions an earlier run stopped on. */
  answered?: MaintainerAnswer[]
  onProgress?: (event: ProgressEvent) => void
  /** Removes the run's secrets from text this process sends the model itself (the review's diff). */
  redact?: (text: string) => string
  /** The project's check after implement; without it, the repository's .claude/orchestrator.json `verify`. */
  verifyCommand?: string
  /** Extra implement rounds a failing check gets (default 2). */
  verifyRounds?: number
  /** The previous review round's findings (with ids): the review marks each fixed or still open. */
  earlierFindings?: Finding[]
  /** The number the next new finding gets (F<n>), so a fixed finding's id is never reused. */
  nextFindingId?: number
}

/** The artifacts a reused phase hands on, or null when the phase runs: implement's work has none. */
function reusedArtifacts(reuse: EngineOptions['reuse'], name: PhaseName): string[] | null {
  const paths = reuse?.[name]
  return paths && (paths.length || name === 'implement') ? paths : null
}

export async function runEngine(opts: EngineOptions): Promise<RunResult> {
  const started = Date.now()
  const emit = opts.onProgress ?? (() => undefined)
  const requested = PHASES.filter(p => opts.phases.includes(p))
  const inputs: Partial<Record<PhaseName, string[]>> = { ...opts.inputs }
  const results: PhaseResult[] = []
  let findings: Finding[] = []
  let earlierFindings: EarlierFinding[] | undefined
  let failed: PhaseResult | undefined
  let implementBase: string | null = null
  let declaredCheck: string | null = null
  let spent = 0
  let verify: VerifySummary | undefined
  /** The files the review was shown as changed, and the commit they were measured from. */
  let reviewed: { base: string; files: string[] } | undefined
  const redact = opts.redact ?? ((t: string) => t)
  /** One Claude session for a phase, with what is left of the budget. */
  const run = (spec: PhaseSpec, ctx: PromptContext) =>
    runPhase({
      spec,
      ctx,
      repoDir: opts.repoDir,
      claude: opts.claude,
      timeoutMs: opts.phaseTimeoutMs,
      maxTurns: opts.maxTurns,
      budgetUsd: opts.maxBudgetUsd === undefined ? undefined : opts.maxBudgetUsd - spent,
      maxQuestionRounds: opts.maxQuestionRounds,
      answerer: opts.answerer,
      answered: opts.answered?.filter(a => a.phase === spec.name),
      emit
    })

  for (const [i, name] of requested.entries()) {
    if (failed) {
      results.push(emptyPhase(name, 'skipped'))
      continue
    }
    const spec = PHASE_SPECS[name]
    const reused = reusedArtifacts(opts.reuse, name)
    if (!reused) emit({ type: 'phase-start', phase: name, position: i + 1, total: requested.length })
    // The work tree as implement finds it: uncommitted edits already there are not the run's.
    if (name === 'implement' && !reused) {
      implementBase = await recordStartingPoint(opts.repoDir, opts.artifactsDir)
      // The repository's declared check as it was before implement: the phase must not choose its own proof.
      declaredCheck = opts.verifyCommand ?? declaredVerifyCommand(opts.repoDir)
    }
    const ctx: PromptContext = {
      task: opts.task,
      artifactsDir: opts.artifactsDir,
      outputPath: artifactPath(opts.artifactsDir, name, opts.date, opts.slug, opts.repoDir),
      inputs: Object.fromEntries(spec.reads.filter(p => inputs[p]?.length).map(p => [p, inputs[p]])),
      guidance: opts.guidance?.[name]
    }
    if (name === 'implement' && opts.resume && !reused)
      ctx.resumeNote = (await resumeGuidance(opts.repoDir, opts.artifactsDir, opts.resume, redact)) ?? undefined
    if (name === 'review' && verify) {
      const last = verify.rounds[verify.rounds.length - 1]
      ctx.verifyNote = verify.passed
        ? `The project's check \`${verify.command}\` passed (round ${last?.round ?? 1}).`
        : `The project's check \`${verify.command}\` still fails after ${verify.rounds.length} round(s); say what it means for this change. Its output ends:\n\`\`\`\n${last?.tail ?? ''}\n\`\`\``
    }
    if (name === 'review') {
      ctx.earlierFindings = opts.earlierFindings
      ctx.nextFindingId = opts.nextFindingId
      // The whole pull request's change (from where it forked from the base), not only this run's.
      ctx.baseSha = opts.reviewBase ?? implementBase ?? (await headSha(opts.repoDir))
      if (ctx.baseSha) {
        const change = await changesSince(opts.repoDir, ctx.baseSha, opts.artifactsDir)
        ctx.changedFiles = change.files
        reviewed = { base: ctx.baseSha, files: change.files }
        // A larger diff is not inlined: the reviewer runs git diff itself.
        const diff = change.diff.length <= MAX_INLINE_DIFF ? change.diff : undefined
        ctx.diff = diff === undefined || !opts.redact ? diff : opts.redact(diff)
      }
    }
    let out
    if (reused) {
      out = { result: { ...emptyPhase(name, 'succeeded'), reused: true, artifacts: reused } }
    } else if (opts.maxBudgetUsd !== undefined && opts.maxBudgetUsd - spent <= 0) {
      out = {
        result: {
          ...emptyPhase(name, 'failed'),
          error: `the run's budget of $${opts.maxBudgetUsd} is spent`
        }
      }
    } else {
      out = await run(spec, ctx)
      // Empty work is a failure, not a pull request: say so with Claude's own last words, and skip review.
      // A resumed attempt's kept work counts: the session may find nothing left to do.
      const emptyBase = opts.resume?.from ?? implementBase
      if (name === 'implement' && out.result.status === 'succeeded' && emptyBase) {
        if (!(await changedFilesSince(opts.repoDir, emptyBase, opts.artifactsDir)).length) {
          const said = out.finalText?.trim().replace(/\s+/g, ' ').slice(0, 300)
          out = {
            result: {
              ...out.result,
              status: 'failed' as const,
              error: `implement changed nothing${said ? `; Claude said: ${said}` : ''}`
            }
          }
        }
      }
    }
    spent += out.result.costUsd
    results.push(out.result)
    emit({ type: 'phase-end', phase: name, result: out.result })
    const command = name === 'implement' && out.result.status === 'succeeded' && !reused ? declaredCheck : null
    if (command) {
      verify = { command, source: opts.verifyCommand ? 'input' : 'repository', passed: false, rounds: [] }
      const extra = opts.verifyRounds ?? 2
      for (let round = 1; ; round++) {
        const { round: checked, violation } = await runGuardedVerify({
          command,
          round,
          repoDir: opts.repoDir,
          env: opts.claude.env,
          host: opts.claude.host,
          timeoutMs: opts.phaseTimeoutMs
        })
        checked.tail = redact(checked.tail)
        verify.rounds.push(checked)
        emit({ type: 'verify', phase: name, command, round: checked })
        if (violation) {
          // The implement result the check ran on fails: its work is not kept.
          const last = results.findLast(r => r.name === name) as PhaseResult
          Object.assign(last, {
            status: 'failed',
            brokeRules: true,
            error: `the project's check \`${command}\` broke the implement phase's rules: ${violation}`
          })
          out = { result: last }
          break
        }
        if (checked.passed) {
          verify.passed = true
          break
        }
        if (round > extra || (opts.maxBudgetUsd !== undefined && opts.maxBudgetUsd - spent <= 0)) break
        // Another implement session, told what failed; the same phase rules and checks apply.
        emit({ type: 'phase-start', phase: name, position: i + 1, total: requested.length })
        const again = await run(spec, {
          ...ctx,
          guidance: [verifyFeedback(command, checked), ctx.guidance].filter(Boolean).join('\n\n')
        })
        spent += again.result.costUsd
        results.push(again.result)
        emit({ type: 'phase-end', phase: name, result: again.result })
        if (again.result.status !== 'succeeded') {
          out = again
          break
        }
      }
    }
    if (out.result.status === 'failed' || out.result.status === 'waiting') {
      failed = out.result
      continue
    }
    if (out.result.artifacts.length) inputs[name] = out.result.artifacts
    if (out.verdict) findings = sortFindings(out.verdict.findings)
    if (out.earlier) earlierFindings = out.earlier
  }

  const ran = (name: PhaseName) => results.find(r => r.name === name && r.status === 'succeeded')
  const changeBase = opts.reviewBase ?? implementBase
  // The review is the last phase, and one that kept its rules changed no file: the list it was shown still holds.
  const shown =
    reviewed?.base === changeBase && !results.some(r => r.name === 'review' && r.brokeRules) ? reviewed.files : null
  const changedFiles =
    requested.includes('implement') && changeBase
      ? (shown ?? (await changedFilesSince(opts.repoDir, changeBase, opts.artifactsDir)))
      : []
  // The run's time is its wall-clock time (phases' time plus everything between them).
  const totals = { ...sumTotals(...results), durationMs: Date.now() - started }
  const host = opts.claude.host
  const result: RunResult = {
    task: opts.task,
    ...(verify ? { verify } : {}),
    ...(host
      ? { sandbox: { sandboxed: host.sandboxed, ...(host.unconfinedReason ? { reason: host.unconfinedReason } : {}) } }
      : {}),
    status:
      failed?.status === 'waiting'
        ? 'awaiting-answer'
        : failed
          ? 'failed'
          : requested.includes('review')
            ? 'completed'
            : 'planned',
    phases: results,
    planPath: ran('plan')?.artifacts[0] ?? opts.inputs?.plan?.[0] ?? null,
    reviewPath: ran('review')?.artifacts[0] ?? null,
    findings,
    ...(earlierFindings ? { earlierFindings } : {}),
    changedFiles,
    totals
  }
  if (failed?.status === 'waiting') {
    result.waiting = { phase: failed.name, questions: failed.pendingQuestions ?? [] }
  } else if (failed) {
    result.failedPhase = failed.name
    result.error = runError(failed.name, failed.error ?? 'unknown error')
  }
  return result
}
