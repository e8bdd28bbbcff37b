/**
 * The state labels: exactly one `orchestrator:*` label on the issue at a time.
 * Adding a label GitHub doesn't know creates it, so no separate create call.
 */
import type { GitHubClient, RepoRef } from './client.js'

export const STATE_LABELS = [
  'orchestrator:planning',
  'orchestrator:awaiting-approval',
  'orchestrator:awaiting-answer',
  'orchestrator:implementing',
  'orchestrator:done',
  'orchestrator:failed'
] as const
export type StateLabel = (typeof STATE_LABELS)[number]

/** The labels a run ends with. */
const FINAL = new Set<StateLabel>([
  'orchestrator:awaiting-approval',
  'orchestrator:awaiting-answer',
  'orchestrator:done',
  'orchestrator:failed'
])

export class IssueLabels {
  constructor(
    private readonly gh: GitHubClient,
    private readonly repo: RepoRef,
    private readonly issue: number,
    /** The labels the event payload says the issue has. */
    private current: string[]
  ) {}

  /** Puts `label` on the issue and takes every other state label off; null clears them all. */
  async set(label: StateLabel | null): Promise<void> {
    // A run's last word is read against the issue as it is now, not the event's snapshot:
    // another run may have labelled it meanwhile, and exactly one state label must remain.
    if (label === null || FINAL.has(label)) {
      const { data } = await this.gh.rest.issues.listLabelsOnIssue({
        ...this.repo,
        issue_number: this.issue,
        per_page: 100
      })
      this.current = data.map(l => l.name)
    }
    for (const stale of this.current.filter(l => (STATE_LABELS as readonly string[]).includes(l) && l !== label)) {
      try {
        await this.gh.rest.issues.removeLabel({ ...this.repo, issue_number: this.issue, name: stale })
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err
      }
      this.current = this.current.filter(l => l !== stale)
    }
    if (label && !this.current.includes(label)) {
      await this.gh.rest.issues.addLabels({ ...this.repo, issue_number: this.issue, labels: [label] })
      this.current.push(label)
    }
  }
}
