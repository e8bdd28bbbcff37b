/**
 * /fix on a pull request the bot opened: implement the feedback (the comment's
 * text and the inline review comments) on top of the branch, review again,
 * push, replace the findings in the PR body, and reply on the PR.
 */
import { listComments } from '../../github/comments.js'
import { canWrite } from '../../github/permissions.js'
import { getPull, inlineComments, type InlineComment, type PullDetail } from '../../github/pulls.js'
import { countBySeverity } from '../../engine/findings.js'
import type { WorkBranch } from '../branch.js'
import { latestPlanIn, recordPush, type FoundPlan } from '../plan-record.js'
import { neutralize } from '../render/markdown.js'
import { replaceFindings } from '../render/pr-body.js'
import type { Outputs, Session } from '../session.js'
import { decodePrMarker, replacePrMarker, type PrState } from '../markers.js'
import type { StatusComment } from '../status.js'
import { sameTask } from '../untrusted.js'
import { failRun, refuse, underStatus } from './outcome.js'
import { resumeBranch, startOverHint } from './resume-branch.js'

export interface FixRequest {
  feedback: string
  source: { type: 'comment' | 'review'; id: number }
}

/** The guidance implement gets: the maintainer's words, then each inline comment with its place. */
export function fixGuidance(feedback: string, comments: InlineComment[]): string {
  const parts = ['A maintainer reviewed the pull request and asked for changes. Address all of it.']
  if (feedback) parts.push(`Their request:\n${feedback}`)
  if (comments.length) {
    parts.push(
      `Inline review comments:\n${comments.map(c => `- ${c.path}${c.line ? `:${c.line}` : ''} (${c.author}): ${c.body.replace(/\s+/g, ' ').trim()}`).join('\n')}`
    )
  }
  return parts.join('\n\n')
}

export async function fixPullRequest(s: Session, req: FixRequest): Promise<Outputs> {
  const pr = await getPull(s.gh, s.repo, s.issue.number)
  const state = decodePrMarker(pr.body)
  if (
    !state ||
    pr.author !== s.inputs.botLogin ||
    !pr.headRef.startsWith(s.inputs.branchPrefix) ||
    pr.headRef !== state.branch
  ) {
    return refuse(
      s,
      '`/fix` works on pull requests the orchestrator opened; this one was not opened by it, so I left it alone.'
    )
  }
  if (!pr.open) return refuse(s, 'This pull request is closed, so there is nothing to fix. Reopen it first.')
  const key = `${req.source.type}:${req.source.id}`
  if (state.handled.includes(key)) return refuse(s, 'This feedback was already handled; see the commits on the branch.')
  // Anyone can comment on a public pull request; only maintainers' comments become instructions.
  const all = await inlineComments(s.gh, s.repo, pr.number, req.source.type === 'review' ? req.source.id : undefined)
  const writers = new Map<string, Promise<boolean>>()
  const allowed = await Promise.all(
    all.map(c => {
      if (!writers.has(c.author)) writers.set(c.author, canWrite(s.gh, s.repo, c.author))
      return writers.get(c.author) as Promise<boolean>
    })
  )
  const comments = all.filter((_, i) => allowed[i])
  if (!req.feedback && !comments.length) {
    return refuse(s, 'Say what to change: `/fix <what should change>`, or leave inline review comments first.')
  }

  const { data: issueData } = await s.gh.rest.issues.get({ ...s.repo, issue_number: state.issue })
  const issue = { number: issueData.number, title: issueData.title, body: issueData.body ?? '' }
  if (!sameTask(state.taskHash, issue)) {
    return refuse(
      s,
      `Issue #${issue.number} was edited after its plan was approved. Comment \`/revise\` on the issue for a plan that matches it; I won't change this pull request against a plan for other text.`
    )
  }
  // The issue's plan comment records what the bot pushed to this branch.
  const plan = latestPlanIn(await listComments(s.gh, s.repo, issue.number), s.inputs.botLogin, issue.number)
  if (plan?.state.branch !== state.branch) {
    return refuse(
      s,
      `I can't find the plan this pull request was built from on issue #${issue.number}. Comment \`/plan\` there to start again.`
    )
  }
  if (plan.state.state === 'pending') {
    return refuse(
      s,
      `A revised plan for issue #${issue.number} awaits approval: comment \`/approve\` there to build it on this pull request.`
    )
  }

  const wb = await s.workBranch(state.branch)
  const resumed = await resumeBranch(wb, plan.state)
  if ('problem' in resumed) {
    return refuse(
      s,
      `I won't change this pull request: ${resumed.problem}. I only build on commits I pushed myself. ${startOverHint(wb.branch, ` on issue #${issue.number}`)}`
    )
  }
  const status = await s.openStatus(`Orchestrator: fixing #${pr.number}`, ['implement', 'review'])
  return underStatus(s, status, wb.branch, () =>
    fixOnBranch(s, { pr, state, key, issue, plan, comments, wb, head: resumed.sha, status, feedback: req.feedback })
  )
}

/** Implement and review the feedback on the pull request's branch, push, and say so on the pull request. */
async function fixOnBranch(
  s: Session,
  opts: {
    pr: PullDetail
    state: PrState
    /** Which feedback this is (`comment:<id>` or `review:<id>`): recorded as handled once pushed. */
    key: string
    /** The issue the pull request was built from. */
    issue: { number: number; title: string; body: string }
    plan: FoundPlan
    comments: InlineComment[]
    /** The work branch, checked out at `head`: the last commit the bot pushed to it. */
    wb: WorkBranch
    head: string
    status: StatusComment
    feedback: string
  }
): Promise<Outputs> {
  const { pr, state, key, issue, plan, comments, wb, head, status, feedback } = opts
  const result = await s.runEngine({
    phases: ['implement', 'review'],
    inputs: { plan: [state.planPath] },
    guidance: { implement: fixGuidance(feedback, comments) },
    // The review looks at the whole pull request, not only this fix.
    reviewBase: await wb.forkPoint(pr.baseRef),
    status,
    task: issue
  })
  if (result.status === 'failed') return failRun(s, status, result.error ?? 'the fix failed', result, wb.branch)

  await wb.uncommitTo(head)
  const sha = await s.commit(
    wb,
    `orchestrator: address review feedback on #${pr.number}\n\n${feedback.split('\n')[0] ?? ''}`.trim()
  )
  if (!sha) return failRun(s, status, 'the implement phase changed nothing for this feedback', result, wb.branch)
  const pushError = await s.push(wb, sha)
  if (pushError) return failRun(s, status, pushError, result, wb.branch)
  await recordPush(s.gh, s.repo, plan, sha)

  const next = { ...state, handled: [...state.handled, key] }
  const view = {
    state: next,
    issue: state.issue,
    issueTitle: issue.title,
    branch: wb.branch,
    headSha: sha,
    planPath: state.planPath,
    result,
    serverUrl: s.ctx.serverUrl,
    repo: s.repo,
    runUrl: s.runUrl
  }
  const body = replacePrMarker(
    replaceFindings(pr.body, result.findings, view, `Updated after review feedback in ${sha.slice(0, 7)}.`),
    next
  )
  await s.gh.rest.pulls.update({ ...s.repo, pull_number: pr.number, body })
  const changed = result.changedFiles.length
    ? result.changedFiles.map(f => `\`${neutralize(f)}\``).join(', ')
    : 'no source files'
  await Promise.all([
    s.reply(
      `🔧 Pushed ${sha.slice(0, 7)} for this feedback. Changed: ${changed}.\n\nReview of the new state: ${countBySeverity(result.findings, 'no findings')} (details in the description).`
    ),
    status.finish(true, `Pushed ${sha.slice(0, 7)}`),
    // A failure label from an earlier attempt no longer applies.
    s.labels.set(null)
  ])
  return {
    status: 'pr-updated',
    branch: wb.branch,
    prNumber: pr.number,
    prUrl: pr.htmlUrl,
    costUsd: result.totals.costUsd,
    result
  }
}
