/**
 * Each flow's rules, run whole in process (test/support/flow-world.ts): a real
 * Session against the fake GitHub server and a bare origin, with a scripted
 * engine where Claude would run. Which refusal says what, what a failure keeps
 * and says, which comment, label and pull request call each step makes.
 */
import { describe, expect, it } from '@jest/globals'
import { cancelPlan } from '../../../src/action/flows/cancel.js'
import { fixPullRequest } from '../../../src/action/flows/fix.js'
import { approvePlan, resumeRun } from '../../../src/action/flows/implement.js'
import { answerQuestion, revisePlan, startPlan } from '../../../src/action/flows/plan.js'
import type { Session } from '../../../src/action/session.js'
import { decodePlanMarker, encodePlanMarker, encodePrMarker, type PlanState } from '../../../src/action/markers.js'
import {
  botComments,
  botPull,
  branchOf,
  git,
  lastReply,
  MAINTAINER,
  type On,
  originHead,
  originLog,
  planComment,
  planComments,
  pushCommit,
  session,
  stateLabels,
  statusComments,
  useFlowWorld
} from '../../support/flow-world.js'

const w = useFlowWorld()
const branch = () => branchOf(w)
/** An /approve comment: written `ago` ms before now, with its own id unless given. */
let nextComment = 900
const approve = (opts: { s?: Session; id?: number; ago?: number; guidance?: string } = {}) =>
  approvePlan(opts.s ?? session(w), {
    guidance: opts.guidance ?? '',
    commentId: opts.id ?? ++nextComment,
    commentCreatedAt: new Date(Date.now() - (opts.ago ?? 0)).toISOString()
  })
const plan = () => startPlan(session(w), { extra: '' })
/** A plan awaiting approval, as a /plan run leaves it (without running one: see describe('/plan')). */
function pendingPlan(): PlanState {
  return planComment(w, { planSha: pushCommit(w, w.main, branch(), `orchestrator: plan for #${w.issue.number}`) })
}
/** Makes a comment `ms` older, as if time had passed since it was posted. */
function backdate(id: number, ms: number): void {
  const c = w.server.state.comments.get(id)!
  c.created_at = new Date(Date.parse(c.created_at) - ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
const latestPlanState = () => decodePlanMarker(planComments(w).at(-1)?.body)

describe('/plan', () => {
  it('plans on the usual branch: one plan commit pushed, the plan comment, the awaiting-approval label', async () => {
    const out = await plan()
    expect(out).toMatchObject({ status: 'awaiting-approval', branch: branch() })
    expect(originLog(w, branch())).toEqual([`orchestrator: plan for #${w.issue.number}`, 'initial'])
    expect(latestPlanState()).toMatchObject({ state: 'pending', branch: branch(), planSha: originHead(w, branch()) })
    expect(out.planCommentUrl).toBe(planComments(w)[0]?.html_url)
    expect(stateLabels(w)).toEqual(['orchestrator:awaiting-approval'])
    expect(statusComments(w)).toHaveLength(1)
    expect(statusComments(w)[0]?.body).toContain('Plan ready for review')
    expect(w.claude.requests.map(r => r.phases)).toEqual([['index', 'research', 'plan']])
  })

  it('labelling again while a plan waits points to it and plans nothing', async () => {
    await plan()
    const pending = planComments(w)[0]!
    const out = await plan()
    expect(out.status).toBe('refused')
    expect(lastReply(w)).toContain(
      `[a plan awaiting approval](https://github.com/acme/widgets/issues/${w.issue.number}#issuecomment-${pending.id})`
    )
    expect(planComments(w)).toHaveLength(1)
    expect(w.claude.requests).toHaveLength(1)
  })

  it("leaves a work branch with someone else's commits alone, plans on a fresh branch and says so; /approve builds there", async () => {
    const foreign = pushCommit(w, w.main, branch(), 'Contributor notes', {
      name: 'Casey Contributor',
      email: 'casey@example.com'
    })
    const out = await plan()
    const fresh = `${branch()}-2`
    expect(out.branch).toBe(fresh)
    expect(originLog(w, fresh)).toEqual([`orchestrator: plan for #${w.issue.number}`, 'initial'])
    expect(planComments(w)[0]?.body).toContain(
      `_This plan starts on a fresh branch, \`${fresh}\`, from \`main\`: \`${branch()}\` is at ${foreign.slice(0, 7)} ("Contributor notes" by Casey Contributor), which the orchestrator did not push. \`${branch()}\` is left as it is._`
    )
    expect((await approve()).status).toBe('pr-opened')
    expect([...w.server.state.pulls.values()][0]).toMatchObject({ head: fresh, base: 'main' })
    expect(originHead(w, branch())).toBe(foreign)
  })

  it('after the pull request was merged, starts a fresh branch from main, says so, and leaves the old branch alone', async () => {
    expect((await startPlan(session(w, w.issue, { requireApproval: false }), { extra: '' })).status).toBe('pr-opened')
    const pr = [...w.server.state.pulls.values()][0]!
    Object.assign(pr, { state: 'closed', merged: true })
    const old = originHead(w, branch())

    const out = await startPlan(session(w), { extra: 'Now also log rejected requests.' })
    const fresh = `${branch()}-2`
    expect(out).toMatchObject({ status: 'awaiting-approval', branch: fresh })
    expect(originLog(w, fresh)).toEqual([`orchestrator: plan for #${w.issue.number}`, 'initial'])
    expect(originHead(w, branch())).toBe(old)
    expect(latestPlanState()).toMatchObject({ branch: fresh, state: 'pending' })
    expect(planComments(w).at(-1)?.body).toContain(
      `This plan starts on a fresh branch, \`${fresh}\`, from \`main\`: pull request #${pr.number} from \`${branch()}\` was merged.`
    )
    expect(w.claude.requests.at(-1)?.extra).toBe('Now also log rejected requests.')
  })

  it('leaves exactly one status comment when GitHub created it but its answer was lost', async () => {
    w.server.injectFault({
      method: 'POST',
      operation: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 502,
      afterWrite: true
    })
    expect((await plan()).status).toBe('awaiting-approval')
    expect(statusComments(w)).toHaveLength(1)
    // The one there is the one the run kept editing: it shows the finished checklist.
    expect(statusComments(w)[0]?.body).toMatch(/✅ Plan ready for review/)
  })
})

describe('/approve', () => {
  it('refuses without a plan, naming the label and /plan', async () => {
    expect((await approve()).status).toBe('refused')
    expect(lastReply(w)).toBe(
      'There is no plan on this issue to approve yet. Add the trigger label or comment `/plan` to get one.'
    )
    expect(w.log).toContain(`Refused: ${lastReply(w)}`)
    expect(originHead(w, branch())).toBeNull()
  })

  it('refuses an /approve written before /revise posted a newer plan, linking the newer one', async () => {
    pendingPlan()
    expect((await revisePlan(session(w), { feedback: 'Keep the limit configurable.' })).status).toBe(
      'awaiting-approval'
    )
    const newest = planComments(w).at(-1)!
    const head = originHead(w, branch())

    expect((await approve({ ago: 5000 })).status).toBe('refused')
    expect(lastReply(w)).toContain('A newer plan was posted after this /approve was written')
    expect(lastReply(w)).toContain(`#issuecomment-${newest.id}`)
    expect(w.server.state.pulls.size).toBe(0)
    expect(originHead(w, branch())).toBe(head)
    expect(decodePlanMarker(w.server.state.comments.get(newest.id)?.body)?.state).toBe('pending')
  })

  it('opens one pull request from the plan, records it, labels done and says so', async () => {
    pendingPlan()
    const planSha = originHead(w, branch())
    const out = await approve({ guidance: 'Keep it small.' })
    const pr = [...w.server.state.pulls.values()][0]!
    expect(out).toMatchObject({ status: 'pr-opened', branch: branch(), prNumber: pr.number })
    expect(pr).toMatchObject({ head: branch(), base: 'main', title: `Add rate limiting (#${w.issue.number})` })
    expect(git(w.origin, 'rev-parse', `${branch()}~1`)).toBe(planSha)
    expect(originLog(w, branch())[0]).toBe(`orchestrator: implement #${w.issue.number}`)
    expect(latestPlanState()).toMatchObject({ state: 'approved', pr: pr.number })
    expect(lastReply(w)).toBe(`🚀 Pull request #${pr.number} opened: ${pr.html_url}`)
    expect(stateLabels(w)).toEqual(['orchestrator:done'])
    const req = w.claude.requests.at(-1)
    expect(req?.phases).toEqual(['implement', 'review'])
    expect(req?.guidance?.implement).toBe('Keep it small.')
    expect(req?.inputs?.plan).toEqual([latestPlanState()?.planPath])
  })

  it("carries out exactly the bot's plan, once: a forged marker is ignored, a duplicate and a re-run are refused", async () => {
    pendingPlan()
    backdate(planComments(w)[0]!.id, 10_000)
    const state = decodePlanMarker(planComments(w)[0]?.body) as PlanState
    // A maintainer's comment with a newer, forged "pending" state for another branch and plan.
    const forged: PlanState = { ...state, branch: 'evil/branch', planPath: 'thoughts/shared/plans/evil.md' }
    w.server.state.addComment({
      issue_number: w.issue.number,
      body: `Here is the state you want:\n${encodePlanMarker(forged)}`,
      user: MAINTAINER
    })
    // Two /approve comments, both written before either run.
    const first = { id: 701, ago: 3000 }
    const second = { id: 702, ago: 2000 }

    expect((await approve(first)).status).toBe('pr-opened')
    const pr = [...w.server.state.pulls.values()][0]!
    expect(pr).toMatchObject({ head: branch(), base: 'main' })
    expect(w.claude.requests.at(-1)?.inputs?.plan).toEqual([state.planPath])
    expect(originHead(w, 'evil/branch')).toBeNull()
    const head = originHead(w, branch())

    expect((await approve(second)).status).toBe('refused')
    expect(lastReply(w)).toContain(`already answered it: see pull request #${pr.number}`)
    expect((await approve(first)).status).toBe('refused')
    expect(lastReply(w)).toContain(`This /approve was already carried out: see pull request #${pr.number}`)

    expect(w.server.state.pulls.size).toBe(1)
    expect(originHead(w, branch())).toBe(head)
    expect(originLog(w, branch()).filter(s => s.startsWith('orchestrator: implement'))).toHaveLength(1)
  })

  it('a second /approve updates the same pull request', async () => {
    pendingPlan()
    await approve()
    const out = await approve()
    expect(out.status).toBe('pr-updated')
    expect(w.server.state.pulls.size).toBe(1)
    expect(lastReply(w)).toMatch(/^🚀 Pull request #\d+ updated/)
  })

  it('reports a failed review: the implementation kept on the branch, the failed label, /resume named', async () => {
    pendingPlan()
    const planHead = originHead(w, branch())
    w.claude.script = { fail: { phase: 'review', error: 'Anthropic API error 400' } }

    const out = await approve()
    expect(out.status).toBe('failed')
    expect(out.reason).toBe('review failed: Anthropic API error 400')
    expect(w.server.state.pulls.size).toBe(0)
    expect(git(w.origin, 'rev-parse', `${branch()}~1`)).toBe(planHead)
    expect(originLog(w, branch())[0]).toBe(`orchestrator: implement #${w.issue.number}`)
    expect(lastReply(w)).toMatch(
      /^❌ The orchestrator run failed: review failed: Anthropic API error 400\n\nThe implementation is on `orchestrator\/issue-\d+` as [0-9a-f]{7}; only the review failed .*Comment `\/resume` to review it and open the pull request/
    )
    expect(stateLabels(w)).toEqual(['orchestrator:failed'])
    const status = statusComments(w).at(-1)?.body ?? ''
    expect(status).toMatch(/✅ \*\*implement\*\*/)
    expect(status).toMatch(/❌ \*\*review\*\*.*Anthropic API error 400/)

    // /resume reviews what was kept and opens the pull request; implement does not run again.
    w.claude.script = {}
    expect((await resumeRun(session(w), { guidance: '', commentId: 990 })).status).toBe('pr-opened')
    expect(w.claude.requests.at(-1)?.phases).toEqual(['review'])
  })

  it('keeps the reviewed work when the pull request cannot be created; /approve or /resume then only opens it', async () => {
    pendingPlan()
    w.server.injectFault({
      method: 'POST',
      operation: '/repos/{owner}/{repo}/pulls',
      status: 403,
      body: { message: 'GitHub Actions is not permitted to create or approve pull requests.' },
      times: 2
    })
    expect((await approve()).status).toBe('failed')
    const pushedHead = originHead(w, branch())
    expect(lastReply(w)).toMatch(
      /The implementation and its review are on `orchestrator\/issue-\d+` as [0-9a-f]{7}\. Comment `\/resume` \(or `\/approve`\) to open the pull request; nothing is implemented or reviewed again\./
    )
    // The failure names the request GitHub refused, not only its message.
    expect(lastReply(w)).toContain(
      'POST /repos/acme/widgets/pulls: 403 GitHub Actions is not permitted to create or approve pull requests.'
    )
    const requests = w.claude.requests.length

    // The second attempt is refused by GitHub too: still nothing runs again.
    expect((await resumeRun(session(w), { guidance: '', commentId: 991 })).status).toBe('failed')
    expect((await approve()).status).toBe('pr-opened')
    expect(w.claude.requests).toHaveLength(requests)
    expect(originHead(w, branch())).toBe(pushedHead)
    expect(originLog(w, branch())[0]).toBe(`orchestrator: implement #${w.issue.number}`)
  })

  it('keeps that checkpoint in a plan comment a long plan already fills, so the next run still only opens the pull request', async () => {
    pendingPlan()
    const comment = w.server.state.comments.get(planComments(w)[0]!.id)!
    comment.body += `\n\n${'A long plan step. '.repeat(3000)}`
    w.claude.script = {
      findings: Array.from({ length: 30 }, (_, i) => ({
        severity: 'minor' as const,
        title: `Finding ${i}`,
        detail: `Why it matters, at length. `.repeat(15),
        file: 'src/a.ts',
        line: null
      }))
    }
    w.server.injectFault({ method: 'POST', operation: '/repos/{owner}/{repo}/pulls', status: 403, times: 1 })
    expect((await approve()).status).toBe('failed')
    expect(latestPlanState()?.checkpoint?.next).toBe('pull-request')
    const requests = w.claude.requests.length
    expect((await approve()).status).toBe('pr-opened')
    expect(w.claude.requests).toHaveLength(requests)
  })

  it("leaves a person's pull request from the bot's branch untouched, and says how to go on", async () => {
    pendingPlan()
    const human = w.server.state.addPull({
      head: branch(),
      base: 'main',
      title: 'My own take',
      body: 'Hand-written description',
      user: MAINTAINER
    })
    expect((await approve()).status).toBe('failed')
    expect(w.server.state.pulls.get(human.number)).toMatchObject({
      title: 'My own take',
      body: 'Hand-written description'
    })
    expect(w.server.state.pulls.size).toBe(1)
    expect(lastReply(w)).toContain(
      `pull request #${human.number} from this branch was opened by maintainer-mia, not by the orchestrator; it was left unchanged`
    )
    expect(lastReply(w)).toContain(`close #${human.number} and comment \`/approve\``)
    // The implementation is not lost: it is on the branch.
    expect(originLog(w, branch())[0]).toBe(`orchestrator: implement #${w.issue.number}`)
  })
})

describe('/cancel', () => {
  it('stops waiting: the plan comment and labels say so, and /approve is then refused', async () => {
    pendingPlan()
    const out = await cancelPlan(session(w), MAINTAINER)
    expect(out).toEqual({ status: 'cancelled', branch: branch() })
    expect(latestPlanState()?.state).toBe('cancelled')
    expect(planComments(w)[0]?.body).toContain(`Cancelled by ${MAINTAINER}.`)
    expect(stateLabels(w)).toEqual([])
    expect(lastReply(w)).toBe(
      `🛑 Cancelled: the plan will not be implemented. The branch \`${branch()}\` is left as it is. Comment \`/plan\` to start over.`
    )

    expect((await approve()).status).toBe('refused')
    expect(lastReply(w)).toContain('was cancelled; there is nothing to approve')
    expect(w.server.state.pulls.size).toBe(0)
  })

  it('refuses when no plan waits', async () => {
    expect((await cancelPlan(session(w), MAINTAINER)).status).toBe('refused')
    expect(lastReply(w)).toBe('There is no plan awaiting approval on this issue, so there is nothing to cancel.')
  })
})

describe('/fix', () => {
  /** The bot's pull request for the world's issue, as an approved run leaves it. */
  function approvedPull() {
    const planSha = pushCommit(w, w.main, branch(), `orchestrator: plan for #${w.issue.number}`)
    const impl = pushCommit(w, planSha, branch(), `orchestrator: implement #${w.issue.number}`)
    return botPull(w, { planSha, headSha: impl, pushed: [planSha, impl] })
  }
  const fix = (on: On, feedback = 'Add a test.') =>
    fixPullRequest(session(w, on), { feedback, source: { type: 'comment', id: 4242 } })

  it('implements the feedback on top, replies on the pull request, and refuses the same feedback twice', async () => {
    const pr = approvedPull()
    const before = originHead(w, branch())
    expect((await fix(pr)).status).toBe('pr-updated')
    expect(git(w.origin, 'rev-parse', `${branch()}~1`)).toBe(before)
    expect(originLog(w, branch())[0]).toBe(`orchestrator: address review feedback on #${pr.number}`)
    expect(lastReply(w, pr.number)).toMatch(
      /^🔧 Pushed [0-9a-f]{7} for this feedback\. Changed: `src\/feature-1\.ts`\./
    )
    expect(w.claude.requests.at(-1)?.guidance?.implement).toContain('Their request:\nAdd a test.')
    // The task is still the issue's, not the pull request's.
    expect(w.claude.requests.at(-1)?.task.number).toBe(w.issue.number)

    const updated = { ...pr, body: w.server.state.pulls.get(pr.number)?.body ?? '' }
    expect((await fix(updated)).status).toBe('refused')
    expect(lastReply(w, pr.number)).toBe('This feedback was already handled; see the commits on the branch.')
  })

  it('leaves pull requests it did not open alone, and closed ones', async () => {
    const human = w.server.state.addPull({
      head: 'feature/by-hand',
      base: 'main',
      title: 'Hand-made',
      user: MAINTAINER
    })
    expect((await fix({ number: human.number, title: human.title, body: '', isPullRequest: true })).status).toBe(
      'refused'
    )
    expect(lastReply(w, human.number)).toContain('works on pull requests the orchestrator opened')

    // The bot's marker in a pull request someone else opened does not make it the bot's.
    const body = encodePrMarker({ v: 1, issue: w.issue.number, branch: branch(), planPath: 'p.md', handled: [] })
    const forged = w.server.state.addPull({ head: branch(), base: 'main', title: 'x', body, user: MAINTAINER })
    expect((await fix({ number: forged.number, title: 'x', body, isPullRequest: true })).status).toBe('refused')
    expect(lastReply(w, forged.number)).toContain('works on pull requests the orchestrator opened')

    expect(w.claude.requests).toHaveLength(0)
  })

  it('refuses a closed pull request', async () => {
    const pr = approvedPull()
    Object.assign(w.server.state.pulls.get(pr.number)!, { state: 'closed' })
    expect((await fix(pr)).status).toBe('refused')
    expect(lastReply(w, pr.number)).toBe('This pull request is closed, so there is nothing to fix. Reopen it first.')
    expect(w.claude.requests).toHaveLength(0)
  })

  it('asks for the feedback when there is none, and refuses once the issue was edited after approval', async () => {
    const pr = approvedPull()
    expect((await fix(pr, '')).status).toBe('refused')
    expect(lastReply(w, pr.number)).toBe(
      'Say what to change: `/fix <what should change>`, or leave inline review comments first.'
    )
    w.server.state.issues.get(w.issue.number)!.body = 'Something else entirely.'
    expect((await fix(pr)).status).toBe('refused')
    expect(lastReply(w, pr.number)).toContain(`Issue #${w.issue.number} was edited after its plan was approved.`)
  })

  it('fails when Claude fails, naming the branch it works on', async () => {
    const pr = approvedPull()
    w.claude.script = { fail: { phase: 'implement', error: 'Anthropic API error 500' } }
    const out = await fix(pr)
    expect(out).toMatchObject({ status: 'failed', branch: branch() })
    expect(lastReply(w, pr.number)).toMatch(
      /^❌ The orchestrator run failed: implement failed: Anthropic API error 500/
    )
    expect(stateLabels(w, pr.number)).toEqual(['orchestrator:failed'])
  })
})

describe('a flow that breaks after its status comment', () => {
  it('closes the status comment, says what broke and that nothing was pushed, and labels the issue failed', async () => {
    const crashing = () => Promise.reject(new Error('the sandbox runtime crashed'))
    const out = await startPlan(session(w, w.issue, {}, crashing), { extra: '' })
    expect(out).toMatchObject({ status: 'failed', reason: 'the sandbox runtime crashed', branch: branch() })
    expect(statusComments(w).at(-1)?.body).toContain('Failed: the sandbox runtime crashed')
    expect(lastReply(w)).toMatch(
      /^❌ The orchestrator run failed: the sandbox runtime crashed\n\nNothing was pushed from the failed step\./
    )
    expect(stateLabels(w)).toEqual(['orchestrator:failed'])
    expect(botComments(w)).toHaveLength(2)
  })
})

describe('/answer', () => {
  const ask = { phase: 'plan' as const, question: 'Per key or per IP?', options: ['Per key', 'Per IP'] }
  const answer = () => answerQuestion(session(w), { answer: '1', actor: MAINTAINER })

  it('goes on on the branch the question was asked on, also a fresh one', async () => {
    pushCommit(w, w.main, branch(), 'Contributor notes', { name: 'Casey Contributor', email: 'casey@example.com' })
    w.claude.script = { ask }
    const fresh = `${branch()}-2`
    expect(await plan()).toMatchObject({ status: 'awaiting-answer', branch: fresh })
    const out = await answer()
    expect(out).toMatchObject({ status: 'awaiting-approval', branch: fresh })
    expect(w.claude.startedAt.at(-1)?.branch).toBe(fresh)
    expect(latestPlanState()).toMatchObject({ branch: fresh, state: 'pending' })
  })

  it('goes on as the revision that asked: its feedback reaches the plan phase and the old plan is superseded', async () => {
    expect((await plan()).status).toBe('awaiting-approval')
    const first = planComments(w)[0]!
    w.claude.script = { ask }
    expect((await revisePlan(session(w), { feedback: 'Keep the limit configurable.' })).status).toBe('awaiting-answer')
    expect((await answer()).status).toBe('awaiting-approval')
    const last = w.claude.requests.at(-1)
    expect(last?.guidance?.plan).toContain('Keep the limit configurable.')
    expect(last?.answered).toEqual([{ phase: 'plan', question: 'Per key or per IP?', answer: 'Per key' }])
    expect(decodePlanMarker(w.server.state.comments.get(first.id)?.body)?.state).toBe('superseded')
    expect(planComments(w)).toHaveLength(2)
  })
})
