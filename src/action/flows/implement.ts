/**
 * Approve: implement exactly the approved plan commit, review it, push, and
 * open the branch's pull request (or update the one it already has).
 */
import { updateComment } from '../../github/comments.js'
import { createOrUpdatePull, ForeignPullError } from '../../github/pulls.js'
import type { RunResult } from '../../engine/types.js'
import { renderPrBody } from '../render/pr-body.js'
import type { FoundPlan, Outputs, Session } from '../session.js'
import { replacePlanMarker } from '../state.js'
import type { StatusComment } from '../status.js'
import { taskHash } from '../untrusted.js'
import { failRun, refuse } from './outcome.js'
import { resumeBranch } from './resume-branch.js'

export async function approvePlan(s: Session, opts: { guidance: string; commentId: number; commentCreatedAt: string }): Promise<Outputs> {
  const plan = await s.latestPlan()
  if (!plan || (plan.state.state !== 'pending' && plan.state.state !== 'approved')) {
    const why = !plan
      ? 'There is no plan on this issue to approve yet. Add the trigger label or comment `/plan` to get one.'
      : `The latest plan on this issue was ${plan.state.state}; there is nothing to approve. Comment \`/plan\` to start again.`
    return refuse(s, why)
  }
  const planLink = `[the plan](${plan.comment.htmlUrl})`
  if (plan.state.approvedBy?.includes(opts.commentId)) {
    return refuse(s, `This /approve was already carried out: see pull request #${plan.state.pr ?? '?'}.`)
  }
  const asked = seconds(opts.commentCreatedAt)
  if (asked !== null && (seconds(plan.comment.createdAt) ?? 0) > asked) {
    return refuse(s, `A newer plan was posted after this /approve was written: read ${planLink} and comment \`/approve\` again if it is right.`)
  }
  if (asked !== null && asked < (seconds(plan.state.approvedAt) ?? 0)) {
    return refuse(s, `This /approve was written before the last implementation finished, which already answered it: see pull request #${plan.state.pr ?? '?'}. Comment \`/approve\` again to run it once more.`)
  }
  if (plan.state.taskHash && plan.state.taskHash !== taskHash(s.issue)) {
    return refuse(
      s,
      `The issue's title or description changed after ${planLink} was made. I only implement a plan for the text it was made from: comment \`/revise <what changed>\` for a new plan.`
    )
  }
  const wb = await s.workBranch()
  const resumed = await resumeBranch(s, wb, plan.state.headSha)
  if ('problem' in resumed) {
    return refuse(
      s,
      `I won't implement ${planLink}: ${resumed.problem}. I only build on the exact plan that was approved. ` +
        'Remove those commits, or delete the branch and comment `/plan` to start over.'
    )
  }
  const status = await s.openStatus(`Orchestrator: implementing #${s.issue.number}`, ['implement', 'review'])
  return implementPlan(s, { plan, base: resumed.sha, guidance: opts.guidance, status, commentId: opts.commentId })
}

/** Implement → review → commit → push → pull request, on a checkout already at the plan's head. */
export async function implementPlan(
  s: Session,
  opts: {
    plan: FoundPlan
    /** The commit the checkout started from: anything Claude commits on top is folded into the bot's commit. */
    base: string
    guidance: string
    status: StatusComment
    earlier?: RunResult
    commentId?: number
  }
): Promise<Outputs> {
  const { plan, status } = opts
  // The label changes while Claude starts; its outcome is collected below, never left unhandled.
  const labelled = s.labels.set('orchestrator:implementing').then(
    () => null,
    (err: unknown) => err
  )
  const result = await s.runEngine({
    phases: ['implement', 'review'],
    inputs: { ...plan.state.documents, plan: [plan.state.planPath] },
    guidance: opts.guidance ? { implement: opts.guidance } : undefined,
    status
  })
  const combined: RunResult = opts.earlier
    ? { ...result, phases: [...opts.earlier.phases, ...result.phases], totals: sumTotals(opts.earlier, result) }
    : result
  const labelError = await labelled
  if (labelError) throw labelError
  if (result.status === 'failed') return failRun(s, status, result.error ?? 'implementation failed', combined)

  const wb = await s.workBranch()
  await wb.uncommitTo(opts.base)
  const sha = await s.commit(wb, `orchestrator: implement #${s.issue.number}\n\n${s.issue.title}`)
  if (!sha) return failRun(s, status, 'the implement phase changed nothing, so there is nothing to propose', combined)
  const pushError = await s.push(wb, sha)
  if (pushError) return failRun(s, status, pushError, combined)
  const planCommentUrl = plan.comment.htmlUrl
  const pr = await createOrUpdatePull(s.gh, s.repo, {
    branch: s.branchName,
    base: plan.state.base,
    title: `${s.issue.title} (#${s.issue.number})`,
    body: renderPrBody({
      state: { v: 1, issue: s.issue.number, branch: s.branchName, planPath: plan.state.planPath, taskHash: plan.state.taskHash, handled: [] },
      issue: s.issue.number,
      issueTitle: s.issue.title,
      branch: s.branchName,
      headSha: sha,
      planPath: plan.state.planPath,
      planCommentUrl,
      result: combined,
      serverUrl: s.ctx.serverUrl,
      repo: s.repo,
      runUrl: s.runUrl
    }),
    draft: s.inputs.draftPr,
    knownNumber: plan.state.pr,
    bot: { login: s.inputs.botLogin, marker: '<!-- orchestrator:pr ' }
  }).catch((err: unknown) => {
    if (err instanceof ForeignPullError) return err
    throw err
  })
  if (pr instanceof ForeignPullError) {
    return failRun(s, status, `${pr.message}. The new commits are on \`${s.branchName}\`: close #${pr.number} and comment \`/approve\` for the orchestrator's own pull request`, combined)
  }
  const approved = replacePlanMarker(plan.comment.body, {
    ...plan.state,
    state: 'approved',
    headSha: sha,
    pr: pr.number,
    approvedBy: [...(plan.state.approvedBy ?? []), ...(opts.commentId ? [opts.commentId] : [])],
    approvedAt: new Date().toISOString()
  })
  const verb = pr.created ? 'opened' : 'updated'
  await Promise.all([
    updateComment(s.gh, s.repo, plan.comment.id, approved),
    s.reply(`🚀 Pull request #${pr.number} ${verb}: ${pr.htmlUrl}`),
    s.labels.set('orchestrator:done'),
    status.finish(true, `Pull request #${pr.number} ${verb}`)
  ])
  return {
    status: pr.created ? 'pr-opened' : 'pr-updated',
    branch: s.branchName,
    prNumber: pr.number,
    prUrl: pr.htmlUrl,
    planCommentUrl,
    costUsd: combined.totals.costUsd,
    result: combined
  }
}

/** GitHub's timestamps have whole seconds; compare at that precision. */
function seconds(iso: string | undefined): number | null {
  const ms = iso ? Date.parse(iso) : NaN
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000)
}

function sumTotals(a: RunResult, b: RunResult): RunResult['totals'] {
  return {
    durationMs: a.totals.durationMs + b.totals.durationMs,
    costUsd: a.totals.costUsd + b.totals.costUsd,
    inputTokens: a.totals.inputTokens + b.totals.inputTokens,
    outputTokens: a.totals.outputTokens + b.totals.outputTokens
  }
}
