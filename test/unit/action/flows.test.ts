/**
 * The flows' rules for continuing a branch, in process: a real Session
 * against the fake GitHub server, real git against a bare origin. Claude is
 * never started: a flow that gets past its checks reaches the point where it
 * would start Claude and stops there (ClaudeWouldRun), with the checkout
 * where the phase would have worked.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fixFailedChecks } from '../../../src/action/flows/check-fix.js'
import { fixPullRequest } from '../../../src/action/flows/fix.js'
import { approvePlan, resumeRun } from '../../../src/action/flows/implement.js'
import { revisePlan, startPlan } from '../../../src/action/flows/plan.js'
import type { Inputs, RunnerContext } from '../../../src/action/inputs.js'
import { SecretRegistry } from '../../../src/action/secrets.js'
import { Session, type Outputs } from '../../../src/action/session.js'
import {
  decodePlanMarker,
  decodePrMarker,
  encodePlanMarker,
  encodePrMarker,
  type PlanState
} from '../../../src/action/state.js'
import { taskHash } from '../../../src/action/untrusted.js'
import { createGitHubClient, type GitHubClient } from '../../../src/github/client.js'
import { startFakeGitHub, type FakeGitHub, type FakeIssue } from '../../support/github-server.js'

const REPO = { owner: 'acme', repo: 'widgets' }
const BOT = 'github-actions[bot]'
const BOT_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com'
const BODY = 'Limit each client to 100 requests per minute.\n\n- [ ] per API key\n'

class ClaudeWouldRun extends Error {}

let server: FakeGitHub
let gh: GitHubClient
let root: string
let origin: string
let workspace: string
let issue: FakeIssue

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

const branch = (n = issue.number) => `orchestrator/issue-${n}`
const originHead = (name: string): string | null => {
  try {
    return git(origin, 'rev-parse', '--verify', '-q', `refs/heads/${name}`)
  } catch {
    return null
  }
}

/** Pushes a commit on top of `from` to `to` on origin, by `author` (the bot's own e-mail unless told). */
function pushCommit(from: string, to: string, subject: string, author = { name: BOT, email: BOT_EMAIL }): string {
  const dir = path.join(root, `scratch-${Math.random().toString(36).slice(2)}`)
  git(root, 'clone', '-q', origin, dir)
  git(dir, 'checkout', '-q', '-B', 'w', from)
  fs.writeFileSync(path.join(dir, `${subject.replace(/\W+/g, '-')}.md`), `${subject}\n`)
  git(dir, 'add', '-A')
  git(dir, '-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, 'commit', '-q', '-m', subject)
  git(dir, 'push', '-q', 'origin', `HEAD:refs/heads/${to}`)
  return git(dir, 'rev-parse', 'HEAD')
}

/** The bot's plan comment on the issue, as an earlier run left it. */
function planComment(state: Partial<PlanState> & Pick<PlanState, 'planSha'>): PlanState {
  const full: PlanState = {
    v: 1,
    issue: issue.number,
    branch: branch(),
    base: 'main',
    headSha: state.planSha,
    pushed: [state.planSha],
    planPath: 'thoughts/shared/plans/plan.md',
    documents: {},
    state: 'pending',
    taskHash: taskHash({ number: issue.number, title: issue.title, body: BODY }),
    ...state
  }
  server.state.addComment({
    issue_number: issue.number,
    body: `${encodePlanMarker(full)}\n\n## 📋 Plan`,
    user: { login: BOT, type: 'Bot' }
  })
  return full
}

function session(
  on: { number: number; title: string; body: string; isPullRequest?: boolean } = issue as {
    number: number
    title: string
    body: string
  }
): Session {
  const inputs: Inputs = {
    githubToken: 'ghs_flowTestToken0123',
    providerEnv: { ANTHROPIC_API_KEY: 'sk-ant-flowTestKey0123' },
    triggerLabel: 'orchestrator',
    requireApproval: true,
    branchPrefix: 'orchestrator/issue-',
    phaseTimeoutMinutes: 1,
    claudeArgs: [],
    draftPr: false,
    artifactsDir: 'thoughts/shared',
    reuseIndex: false,
    botLogin: BOT,
    commitAuthorName: BOT,
    questions: 'model',
    verifyRounds: 2,
    ledger: false,
    ledgerReport: false,
    requireGreen: false,
    fixFailingChecks: true,
    maxAutoFixes: 2,
    sandbox: 'off',
    allowedDomains: [],
    commitAuthorEmail: BOT_EMAIL
  }
  const ctx: RunnerContext = {
    eventName: 'issue_comment',
    eventPath: '',
    repository: REPO,
    apiUrl: server.url,
    serverUrl: 'https://github.com',
    runId: '1',
    workspace,
    env: {}
  }
  const ref = {
    number: on.number,
    title: on.title,
    body: on.body,
    labels: [],
    isPullRequest: on.isPullRequest ?? false
  }
  return new Session(gh, inputs, ctx, ref, 'main', new SecretRegistry(), () =>
    Promise.reject(new ClaudeWouldRun('Claude would start here'))
  )
}

/** The bot's last reply as a reader sees it (without the hidden key that makes its creation idempotent). */
const lastReply = (n = issue.number) =>
  (
    server.state
      .commentsOn(n)
      .filter(c => c.user.login === BOT)
      .at(-1)?.body ?? ''
  ).replace(/\n<!-- orchestrator:write [\w-]+ -->$/, '')
const approve = (s = session()) =>
  approvePlan(s, { guidance: '', commentId: 999, commentCreatedAt: new Date().toISOString() })

async function expectRefusal(run: Promise<Outputs>): Promise<string> {
  const out = await run
  expect(out.status).toBe('refused')
  return lastReply()
}

let main: string

beforeEach(async () => {
  server = await startFakeGitHub(REPO)
  gh = createGitHubClient('ghs_flowTestToken0123', server.url)
  issue = server.state.addIssue({ title: 'Add rate limiting', body: BODY, user: 'maintainer-mia' })
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'flows-')))
  origin = path.join(root, 'origin.git')
  git(root, 'init', '-q', '--bare', '-b', 'main', origin)
  const seed = path.join(root, 'seed')
  git(root, 'init', '-q', '-b', 'main', seed)
  fs.writeFileSync(path.join(seed, 'README.md'), '# widgets\n')
  git(seed, 'add', '-A')
  git(seed, '-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'commit', '-q', '-m', 'initial')
  git(seed, 'push', '-q', origin, 'main')
  main = git(seed, 'rev-parse', 'HEAD')
  workspace = path.join(root, 'workspace')
  git(root, 'clone', '-q', origin, workspace)
})

afterEach(async () => {
  await server.close()
  expect(server.unknown()).toEqual([])
  fs.rmSync(root, { recursive: true, force: true })
})

describe('continuing a branch: only from commits the bot recorded pushing', () => {
  it("refuses /approve on a branch moved by a commit with the bot's own e-mail, naming it and /plan", async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    planComment({ planSha: plan })
    const forged = pushCommit(plan, branch(), 'Tweak the plan', { name: 'Mallory', email: BOT_EMAIL })

    const reply = await expectRefusal(approve())
    expect(reply).toContain(
      `the branch \`${branch()}\` is at ${forged.slice(0, 7)} ("Tweak the plan" by Mallory), a commit the orchestrator did not push (its last push there was ${plan.slice(0, 7)})`
    )
    expect(reply).toMatch(
      /Comment `\/plan` to start over on a fresh branch; `orchestrator\/issue-\d+` is left as it is\.$/
    )
    expect(originHead(branch())).toBe(forged)
  })

  it('continues from any commit it recorded, not only the last one', async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(plan, 'elsewhere', 'orchestrator: implement #1')
    // The marker recorded both pushes; someone has since reset the branch to the plan.
    planComment({ planSha: plan, headSha: impl, pushed: [plan, impl] })

    await expect(approve()).rejects.toThrow(ClaudeWouldRun)
    expect(git(workspace, 'rev-parse', 'HEAD')).toBe(plan)
    expect(git(workspace, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(branch())
  })

  it('refuses /approve once the pull request was merged, pointing at /plan', async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    const pr = server.state.addPull({ head: branch(), base: 'main', title: 't', user: BOT })
    Object.assign(pr, { state: 'closed', merged: true })
    planComment({ planSha: plan, state: 'approved', pr: pr.number })

    const reply = await expectRefusal(approve())
    expect(reply).toContain(
      `Pull request #${pr.number} for this plan was merged, so its work is done. Comment \`/plan\` to start over on a fresh branch`
    )
  })
})

describe('an issue edited after approval', () => {
  function approvedWithPull(): { plan: string; impl: string; pr: number } {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(plan, branch(), 'orchestrator: implement #1')
    const pr = server.state.addPull({ head: branch(), base: 'main', title: 't', user: BOT })
    planComment({ planSha: plan, headSha: impl, pushed: [plan, impl], state: 'approved', pr: pr.number })
    return { plan, impl, pr: pr.number }
  }

  it('refuses /approve for the new text, naming /revise; a ticked box or reflowed text is no edit', async () => {
    approvedWithPull()
    const reply = await expectRefusal(approve(session({ ...issue, body: `${BODY}\nAlso log rejected requests.` })))
    expect(reply).toContain("The issue's title or description changed after [the plan]")
    expect(reply).toContain('comment `/revise` for a new plan from the issue as it is now.')

    await expect(approve(session({ ...issue, body: `  ${BODY.replace('- [ ]', '- [x]')}\n\n` }))).rejects.toThrow(
      ClaudeWouldRun
    )
  })

  it('/revise without feedback re-plans on the existing branch, from its head', async () => {
    const { impl } = approvedWithPull()
    await expect(
      revisePlan(session({ ...issue, body: `${BODY}\nAlso log rejected requests.` }), { feedback: '' })
    ).rejects.toThrow(ClaudeWouldRun)
    expect(git(workspace, 'rev-parse', 'HEAD')).toBe(impl)
    expect(git(workspace, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(branch())
  })

  it('/revise without feedback on an unedited issue asks for the feedback', async () => {
    approvedWithPull()
    const reply = await expectRefusal(
      revisePlan(session({ ...issue, body: BODY.replace('- [ ]', '- [x]') }), { feedback: '' })
    )
    expect(reply).toBe('Say what should change: `/revise <feedback>`.')
  })
})

describe('/plan', () => {
  it('after the pull request was closed, starts a fresh branch from the base and leaves the old one alone', async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(plan, branch(), 'orchestrator: implement #1')
    const pr = server.state.addPull({ head: branch(), base: 'main', title: 't', user: BOT })
    Object.assign(pr, { state: 'closed' })
    planComment({ planSha: plan, headSha: impl, pushed: [plan, impl], state: 'approved', pr: pr.number })

    await expect(startPlan(session(), { extra: '' })).rejects.toThrow(ClaudeWouldRun)
    expect(git(workspace, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(`${branch()}-2`)
    expect(git(workspace, 'rev-parse', 'HEAD')).toBe(main)
    expect(originHead(branch())).toBe(impl)
  })

  it("takes a fresh branch when the usual one holds someone else's commits", async () => {
    const theirs = pushCommit(main, branch(), 'Contributor notes', { name: 'Casey', email: 'casey@example.com' })
    await expect(startPlan(session(), { extra: '' })).rejects.toThrow(ClaudeWouldRun)
    expect(git(workspace, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(`${branch()}-2`)
    expect(originHead(branch())).toBe(theirs)
  })
})

describe('/fix', () => {
  function botPull(planState: Partial<PlanState> & Pick<PlanState, 'planSha'>): {
    number: number
    title: string
    body: string
    isPullRequest: boolean
  } {
    const body = encodePrMarker({
      v: 1,
      issue: issue.number,
      branch: branch(),
      planPath: 'thoughts/shared/plans/plan.md',
      handled: []
    })
    const pr = server.state.addPull({ head: branch(), base: 'main', title: 'Add rate limiting (#1)', body, user: BOT })
    planComment({ state: 'approved', pr: pr.number, ...planState })
    return { number: pr.number, title: pr.title, body, isPullRequest: true }
  }
  const fix = (on: ReturnType<typeof botPull>) =>
    fixPullRequest(session(on), { feedback: 'Add a test.', source: { type: 'comment', id: 555 } })

  it('refuses a pull request whose branch someone else moved, naming /plan on the issue', async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    const pr = botPull({ planSha: plan })
    const theirs = pushCommit(plan, branch(), 'Quick fix', { name: 'Casey', email: 'casey@example.com' })

    expect((await fix(pr)).status).toBe('refused')
    const reply = lastReply(pr.number)
    expect(reply).toContain(
      `is at ${theirs.slice(0, 7)} ("Quick fix" by Casey), a commit the orchestrator did not push`
    )
    expect(reply).toContain(`Comment \`/plan\` on issue #${issue.number} to start over on a fresh branch`)
  })

  it('refuses while a revised plan awaits approval, naming /approve', async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    const pr = botPull({ planSha: plan })
    planComment({ planSha: plan, state: 'pending', pr: pr.number })
    expect((await fix(pr)).status).toBe('refused')
    expect(lastReply(pr.number)).toContain('awaits approval: comment `/approve` there')
  })

  it('continues from the recorded head', async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    const pr = botPull({ planSha: plan })
    await expect(fix(pr)).rejects.toThrow(ClaudeWouldRun)
    expect(git(workspace, 'rev-parse', 'HEAD')).toBe(plan)
  })

  describe('failed checks (fix_failing_checks)', () => {
    /** CI failed on `sha`, the pull request's head as the fake GitHub knows it. */
    function redCi(sha: string): void {
      server.state.branches.get(branch())!.sha = sha
      const run = server.state.addRun({ name: 'CI', status: 'completed', conclusion: 'failure', head_sha: sha })
      server.state.addJob(run.id, { name: 'test', log: 'Error: boom\n' })
    }
    const marker = (n: number) => decodePrMarker(server.state.pulls.get(n)?.body)
    const checks = (on: ReturnType<typeof botPull>, sha: string) =>
      fixFailedChecks(session(on), { headSha: sha, name: 'CI' })

    it('counts the attempt in the marker before Claude starts, on the recorded head', async () => {
      const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
      const pr = botPull({ planSha: plan })
      redCi(plan)
      await expect(checks(pr, plan)).rejects.toThrow(ClaudeWouldRun)
      expect(marker(pr.number)?.checkFixes).toEqual([plan])
      expect(git(workspace, 'rev-parse', 'HEAD')).toBe(plan)
    })

    it('leaves a branch someone else pushed to alone, quietly: nothing counted, nothing said', async () => {
      const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
      const pr = botPull({ planSha: plan })
      const theirs = pushCommit(plan, branch(), 'Quick fix', { name: 'Casey', email: 'casey@example.com' })
      redCi(theirs)
      const replies = server.state.commentsOn(pr.number).length
      const out = await checks(pr, theirs)
      expect(out.status).toBe('ignored')
      expect(out.reason).toContain('a commit the orchestrator did not push')
      expect(marker(pr.number)?.checkFixes).toBeUndefined()
      expect(server.state.commentsOn(pr.number)).toHaveLength(replies)
    })

    it('does nothing when no failed job or check run is found for the commit', async () => {
      const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
      const pr = botPull({ planSha: plan })
      server.state.branches.get(branch())!.sha = plan
      const out = await checks(pr, plan)
      expect(out).toEqual({ status: 'ignored', reason: `no failed check run or job was found for ${plan.slice(0, 7)}` })
      expect(marker(pr.number)?.checkFixes).toBeUndefined()
    })
  })
})

describe('/resume: only what the failed run left undone', () => {
  const resume = () => resumeRun(session(), { guidance: '', commentId: 998 })
  const statusPhases = () =>
    [
      ...(server.state
        .commentsOn(issue.number)
        .filter(c => c.body.includes('<!-- orchestrator:status -->'))
        .at(-1)
        ?.body.matchAll(/\*\*(\w+)\*\*/g) ?? [])
    ].map(m => m[1])

  it('refuses when no failed run kept work, naming /approve', async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    planComment({ planSha: plan })
    expect(await expectRefusal(resume())).toBe(
      'There is nothing to resume on this issue: no failed run left work waiting. Comment `/approve` to implement the plan.'
    )
  })

  it('goes on with implement and review after an unfinished implement, from the kept commit', async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    const kept = pushCommit(plan, branch(), 'orchestrator: unfinished implement #1 (stopped: timeout)')
    planComment({
      planSha: plan,
      headSha: kept,
      pushed: [plan, kept],
      checkpoint: { next: 'implement', sha: kept, reason: 'timeout', from: plan }
    })
    await expect(resume()).rejects.toThrow(ClaudeWouldRun)
    expect(statusPhases()).toEqual(['implement', 'review'])
    expect(git(workspace, 'rev-parse', 'HEAD')).toBe(kept)
  })

  it('runs only the review when only the review failed', async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(plan, branch(), 'orchestrator: implement #1')
    planComment({
      planSha: plan,
      headSha: impl,
      pushed: [plan, impl],
      checkpoint: { next: 'review', sha: impl, reason: 'the review phase returned no structured findings' }
    })
    await expect(resume()).rejects.toThrow(ClaudeWouldRun)
    expect(statusPhases()).toEqual(['review'])
  })

  it('only opens the pull request when that was all that failed, and clears the checkpoint', async () => {
    const plan = pushCommit(main, branch(), 'orchestrator: plan for #1')
    const impl = pushCommit(plan, branch(), 'orchestrator: implement #1')
    const result = {
      task: 't',
      status: 'completed' as const,
      phases: [],
      planPath: 'thoughts/shared/plans/plan.md',
      reviewPath: null,
      findings: [],
      changedFiles: ['src/a.js'],
      totals: { durationMs: 1, costUsd: 0.5, inputTokens: 1, outputTokens: 1 }
    }
    planComment({
      planSha: plan,
      headSha: impl,
      pushed: [plan, impl],
      checkpoint: { next: 'pull-request', sha: impl, reason: 'POST /pulls: 500', result }
    })
    const out = await resume()
    expect(out.status).toBe('pr-opened')
    expect(server.state.pulls.size).toBe(1)
    expect(statusPhases()).toEqual([])
    const marker = server.state
      .commentsOn(issue.number)
      .map(c => decodePlanMarker(c.body))
      .find(Boolean)
    expect(marker).toMatchObject({ state: 'approved', pr: [...server.state.pulls.values()][0]?.number })
    expect(marker).not.toHaveProperty('checkpoint')
  })
})
