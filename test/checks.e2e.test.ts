/**
 * Red CI on the bot's pull request (fix_failing_checks), end to end:
 * dist/index.js on Node 24, `check_suite`/`workflow_run` completed events built
 * from real webhook examples, the fake GitHub serving check runs, annotations,
 * workflow jobs and a job log (the download answers 302 to another host), the
 * real Claude Code CLI with the scripted model, a bare origin.
 */
import { beforeEach, describe, expect, it } from '@jest/globals'
import { decodePrMarker } from '../src/action/markers.js'
import type { Reply } from './support/model-server.js'
import { outputPathOf, standardRules, write } from './support/phase-scripts.js'
import {
  BOT,
  createWorld,
  expectOk,
  GITHUB_TOKEN,
  MAINTAINER,
  payloadRepository,
  webhookFixture,
  type World
} from './support/action-harness.js'
import { checkAndClose } from './support/world-hooks.js'

let w: World

const BRANCH = () => `orchestrator/issue-${w.issue.number}`
const prReplies = (pr: number) => w.gh.state.commentsOn(pr).filter(c => c.user.login === BOT)
const implementPrompts = () => w.sb.model.requests.filter(r => r.rule === 'implement').map(r => r.firstUserText)

/** A pull request as a check suite or workflow run lists it (head and base in this repository unless told). */
function pullEntry(repoId: number, pr: number, branch: string, sha: string, headRepoId = repoId) {
  return {
    url: `https://api.github.com/repos/acme/widgets/pulls/${pr}`,
    id: 900 + pr,
    number: pr,
    head: {
      ref: branch,
      sha,
      repo: { id: headRepoId, url: 'https://api.github.com/repos/acme/widgets', name: 'widgets' }
    },
    base: {
      ref: 'main',
      sha: '0'.repeat(40),
      repo: { id: repoId, url: 'https://api.github.com/repos/acme/widgets', name: 'widgets' }
    }
  }
}

/** check_suite.completed, failed, on `sha` of pull request `pr` (a third-party CI's suite). */
function checkSuiteEvent(pr: number, branch: string, sha: string): { name: string; payload: Record<string, unknown> } {
  const p = webhookFixture('check_suite.completed')
  const repo = payloadRepository(p)
  const suite = p.check_suite as Record<string, unknown>
  return {
    name: 'check_suite',
    payload: {
      ...p,
      check_suite: {
        ...suite,
        conclusion: 'failure',
        head_sha: sha,
        head_branch: branch,
        app: { ...(suite.app as object), name: 'CircleCI Checks', slug: 'circleci-checks' },
        pull_requests: [pullEntry(Number(repo.id), pr, branch, sha)]
      },
      repository: repo,
      sender: { ...(p.sender as object), login: 'circleci[bot]', type: 'Bot' }
    }
  }
}

/** workflow_run.completed, failed, for workflow run `runId` on `sha`. */
function workflowRunEvent(
  runId: number,
  pulls: unknown[],
  sha: string,
  branch: string,
  headRepo = 'acme/widgets'
): { name: string; payload: Record<string, unknown> } {
  const p = webhookFixture('workflow_run.completed')
  const run = p.workflow_run as Record<string, unknown>
  return {
    name: 'workflow_run',
    payload: {
      ...p,
      workflow_run: {
        ...run,
        id: runId,
        name: 'CI',
        conclusion: 'failure',
        head_sha: sha,
        head_branch: branch,
        pull_requests: pulls,
        head_repository: { ...(run.head_repository as object), full_name: headRepo }
      },
      repository: payloadRepository(p),
      sender: { ...(p.sender as object), login: MAINTAINER, type: 'User' }
    }
  }
}

/** A job log as the runner writes it: timestamps, colours, 300 passing tests, one failure, a summary. */
function failingLog(): string {
  const t = (i: number) => `2026-03-02T10:00:${String(i % 60).padStart(2, '0')}.1234567Z `
  const lines = [`${t(0)}##[group]Run npm test`, `${t(1)}npm test`, `${t(2)}##[endgroup]`]
  for (let i = 1; i <= 300; i++) lines.push(`${t(i)}\u001b[32mok ${i} - handles request ${i}\u001b[0m`)
  lines.push(
    `${t(301)}\u001b[31mnot ok 301 - allows exactly 100 requests\u001b[0m`,
    `${t(302)}  AssertionError: expected allow(100) to be false`,
    `${t(303)}      at test/rate-limit.test.js:3:9`,
    // A test printed the token it found in its environment: GitHub masks known secrets, the orchestrator too.
    `${t(304)}  debug: token=${GITHUB_TOKEN}`
  )
  for (let i = 0; i < 5; i++) lines.push(`${t(305 + i)}cleanup step ${i}`)
  lines.push(`${t(311)}# tests 301, pass 300, fail 1`, `${t(312)}##[error]Process completed with exit code 1.`)
  return lines.join('\n') + '\n'
}

const FIX_FINDINGS = {
  summary: 'The boundary is fixed.',
  findings: [
    {
      id: 'F1',
      severity: 'major',
      lens: 'tests',
      file: 'test.js',
      line: 1,
      title: 'Test does not exercise the limiter',
      detail: 'Still only imports the module.'
    }
  ],
  earlier: [
    { id: 'F1', status: 'open' },
    { id: 'F2', status: 'fixed' }
  ]
}

function fixRules(ws: string) {
  return standardRules(ws, {
    implement: [
      {
        text: 'Fixing the boundary.',
        tools: [write(ws, 'src/limits.js', 'export const LIMIT = 100\nexport const allow = n => n < LIMIT\n')]
      },
      { text: 'allow(100) is now false; the failing test passes.' }
    ],
    review: req => {
      const replies: Reply[] = [
        { text: 'Reviewing.', tools: [write(ws, outputPathOf(req), '# Review after the CI fix\n')] },
        { tools: [{ name: 'StructuredOutput', input: FIX_FINDINGS }] }
      ]
      return replies[req.turn] ?? { text: 'done' }
    }
  })
}

/** Plans and approves the issue; the bot's PR exists afterwards, with its head known to the fake GitHub. */
async function botPullRequest(): Promise<number> {
  expectOk(await w.run(w.labeledEvent('orchestrator'), { require_approval: 'false' }))
  const pr = [...w.gh.state.pulls.values()][0]
  if (!pr) throw new Error('no pull request was opened')
  syncHead()
  return pr.number
}

/** The fake GitHub's idea of the branch head follows origin (the tests push with git). */
function syncHead(): string {
  const head = w.originHead(BRANCH()) as string
  const branch = w.gh.state.branches.get(BRANCH())
  if (branch) branch.sha = head
  return head
}

/** CI ran on `sha` and failed: a workflow job with a log, and a third-party check run with an annotation. */
function failCi(sha: string): number {
  const run = w.gh.state.addRun({
    name: 'CI',
    event: 'pull_request',
    status: 'completed',
    conclusion: 'failure',
    head_branch: BRANCH(),
    head_sha: sha
  })
  w.gh.state.addJob(run.id, {
    name: 'test',
    log: failingLog(),
    steps: [
      { name: 'Set up job', conclusion: 'success' },
      { name: 'Run npm test', conclusion: 'failure' }
    ]
  })
  w.gh.state.addJob(run.id, { name: 'build', conclusion: 'success', log: 'all good\n' })
  w.gh.state.addCheckRun({
    name: 'lint',
    head_sha: sha,
    output: { title: '1 problem', summary: 'eslint found 1 problem', text: null },
    annotations: [
      {
        path: 'src/rate-limit.js',
        start_line: 1,
        end_line: 1,
        annotation_level: 'failure',
        title: 'no-magic-numbers',
        message: 'No magic number: 100.',
        raw_details: null
      }
    ]
  })
  return run.id
}

const ON = { fix_failing_checks: 'true' }

beforeEach(async () => {
  w = await createWorld()
  w.sb.model.setRules(standardRules(w.workspace))
})
checkAndClose(() => w)

describe('failed checks on the bot’s pull request (fix_failing_checks)', () => {
  it('fixes them once per commit with the failing jobs’ output, then stops with one comment when the budget is spent', async () => {
    const pr = await botPullRequest()
    const head = syncHead()
    const before = w.originLog(BRANCH())
    failCi(head)
    w.sb.model.setRules(fixRules(w.workspace))

    const event = checkSuiteEvent(pr, BRANCH(), head)
    const run = await w.run(event, { ...ON, max_auto_fixes: '2' })
    expectOk(run)
    expect(run.outputs.status).toBe('pr-updated')

    // Implement got what failed: names, conclusions, the failing step, the annotation, the log's error lines.
    const prompt = implementPrompts().at(-1) ?? ''
    expect(prompt).toContain(`The checks on this pull request's head commit ${head.slice(0, 12)} failed`)
    expect(prompt).toMatch(
      /- CI \/ test: failure \(https:\/\/github\.com\/acme\/widgets\/actions\/runs\/\d+\/job\/\d+\)/
    )
    expect(prompt).toContain('- lint: failure')
    expect(prompt).not.toContain('CI / build')
    expect(prompt).toContain('Failed step: Run npm test')
    expect(prompt).toContain('- src/rate-limit.js:1 failure no-magic-numbers: No magic number: 100.')
    expect(prompt).toContain(
      'not ok 301 - allows exactly 100 requests\n  AssertionError: expected allow(100) to be false'
    )
    expect(prompt).toContain('# tests 301, pass 300, fail 1\nERROR: Process completed with exit code 1.')
    expect(prompt).toContain('<ci-output>')
    // Trimmed: the 300 passing lines are not there, nor colours and timestamps; the secret is scrubbed.
    expect(prompt).not.toContain('ok 17 - handles request 17')
    expect(prompt).toMatch(/\[… \d+ lines …\]/)
    expect(prompt).not.toContain('\u001b[')
    expect(prompt).not.toContain('2026-03-02T10:00')
    expect(prompt).not.toContain(GITHUB_TOKEN)
    expect(prompt).toContain('debug: token=***')
    // The log was fetched from the 302's host, without the token.
    expect(w.gh.logRequests).toHaveLength(1)
    expect(w.gh.logRequests[0]?.authorization).toBeNull()

    // A new commit on the branch, a reply, the attempt recorded in the PR's marker.
    const after = w.originLog(BRANCH())
    expect(after.slice(1)).toEqual(before)
    expect(after[0]).toBe(`orchestrator: fix failing checks on #${pr}`)
    const reply = prReplies(pr).find(c => c.body.startsWith('🔧 The checks failed on'))
    expect(reply?.body).toContain(`The checks failed on ${head.slice(0, 7)}: CI / test, lint. Pushed `)
    expect(reply?.body).toContain('(automatic fix 1 of 2). Changed: `src/limits.js`')
    expect(reply?.body).toContain('Earlier findings: F1 still open, F2 fixed.')
    const body = w.gh.state.pulls.get(pr)!.body ?? ''
    expect(decodePrMarker(body)?.checkFixes).toEqual([head])
    expect(body).toContain(`after checks failed on ${head.slice(0, 7)}`)

    // The same failure delivered again (a re-run, a second workflow on that commit): nothing runs.
    const requests = w.sb.model.requests.length
    const again = await w.run(event, ON)
    expectOk(again)
    expect(again.outputs.status).toBe('ignored')
    expect(w.sb.model.requests).toHaveLength(requests)

    // CI fails on the fix too; with a budget of 1 the bot says so once and does nothing else.
    const fixed = syncHead()
    const runId = failCi(fixed)
    const pulls = [
      pullEntry(Number(payloadRepository(webhookFixture('workflow_run.completed')).id), pr, BRANCH(), fixed)
    ]
    const writes = w.gh.writes().length
    const stop = await w.run(workflowRunEvent(runId, pulls, fixed, BRANCH()), { ...ON, max_auto_fixes: '1' })
    expectOk(stop)
    expect(stop.outputs.status).toBe('refused')
    expect(w.sb.model.requests).toHaveLength(requests)
    expect(w.originLog(BRANCH())).toHaveLength(after.length)
    const stopComment = prReplies(pr).at(-1)?.body ?? ''
    expect(stopComment).toContain(`🛑 The checks failed again on ${fixed.slice(0, 7)} (CI).`)
    expect(stopComment).toContain('(`max_auto_fixes: 1`), so I am stopping')
    // Exactly two writes: the marker that remembers the stop, and the comment.
    expect(
      w.gh
        .writes()
        .slice(writes)
        .map(e => e.operation)
    ).toEqual([
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
    ])
    const stops = prReplies(pr).filter(c => c.body.includes('🛑')).length
    const quiet = await w.run(workflowRunEvent(runId, pulls, fixed, BRANCH()), { ...ON, max_auto_fixes: '1' })
    expectOk(quiet)
    expect(quiet.outputs.status).toBe('ignored')
    expect(prReplies(pr).filter(c => c.body.includes('🛑'))).toHaveLength(stops)
  })

  it('runs nothing for a person’s pull request, a fork, or with fix_failing_checks off', async () => {
    // A person's pull request from a branch that merely looks like the bot's.
    const human = w.gh.state.addPull({ head: BRANCH(), base: 'main', title: 'By hand', user: MAINTAINER })
    const sha = w.gh.state.branches.get(BRANCH())!.sha
    const runId = failCi(sha)
    const repoId = Number(payloadRepository(webhookFixture('workflow_run.completed')).id)
    const own = [pullEntry(repoId, human.number, BRANCH(), sha)]

    const theirs = await w.run(workflowRunEvent(runId, own, sha, BRANCH()), ON)
    expectOk(theirs)
    expect(theirs.outputs.status).toBe('ignored')
    expect(theirs.stdout).toContain('the pull request was not opened by the orchestrator')

    // A fork: the workflow ran on another repository's branch (GitHub lists no pull requests for it).
    const fork = await w.run(workflowRunEvent(runId, [], sha, BRANCH(), 'mallory/widgets'), ON)
    expectOk(fork)
    expect(fork.outputs.status).toBe('ignored')
    expect(fork.stdout).toContain('the failed workflow ran on a fork')

    const off = await w.run(checkSuiteEvent(human.number, BRANCH(), sha))
    expectOk(off)
    expect(off.outputs.status).toBe('ignored')
    expect(off.stdout).toContain('fix_failing_checks is off')

    expect(w.sb.model.requests).toHaveLength(0)
    expect(w.gh.writes()).toEqual([])
    expect(w.gh.logRequests).toEqual([])
  })
})
