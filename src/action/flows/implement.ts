/**
 * Approve: implement exactly the approved plan commit, review it, push, and
 * open the branch's pull request (or update the one it already has).
 */
import { updateComment } from '../../github/comments.js'
import {
  createOrUpdatePull,
  findPull,
  ForeignPullError,
  getPull,
  type PullDetail,
  type PullRef
} from '../../github/pulls.js'
import type { PhaseName, RunResult } from '../../engine/types.js'
import type { WorkBranch } from '../branch.js'
import { recordPush } from '../plan-record.js'
import { renderPrBody } from '../render/pr-body.js'
import type { FoundPlan, Outputs, Session } from '../session.js'
import {
  decodePrMarker,
  replacePlanMarker,
  withFindings,
  type Checkpoint,
  type PlanState,
  type PrState
} from '../markers.js'
import type { StatusComment } from '../status.js'
import { sameTask } from '../untrusted.js'
import { failRun, refuse, underStatus } from './outcome.js'
import { resumeBranch, startOverHint } from './resume-branch.js'
import { usd } from '../../util/format.js'
import { stopReason, sumTotals } from '../../engine/results.js'
import { GITHUB_BODY_LIMIT } from '../render/markdown.js'

export async function approvePlan(
  s: Session,
  opts: { guidance: string; commentId: number; commentCreatedAt: string }
): Promise<Outputs> {
  const plan = await s.latestPlan()
  if (!plan || (plan.state.state !== 'pending' && plan.state.state !== 'approved')) {
    const why = !plan
      ? 'There is no plan on this issue to approve yet. Add the trigger label or comment `/plan` to get one.'
      : `The latest plan on this issue was ${plan.state.state}; there is nothing to approve. Comment \`/plan\` to start again.`
    return refuse(s, why)
  }
  const planLink = `[the plan](${plan.comment.htmlUrl})`
  if (plan.state.approvedBy?.includes(opts.commentId)) {
    return refuse(
      s,
      `This /approve was already carried out: see pull request #${plan.state.pr ?? '?'}. Comment \`/approve\` again to run it once more.`
    )
  }
  const asked = seconds(opts.commentCreatedAt)
  if (asked !== null && (seconds(plan.comment.createdAt) ?? 0) > asked) {
    return refuse(
      s,
      `A newer plan was posted after this /approve was written: read ${planLink} and comment \`/approve\` again if it is right.`
    )
  }
  if (asked !== null && asked < (seconds(plan.state.approvedAt) ?? 0)) {
    return refuse(
      s,
      `This /approve was written before the last implementation finished, which already answered it: see pull request #${plan.state.pr ?? '?'}. Comment \`/approve\` again to run it once more.`
    )
  }
  if (!sameTask(plan.state.taskHash, s.issue)) {
    return refuse(
      s,
      `The issue's title or description changed after ${planLink} was made. I only implement a plan for the text it was made from: comment \`/revise\` for a new plan from the issue as it is now.`
    )
  }
  // Read once before the run: whether it still takes work, and its earlier review round's findings.
  const pull = await approvedPull(s, plan)
  const finished = pull && finishedPull(pull)
  if (finished) return refuse(s, `${finished} ${startOverHint(plan.state.branch)}`)
  const wb = await s.workBranch(plan.state.branch)
  const resumed = await resumeBranch(wb, plan.state)
  if ('problem' in resumed) {
    return refuse(
      s,
      `I won't implement ${planLink}: ${resumed.problem}. I only build on commits I pushed myself. ${startOverHint(wb.branch)}`
    )
  }
  // The implementation and review are done and pushed; only the pull request is missing.
  const onlyPull = plan.state.checkpoint?.next === 'pull-request' ? plan.state.checkpoint : undefined
  const status = await s.openStatus(
    `Orchestrator: implementing #${s.issue.number}`,
    onlyPull ? [] : ['implement', 'review']
  )
  return underStatus(s, status, wb.branch, () =>
    implementPlan(s, { plan, wb, guidance: opts.guidance, status, commentId: opts.commentId, resume: onlyPull, pull })
  )
}

/** `/resume [guidance]`: go on from the work the last failed run kept, paying only for what is left. */
export async function resumeRun(s: Session, opts: { guidance: string; commentId: number }): Promise<Outputs> {
  const plan = await s.latestPlan()
  const checkpoint = plan?.state.checkpoint
  if (!plan || !checkpoint) {
    return refuse(
      s,
      'There is nothing to resume on this issue: no failed run left work waiting. Comment `/approve` to implement the plan.'
    )
  }
  const wb = await s.workBranch(plan.state.branch)
  const resumed = await resumeBranch(wb, plan.state)
  if ('problem' in resumed) return refuse(s, `I can't resume: ${resumed.problem}. ${startOverHint(wb.branch)}`)
  const phases: PhaseName[] =
    checkpoint.next === 'implement' ? ['implement', 'review'] : checkpoint.next === 'review' ? ['review'] : []
  const status = await s.openStatus(`Orchestrator: resuming #${s.issue.number}`, phases)
  return underStatus(s, status, wb.branch, () =>
    implementPlan(s, { plan, wb, guidance: opts.guidance, status, commentId: opts.commentId, resume: checkpoint })
  )
}

/** The run's result, small enough to keep in the plan marker until the pull request exists. */
function trimmed(result: RunResult): RunResult {
  return {
    ...result,
    phases: result.phases.map(p => ({ ...p, questions: p.questions.slice(0, 5), artifacts: p.artifacts.slice(0, 3) })),
    findings: result.findings.slice(0, 30).map(f => ({ ...f, detail: f.detail.slice(0, 400) })),
    changedFiles: result.changedFiles.slice(0, 60)
  }
}

/**
 * The checkpoint goes into the plan comment, which a long plan already fills: when the result
 * would push it past GitHub's limit, a leaner result is kept, and at worst none (then `/resume`
 * reviews again instead of only opening the pull request).
 */
async function setCheckpoint(s: Session, plan: FoundPlan, checkpoint: Checkpoint | undefined): Promise<FoundPlan> {
  const lean = (r: RunResult): RunResult => ({
    ...r,
    phases: r.phases.map(p => ({ ...p, questions: [], artifacts: p.artifacts.slice(0, 1), refusals: undefined })),
    findings: r.findings.map(f => ({ ...f, detail: '' }))
  })
  const candidates: Array<Checkpoint | undefined> = checkpoint?.result
    ? [checkpoint, { ...checkpoint, result: lean(checkpoint.result) }, { ...checkpoint, result: undefined }]
    : [checkpoint]
  let state: PlanState = plan.state
  let body = plan.comment.body
  for (const candidate of candidates) {
    state = { ...plan.state, checkpoint: candidate }
    if (!candidate) delete state.checkpoint
    body = replacePlanMarker(plan.comment.body, state)
    if (body.length <= GITHUB_BODY_LIMIT) break
  }
  await updateComment(s.gh, s.repo, plan.comment.id, body)
  return { comment: { ...plan.comment, body }, state }
}

/**
 * A run that failed after changing files keeps them: committed (checked like
 * any commit), pushed, recorded, and named as the checkpoint `/resume` continues.
 */
async function keepWork(
  s: Session,
  wb: WorkBranch,
  plan: FoundPlan,
  /** `base`: the head this run started from; `from`: where the unfinished implementation began. */
  at: { base: string; from: string },
  result: RunResult
): Promise<{ plan: FoundPlan; note: string } | null> {
  const { base } = at
  const phase = result.failedPhase
  if (phase !== 'implement' && phase !== 'review') return null
  // Work that broke the rules (workflow files, history, .git) is refused, not kept.
  if (result.phases.some(p => p.brokeRules)) return null
  const reason = stopReason(result.error, 'it failed').slice(0, 300)
  await wb.uncommitTo(base)
  const unfinished = phase === 'implement'
  const message = unfinished
    ? `orchestrator: unfinished implement #${s.issue.number} (stopped: ${reason.slice(0, 120)})\n\n${s.issue.title}`
    : `orchestrator: implement #${s.issue.number}\n\n${s.issue.title}`
  const sha = await s.commit(wb, message)
  if (!sha || (await s.push(wb, sha))) return null
  let kept = await recordPush(s.gh, s.repo, plan, sha)
  const summary = result.phases.findLast(p => p.name === 'implement' && p.status === 'failed')?.lastText?.slice(0, 500)
  kept = await setCheckpoint(
    s,
    kept,
    unfinished
      ? { next: 'implement', sha, reason, from: at.from, ...(summary ? { summary } : {}) }
      : { next: 'review', sha, reason }
  )
  const cost = usd(result.totals.costUsd)
  const files = result.changedFiles.length
  const note = unfinished
    ? `Kept the unfinished implementation as ${sha.slice(0, 7)} on \`${wb.branch}\` (${files} file${files === 1 ? '' : 's'} changed, ${cost} spent). ` +
      'Comment `/resume` to go on from there: a new session is told what is done and finishes the rest; the finished phases are not paid for again.'
    : `The implementation is on \`${wb.branch}\` as ${sha.slice(0, 7)}; only the review failed (${cost} spent). Comment \`/resume\` to review it and open the pull request.`
  return { plan: kept, note }
}

/** An approved plan's pull request as it is now; undefined for a pending plan (not read here) or one without. */
export async function approvedPull(s: Session, plan: FoundPlan): Promise<PullDetail | undefined> {
  return plan.state.state === 'approved' && plan.state.pr ? getPull(s.gh, s.repo, plan.state.pr) : undefined
}

/** Why the pull request no longer takes work (closed or merged), or null while it is open. */
export function finishedPull(pr: PullDetail): string | null {
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
    /** Where a failed run stopped: only what is left is run. */
    resume?: Checkpoint
    /** The plan's pull request, when the caller already read it (null: it has none). */
    pull?: PullDetail | null
  }
): Promise<Outputs> {
  const { status, wb, resume } = opts
  let plan = opts.plan
  const branch = plan.state.branch
  const base = await wb.head()
  // Nothing runs before the pull request call: what the caller read is still current.
  if (resume?.next === 'pull-request' && resume.result)
    return openPull(s, {
      plan,
      branch,
      sha: base,
      result: resume.result,
      status,
      commentId: opts.commentId,
      pull: opts.pull
    })
  // The label changes while Claude starts; its outcome is collected below, never left unhandled.
  const labelled = s.labels.set('orchestrator:implementing').then(
    () => null,
    (err: unknown) => err
  )
  // A resumed implement is told what the stopped one left (the diff since it started, its last words).
  const from = resume?.next === 'implement' ? (resume.from ?? `${resume.sha}^`) : undefined
  // The pull request's earlier review round: its findings keep their ids, and this review marks them.
  const prior = botMarker(s, opts.pull !== undefined ? opts.pull : await pullQuietly(s, plan))
  const result = await s.runEngine({
    earlierFindings: prior?.findings,
    nextFindingId: prior?.nextFinding,
    phases: resume?.next === 'review' ? ['review'] : ['implement', 'review'],
    inputs: { ...plan.state.artifacts, plan: [plan.state.planPath] },
    guidance: opts.guidance ? { implement: opts.guidance } : undefined,
    resume: resume && from ? { from, reason: resume.reason, sha: resume.sha, summary: resume.summary } : undefined,
    // The pull request's whole change, earlier implementations included.
    reviewBase: await wb.forkPoint(plan.state.base),
    status
  })
  const combined: RunResult = opts.earlier
    ? {
        ...result,
        phases: [...opts.earlier.phases, ...result.phases],
        totals: sumTotals(opts.earlier.totals, result.totals)
      }
    : result
  const labelError = await labelled
  if (labelError) throw labelError
  if (result.status === 'failed') {
    const kept = await keepWork(s, wb, plan, { base, from: from ?? base }, combined)
    return failRun(s, status, result.error ?? 'implementation failed', combined, branch, kept?.note)
  }

  await wb.uncommitTo(base)
  const message =
    resume?.next === 'review' ? `orchestrator: review #${s.issue.number}` : `orchestrator: implement #${s.issue.number}`
  const sha = await s.commit(wb, `${message}\n\n${s.issue.title}`)
  if (!sha)
    return failRun(s, status, 'the implement phase changed nothing, so there is nothing to propose', combined, branch)
  const pushError = await s.push(wb, sha)
  if (pushError) return failRun(s, status, pushError, combined, branch)
  plan = await recordPush(s.gh, s.repo, plan, sha)
  if (combined.verify && !combined.verify.passed && s.inputs.requireGreen) {
    const v = combined.verify
    return failRun(
      s,
      status,
      `the project's check \`${v.command}\` still fails after ${v.rounds.length} round(s) (require_green: true)`,
      combined,
      branch,
      `The work is on \`${branch}\` as ${sha.slice(0, 7)}; no pull request was opened. Fix the check (or the plan) and comment \`/approve\` to go on from there.`
    )
  }
  return openPull(s, { plan, branch, sha, result: combined, status, commentId: opts.commentId })
}

/** The plan's pull request before the run, for its findings' history only; null when it cannot be read. */
async function pullQuietly(s: Session, plan: FoundPlan): Promise<PullDetail | null> {
  if (!plan.state.pr) return null
  // Only the findings' history is lost: the pull request call later says what is wrong.
  return getPull(s.gh, s.repo, plan.state.pr).catch(() => null)
}

/** The marker of an open pull request the bot wrote. */
function botMarker(s: Session, pr: PullDetail | null): PrState | null {
  return pr?.open && pr.author === s.inputs.botLogin ? decodePrMarker(pr.body) : null
}

type PullOpts = {
  plan: FoundPlan
  branch: string
  sha: string
  result: RunResult
  status: StatusComment
  commentId?: number
  /** The plan's pull request, read by the caller with nothing run since (null: it has none). */
  pull?: PullDetail | null
}

/** Creates the branch's pull request, or updates the open one keeping what its marker remembers. */
async function sendPull(s: Session, opts: PullOpts): Promise<PullRef> {
  const { plan, branch, sha, result } = opts
  // Read after the run: a fix of failed checks (run in the pull request's concurrency group, not
  // the issue's) may have written the marker meanwhile. The same read decides update or create.
  const current =
    opts.pull !== undefined ? opts.pull : plan.state.pr ? await findPull(s.gh, s.repo, plan.state.pr) : null
  // An update keeps what the pull request's marker remembers (handled feedback, fixes of failed checks).
  const prior = botMarker(s, current)
  const prState = withFindings(
    {
      ...prior,
      v: 1,
      issue: s.issue.number,
      branch,
      planPath: plan.state.planPath,
      taskHash: plan.state.taskHash,
      handled: prior?.handled ?? []
    },
    result.findings
  )
  return createOrUpdatePull(s.gh, s.repo, {
    branch,
    base: plan.state.base,
    title: `${s.issue.title} (#${s.issue.number})`,
    body: renderPrBody({
      state: prState,
      issue: s.issue.number,
      issueTitle: s.issue.title,
      branch,
      headSha: sha,
      planPath: plan.state.planPath,
      planCommentUrl: plan.comment.htmlUrl,
      result,
      serverUrl: s.ctx.serverUrl,
      repo: s.repo,
      runUrl: s.runUrl
    }),
    // A pull request whose checks fail is not ready for review: a draft, with the failure at the top.
    draft: s.inputs.draftPr || (result.verify !== undefined && !result.verify.passed),
    openNumber: current?.open ? current.number : undefined,
    bot: { login: s.inputs.botLogin, marker: '<!-- orchestrator:pr ' }
  })
}

/** The pull request for pushed, reviewed work; a failure keeps a checkpoint so only this step is repeated. */
async function openPull(s: Session, opts: PullOpts): Promise<Outputs> {
  const { branch, sha, status } = opts
  const combined = opts.result
  let plan = opts.plan
  const planCommentUrl = plan.comment.htmlUrl
  const pr = await sendPull(s, opts).catch(async (err: unknown) => {
    if (err instanceof ForeignPullError) return err
    // Everything but the pull request is done: the next /resume or /approve only opens it.
    plan = await setCheckpoint(s, plan, {
      next: 'pull-request',
      sha,
      reason: (err as Error).message.slice(0, 300),
      result: trimmed(combined)
    })
    return new PullFailed(err as Error)
  })
  if (pr instanceof PullFailed) {
    return failRun(
      s,
      status,
      `could not open the pull request: ${pr.cause.message}`,
      combined,
      branch,
      `The implementation and its review are on \`${branch}\` as ${sha.slice(0, 7)}. Comment \`/resume\` (or \`/approve\`) to open the pull request; nothing is implemented or reviewed again.`
    )
  }
  if (pr instanceof ForeignPullError) {
    return failRun(
      s,
      status,
      `${pr.message}. The new commits are on \`${branch}\`: close #${pr.number} and comment \`/approve\` for the orchestrator's own pull request`,
      combined,
      branch
    )
  }
  const { checkpoint: _done, ...rest } = plan.state
  const approved = replacePlanMarker(plan.comment.body, {
    ...rest,
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

class PullFailed {
  constructor(readonly cause: Error) {}
}

/** GitHub's timestamps have whole seconds; compare at that precision. */
function seconds(iso: string | undefined): number | null {
  const ms = iso ? Date.parse(iso) : NaN
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000)
}
