/**
 * The engine as the action runs it: Claude Code found (only when a phase is
 * about to run, so refusals never install anything), started in its host
 * (sandboxed unless told otherwise), with the run's limits, answerer and
 * redaction. Session gets this as its `Engine`; tests give it a scripted one.
 */
import { createAnswerer, withMaintainer, withRedaction } from '../answerer/answerer.js'
import { runEngine, type EngineOptions } from '../engine/engine.js'
import type { MaintainerAnswer, PhaseName, RunResult } from '../engine/types.js'
import type { Inputs, RunnerContext } from './inputs.js'
import { logProgress } from './progress-log.js'
import { actionProvider, openClaudeHost } from './sandbox-host.js'
import type { SecretRegistry } from './secrets.js'
import type { StatusComment } from './status.js'
import { issueTask, sanitizeUntrusted } from './untrusted.js'

/** What a flow asks the engine for. */
export interface EngineRequest {
  phases: PhaseName[]
  /** The issue the work is for (on a pull request, the issue it was built from). */
  task: { number: number; title: string; body: string }
  slug: string
  date: string
  extra?: string
  inputs?: EngineOptions['inputs']
  reuse?: EngineOptions['reuse']
  guidance?: EngineOptions['guidance']
  reviewBase?: EngineOptions['reviewBase']
  resume?: EngineOptions['resume']
  answered?: MaintainerAnswer[]
  earlierFindings?: EngineOptions['earlierFindings']
  nextFindingId?: EngineOptions['nextFindingId']
  /** The run's status comment, kept in step with the phases. */
  status: StatusComment
}

export type Engine = (req: EngineRequest) => Promise<RunResult>

export function claudeEngine(deps: {
  inputs: Inputs
  ctx: RunnerContext
  secrets: SecretRegistry
  /** Resolved only when a phase is about to run: refusals never install anything. */
  resolveClaude: () => Promise<string>
}): Engine {
  const { inputs: i, ctx, secrets } = deps
  const redact = (text: string) => secrets.redact(text)
  return async req => {
    // Before anything is installed or started: a missing provider setting fails here, named.
    const provider = actionProvider(i, ctx)
    const claudePath = await deps.resolveClaude()
    const host = await openClaudeHost(i, ctx, claudePath, provider)
    if (!host.sandboxed) req.status.setUnconfined(host.unconfinedReason ?? 'sandbox: off')
    try {
      return await runEngine({
        task: issueTask(req.task, req.extra),
        // Maintainers' words are trusted, but may quote hidden text copied from an issue.
        guidance:
          req.guidance &&
          Object.fromEntries(Object.entries(req.guidance).map(([k, v]) => [k, v && sanitizeUntrusted(v)])),
        repoDir: ctx.workspace,
        artifactsDir: i.artifactsDir,
        phases: req.phases,
        inputs: req.inputs,
        reuse: req.reuse,
        reviewBase: req.reviewBase,
        resume: req.resume,
        slug: req.slug,
        date: req.date,
        claude: { path: claudePath, env: host.env, host, model: i.model, extraArgs: i.claudeArgs },
        phaseTimeoutMs: i.phaseTimeoutMinutes * 60000,
        maxBudgetUsd: i.maxBudgetUsd,
        maxQuestionRounds: 3,
        redact,
        answered: req.answered,
        verifyCommand: i.verifyCommand,
        verifyRounds: i.verifyRounds,
        earlierFindings: req.earlierFindings,
        nextFindingId: req.nextFindingId,
        answerer: withMaintainer(withRedaction(createAnswerer(i.answerer), redact), i.questions),
        onProgress: logProgress(secrets, ctx.workspace, req.status)
      })
    } finally {
      await host.close()
    }
  }
}
