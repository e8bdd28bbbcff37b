/**
 * The flows' rules for continuing a branch, in process (test/support/flow-world.ts):
 * which commits a run builds on, and which it refuses to touch.
 */
import { describe, expect, it } from '@jest/globals'
import { fixFailedChecks } from '../../../src/action/flows/check-fix.js'
import { fixPullRequest } from '../../../src/action/flows/fix.js'
import { approvePlan, resumeRun } from '../../../src/action/flows/implement.js'
import { revisePlan, startPlan } from '../../../src/action/flows/plan.js'
import type { Outputs, Session } from '../../../src/action/session.js'
import type { Engine } from '../../../src/action/claude-engine.js'
import {
  decodePlanMarker,
  decodePrMarker,
  encodePrMarker,
  replacePrMarker,
  type PlanState
} from '../../../src/action/markers.js'
import type { Finding, RunResult } from '../../../src/engine/types.js'
import {
  BODY,
  BOT,
  botPull,
  branchOf,
  lastReply,
  type On,
  originHead,
  planComment,
  pushCommit,
  session,
  useFlowWorld
} from '../../support/flow-world.js'

const w = useFlowWorld()
const branch = () => branchOf(w)
const approve = (s: Session = session(w)) =>
  approvePlan(s, { guidance: '', commentId: 999, commentCreatedAt: new Date().toISOString() })
/** Where the checkout was when the (scripted) engine started: what the phases built on. */
const builtOn = () => w.claude.startedAt.at(-1)

/** A run that was implemented and reviewed, as a checkpoint keeps it when only the pull request call is left. */
const reviewedRun: RunResult = {
  task: 't',
  status: 'completed',
  phases: [],
  planPath: 'thoughts/shared/plans/plan.md',
  reviewPath: null,
  findings: [],
  changedFiles: ['src/a.js'],
  totals: { durationMs: 1, costUsd: 0.5, inputTokens: 1, outputTokens: 1 }
}

async function expectRefusal(run: Promise<Outputs>, n = w.issue.number): Promise<string> {
  const out = await run
  expect(out.status).toBe('refused')
  expect(w.claude.requests).toHaveLength(0)
  return lastReply(w, n)
}

describe('continuing a branch: only from commits the bot recorded pushing', () => {
  it("refuses /approve on a branch moved by a commit with the bot's own e-mail, naming it and /plan", async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    planComment(w, { planSha: plan })
    const forgedBot = pushCommit(w, plan, branch(), 'Tweak the plan', {
      name: 'Mallory',
      email: '41898282+github-actions[bot]@users.noreply.github.com'
    })

    const reply = await expectRefusal(approve())
    expect(reply).toContain(
      `the branch \`${branch()}\` is at ${forgedBot.slice(0, 7)} ("Tweak the plan" by Mallory), a commit the orchestrator did not push (its last push there was ${plan.slice(0, 7)})`
    )
    expect(reply).toMatch(
      /Comment `\/plan` to start over on a fresh branch; `orchestrator\/issue-\d+` is left as it is\.$/
    )
    expect(originHead(w, branch())).toBe(forgedBot)
  })

  it('continues from any commit it recorded, not only the last one', async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(w, plan, 'elsewhere', 'orchestrator: implement #1')
    // The marker recorded both pushes; someone has since reset the branch to the plan.
    planComment(w, { planSha: plan, headSha: impl, pushed: [plan, impl] })

    expect((await approve()).status).toBe('pr-opened')
    expect(builtOn()).toEqual({ branch: branch(), sha: plan })
  })

  it('refuses /approve once the pull request was merged, pointing at /plan', async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const pr = w.server.state.addPull({ head: branch(), base: 'main', title: 't', user: BOT })
    Object.assign(pr, { state: 'closed', merged: true })
    planComment(w, { planSha: plan, state: 'approved', pr: pr.number })

    const reply = await expectRefusal(approve())
    expect(reply).toContain(
      `Pull request #${pr.number} for this plan was merged, so its work is done. Comment \`/plan\` to start over on a fresh branch`
    )
  })
})

describe('an issue edited after approval', () => {
  function approvedWithPull(): { plan: string; impl: string; pr: number } {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(w, plan, branch(), 'orchestrator: implement #1')
    const pr = w.server.state.addPull({ head: branch(), base: 'main', title: 't', user: BOT })
    planComment(w, { planSha: plan, headSha: impl, pushed: [plan, impl], state: 'approved', pr: pr.number })
    return { plan, impl, pr: pr.number }
  }

  it('refuses /approve for the new text, naming /revise', async () => {
    approvedWithPull()
    const reply = await expectRefusal(approve(session(w, { ...w.issue, body: `${BODY}\nAlso log rejected requests.` })))
    expect(reply).toContain("The issue's title or description changed after [the plan]")
    expect(reply).toContain('comment `/revise` for a new plan from the issue as it is now.')
  })

  it('takes a ticked box or reflowed text for no edit', async () => {
    const { impl } = approvedWithPull()
    const out = await approve(session(w, { ...w.issue, body: `  ${BODY.replace('- [ ]', '- [x]')}\n\n` }))
    expect(out.status).toBe('pr-updated')
    expect(builtOn()?.sha).toBe(impl)
  })

  it('/revise without feedback re-plans on the existing branch, from its head', async () => {
    const { impl } = approvedWithPull()
    const out = await revisePlan(session(w, { ...w.issue, body: `${BODY}\nAlso log rejected requests.` }), {
      feedback: ''
    })
    expect(out.status).toBe('awaiting-approval')
    expect(builtOn()).toEqual({ branch: branch(), sha: impl })
    expect(w.claude.requests[0]?.guidance?.plan).toContain('The issue was edited since the last plan')
  })

  it('/revise without feedback on an unedited issue asks for the feedback', async () => {
    approvedWithPull()
    const reply = await expectRefusal(
      revisePlan(session(w, { ...w.issue, body: BODY.replace('- [ ]', '- [x]') }), { feedback: '' })
    )
    expect(reply).toBe('Say what should change: `/revise <feedback>`.')
  })
})

describe('/approve on a plan whose pull request is open', () => {
  const F1: Finding = { id: 'F1', severity: 'major', file: 'src/a.ts', line: 3, title: 'Off by one', detail: 'd' }
  const readsOfPull = (n: number) =>
    w.server.log.filter(e => e.method === 'GET' && e.path === `/repos/acme/widgets/pulls/${n}`).length

  function approvedWithPull(extra: Partial<PlanState> = {}): number {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(w, plan, branch(), 'orchestrator: implement #1')
    const body = encodePrMarker({
      v: 1,
      issue: w.issue.number,
      branch: branch(),
      planPath: 'thoughts/shared/plans/plan.md',
      handled: ['comment:7'],
      findings: [F1],
      nextFinding: 2
    })
    const pr = w.server.state.addPull({ head: branch(), base: 'main', title: 't', body, user: BOT })
    const checkpoint = extra.checkpoint && { ...extra.checkpoint, sha: impl }
    planComment(w, { planSha: plan, headSha: impl, pushed: [plan, impl], state: 'approved', pr: pr.number, checkpoint })
    return pr.number
  }

  it('reads the pull request once before the run (still open? earlier findings) and once after', async () => {
    const pr = approvedWithPull()
    expect((await approve()).status).toBe('pr-updated')
    expect(w.claude.requests[0]?.earlierFindings).toEqual([F1])
    expect(w.claude.requests[0]?.nextFindingId).toBe(2)
    expect(readsOfPull(pr)).toBe(2)
  })

  it('keeps what the marker gained during the run (a fix of failed checks counted meanwhile)', async () => {
    const pr = approvedWithPull()
    const fixCountedMeanwhile: Engine = async req => {
      const pull = w.server.state.pulls.get(pr)!
      const state = decodePrMarker(pull.body)!
      pull.body = replacePrMarker(pull.body ?? '', { ...state, checkFixes: ['abc1234'] })
      return w.claude.engine(req)
    }
    expect((await approve(session(w, w.issue, {}, fixCountedMeanwhile))).status).toBe('pr-updated')
    expect(decodePrMarker(w.server.state.pulls.get(pr)?.body)).toMatchObject({
      handled: ['comment:7'],
      checkFixes: ['abc1234']
    })
  })

  it('reads it only once when only the pull request call is left', async () => {
    const result = reviewedRun
    const pr = approvedWithPull({ checkpoint: { next: 'pull-request', sha: '', reason: 'PATCH /pulls: 500', result } })
    expect((await approve()).status).toBe('pr-updated')
    expect(w.claude.requests).toHaveLength(0)
    expect(readsOfPull(pr)).toBe(1)
  })
})

describe('/plan', () => {
  it('after the pull request was closed, starts a fresh branch from the base and leaves the old one alone', async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(w, plan, branch(), 'orchestrator: implement #1')
    const pr = w.server.state.addPull({ head: branch(), base: 'main', title: 't', user: BOT })
    Object.assign(pr, { state: 'closed' })
    planComment(w, { planSha: plan, headSha: impl, pushed: [plan, impl], state: 'approved', pr: pr.number })

    expect((await startPlan(session(w), { extra: '' })).status).toBe('awaiting-approval')
    expect(builtOn()).toEqual({ branch: `${branch()}-2`, sha: w.main })
    expect(originHead(w, branch())).toBe(impl)
  })

  it("takes a fresh branch when the usual one holds someone else's commits", async () => {
    const theirs = pushCommit(w, w.main, branch(), 'Contributor notes', { name: 'Casey', email: 'casey@example.com' })
    expect((await startPlan(session(w), { extra: '' })).status).toBe('awaiting-approval')
    expect(builtOn()?.branch).toBe(`${branch()}-2`)
    expect(originHead(w, branch())).toBe(theirs)
  })
})

describe('/fix', () => {
  const fix = (on: On) =>
    fixPullRequest(session(w, on), { feedback: 'Add a test.', source: { type: 'comment', id: 555 } })

  it('refuses a pull request whose branch someone else moved, naming /plan on the issue', async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const pr = botPull(w, { planSha: plan })
    const theirs = pushCommit(w, plan, branch(), 'Quick fix', { name: 'Casey', email: 'casey@example.com' })

    const reply = await expectRefusal(fix(pr), pr.number)
    expect(reply).toContain(
      `is at ${theirs.slice(0, 7)} ("Quick fix" by Casey), a commit the orchestrator did not push`
    )
    expect(reply).toContain(`Comment \`/plan\` on issue #${w.issue.number} to start over on a fresh branch`)
  })

  it('refuses while a revised plan awaits approval, naming /approve', async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const pr = botPull(w, { planSha: plan })
    planComment(w, { planSha: plan, state: 'pending', pr: pr.number })
    expect(await expectRefusal(fix(pr), pr.number)).toContain('awaits approval: comment `/approve` there')
  })

  it('continues from the recorded head', async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const pr = botPull(w, { planSha: plan })
    expect((await fix(pr)).status).toBe('pr-updated')
    expect(builtOn()).toEqual({ branch: branch(), sha: plan })
  })

  describe('failed checks (fix_failing_checks)', () => {
    /** CI failed on `sha`, the pull request's head as the fake GitHub knows it. */
    function redCi(sha: string): void {
      w.server.state.branches.get(branch())!.sha = sha
      const run = w.server.state.addRun({ name: 'CI', status: 'completed', conclusion: 'failure', head_sha: sha })
      w.server.state.addJob(run.id, { name: 'test', log: 'Error: boom\n' })
    }
    const marker = (n: number) => decodePrMarker(w.server.state.pulls.get(n)?.body)
    const checks = (on: On, sha: string) =>
      fixFailedChecks(session(w, on, { fixFailingChecks: true, maxAutoFixes: 2 }), { headSha: sha, name: 'CI' })

    it('counts the attempt in the marker, and fixes from the recorded head', async () => {
      const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
      const pr = botPull(w, { planSha: plan })
      redCi(plan)
      expect((await checks(pr, plan)).status).toBe('pr-updated')
      expect(marker(pr.number)?.checkFixes).toEqual([plan])
      expect(builtOn()).toEqual({ branch: branch(), sha: plan })
    })

    it('leaves a branch someone else pushed to alone, quietly: nothing counted, nothing said', async () => {
      const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
      const pr = botPull(w, { planSha: plan })
      const theirs = pushCommit(w, plan, branch(), 'Quick fix', { name: 'Casey', email: 'casey@example.com' })
      redCi(theirs)
      const replies = w.server.state.commentsOn(pr.number).length
      const out = await checks(pr, theirs)
      expect(out.status).toBe('ignored')
      expect(out.reason).toContain('a commit the orchestrator did not push')
      expect(marker(pr.number)?.checkFixes).toBeUndefined()
      expect(w.server.state.commentsOn(pr.number)).toHaveLength(replies)
    })

    it('does nothing when no failed job or check run is found for the commit', async () => {
      const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
      const pr = botPull(w, { planSha: plan })
      w.server.state.branches.get(branch())!.sha = plan
      const out = await checks(pr, plan)
      expect(out).toEqual({ status: 'ignored', reason: `no failed check run or job was found for ${plan.slice(0, 7)}` })
      expect(marker(pr.number)?.checkFixes).toBeUndefined()
    })
  })
})

describe('/resume: only what the failed run left undone', () => {
  const resume = () => resumeRun(session(w), { guidance: '', commentId: 998 })
  const statusPhases = () =>
    [
      ...(w.server.state
        .commentsOn(w.issue.number)
        .filter(c => c.body.includes('<!-- orchestrator:status -->'))
        .at(-1)
        ?.body.matchAll(/\*\*(\w+)\*\*/g) ?? [])
    ].map(m => m[1])

  it('refuses when no failed run kept work, naming /approve', async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    planComment(w, { planSha: plan })
    expect(await expectRefusal(resume())).toBe(
      'There is nothing to resume on this issue: no failed run left work waiting. Comment `/approve` to implement the plan.'
    )
  })

  it('goes on with implement and review after an unfinished implement, from the kept commit', async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const kept = pushCommit(w, plan, branch(), 'orchestrator: unfinished implement #1 (stopped: timeout)')
    planComment(w, {
      planSha: plan,
      headSha: kept,
      pushed: [plan, kept],
      checkpoint: { next: 'implement', sha: kept, reason: 'timeout', from: plan }
    })
    expect((await resume()).status).toBe('pr-opened')
    expect(statusPhases()).toEqual(['implement', 'review'])
    expect(w.claude.requests.map(r => r.phases)).toEqual([['implement', 'review']])
    expect(builtOn()?.sha).toBe(kept)
  })

  it('runs only the review when only the review failed', async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(w, plan, branch(), 'orchestrator: implement #1')
    planComment(w, {
      planSha: plan,
      headSha: impl,
      pushed: [plan, impl],
      checkpoint: { next: 'review', sha: impl, reason: 'the review phase returned no structured findings' }
    })
    expect((await resume()).status).toBe('pr-opened')
    expect(statusPhases()).toEqual(['review'])
    expect(w.claude.requests.map(r => r.phases)).toEqual([['review']])
  })

  it('only opens the pull request when that was all that failed, and clears the checkpoint', async () => {
    const plan = pushCommit(w, w.main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(w, plan, branch(), 'orchestrator: implement #1')
    const result = reviewedRun
    planComment(w, {
      planSha: plan,
      headSha: impl,
      pushed: [plan, impl],
      checkpoint: { next: 'pull-request', sha: impl, reason: 'POST /pulls: 500', result }
    })
    const out = await resume()
    expect(out.status).toBe('pr-opened')
    expect(w.claude.requests).toHaveLength(0)
    expect(w.server.state.pulls.size).toBe(1)
    expect(statusPhases()).toEqual([])
    const marker = w.server.state
      .commentsOn(w.issue.number)
      .map(c => decodePlanMarker(c.body))
      .find(Boolean)
    expect(marker).toMatchObject({ state: 'approved', pr: [...w.server.state.pulls.values()][0]?.number })
    expect(marker).not.toHaveProperty('checkpoint')
  })
})
