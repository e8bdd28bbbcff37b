/**
 * Start and revise: index → research → plan on the work branch, commit the
 * artifacts, push, and post the plan comment. Without required approval the
 * same run goes straight on to implementation.
 */
import * as core from '@actions/core'
import fs from 'node:fs'
import path from 'node:path'
import { updateComment } from '../../github/comments.js'
import { getPull } from '../../github/pulls.js'
import type { MaintainerAnswer, PhaseName, RunResult } from '../../engine/types.js'
import { headSha } from '../../git/git.js'
import { renderQuestionComment, resolveAnswers } from '../render/question-comment.js'
import type { StatusComment } from '../status.js'
import type { WorkBranch } from '../branch.js'
import { IndexCache } from '../index-cache.js'
import { recordedCommits } from '../plan-record.js'
import { markPlanComment, renderPlanComment } from '../render/plan-comment.js'
import type { FoundPlan, Outputs, Session } from '../session.js'
import {
  decodeQuestionMarker,
  replacePlanMarker,
  replaceQuestionMarker,
  type PlanState,
  type QuestionState
} from '../markers.js'
import { sameTask, taskHash } from '../untrusted.js'
import { failRun, refuse, underStatus } from './outcome.js'
import { describeHead, resumeBranch, startOverHint } from './resume-branch.js'
import { approvedPull, finishedPull, implementPlan } from './implement.js'
import { chooseStart, type LeftAlone } from './start-point.js'

function readArtifact(repoDir: string, rel: string | undefined): string | undefined {
  if (!rel) return undefined
  try {
    return fs.readFileSync(path.join(repoDir, rel), 'utf8')
  } catch {
    return undefined
  }
}

/** What a plan on a fresh branch says about the branch it did not reuse. */
async function leftAloneNote(s: Session, wb: WorkBranch, left: LeftAlone, pr?: number): Promise<string> {
  const why =
    left.why === 'moved'
      ? `\`${left.branch}\` is at ${await describeHead(wb, await wb.fetch(left.branch))}, which the orchestrator did not push`
      : `pull request #${pr ?? '?'} from \`${left.branch}\` was ${left.why}`
  return `This plan starts on a fresh branch, \`${wb.branch}\`, from \`${s.baseBranch}\`: ${why}. \`${left.branch}\` is left as it is.`
}

export async function startPlan(s: Session, opts: { extra: string }): Promise<Outputs> {
  const [existing, probe] = await Promise.all([s.latestPlan(), s.workBranch(s.usualBranch)])
  const [pull, heads] = await Promise.all([
    existing?.state.state === 'approved' && existing.state.pr
      ? getPull(s.gh, s.repo, existing.state.pr)
      : Promise.resolve(null),
    probe.remoteHeads(s.usualBranch)
  ])
  const start = chooseStart({
    plan: existing,
    pull: pull ? (pull.open ? 'open' : pull.merged ? 'merged' : 'closed') : null,
    defaultBranch: s.usualBranch,
    heads
  })
  if (start.kind === 'refuse') return refuse(s, start.message)
  const wb = start.branch === probe.branch ? probe : await s.workBranch(start.branch)
  const baseSha = await wb.fetch(s.baseBranch)
  const note =
    start.kind === 'base' && start.leftAlone
      ? await leftAloneNote(s, wb, start.leftAlone, existing?.state.pr)
      : undefined
  if (note) core.info(note)
  // Only a pending plan is replaced; a finished or abandoned one keeps its state.
  const replaces = existing?.state.state === 'pending' ? existing : undefined
  const onBranch = { extra: opts.extra, note, replaces }
  if (start.kind === 'continue') {
    await wb.fetch(start.branch)
    await wb.checkoutAt(start.sha)
    return planOnBranch(s, wb, {
      ...onBranch,
      phases: ['index', 'research', 'plan'],
      pushed: existing ? recordedCommits(existing.state) : []
    })
  }
  await wb.checkoutAt(baseSha)
  // The cache is keyed by the base tree: it only describes a checkout of the base itself.
  if (!s.inputs.reuseIndex) return planOnBranch(s, wb, { ...onBranch, phases: ['index', 'research', 'plan'] })

  const cache = new IndexCache(wb, s.ctx.workspace)
  const tree = await cache.treeOf(baseSha)
  const cached = await cache.lookup(tree)
  let reuse: Partial<Record<PhaseName, string[]>> | undefined
  if (cached !== null) {
    const rel = s.artifactPath('index')
    fs.mkdirSync(path.dirname(path.join(s.ctx.workspace, rel)), { recursive: true })
    fs.writeFileSync(path.join(s.ctx.workspace, rel), cached.endsWith('\n') ? cached : `${cached}\n`)
    reuse = { index: [rel] }
  }
  return planOnBranch(s, wb, {
    ...onBranch,
    phases: ['index', 'research', 'plan'],
    reuse,
    onIndexed: cached === null ? content => cache.store(tree, content, s.author) : undefined
  })
}

/**
 * /revise: a new plan on the same branch, from the previous artifacts. Also
 * after approval, as long as the pull request is open: the new plan goes on
 * top of the implementation, and its /approve updates the same pull request.
 * Feedback may be left out when the issue itself was edited since.
 */
export async function revisePlan(s: Session, opts: { feedback: string }): Promise<Outputs> {
  const existing = await s.latestPlan()
  if (existing?.state.state !== 'pending' && existing?.state.state !== 'approved') {
    return refuse(s, 'There is no plan on this issue to revise. Comment `/plan` to start.')
  }
  const edited = !sameTask(existing.state.taskHash, s.issue)
  if (!opts.feedback && !edited) return refuse(s, 'Say what should change: `/revise <feedback>`.')
  const pull = await approvedPull(s, existing)
  const finished = pull && finishedPull(pull)
  if (finished) return refuse(s, `${finished} ${startOverHint(existing.state.branch)}`)
  const wb = await s.workBranch(existing.state.branch)
  const resumed = await resumeBranch(wb, existing.state)
  if ('problem' in resumed) return refuse(s, `I won't revise the plan: ${resumed.problem}. ${startOverHint(wb.branch)}`)
  const reasons = [
    edited ? 'The issue was edited since the last plan: plan for what it says now.' : '',
    existing.state.state === 'approved'
      ? 'The branch already holds the implementation of the last plan; plan the changes from there.'
      : '',
    opts.feedback
  ]
  return planOnBranch(s, wb, {
    phases: ['plan'],
    feedback: reasons.filter(Boolean).join('\n\n'),
    previous: existing,
    replaces: existing,
    pushed: recordedCommits(existing.state)
  })
}

async function planOnBranch(
  s: Session,
  wb: WorkBranch,
  opts: {
    phases: PhaseName[]
    extra?: string
    feedback?: string
    /** The plan this one revises: its artifacts are reused, its pull request carried on. */
    previous?: FoundPlan
    /** The plan this one replaces (marked superseded once the new one is posted). */
    replaces?: FoundPlan
    /** Commits the bot recorded pushing to this branch before; the plan commit is added. */
    pushed?: string[]
    /** Said in the plan comment: why the plan is on a fresh branch. */
    note?: string
    reuse?: Partial<Record<PhaseName, string[]>>
    /** Called with a freshly written index document once the plan is pushed. */
    onIndexed?: (content: string) => Promise<void>
    /** Maintainers' answers to questions an earlier run of these phases stopped on. */
    answered?: MaintainerAnswer[]
  }
): Promise<Outputs> {
  const allPhases: PhaseName[] = s.inputs.requireApproval ? opts.phases : [...opts.phases, 'implement', 'review']
  const [status] = await Promise.all([
    s.openStatus(`Orchestrator: ${opts.previous ? 'revising the plan' : 'planning'} for #${s.issue.number}`, allPhases),
    s.labels.set('orchestrator:planning')
  ])
  return underStatus(s, status, wb.branch, () => planWithStatus(s, wb, status, opts))
}

type PlanOptions = Parameters<typeof planOnBranch>[2]

/** The phases, the plan commit and its comment, once the run's status comment is up. */
async function planWithStatus(s: Session, wb: WorkBranch, status: StatusComment, opts: PlanOptions): Promise<Outputs> {
  const result = await s.runEngine({
    phases: opts.phases,
    extra: opts.extra,
    inputs: opts.previous?.state.artifacts,
    reuse: opts.reuse,
    guidance: opts.feedback ? { plan: opts.feedback } : undefined,
    answered: opts.answered,
    status
  })
  if (result.status === 'awaiting-answer' && result.waiting)
    return waitForAnswer(s, wb, {
      result,
      status,
      extra: opts.extra ?? '',
      answered: opts.answered ?? [],
      earlier: opts.reuse,
      revision: opts.previous
        ? { planCommentId: opts.previous.comment.id, feedback: opts.feedback ?? '', pushed: opts.pushed ?? [] }
        : undefined
    })
  if (result.status === 'failed' || !result.planPath) {
    return failRun(s, status, result.error ?? 'the plan phase produced no plan', result, wb.branch)
  }
  const planSha = await s.commit(
    wb,
    `orchestrator: ${opts.previous ? 'revised ' : ''}plan for #${s.issue.number}\n\n${s.issue.title}`,
    [s.inputs.artifactsDir]
  )
  if (!planSha) return failRun(s, status, 'the plan phase wrote nothing to commit', result, wb.branch)
  const pushError = await s.push(wb, planSha)
  if (pushError) return failRun(s, status, pushError, result, wb.branch)

  const indexed = result.phases.find(p => p.name === 'index' && p.status === 'succeeded' && !p.reused)
  const indexText = readArtifact(s.ctx.workspace, indexed?.artifacts[0])
  // Saving the index for reuse is independent of the comments below: let it run alongside.
  const caching = opts.onIndexed && indexText ? opts.onIndexed(indexText) : Promise.resolve()

  const artifacts = {
    index: result.phases.find(p => p.name === 'index')?.artifacts ?? opts.previous?.state.artifacts.index ?? [],
    research: result.phases.find(p => p.name === 'research')?.artifacts ?? opts.previous?.state.artifacts.research ?? []
  }
  const state: PlanState = {
    v: 1,
    issue: s.issue.number,
    branch: wb.branch,
    base: opts.previous?.state.base ?? s.baseBranch,
    planSha,
    headSha: planSha,
    // The plan comment posted below is the record of this push.
    pushed: [...(opts.pushed ?? []).filter(c => c !== planSha), planSha],
    planPath: result.planPath,
    artifacts,
    state: 'pending',
    taskHash: taskHash(s.issue),
    // A revision after approval: its /approve updates the same pull request.
    ...(opts.previous?.state.pr ? { pr: opts.previous.state.pr } : {})
  }
  const body = renderPlanComment({
    state,
    issueTitle: s.issue.title,
    planText: readArtifact(s.ctx.workspace, result.planPath) ?? '',
    researchText: readArtifact(s.ctx.workspace, artifacts.research[0]),
    phases: result.phases,
    serverUrl: s.ctx.serverUrl,
    repo: s.repo,
    runUrl: s.runUrl,
    revisionOf: opts.previous ? opts.previous.comment.htmlUrl : undefined,
    note: opts.note,
    requireApproval: s.inputs.requireApproval
  })
  const [planComment] = await Promise.all([s.reply(body), caching])
  if (opts.replaces) {
    const superseded = replacePlanMarker(opts.replaces.comment.body, { ...opts.replaces.state, state: 'superseded' })
    const by = opts.previous ? `a revised plan` : 'a new plan'
    await updateComment(
      s.gh,
      s.repo,
      opts.replaces.comment.id,
      markPlanComment(superseded, `Superseded by [${by}](${planComment.htmlUrl}).`)
    )
  }
  const planCommentUrl = planComment.htmlUrl

  if (!s.inputs.requireApproval) {
    return implementPlan(s, { plan: { comment: planComment, state }, wb, guidance: '', status, earlier: result })
  }
  await Promise.all([
    s.labels.set('orchestrator:awaiting-approval'),
    status.finish(true, `Plan ready for review: ${planCommentUrl}`)
  ])
  return {
    status: 'awaiting-approval',
    branch: wb.branch,
    planCommentUrl,
    costUsd: result.totals.costUsd,
    result,
    ...(opts.note ? { reason: opts.note } : {})
  }
}

/**
 * Claude asked a maintainer (questions: maintainer): keep what the phases wrote
 * on the branch, post the question with its options, and wait for `/answer`.
 */
async function waitForAnswer(
  s: Session,
  wb: WorkBranch,
  opts: {
    result: RunResult
    status: StatusComment
    extra: string
    answered: MaintainerAnswer[]
    earlier?: Partial<Record<PhaseName, string[]>>
    revision?: QuestionState['revision']
  }
): Promise<Outputs> {
  const waiting = opts.result.waiting as NonNullable<RunResult['waiting']>
  const sha =
    (await s.commit(wb, `orchestrator: documents so far for #${s.issue.number} (waiting for an answer)`, [
      s.inputs.artifactsDir
    ])) ?? (await headSha(s.ctx.workspace))
  if (!sha) return failRun(s, opts.status, 'the work branch has no commit to keep', opts.result, wb.branch)
  const pushError = await s.push(wb, sha)
  if (pushError) return failRun(s, opts.status, pushError, opts.result, wb.branch)
  const artifacts: Partial<Record<PhaseName, string[]>> = { ...opts.earlier }
  for (const p of opts.result.phases)
    if (p.status === 'succeeded' && p.artifacts.length) artifacts[p.name] = p.artifacts
  const state: QuestionState = {
    v: 1,
    issue: s.issue.number,
    phase: waiting.phase,
    questions: waiting.questions,
    headSha: sha,
    artifacts,
    extra: opts.extra,
    answered: opts.answered,
    branch: wb.branch,
    ...(opts.revision ? { revision: opts.revision } : {}),
    state: 'pending'
  }
  const comment = await s.reply(renderQuestionComment(state, s.runUrl))
  await Promise.all([
    s.labels.set('orchestrator:awaiting-answer'),
    opts.status.finish(true, `Waiting for a maintainer's answer: ${comment.htmlUrl}`)
  ])
  return {
    status: 'awaiting-answer',
    branch: wb.branch,
    costUsd: opts.result.totals.costUsd,
    result: opts.result,
    reason: 'Claude asked a question for a maintainer'
  }
}

/** `/answer`: the run that stopped on a question goes on from the phase that asked, with the answer. */
export async function answerQuestion(s: Session, opts: { answer: string; actor: string }): Promise<Outputs> {
  const comments = await s.issueComments()
  const found = [...comments].reverse().find(c => c.login === s.inputs.botLogin && decodeQuestionMarker(c.body))
  const state = found && decodeQuestionMarker(found.body)
  if (!found || !state || state.state !== 'pending') {
    return refuse(
      s,
      'No question is waiting for an answer on this issue. `/answer` replies to the question comment the orchestrator posts when Claude asks a maintainer.'
    )
  }
  const answers = resolveAnswers(state.questions, opts.answer)
  if (!answers) {
    return refuse(
      s,
      state.questions.length > 1
        ? `Answer all ${state.questions.length} questions of [the question](${found.htmlUrl}), one line each: \`/answer\` then the answers in order.`
        : `Say the answer: \`/answer <number>\` for an option of [the question](${found.htmlUrl}), or \`/answer <your own words>\`.`
    )
  }
  // A /revise that asked goes on as that revision, of the plan it revises.
  const previous = state.revision ? await s.latestPlan() : undefined
  if (state.revision && previous?.comment.id !== state.revision.planCommentId)
    return refuse(s, 'A newer plan was posted since this question: comment `/revise` on it instead.')
  const wb = await s.workBranch(state.branch ?? s.usualBranch)
  const resumed = await resumeBranch(wb, { headSha: state.headSha })
  if ('problem' in resumed)
    return refuse(s, `I can't go on from the question: ${resumed.problem}. ${startOverHint(wb.branch)}`)
  const given = state.questions.map((q, i) => ({
    phase: state.phase,
    question: q.question,
    answer: answers[i] as string
  }))
  const note = `Answered by ${opts.actor}: ${given.map(g => `“${g.answer}”`).join(', ')}.`
  await updateComment(
    s.gh,
    s.repo,
    found.id,
    markPlanComment(replaceQuestionMarker(found.body, { ...state, state: 'answered' }), note)
  )
  const order: PhaseName[] = ['index', 'research', 'plan']
  const from = order.indexOf(state.phase)
  const reuse = Object.fromEntries(
    order
      .slice(0, from)
      .filter(p => state.artifacts[p]?.length)
      .map(p => [p, state.artifacts[p] as string[]])
  )
  return planOnBranch(s, wb, {
    phases: order.slice(Math.max(0, from)),
    extra: state.extra,
    reuse,
    answered: [...state.answered, ...given],
    ...(state.revision && previous
      ? { feedback: state.revision.feedback, previous, replaces: previous, pushed: state.revision.pushed }
      : {})
  })
}
