/**
 * Everything one action run knows about its issue, and the small operations
 * the flows share: replying, finding the bot's plan, running the engine.
 */
import * as core from '@actions/core'
import { createAnswerer, withMaintainer, withRedaction } from '../answerer/answerer.js'
import { detectAnswerer } from '../answerer/config.js'
import type { ClaudeHost } from '../sandbox/claude-host.js'
import { actionProvider, openClaudeHost } from './sandbox-host.js'
import { artifactPath, slugify } from '../engine/artifacts.js'
import { runEngine, type EngineOptions } from '../engine/engine.js'
import { formatProgress } from '../engine/progress.js'
import type { PhaseName, RunResult } from '../engine/types.js'
import type { GitHubClient, RepoRef } from '../github/client.js'
import { createComment, listComments, type IssueComment } from '../github/comments.js'
import { IssueLabels } from '../github/labels.js'
import { BranchGuard, WorkBranch } from './branch.js'
import type { Inputs, RunnerContext } from './inputs.js'
import type { IssueRef } from './route.js'
import { latestPlanIn, type FoundPlan } from './plan-record.js'
import { StatusComment } from './status.js'
import type { SecretRegistry } from './secrets.js'
import { issueTask, sanitizeUntrusted } from './untrusted.js'

export interface Outputs {
  status:
    | 'ignored'
    | 'refused'
    | 'awaiting-approval'
    | 'awaiting-answer'
    | 'pr-opened'
    | 'pr-updated'
    | 'cancelled'
    | 'failed'
    | 'recorded'
  branch?: string
  prNumber?: number
  prUrl?: string
  planCommentUrl?: string
  costUsd?: number
  result?: RunResult
  /** Why the run was refused or failed; shown in the log. */
  reason?: string
}

/**
 * The runner reads `::command::` at the start of a log line (after spaces) and
 * `##[command]` anywhere. Model text in the log must not become one of them.
 */
export function inertForRunner(line: string): string {
  return line
    .replace(/[\r\n\u0085\u2028\u2029]/g, ' ')
    .replace(/^([\s\u0085]*):(?=:)/, '$1:\u200b')
    .replace(/##\[/g, '#\u200b#[')
}

export type { FoundPlan }

export class Session {
  readonly labels: IssueLabels
  readonly repo: RepoRef
  readonly branchName: string
  readonly runUrl: string
  private comments: Promise<IssueComment[]> | null = null
  /** The run's status comment, once created: an unexpected error must still close it out. */
  status: StatusComment | null = null
  /** Set once the actor's permission is confirmed and the flow starts: a failure then gets a reply. */
  accepted = false
  /** The commit this run pushed, if it got that far: a later failure must not say nothing was pushed. */
  pushed: string | null = null

  constructor(
    readonly gh: GitHubClient,
    readonly inputs: Inputs,
    readonly ctx: RunnerContext,
    readonly issue: IssueRef,
    readonly baseBranch: string,
    readonly secrets: SecretRegistry,
    /** Resolved only when a phase is about to run: refusals never install anything. */
    private readonly resolveClaude: () => Promise<string>
  ) {
    this.repo = ctx.repository
    this.labels = new IssueLabels(gh, this.repo, issue.number, issue.labels)
    this.branchName = `${inputs.branchPrefix}${issue.number}`
    this.runUrl = `${ctx.serverUrl}/${this.repo.owner}/${this.repo.repo}/actions/runs/${ctx.runId}`
  }

  async openStatus(title: string, phases: PhaseName[]): Promise<StatusComment> {
    const status = new StatusComment(this.gh, this.repo, this.issue.number, title, this.runUrl, phases)
    await status.create()
    this.status = status
    return status
  }

  async reply(body: string): Promise<IssueComment> {
    return createComment(this.gh, this.repo, this.issue.number, body)
  }

  /** Comments on the issue, fetched once per run (a failed fetch is tried again on the next call). */
  issueComments(): Promise<IssueComment[]> {
    this.comments ??= listComments(this.gh, this.repo, this.issue.number).catch((err: unknown) => {
      this.comments = null
      throw err
    })
    return this.comments
  }

  /** The newest plan comment written by the bot. A marker in anyone else's comment is ignored. */
  async latestPlan(): Promise<FoundPlan | null> {
    return latestPlanIn(await this.issueComments(), this.inputs.botLogin, this.issue.number)
  }

  async workBranch(name = this.branchName): Promise<WorkBranch> {
    const wb = new WorkBranch(this.ctx.workspace, name, {
      token: this.inputs.githubToken,
      serverUrl: this.ctx.serverUrl
    })
    await wb.init()
    return wb
  }

  /** Commits the work tree (or `paths`); a commit that would publish a secret in any form stops the run unpushed. */
  async commit(wb: WorkBranch, message: string, paths?: string[]): Promise<string | null> {
    const sha = await wb.commit(message, this.author, paths)
    if (sha) await this.secrets.checkCommit(this.ctx.workspace, sha)
    return sha
  }

  /**
   * Pushes the work branch after committing `sha`. Returns why it could not
   * (origin moved meanwhile: nothing was overwritten), or null once pushed.
   */
  async push(wb: WorkBranch, sha: string): Promise<string | null> {
    try {
      await wb.push()
    } catch (err) {
      if (err instanceof BranchGuard) return err.message
      throw err
    }
    this.pushed = sha
    return null
  }

  get slug(): string {
    return slugify(this.issue.title, this.issue.number)
  }

  readonly date = new Date().toISOString().slice(0, 10)

  /** Where this run writes a phase's document (a fresh name if one exists). */
  documentPath(phase: PhaseName): string {
    return artifactPath(this.inputs.artifactsDir, phase, this.date, this.slug, this.ctx.workspace)
  }

  get author(): { name: string; email: string } {
    return { name: this.inputs.commitAuthorName, email: this.inputs.commitAuthorEmail }
  }

  async runEngine(opts: {
    phases: PhaseName[]
    extra?: string
    inputs?: EngineOptions['inputs']
    reuse?: EngineOptions['reuse']
    guidance?: EngineOptions['guidance']
    reviewBase?: EngineOptions['reviewBase']
    resume?: EngineOptions['resume']
    status: StatusComment
    /** The issue the work is for, when the session is on its pull request. */
    taskIssue?: { number: number; title: string; body: string }
    answered?: EngineOptions['answered']
    earlierFindings?: EngineOptions['earlierFindings']
    nextFindingId?: EngineOptions['nextFindingId']
  }): Promise<RunResult> {
    const i = this.inputs
    // Before anything is installed or started: a missing provider setting fails here, named.
    const provider = actionProvider(i, this.ctx)
    const claudePath = await this.resolveClaude()
    const host = await openClaudeHost(i, this.ctx, claudePath, provider)
    if (!host.sandboxed) opts.status.setUnconfined(host.unconfinedReason ?? 'sandbox: off')
    try {
      return await this.engine(opts, claudePath, host)
    } finally {
      await host.close()
    }
  }

  private engine(opts: Parameters<Session['runEngine']>[0], claudePath: string, host: ClaudeHost): Promise<RunResult> {
    const i = this.inputs
    const answererEnv = {
      OPENAI_API_KEY: i.openaiApiKey,
      OPENAI_MODEL: i.openaiModel,
      OPENAI_BASE_URL: i.openaiBaseUrl,
      AZURE_OPENAI_API_KEY: i.azureOpenaiApiKey,
      AZURE_OPENAI_ENDPOINT: i.azureOpenaiEndpoint,
      AZURE_OPENAI_DEPLOYMENT: i.azureOpenaiDeployment,
      AZURE_OPENAI_API_VERSION: i.azureOpenaiApiVersion
    }
    return runEngine({
      task: issueTask(opts.taskIssue ?? this.issue, opts.extra),
      // Maintainers' words are trusted, but may quote hidden text copied from an issue.
      guidance:
        opts.guidance &&
        Object.fromEntries(Object.entries(opts.guidance).map(([k, v]) => [k, v && sanitizeUntrusted(v)])),
      repoDir: this.ctx.workspace,
      artifactsDir: i.artifactsDir,
      phases: opts.phases,
      inputs: opts.inputs,
      reuse: opts.reuse,
      reviewBase: opts.reviewBase,
      resume: opts.resume,
      slug: this.slug,
      date: this.date,
      claude: {
        path: claudePath,
        env: host.env,
        host,
        model: i.model,
        extraArgs: i.claudeArgs
      },
      phaseTimeoutMs: i.phaseTimeoutMinutes * 60000,
      maxBudgetUsd: i.maxBudgetUsd,
      maxQuestionRounds: 3,
      redact: text => this.secrets.redact(text),
      answered: opts.answered,
      verifyCommand: i.verifyCommand,
      verifyRounds: i.verifyRounds,
      earlierFindings: opts.earlierFindings,
      nextFindingId: opts.nextFindingId,
      answerer: withMaintainer(
        withRedaction(createAnswerer(detectAnswerer(answererEnv)), text => this.secrets.redact(text)),
        i.questions
      ),
      onProgress: raw => {
        // Redact before formatting: a line cut short must not keep half a key.
        let event: typeof raw
        try {
          event = JSON.parse(this.secrets.redact(JSON.stringify(raw))) as typeof raw
        } catch {
          // A secret with JSON escapes in it can break the round trip: log nothing of this event.
          opts.status.onProgress(raw)
          return
        }
        const line = formatProgress(event, this.ctx.workspace)
        if (line) core.info(inertForRunner(line))
        opts.status.onProgress(event)
      }
    })
  }
}
