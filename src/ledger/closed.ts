/**
 * The record a closed pull request adds, from what GitHub says about it and
 * what the ledger already holds. Pure; the action gathers the inputs.
 */
import { compareReview, type HumanComment, type PublishedFinding } from './review-signal.js'
import { LEDGER_VERSION, type LedgerRecord, type PullClosedRecord } from './schema.js'

/** A review comment as GET /pulls/{n}/comments returns it (the fields used here). */
export interface RawReviewComment {
  path: string
  line?: number | null
  original_line?: number | null
  body: string
  created_at: string
  in_reply_to_id?: number | null
  user: { login: string; type?: string } | null
}

/** People's own review comments: not the bot's, not other bots', not replies in a thread someone else opened. */
export function humanComments(raw: RawReviewComment[], botLogin: string): HumanComment[] {
  return raw
    .filter(c => c.user && c.user.login !== botLogin && c.user.type !== 'Bot' && !c.user.login.endsWith('[bot]'))
    .filter(c => !c.in_reply_to_id)
    .map(c => ({ file: c.path, line: c.line ?? c.original_line ?? null, body: c.body, createdAt: c.created_at }))
}

/** Every finding the bot's reviews published on the pull request, with when (the end of the run that posted it). */
export function publishedFindings(records: LedgerRecord[], repository: string, pr: number): PublishedFinding[] {
  const out: PublishedFinding[] = []
  for (const r of records) {
    if (r.kind !== 'run' || r.repository !== repository || r.pr !== pr) continue
    if (r.status !== 'pr-opened' && r.status !== 'pr-updated') continue
    const publishedAt = new Date(Date.parse(r.startedAt) + r.durationMs).toISOString()
    for (const f of r.findings.items) out.push({ ...f, publishedAt })
  }
  return out
}

/** What the closed event said about the pull request (the route's ClosedPull has it). */
export interface ClosedPullFacts {
  number: number
  merged: boolean
  createdAt: string | null
  closedAt: string | null
}

export interface ClosedFacts {
  id: string
  repository: string
  pull: ClosedPullFacts
  /** The issue the pull request closes (from the bot's marker). */
  issue: number | null
  /** `/fix` feedback the bot carried out (the marker's handled list). */
  fixRounds: number
  /** Author emails of the pull request's commits. */
  commitEmails: string[]
  botEmail: string
  comments: HumanComment[]
  findings: PublishedFinding[]
  recordedAt: Date
}

export function buildClosedRecord(f: ClosedFacts): PullClosedRecord {
  const human = f.commitEmails.filter(email => email.toLowerCase() !== f.botEmail.toLowerCase()).length
  return {
    v: LEDGER_VERSION,
    kind: 'pr-closed',
    id: f.id,
    source: 'action',
    repository: f.repository,
    issue: f.issue,
    pr: f.pull.number,
    startedAt: f.recordedAt.toISOString(),
    openedAt: f.pull.createdAt,
    closedAt: f.pull.closedAt ?? f.recordedAt.toISOString(),
    merged: f.pull.merged,
    fixRounds: f.fixRounds,
    humanCommits: human,
    botCommits: f.commitEmails.length - human,
    // What people caught only matters for what was merged.
    humanReview: f.pull.merged ? compareReview(f.findings, f.comments) : null
  }
}
