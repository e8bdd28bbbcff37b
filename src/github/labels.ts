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

/**
 * The labels a run ends with, best first. When two runs end at the same moment,
 * both final labels can land; each run then keeps the same one: what was achieved
 * outranks what failed (a pull request opened by one run is not undone by the other's failure).
 */
const PRECEDENCE: StateLabel[] = [
  'orchestrator:done',
  'orchestrator:awaiting-approval',
  'orchestrator:awaiting-answer',
  'orchestrator:failed'
]
const FINAL = new Set<StateLabel>(PRECEDENCE)

function isStateLabel(name: string): boolean {
  return (STATE_LABELS as readonly string[]).includes(name)
}

/** Of the final labels on the issue, the one every run agrees to keep. */
export function winningLabel(names: string[]): StateLabel | null {
  return PRECEDENCE.find(l => names.includes(l)) ?? null
}

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
    if (label === null) {
      // Clearing up after a failure nobody could be told about: read the issue as it is now.
      const { data } = await this.gh.rest.issues.listLabelsOnIssue({
        ...this.repo,
        issue_number: this.issue,
        per_page: 100
      })
      this.current = data.map(l => l.name)
      await this.remove(this.current.filter(isStateLabel))
      return
    }
    await this.remove(this.current.filter(l => isStateLabel(l) && l !== label))
    // A run's last word is always added, even when the event's snapshot shows it: GitHub answers
    // with the issue's labels as they are now, so another run's labels show here without a read.
    if (!FINAL.has(label) && this.current.includes(label)) return
    const { data } = await this.gh.rest.issues.addLabels({ ...this.repo, issue_number: this.issue, labels: [label] })
    this.current = data.map(l => l.name)
    if (!this.current.includes(label)) this.current.push(label)
    if (FINAL.has(label)) {
      // The later of two adders always sees both final labels, and keeps the winner.
      const winner = winningLabel(this.current.filter(l => FINAL.has(l as StateLabel)))
      await this.remove(this.current.filter(l => isStateLabel(l) && l !== winner))
    }
  }

  private async remove(names: string[]): Promise<void> {
    for (const name of names) {
      try {
        await this.gh.rest.issues.removeLabel({ ...this.repo, issue_number: this.issue, name })
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err
      }
      this.current = this.current.filter(l => l !== name)
    }
  }
}
