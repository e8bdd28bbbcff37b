/**
 * Keeps the run's status comment in step with the engine. Edits are queued so
 * they land in order; a failed edit is a warning, never a failed run.
 */
import * as core from '@actions/core'
import type { ProgressEvent } from '../engine/progress.js'
import type { PhaseName } from '../engine/types.js'
import type { GitHubClient, RepoRef } from '../github/client.js'
import { createComment, updateComment } from '../github/comments.js'
import { renderStatusComment, type StatusView } from './render/status-comment.js'
import { duration } from '../util/format.js'

export class StatusComment {
  private id: number | null = null
  private queue: Promise<void> = Promise.resolve()
  /** The body GitHub has (or is about to have): an edit that would change nothing is not sent. */
  private shown = ''
  readonly view: StatusView

  constructor(
    private readonly gh: GitHubClient,
    private readonly repo: RepoRef,
    private readonly issue: number,
    title: string,
    runUrl: string,
    phases: PhaseName[]
  ) {
    this.view = { title, runUrl, phases: phases.map(name => ({ name, state: 'pending' })) }
  }

  async create(): Promise<void> {
    // The run starts its first phase right away: say so in the comment itself rather than in an edit.
    const first = this.view.phases.find(p => p.state === 'pending')
    if (first) first.state = 'running'
    this.shown = renderStatusComment(this.view)
    const comment = await createComment(this.gh, this.repo, this.issue, this.shown)
    this.id = comment.id
  }

  /** Claude runs unconfined: say so at the top, from the next edit on. */
  setUnconfined(reason: string): void {
    this.view.unconfined = reason
    this.push()
  }

  /** Engine progress → checklist. Only phase starts edit the comment; a finish is shown with the next edit. */
  onProgress(event: ProgressEvent): void {
    if (event.type === 'verify') {
      const r = event.round
      const line = `${r.passed ? '✅' : '❌'} **verify** round ${r.round}: \`${event.command}\` ${r.passed ? 'passed' : r.timedOut ? 'timed out' : `exited ${r.exitCode}`} (${duration(r.durationMs)})`
      this.view.verify = [...(this.view.verify ?? []), line]
      this.push()
      return
    }
    const entry = this.view.phases.find(p => p.name === event.phase)
    if (!entry) return
    if (event.type === 'phase-start') {
      entry.state = 'running'
      this.push()
    } else if (event.type === 'phase-end') {
      entry.result = event.result
      const states = { succeeded: 'done', failed: 'failed', skipped: 'skipped', waiting: 'waiting' } as const
      entry.state = states[event.result.status]
      if (event.result.error) entry.note = event.result.error
    }
  }

  async finish(ok: boolean, text: string): Promise<void> {
    for (const p of this.view.phases)
      if (p.state === 'pending' || p.state === 'running') p.state = ok ? p.state : 'skipped'
    this.view.outcome = { ok, text }
    this.push()
    await this.queue
  }

  private push(): void {
    if (this.id === null) return
    const id = this.id
    const body = renderStatusComment(this.view)
    if (body === this.shown) return
    this.shown = body
    this.queue = this.queue.then(() =>
      updateComment(this.gh, this.repo, id, body).catch((err: unknown) => {
        core.warning(`Could not update the status comment: ${(err as Error).message}`)
      })
    )
  }
}
