/**
 * Approve: implement exactly the approved plan commit, review it, push, and
 * open the branch's pull request (or update the one it already has).
 */
import { updateComment } from '../../github/comments.js'
import { createOrUpdatePull, ForeignPullError, getPull } from '../../github/pulls.js'
import type { RunResult } from '../../engine/types.js'
import type { WorkBranch } from '../branch.js'
import { recordPush } from '../plan-record.js'
import { renderPrBody } from '../render/pr-body.js'
import type { FoundPlan, Outputs, Session } from '../session.js'
import { replacePlanMarker } from '../state.js'
import type { StatusComment } from '../status.js'
import { sameTask } from '../untrusted.js'
import { failRun, refuse } from './outcome.js'
import { resumeBranch, startOverHint } from './resume-branch.js'

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
    return refuse(s, `This /approve was already carried out: see pull request #${plan.state.pr ?? '?'}. Comment \`/approve\` again to run it once more.`)
  }
  const asked = seconds(opts.commentCreatedAt)
  if (asked !== null && (seconds(plan.comment.createdAt) ?? 0) > asked) {
    return refuse(s, `A newer plan was posted after this /approve was written: read ${planLink} and comment \`/approve\` again if it is right.`)
  }
  if (asked !== null && asked < (seconds(plan.state.approvedAt) ?? 0)) {
    return refuse(s, `This /approve was written before the last implementation finished, which already answered it: see pull request #${plan.state.pr ?? '?'}. Comment \`/approve\` again to run it once more.`)
  }
  if (!sameTask(plan.state.taskHash, s.issue)) {
    return refuse(
      s,
      `The issue's title or description changed after ${planLink} was made. I only implement a plan for the text it was made from: comment \`/revise\` for a new plan from the issue as it is now.`
    )
  }
  const finished = plan.state.state === 'approved' ? await finishedPull(s, plan) : null
  if (finished) return refuse(s, `${finished} ${startOverHint(plan.state.branch)}`)
  const wb = await s.workBranch(plan.state.branch)
  const resumed = await resumeBranch(wb, plan.state)
  if ('problem' in resumed) {
    return refuse(s, `I won't implement ${planLink}: ${resumed.problem}. I only build on commits I pushed myself. ${startOverHint(wb.branch)}`)
  }
  const status = await s.openStatus(`Orchestrator: implementing #${s.issue.number}`, ['implement', 'review'])
  return implementPlan(s, { plan, wb, guidance: opts.guidance, status, commentId: opts.commentId })
}

/** Why the plan's pull request no longer takes work (closed or merged), or null while it is open or absent. */
export async function finishedPull(s: Session, plan: FoundPlan): Promise<string | null> {
  if (!plan.state.pr) return null
  const pr = await getPull(s.gh, s.repo, plan.state.pr)
  if (pr.open) return null
  return `Pull request #${pr.number} for this plan was ${pr.merged ? 'merged' : 'closed'}, so its work is done.`
}

/** Implement → review → commit → push → pull request, on a checkout already at the branch's recorded head. */
export async function implementPlan(
  s: Session,
  opts: {
    plan: FoundPlan
    /** Checked out at the head the run starts from: anything Claude commits on top is folded into the bot's commit. */
    wb: WorkBranch
    guidance: string
    status: StatusComment
    earlier?: RunResult
    commentId?: number
  }
): Promise<Outputs> {
  const { status, wb } = opts
  let plan = opts.plan
  const branch = plan.state.branch
  const base = await wb.head()
  // The label changes while Claude starts; its outcome is collected below, never left unhandled.
  const labelled = s.labels.set('orchestrator:implementing').then(
    () => null,
    (err: unknown) => err
  )
  const result = await s.runEngine({
    phases: ['implement', 'review'],
    inputs: { ...plan.state.documents, plan: [plan.state.planPath] },
    guidance: opts.guidance ? { implement: opts.guidance } : undefined,
    // The pull request's whole change, earlier implementations included.
    reviewBase: await wb.forkPoint(plan.state.base),
    status
  })
  const combined: RunResult = opts.earlier
    ? { ...result, phases: [...opts.earlier.phases, ...result.phases], totals: sumTotals(opts.earlier, result) }
    : result
  const labelError = await labelled
  if (labelError) throw labelError
  if (result.status === 'failed') return failRun(s, status, result.error ?? 'implementation failed', combined, branch)

  await wb.uncommitTo(base)
  const sha = await s.commit(wb, `orchestrator: implement #${s.issue.number}\n\n${s.issue.title}`)
  if (!sha) return failRun(s, status, 'the implement phase changed nothing, so there is nothing to propose', combined, branch)
  const pushError = await s.push(wb, sha)
  if (pushError) return failRun(s, status, pushError, combined, branch)
  plan = await recordPush(s.gh, s.repo, plan, sha)
  const planCommentUrl = plan.comment.htmlUrl
  const pr = await createOrUpdatePull(s.gh, s.repo, {
    branch,
    base: plan.state.base,
    title: `${s.issue.title} (#${s.issue.number})`,
    body: renderPrBody({
      state: { v: 1, issue: s.issue.number, branch, planPath: plan.state.planPath, taskHash: plan.state.taskHash, handled: [] },
      issue: s.issue.number,
      issueTitle: s.issue.title,
      branch,
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
    return failRun(s, status, `${pr.message}. The new commits are on \`${branch}\`: close #${pr.number} and comment \`/approve\` for the orchestrator's own pull request`, combined, branch)
  }
  const approved = replacePlanMarker(plan.comment.body, {
    ...plan.state,
    state: 'approved',
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
    branch,
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
