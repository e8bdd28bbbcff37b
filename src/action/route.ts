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
/** Checks that failed on the bot's pull request: the check suite or workflow run that says so. */
export type ChecksTrigger = { type: 'checks' } & FailedChecksEvent
export type Trigger = LabelTrigger | CommentTrigger | ReviewTrigger | ChecksTrigger

export type Route =
  | { kind: 'start'; issue: IssueRef; actor: string; trigger: LabelTrigger | CommentTrigger; extra: string }
  | { kind: 'approve'; issue: IssueRef; actor: string; trigger: CommentTrigger; guidance: string }
  | { kind: 'revise'; issue: IssueRef; actor: string; trigger: CommentTrigger; feedback: string }
  | { kind: 'cancel'; issue: IssueRef; actor: string; trigger: CommentTrigger }
  | { kind: 'answer'; issue: IssueRef; actor: string; trigger: CommentTrigger; answer: string }
  | { kind: 'resume'; issue: IssueRef; actor: string; trigger: CommentTrigger; guidance: string }
  /** Feedback on one of the bot's pull requests (`issue` is the pull request). */
  | { kind: 'fix'; issue: IssueRef; actor: string; trigger: CommentTrigger | ReviewTrigger; feedback: string }
  /** Checks failed on a pull request from one of the bot's branches (`issue` is the pull request; fix_failing_checks). */
  | { kind: 'checks'; issue: IssueRef; actor: string; trigger: ChecksTrigger }
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

/** What a `check_suite` or `workflow_run` `completed` event says failed. */
export interface FailedChecksEvent {
  event: 'check_suite' | 'workflow_run'
  /** The check suite's or the workflow run's id. */
  id: number
  /** The workflow's name, or the name of the app that ran the check suite. */
  name: string
  conclusion: string
  /** The commit the checks ran on. */
  headSha: string
  headBranch: string
}

/** What routing needs besides the trigger label (the inputs that decide which events are handled). */
export interface RouteOptions {
  fixFailingChecks?: boolean
  branchPrefix?: string
}

type Json = Record<string, unknown>

/** Conclusions that start a fix; `cancelled`, `skipped`, `neutral` and `action_required` do not. */
const FAILED_CONCLUSIONS = ['failure', 'timed_out', 'startup_failure']

/**
 * `check_suite`/`workflow_run` `completed` on one of the bot's branches. Only
 * what the payload proves is decided here (a failure, no fork, a pull request
 * from a branch with the bot's prefix); who opened it is checked against the
 * pull request itself (check-fix-rules.ts).
 */
function routeChecks(eventName: 'check_suite' | 'workflow_run', payload: Json, opts: RouteOptions): Route {
  const action = String(payload.action ?? '')
  if (action !== 'completed') return { kind: 'ignored', reason: `${eventName} ${action}: only completed checks count` }
  if (!opts.fixFailingChecks) {
    return {
      kind: 'ignored',
      reason: `${eventName} completed: fix_failing_checks is off, failed checks are left to people`
    }
  }
  const subject = rec(payload[eventName])
  const conclusion = String(subject.conclusion ?? '')
  if (!FAILED_CONCLUSIONS.includes(conclusion)) {
    return { kind: 'ignored', reason: `${eventName} concluded "${conclusion}": only failed checks start a fix` }
  }
  const repository = rec(payload.repository)
  const repoName = String(repository.full_name ?? '')
  // A fork's head branch is not the bot's; GitHub also leaves pull_requests empty for one.
  if (eventName === 'workflow_run' && String(rec(subject.head_repository).full_name ?? '') !== repoName) {
    return {
      kind: 'ignored',
      reason: 'the failed workflow ran on a fork: the orchestrator only fixes its own pull requests'
    }
  }
  const prefix = opts.branchPrefix ?? 'orchestrator/issue-'
  const pulls = (Array.isArray(subject.pull_requests) ? subject.pull_requests : []).map(rec)
  const own = pulls.find(p => {
    const head = rec(p.head)
    const base = rec(p.base)
    const sameRepo = rec(head.repo).id !== undefined && rec(head.repo).id === rec(base.repo).id
    return sameRepo && rec(base.repo).id === repository.id && String(head.ref ?? '').startsWith(prefix)
  })
  if (!own) {
    return {
      kind: 'ignored',
      reason: pulls.length
        ? `the failed checks belong to no pull request from an orchestrator branch (${prefix}…) of this repository`
        : 'the failed checks belong to no pull request of this repository (a fork, or a branch without one)'
    }
  }
  const name =
    eventName === 'workflow_run'
      ? String(subject.name || rec(payload.workflow).name || 'workflow')
      : String(rec(subject.app).name ?? 'checks')
  const head = rec(own.head)
  return {
    kind: 'checks',
    issue: { number: Number(own.number), title: '', body: '', labels: [], isPullRequest: true },
    actor: String(rec(payload.sender).login ?? ''),
    trigger: {
      type: 'checks',
      event: eventName,
      id: Number(subject.id),
      name,
      conclusion,
      headSha: String(subject.head_sha ?? head.sha ?? ''),
      headBranch: String(head.ref ?? subject.head_branch ?? '')
    }
  }
}

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

export function routeEvent(eventName: string, payload: Json, triggerLabel: string, opts: RouteOptions = {}): Route {
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
  if (eventName === 'check_suite' || eventName === 'workflow_run') return routeChecks(eventName, payload, opts)
  if (eventName === 'pull_request_target') {
    return {
      kind: 'ignored',
      reason: 'pull_request_target events are never handled: they would run untrusted code with secrets'
    }
  }
  return { kind: 'ignored', reason: `event ${eventName} is not handled` }
}
