/**
 * Everything one action run knows about the issue (or pull request) it is on,
 * and the small operations the flows share: replying, finding the bot's plan,
 * committing and pushing, running the engine it was given.
 */
import { artifactPath, slugify } from '../engine/artifacts.js'
import type { PhaseName, RunResult } from '../engine/types.js'
import type { GitHubClient, RepoRef } from '../github/client.js'
import { createComment, listComments, type IssueComment } from '../github/comments.js'
import { IssueLabels } from '../github/labels.js'
import { BranchMovedError, WorkBranch } from './branch.js'
import type { Inputs, RunnerContext } from './inputs.js'
import type { IssueRef } from './route.js'
import { latestPlanIn, type FoundPlan } from './plan-record.js'
import { StatusComment } from './status.js'
import type { SecretRegistry } from './secrets.js'
import type { Engine, EngineRequest } from './claude-engine.js'

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

export type { FoundPlan }

export class Session {
  readonly labels: IssueLabels
  readonly repo: RepoRef
  readonly runUrl: string
  private comments: Promise<IssueComment[]> | null = null
  private lastPush: string | null = null

  constructor(
    readonly gh: GitHubClient,
    readonly inputs: Inputs,
    readonly ctx: RunnerContext,
    readonly issue: IssueRef,
    readonly baseBranch: string,
    readonly secrets: SecretRegistry,
    /** Runs the phases: Claude Code in the action (claude-engine.ts), a scripted one in tests. */
    private readonly engine: Engine
  ) {
    this.repo = ctx.repository
    this.labels = new IssueLabels(gh, this.repo, issue.number, issue.labels)
    this.runUrl = `${ctx.serverUrl}/${this.repo.owner}/${this.repo.repo}/actions/runs/${ctx.runId}`
  }

  async openStatus(title: string, phases: PhaseName[]): Promise<StatusComment> {
    const status = new StatusComment(this.gh, this.repo, this.issue.number, title, this.runUrl, phases)
    await status.create()
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

  /** The work branch of an issue when nothing else was chosen: `branch_prefix` and its number. */
  get usualBranch(): string {
    return `${this.inputs.branchPrefix}${this.issue.number}`
  }

  async workBranch(name: string): Promise<WorkBranch> {
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
      if (err instanceof BranchMovedError) return err.message
      throw err
    }
    this.lastPush = sha
    return null
  }

  /** The commit this run pushed, if it got that far: a later failure must not say nothing was pushed. */
  get pushed(): string | null {
    return this.lastPush
  }

  get slug(): string {
    return slugify(this.issue.title, this.issue.number)
  }

  readonly date = new Date().toISOString().slice(0, 10)

  /** Where this run writes a phase's document (a fresh name if one exists). */
  artifactPath(phase: PhaseName): string {
    return artifactPath(this.inputs.artifactsDir, phase, this.date, this.slug, this.ctx.workspace)
  }

  get author(): { name: string; email: string } {
    return { name: this.inputs.commitAuthorName, email: this.inputs.commitAuthorEmail }
  }

  /** Runs phases for this issue (or, on a pull request, for `task`: the issue it was built from). */
  runEngine(req: Omit<EngineRequest, 'task' | 'slug' | 'date'> & { task?: EngineRequest['task'] }): Promise<RunResult> {
    return this.engine({ ...req, task: req.task ?? this.issue, slug: this.slug, date: this.date })
  }
}
