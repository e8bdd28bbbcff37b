/**
 * Turns a webhook event into one decision before anything acts on it. Pure:
 * no API calls, so every routing rule is a unit test.
 */
import { parseCommand } from './commands.js'

export interface IssueRef {
  number: number
  title: string
  body: string
  labels: string[]
  /** Set when the "issue" is really a pull request. */
  isPullRequest: boolean
}

/** What started a run, said once per route: the trigger label, a comment (with its time), or a review. */
export type LabelTrigger = { type: 'label' }
export type CommentTrigger = { type: 'comment'; id: number; createdAt: string }
export type ReviewTrigger = { type: 'review'; id: number }
export type Trigger = LabelTrigger | CommentTrigger | ReviewTrigger

export type Route =
  | { kind: 'start'; issue: IssueRef; actor: string; trigger: LabelTrigger | CommentTrigger; extra: string }
  | { kind: 'approve'; issue: IssueRef; actor: string; trigger: CommentTrigger; guidance: string }
  | { kind: 'revise'; issue: IssueRef; actor: string; trigger: CommentTrigger; feedback: string }
  | { kind: 'cancel'; issue: IssueRef; actor: string; trigger: CommentTrigger }
  | { kind: 'answer'; issue: IssueRef; actor: string; trigger: CommentTrigger; answer: string }
  | { kind: 'resume'; issue: IssueRef; actor: string; trigger: CommentTrigger; guidance: string }
  /** Feedback on one of the bot's pull requests (`issue` is the pull request). */
  | { kind: 'fix'; issue: IssueRef; actor: string; trigger: CommentTrigger | ReviewTrigger; feedback: string }
  /** A pull request was closed or merged: nothing runs, the ledger records how it ended (`issue` is the pull request). */
  | { kind: 'closed'; issue: IssueRef; actor: string; pull: ClosedPull }
  | { kind: 'ignored'; reason: string }

/** What a `pull_request` `closed` event says about the pull request. */
export interface ClosedPull {
  number: number
  merged: boolean
  createdAt: string | null
  closedAt: string | null
  /** Who opened it: only the bot's own pull requests are recorded. */
  author: string
  headRef: string
  /** The description, which carries the bot's marker (issue, handled /fix feedback). */
  body: string
}

type Json = Record<string, unknown>

function rec(v: unknown): Json {
  return v !== null && typeof v === 'object' ? (v as Json) : {}
}

function issueRef(payload: Json): IssueRef {
  const issue = rec(payload.issue)
  const labels = Array.isArray(issue.labels) ? issue.labels.map(l => String(rec(l).name ?? l)) : []
  return {
    number: Number(issue.number),
    title: String(issue.title ?? ''),
    body: typeof issue.body === 'string' ? issue.body : '',
    labels,
    isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null
  }
}

function isBot(user: Json): boolean {
  return user.type === 'Bot' || String(user.login ?? '').endsWith('[bot]')
}

export function routeEvent(eventName: string, payload: Json, triggerLabel: string): Route {
  const action = String(payload.action ?? '')
  const sender = rec(payload.sender)
  if (eventName === 'issues') {
    if (action !== 'labeled')
      return { kind: 'ignored', reason: `issues event with action "${action}" is not a trigger` }
    const label = String(rec(payload.label).name ?? '')
    if (label !== triggerLabel)
      return { kind: 'ignored', reason: `label "${label}" is not the trigger label "${triggerLabel}"` }
    if (isBot(sender)) return { kind: 'ignored', reason: `the label was added by a bot (${String(sender.login)})` }
    return {
      kind: 'start',
      issue: issueRef(payload),
      actor: String(sender.login ?? ''),
      trigger: { type: 'label' },
      extra: ''
    }
  }
  if (eventName === 'issue_comment') {
    if (action !== 'created') return { kind: 'ignored', reason: `comment ${action}: only new comments carry commands` }
    const comment = rec(payload.comment)
    const user = rec(comment.user)
    if (isBot(user)) return { kind: 'ignored', reason: `comment by a bot (${String(user.login)})` }
    const command = parseCommand(typeof comment.body === 'string' ? comment.body : '')
    if (!command) return { kind: 'ignored', reason: 'the comment does not start with an orchestrator command' }
    const issue = issueRef(payload)
    const actor = String(user.login ?? '')
    const trigger: CommentTrigger = {
      type: 'comment',
      id: Number(comment.id),
      createdAt: String(comment.created_at ?? '')
    }
    if (issue.isPullRequest) {
      if (command.name !== 'fix')
        return { kind: 'ignored', reason: `/${command.name} on a pull request: only /fix works there` }
      return { kind: 'fix', issue, actor, trigger, feedback: command.argument }
    }
    switch (command.name) {
      case 'fix':
        return { kind: 'ignored', reason: '/fix on an issue: it works on the pull requests the orchestrator opened' }
      case 'plan':
        return { kind: 'start', issue, actor, trigger, extra: command.argument }
      case 'approve':
        return { kind: 'approve', issue, actor, trigger, guidance: command.argument }
      case 'revise':
        return { kind: 'revise', issue, actor, trigger, feedback: command.argument }
      case 'cancel':
        return { kind: 'cancel', issue, actor, trigger }
      case 'answer':
        return { kind: 'answer', issue, actor, trigger, answer: command.argument }
      case 'resume':
        return { kind: 'resume', issue, actor, trigger, guidance: command.argument }
    }
  }
  if (eventName === 'pull_request_review') {
    if (action !== 'submitted')
      return { kind: 'ignored', reason: `review ${action}: only submitted reviews carry /fix` }
    const review = rec(payload.review)
    const user = rec(review.user)
    if (isBot(user)) return { kind: 'ignored', reason: `review by a bot (${String(user.login)})` }
    if (String(review.state).toLowerCase() !== 'changes_requested') {
      return {
        kind: 'ignored',
        reason: `review state "${String(review.state)}": only "changes requested" reviews starting with /fix start a run`
      }
    }
    const command = parseCommand(typeof review.body === 'string' ? review.body : '')
    if (command?.name !== 'fix') return { kind: 'ignored', reason: 'the review does not start with /fix' }
    const issue: IssueRef = { ...issueRef({ issue: payload.pull_request }), isPullRequest: true }
    return {
      kind: 'fix',
      issue,
      actor: String(user.login ?? ''),
      trigger: { type: 'review', id: Number(review.id) },
      feedback: command.argument
    }
  }
  if (eventName === 'pull_request') {
    if (action !== 'closed')
      return { kind: 'ignored', reason: `pull_request ${action}: only closed pull requests are recorded` }
    const pr = rec(payload.pull_request)
    const head = rec(pr.head)
    // The bot opens its pull requests from its own branches; one from a fork is never its own.
    if (String(rec(head.repo).full_name ?? '') !== String(rec(payload.repository).full_name ?? '')) {
      return { kind: 'ignored', reason: 'a pull request from a fork was closed: the orchestrator only records its own' }
    }
    const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null)
    const pull: ClosedPull = {
      number: Number(pr.number),
      merged: pr.merged === true,
      createdAt: str(pr.created_at),
      closedAt: str(pr.closed_at),
      author: String(rec(pr.user).login ?? ''),
      headRef: String(head.ref ?? ''),
      body: typeof pr.body === 'string' ? pr.body : ''
    }
    const issue: IssueRef = { ...issueRef({ issue: pr }), isPullRequest: true }
    return { kind: 'closed', issue, actor: String(sender.login ?? ''), pull }
  }
  if (eventName === 'pull_request_target') {
    return {
      kind: 'ignored',
      reason: 'pull_request_target events are never handled: they would run untrusted code with secrets'
    }
  }
  return { kind: 'ignored', reason: `event ${eventName} is not handled` }
}
