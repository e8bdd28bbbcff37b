/**
 * Start and revise: index → research → plan on the work branch, commit the
 * documents, push, and post the plan comment. Without required approval the
 * same run goes straight on to implementation.
 */
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
import { markPlanComment, renderPlanComment } from '../render/plan-comment.js'
import type { FoundPlan, Outputs, Session } from '../session.js'
import { decodeQuestionMarker, replacePlanMarker, replaceQuestionMarker, type PlanState, type QuestionState } from '../state.js'
import { taskHash } from '../untrusted.js'
import { failRun, refuse } from './outcome.js'
import { resumeBranch } from './resume-branch.js'
import { implementPlan } from './implement.js'

function readDoc(repoDir: string, rel: string | undefined): string | undefined {
  if (!rel) return undefined
  try {
    return fs.readFileSync(path.join(repoDir, rel), 'utf8')
  } catch {
    return undefined
  }
}

/** Where a new plan starts: the base branch, or the bot's own branch if one is left from earlier. */
async function startingPoint(s: Session, wb: WorkBranch): Promise<{ sha: string; baseSha: string } | { refusal: string }> {
  const [baseSha, remote] = await Promise.all([wb.fetch(s.baseBranch), wb.remoteHead()])
  if (!remote) return { sha: baseSha, baseSha }
  const head = await wb.fetch(s.branchName)
  const foreign = await wb.foreignCommits(`refs/remotes/origin/${s.baseBranch}`, head, s.inputs.commitAuthorEmail)
  if (foreign.length) {
    return {
      refusal:
        `The branch \`${s.branchName}\` already exists with ${foreign.length} commit(s) the orchestrator did not make ` +
        `(${foreign.map((c) => c.slice(0, 7)).join(', ')}). I won't overwrite them: delete or rename the branch, then try again.`
    }
  }
  return { sha: head, baseSha }
}

export async function startPlan(s: Session, opts: { extra: string }): Promise<Outputs> {
  const [existing, wb] = await Promise.all([s.latestPlan(), s.workBranch()])
  if (existing?.state.state === 'pending') {
    return refuse(s, `This issue already has [a plan awaiting approval](${existing.comment.htmlUrl}). Reply \`/approve\` to implement it or \`/revise <feedback>\` for a new one.`)
  }
  if (existing?.state.state === 'approved' && existing.state.pr && (await getPull(s.gh, s.repo, existing.state.pr)).open) {
    return refuse(
      s,
      `This issue already has pull request #${existing.state.pr}. Comment \`/approve\` to run the implementation again, or close the pull request and delete the branch \`${s.branchName}\` to start over.`
    )
  }
  const start = await startingPoint(s, wb)
  if ('refusal' in start) return refuse(s, start.refusal)
  await wb.checkoutAt(start.sha)
  // The cache is keyed by the base tree: it only describes a checkout of the base itself.
  if (!s.inputs.reuseIndex || start.sha !== start.baseSha) return planOnBranch(s, wb, { phases: ['index', 'research', 'plan'], extra: opts.extra })

  const cache = new IndexCache(wb, s.ctx.workspace)
  const tree = await cache.treeOf(start.baseSha)
  const cached = await cache.lookup(tree)
  let reuse: Partial<Record<PhaseName, string[]>> | undefined
  if (cached !== null) {
    const rel = s.documentPath('index')
    fs.mkdirSync(path.dirname(path.join(s.ctx.workspace, rel)), { recursive: true })
    fs.writeFileSync(path.join(s.ctx.workspace, rel), cached.endsWith('\n') ? cached : `${cached}\n`)
    reuse = { index: [rel] }
  }
  return planOnBranch(s, wb, {
    phases: ['index', 'research', 'plan'],
    extra: opts.extra,
    reuse,
    onIndexed: cached === null ? (content) => cache.store(tree, content, s.author) : undefined
  })
}

export async function revisePlan(s: Session, opts: { feedback: string }): Promise<Outputs> {
  if (!opts.feedback) return refuse(s, 'Say what should change: `/revise <feedback>`.')
  const existing = await s.latestPlan()
  if (existing?.state.state !== 'pending') {
    return refuse(s, 'There is no plan awaiting approval on this issue, so there is nothing to revise. Add the trigger label or comment `/plan` to start.')
  }
  const wb = await s.workBranch()
  const resumed = await resumeBranch(s, wb, existing.state.headSha)
  if ('problem' in resumed) {
    return refuse(s, `I won't revise the plan: ${resumed.problem}. Remove those commits, or delete the branch and comment \`/plan\` to start over.`)
  }
  return planOnBranch(s, wb, { phases: ['plan'], feedback: opts.feedback, previous: existing })
}

async function planOnBranch(
  s: Session,
  wb: WorkBranch,
  opts: {
    phases: PhaseName[]
    extra?: string
    feedback?: string
    previous?: FoundPlan
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

  const result = await s.runEngine({
    phases: opts.phases,
    extra: opts.extra,
    inputs: opts.previous?.state.documents,
    reuse: opts.reuse,
    guidance: opts.feedback ? { plan: opts.feedback } : undefined,
    answered: opts.answered,
    status
  })
  if (result.status === 'awaiting-answer' && result.waiting) return waitForAnswer(s, wb, { result, status, extra: opts.extra ?? '', answered: opts.answered ?? [], earlier: opts.reuse })
  if (result.status === 'failed' || !result.planPath) {
    return failRun(s, status, result.error ?? 'the plan phase produced no plan', result)
  }
  const planSha = await s.commit(wb, `orchestrator: ${opts.previous ? 'revised ' : ''}plan for #${s.issue.number}\n\n${s.issue.title}`, [
    s.inputs.artifactsDir
  ])
  if (!planSha) return failRun(s, status, 'the plan phase wrote nothing to commit', result)
  const pushError = await s.push(wb, planSha)
  if (pushError) return failRun(s, status, pushError, result)

  const indexed = result.phases.find((p) => p.name === 'index' && p.status === 'succeeded' && !p.reused)
  const indexText = readDoc(s.ctx.workspace, indexed?.artifacts[0])
  // Saving the index for reuse is independent of the comments below: let it run alongside.
  const caching = opts.onIndexed && indexText ? opts.onIndexed(indexText) : Promise.resolve()

  const documents = {
    index: result.phases.find((p) => p.name === 'index')?.artifacts ?? opts.previous?.state.documents.index ?? [],
    research: result.phases.find((p) => p.name === 'research')?.artifacts ?? opts.previous?.state.documents.research ?? []
  }
  const state: PlanState = {
    v: 1,
    issue: s.issue.number,
    branch: s.branchName,
    base: s.baseBranch,
    planSha,
    headSha: planSha,
    planPath: result.planPath,
    documents,
    state: 'pending',
    taskHash: taskHash(s.issue)
  }
  const body = renderPlanComment({
    state,
    issueTitle: s.issue.title,
    planText: readDoc(s.ctx.workspace, result.planPath) ?? '',
    researchText: readDoc(s.ctx.workspace, documents.research[0]),
    phases: result.phases,
    serverUrl: s.ctx.serverUrl,
    repo: s.repo,
    runUrl: s.runUrl,
    revisionOf: opts.previous ? opts.previous.comment.htmlUrl : undefined,
    requireApproval: s.inputs.requireApproval
  })
  const [planComment] = await Promise.all([s.reply(body), caching])
  if (opts.previous) {
    const superseded = replacePlanMarker(opts.previous.comment.body, { ...opts.previous.state, state: 'superseded' })
    await updateComment(s.gh, s.repo, opts.previous.comment.id, markPlanComment(superseded, `Superseded by [a revised plan](${planComment.htmlUrl}).`))
  }
  const planCommentUrl = planComment.htmlUrl

  if (!s.inputs.requireApproval) {
    return implementPlan(s, { plan: { comment: planComment, state }, base: planSha, guidance: '', status, earlier: result })
  }
  await Promise.all([s.labels.set('orchestrator:awaiting-approval'), status.finish(true, `Plan ready for review: ${planCommentUrl}`)])
  return { status: 'awaiting-approval', branch: s.branchName, planCommentUrl, costUsd: result.totals.costUsd, result }
}

/**
 * Claude asked a maintainer (questions: maintainer): keep what the phases wrote
 * on the branch, post the question with its options, and wait for `/answer`.
 */
async function waitForAnswer(
  s: Session,
  wb: WorkBranch,
  opts: { result: RunResult; status: StatusComment; extra: string; answered: MaintainerAnswer[]; earlier?: Partial<Record<PhaseName, string[]>> }
): Promise<Outputs> {
  const waiting = opts.result.waiting as NonNullable<RunResult['waiting']>
  const sha = (await s.commit(wb, `orchestrator: documents so far for #${s.issue.number} (waiting for an answer)`, [s.inputs.artifactsDir])) ?? (await headSha(s.ctx.workspace))
  if (!sha) return failRun(s, opts.status, 'the work branch has no commit to keep', opts.result)
  const pushError = await s.push(wb, sha)
  if (pushError) return failRun(s, opts.status, pushError, opts.result)
  const documents: Partial<Record<PhaseName, string[]>> = { ...opts.earlier }
  for (const p of opts.result.phases) if (p.status === 'succeeded' && p.artifacts.length) documents[p.name] = p.artifacts
  const state: QuestionState = {
    v: 1,
    issue: s.issue.number,
    phase: waiting.phase,
    questions: waiting.questions,
    headSha: sha,
    documents,
    extra: opts.extra,
    answered: opts.answered,
    state: 'pending'
  }
  const comment = await s.reply(renderQuestionComment(state, s.runUrl))
  await Promise.all([s.labels.set('orchestrator:awaiting-answer'), opts.status.finish(true, `Waiting for a maintainer's answer: ${comment.htmlUrl}`)])
  return { status: 'awaiting-answer', branch: s.branchName, costUsd: opts.result.totals.costUsd, result: opts.result, reason: 'Claude asked a question for a maintainer' }
}

/** `/answer`: the run that stopped on a question goes on from the phase that asked, with the answer. */
export async function answerQuestion(s: Session, opts: { answer: string; actor: string }): Promise<Outputs> {
  const comments = await s.issueComments()
  const found = [...comments].reverse().find((c) => c.login === s.inputs.botLogin && decodeQuestionMarker(c.body))
  const state = found && decodeQuestionMarker(found.body)
  if (!found || !state || state.state !== 'pending') {
    return refuse(s, 'No question is waiting for an answer on this issue. `/answer` replies to the question comment the orchestrator posts when Claude asks a maintainer.')
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
  const wb = await s.workBranch()
  const resumed = await resumeBranch(s, wb, state.headSha)
  if ('problem' in resumed) return refuse(s, `I can't go on from the question: ${resumed.problem}. Comment \`/plan\` to start over.`)
  const given = state.questions.map((q, i) => ({ phase: state.phase, question: q.question, answer: answers[i] as string }))
  const note = `Answered by ${opts.actor}: ${given.map((g) => `“${g.answer}”`).join(', ')}.`
  await updateComment(s.gh, s.repo, found.id, markPlanComment(replaceQuestionMarker(found.body, { ...state, state: 'answered' }), note))
  const order: PhaseName[] = ['index', 'research', 'plan']
  const from = order.indexOf(state.phase)
  const reuse = Object.fromEntries(order.slice(0, from).filter((p) => state.documents[p]?.length).map((p) => [p, state.documents[p] as string[]]))
  return planOnBranch(s, wb, { phases: order.slice(Math.max(0, from)), extra: state.extra, reuse, answered: [...state.answered, ...given] })
}
