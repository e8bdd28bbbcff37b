import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { failedChecks } from '../../../src/github/checks.js'
import { createGitHubClient, type GitHubClient } from '../../../src/github/client.js'
import { createComment } from '../../../src/github/comments.js'
import { IssueLabels, winningLabel } from '../../../src/github/labels.js'
import { canWrite } from '../../../src/github/permissions.js'
import { createOrUpdatePull } from '../../../src/github/pulls.js'
import { requestPath } from '../../../src/github/request-error.js'
import { StatusComment } from '../../../src/action/status.js'
import { emptyPhase } from '../../../src/engine/results.js'
import { startFakeGitHub, type FakeGitHub } from '../../support/github-server.js'

const repo = { owner: 'acme', repo: 'widgets' }

let server: FakeGitHub
let gh: GitHubClient

beforeEach(async () => {
  server = await startFakeGitHub(repo)
  gh = createGitHubClient('ghs_test', server.url)
})

afterEach(async () => {
  await server.close()
  // Every request went to a real GitHub endpoint and got a GitHub-shaped answer.
  expect(server.unknown()).toEqual([])
  expect(server.problems()).toEqual([])
})

describe('IssueLabels', () => {
  function labelsOf(issue: number): string[] {
    return server.state.issues.get(issue)?.labels ?? []
  }

  it('puts the state label on, creating it in the repository, and leaves the other labels alone', async () => {
    const issue = server.state.addIssue({ title: 'Add rate limiting', labels: ['orchestrator', 'bug'] })
    expect(server.state.findLabel('orchestrator:planning')).toBeUndefined()
    await new IssueLabels(gh, repo, issue.number, ['orchestrator', 'bug']).set('orchestrator:planning')
    expect(labelsOf(issue.number)).toEqual(['orchestrator', 'bug', 'orchestrator:planning'])
    expect(server.state.findLabel('orchestrator:planning')).toBeDefined()
  })

  it('swaps one state label for the next', async () => {
    const issue = server.state.addIssue({ title: 't', labels: ['orchestrator', 'bug'] })
    const labels = new IssueLabels(gh, repo, issue.number, ['orchestrator', 'bug'])
    await labels.set('orchestrator:planning')
    await labels.set('orchestrator:awaiting-approval')
    expect(labelsOf(issue.number)).toEqual(['orchestrator', 'bug', 'orchestrator:awaiting-approval'])
    await labels.set('orchestrator:implementing')
    await labels.set('orchestrator:done')
    expect(labelsOf(issue.number)).toEqual(['orchestrator', 'bug', 'orchestrator:done'])
  })

  it('never replaces the whole label set, so labels added meanwhile by people survive', async () => {
    const issue = server.state.addIssue({ title: 't', labels: ['orchestrator', 'orchestrator:planning'] })
    const labels = new IssueLabels(gh, repo, issue.number, ['orchestrator', 'orchestrator:planning'])
    // Someone triages the issue while the run works.
    server.state.issues.get(issue.number)?.labels.push('priority:high')
    await labels.set('orchestrator:awaiting-approval')
    expect(labelsOf(issue.number)).toEqual(['orchestrator', 'priority:high', 'orchestrator:awaiting-approval'])
    expect(server.writes().map(e => e.method)).toEqual(['DELETE', 'POST'])
  })

  it('removes every stale state label the payload shows', async () => {
    const issue = server.state.addIssue({
      title: 't',
      labels: ['orchestrator:failed', 'orchestrator:planning', 'docs']
    })
    await new IssueLabels(gh, repo, issue.number, ['orchestrator:failed', 'orchestrator:planning', 'docs']).set(
      'orchestrator:planning'
    )
    expect(labelsOf(issue.number)).toEqual(['orchestrator:planning', 'docs'])
    expect(server.writes()).toHaveLength(1)
  })

  it('clears all state labels with null', async () => {
    const issue = server.state.addIssue({ title: 't', labels: ['orchestrator', 'orchestrator:awaiting-approval'] })
    await new IssueLabels(gh, repo, issue.number, ['orchestrator', 'orchestrator:awaiting-approval']).set(null)
    expect(labelsOf(issue.number)).toEqual(['orchestrator'])
  })

  it('makes no request when the label is already the only state label', async () => {
    const issue = server.state.addIssue({ title: 't', labels: ['orchestrator:planning'] })
    const labels = new IssueLabels(gh, repo, issue.number, ['orchestrator:planning'])
    await labels.set('orchestrator:planning')
    await labels.set('orchestrator:planning')
    expect(server.writes()).toEqual([])
  })

  it('leaves exactly one state label, the achieved one, when two overlapping runs finish one after the other', async () => {
    const issue = server.state.addIssue({ title: 't', labels: ['orchestrator', 'orchestrator:awaiting-approval'] })
    // Both /approve runs start from the same payload.
    const first = new IssueLabels(gh, repo, issue.number, ['orchestrator', 'orchestrator:awaiting-approval'])
    const second = new IssueLabels(gh, repo, issue.number, ['orchestrator', 'orchestrator:awaiting-approval'])
    await first.set('orchestrator:implementing')
    await second.set('orchestrator:implementing')
    await first.set('orchestrator:done')
    await second.set('orchestrator:failed')
    // The second run's add answers with the first's label: a pull request opened is not undone by a failure.
    expect(labelsOf(issue.number).filter(l => l.startsWith('orchestrator:'))).toEqual(['orchestrator:done'])
    // With no other run in between, a run's final label replaces the last one.
    const third = new IssueLabels(gh, repo, issue.number, labelsOf(issue.number))
    await third.set('orchestrator:implementing')
    await third.set('orchestrator:failed')
    expect(labelsOf(issue.number).filter(l => l.startsWith('orchestrator:'))).toEqual(['orchestrator:failed'])
  })

  it('leaves exactly one state label, the same whoever is last, when two runs finish at the same moment', async () => {
    for (const order of [
      ['orchestrator:done', 'orchestrator:failed'],
      ['orchestrator:failed', 'orchestrator:done']
    ] as const) {
      const issue = server.state.addIssue({ title: 't', labels: ['orchestrator', 'orchestrator:implementing'] })
      const runs = order.map(
        () => new IssueLabels(gh, repo, issue.number, ['orchestrator', 'orchestrator:implementing'])
      )
      // Both read the labels before either writes: each add answers with what the other already put there.
      await Promise.all(runs.map((r, i) => r.set(order[i] as (typeof order)[number])))
      expect(labelsOf(issue.number).filter(l => l.startsWith('orchestrator:'))).toEqual(['orchestrator:done'])
    }
  })

  it('ranks what was achieved above what failed', () => {
    expect(winningLabel(['orchestrator:failed', 'orchestrator:done'])).toBe('orchestrator:done')
    expect(winningLabel(['orchestrator:failed', 'orchestrator:awaiting-approval'])).toBe(
      'orchestrator:awaiting-approval'
    )
    expect(winningLabel(['orchestrator'])).toBeNull()
  })

  it('tolerates a state label someone already removed', async () => {
    const issue = server.state.addIssue({ title: 't', labels: ['orchestrator'] })
    // The payload still lists the label, but a maintainer removed it since.
    await new IssueLabels(gh, repo, issue.number, ['orchestrator', 'orchestrator:failed']).set('orchestrator:planning')
    expect(labelsOf(issue.number)).toEqual(['orchestrator', 'orchestrator:planning'])
  })
})

describe('createComment', () => {
  const bodies = (issue: number) => server.state.commentsOn(issue).map(c => c.body)

  it('reuses the comment GitHub made when its answer was lost, instead of posting a second', async () => {
    const issue = server.state.addIssue({ title: 't' })
    server.injectFault({
      method: 'POST',
      operation: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 502,
      afterWrite: true
    })
    const made = await createComment(gh, repo, issue.number, 'status')
    expect(bodies(issue.number)).toHaveLength(1)
    expect(made.id).toBe(server.state.commentsOn(issue.number)[0]?.id)
    expect(bodies(issue.number)[0]).toMatch(/^status\n<!-- orchestrator:write [\w-]+ -->$/)
  })

  it('posts again when GitHub failed before writing, and not when it refused', async () => {
    const issue = server.state.addIssue({ title: 't' })
    server.injectFault({
      method: 'POST',
      operation: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 502
    })
    await createComment(gh, repo, issue.number, 'status')
    expect(bodies(issue.number)).toHaveLength(1)
    server.injectFault({
      method: 'POST',
      operation: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 403,
      body: { message: 'Unable to create comment because issue is locked.' }
    })
    await expect(createComment(gh, repo, issue.number, 'again')).rejects.toThrow(/locked/)
    expect(bodies(issue.number)).toHaveLength(1)
  })
})

describe('createOrUpdatePull', () => {
  const MARK = '<!-- orchestrator:pr e30 -->'
  const pr = {
    branch: 'orchestrator/issue-42',
    base: 'main',
    title: 'Add rate limiting (#42)',
    body: `Closes #42 ${MARK}`,
    draft: false,
    bot: { login: 'github-actions[bot]', marker: '<!-- orchestrator:pr ' }
  }

  it('creates the pull request, then updates it instead of opening a second one', async () => {
    const first = await createOrUpdatePull(gh, repo, pr)
    expect(first).toEqual({
      number: expect.any(Number),
      htmlUrl: `https://github.com/acme/widgets/pull/${first.number}`,
      created: true
    })
    expect(server.state.pulls.get(first.number)).toMatchObject({
      head: 'orchestrator/issue-42',
      base: 'main',
      title: pr.title,
      body: pr.body,
      draft: false
    })

    const second = await createOrUpdatePull(gh, repo, {
      ...pr,
      title: 'Add rate limiting (#42), revised',
      body: `Closes #42\n\nv2 ${MARK}`
    })
    expect(second).toEqual({ number: first.number, htmlUrl: first.htmlUrl, created: false })
    expect([...server.state.pulls.values()]).toHaveLength(1)
    expect(server.state.pulls.get(first.number)).toMatchObject({
      title: 'Add rate limiting (#42), revised',
      body: `Closes #42\n\nv2 ${MARK}`,
      state: 'open'
    })
  })

  it("never overwrites a person's pull request from the bot's branch: it reports who opened it", async () => {
    const human = server.state.addPull({
      head: pr.branch,
      base: 'main',
      title: 'My own take',
      body: 'hand-written',
      user: 'maintainer-mia'
    })
    await expect(createOrUpdatePull(gh, repo, pr)).rejects.toThrow(
      `pull request #${human.number} from this branch was opened by maintainer-mia, not by the orchestrator; it was left unchanged`
    )
    expect(server.state.pulls.get(human.number)).toMatchObject({ title: 'My own take', body: 'hand-written' })
  })

  it('opens a draft when asked', async () => {
    const created = await createOrUpdatePull(gh, repo, { ...pr, draft: true })
    expect(server.state.pulls.get(created.number)?.draft).toBe(true)
  })

  it('opens a new pull request when the earlier one for the branch was closed', async () => {
    const closed = server.state.addPull({ head: pr.branch, base: 'main', title: 'old', state: 'closed' })
    const created = await createOrUpdatePull(gh, repo, pr)
    expect(created.created).toBe(true)
    expect(created.number).not.toBe(closed.number)
    expect(server.state.pulls.get(closed.number)?.title).toBe('old')
  })

  it('does not touch a pull request for another branch', async () => {
    const other = server.state.addPull({ head: 'orchestrator/issue-7', base: 'main', title: 'Issue 7' })
    const created = await createOrUpdatePull(gh, repo, pr)
    expect(created.created).toBe(true)
    expect(server.state.pulls.get(other.number)?.title).toBe('Issue 7')
  })
})

describe('canWrite', () => {
  beforeEach(() => {
    server.state.permissions = { alice: 'admin', bob: 'maintain', dave: 'write', carol: 'triage', erin: 'read' }
  })

  it('allows admin, maintain and write', async () => {
    expect(await canWrite(gh, repo, 'alice')).toBe(true)
    expect(await canWrite(gh, repo, 'bob')).toBe(true)
    expect(await canWrite(gh, repo, 'dave')).toBe(true)
  })

  it('refuses triage and read', async () => {
    expect(await canWrite(gh, repo, 'carol')).toBe(false)
    expect(await canWrite(gh, repo, 'erin')).toBe(false)
  })

  it('refuses a user who is not a collaborator', async () => {
    expect(await canWrite(gh, repo, 'mallory')).toBe(false)
  })

  it('refuses a user GitHub answers 404 for', async () => {
    server.injectFault({
      method: 'GET',
      operation: 'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
      status: 404
    })
    expect(await canWrite(gh, repo, 'alice')).toBe(false)
  })

  it('fails on other errors rather than guessing', async () => {
    server.injectFault({
      method: 'GET',
      operation: 'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
      status: 403
    })
    await expect(canWrite(gh, repo, 'alice')).rejects.toMatchObject({ status: 403 })
  })
})

describe('canWrite on a private repository', () => {
  it('refuses a user with no access', async () => {
    await server.close()
    server = await startFakeGitHub({ ...repo, private: true })
    gh = createGitHubClient('ghs_test', server.url)
    server.state.permissions = { alice: 'write' }
    expect(await canWrite(gh, repo, 'mallory')).toBe(false)
    expect(await canWrite(gh, repo, 'alice')).toBe(true)
  })
})

describe('GitHub errors', () => {
  const permission = 'GET /repos/{owner}/{repo}/collaborators/{username}/permission'

  it("name the request that failed, its status and GitHub's message, and keep the status for callers", async () => {
    server.injectFault({
      method: 'GET',
      operation: permission,
      status: 403,
      body: { message: 'Resource not accessible by integration' }
    })
    const err = (await canWrite(gh, repo, 'alice').catch((e: unknown) => e)) as Error & { status?: number }
    expect(err.message).toMatch(
      /^GET \/repos\/acme\/widgets\/collaborators\/alice\/permission: 403 Resource not accessible by integration - https:\/\/docs\.github\.com\/rest/
    )
    expect(err.status).toBe(403)
    // The log prints the stack: it names the request too.
    expect(err.stack?.split('\n')[0]).toContain('GET /repos/acme/widgets/collaborators/alice/permission: 403')
  })

  it("keep the run's secrets out of the message", async () => {
    gh = createGitHubClient('ghs_test', server.url, t => t.split('sk-secret-123').join('***'))
    server.injectFault({
      method: 'POST',
      operation: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 422,
      body: { message: 'Validation Failed: body sk-secret-123 is too long' }
    })
    const issue = server.state.addIssue({ title: 't' })
    const err = (await gh.rest.issues
      .createComment({ ...repo, issue_number: issue.number, body: 'hi' })
      .catch((e: unknown) => e)) as Error
    expect(
      err.message.startsWith(
        `POST /repos/acme/widgets/issues/${issue.number}/comments: 422 Validation Failed: body *** is too long`
      )
    ).toBe(true)
    expect(err.stack).not.toContain('sk-secret-123')
  })
})

describe('requestPath', () => {
  it('is the path after the API base, also on GitHub Enterprise Server', () => {
    expect(
      requestPath('https://ghe.example.com/api/v3/repos/o/r/pulls?state=open', 'https://ghe.example.com/api/v3/')
    ).toBe('/repos/o/r/pulls?state=open')
    expect(requestPath('https://api.github.com/repos/o/r', 'https://api.github.com')).toBe('/repos/o/r')
    expect(requestPath('https://uploads.github.com/x', 'https://api.github.com')).toBe('/x')
  })
})

describe('failedChecks', () => {
  const SHA = 'f'.repeat(40)

  it('lists each failure once: failed jobs with their failed steps and logs (through the 302), other CIs with annotations', async () => {
    const run = server.state.addRun({ name: 'CI', status: 'completed', conclusion: 'failure', head_sha: SHA })
    server.state.addJob(run.id, {
      name: 'test',
      log: 'ok\nError: boom\n',
      steps: [{ name: 'Run npm test', conclusion: 'failure' }],
      annotations: [
        {
          path: 'src/a.js',
          start_line: 4,
          end_line: 4,
          annotation_level: 'failure',
          title: null,
          message: 'Process completed with exit code 1.',
          raw_details: null
        }
      ]
    })
    server.state.addJob(run.id, { name: 'build', conclusion: 'success' })
    server.state.addCheckRun({
      name: 'coverage',
      head_sha: SHA,
      conclusion: 'timed_out',
      output: { title: 'Timed out', summary: 'after 60 min', text: null }
    })
    server.state.addCheckRun({ name: 'docs', head_sha: SHA, conclusion: 'cancelled' })
    server.state.addCheckRun({ name: 'elsewhere', head_sha: 'e'.repeat(40) })

    const failures = await failedChecks(gh, repo, SHA)
    expect(failures).toEqual([
      {
        name: 'CI / test',
        conclusion: 'failure',
        url: expect.stringMatching(/\/actions\/runs\/\d+\/job\/\d+$/) as unknown as string,
        output: 'Failed step: Run npm test',
        annotations: [
          { path: 'src/a.js', line: 4, level: 'failure', title: null, message: 'Process completed with exit code 1.' }
        ],
        log: 'ok\nError: boom\n'
      },
      {
        name: 'coverage',
        conclusion: 'timed_out',
        url: expect.stringMatching(/\/runs\/\d+$/) as unknown as string,
        output: 'Timed out\n\nafter 60 min',
        annotations: []
      }
    ])
    // The log came from the other host, and the token stayed with the API.
    expect(server.logRequests.map(r => r.authorization)).toEqual([null])
  })

  it('says why a log is missing, and names a workflow that failed before any job', async () => {
    const run = server.state.addRun({ name: 'CI', status: 'completed', conclusion: 'failure', head_sha: SHA })
    server.state.addJob(run.id, { name: 'old', log: null })
    server.state.addRun({ name: 'Broken YAML', status: 'completed', conclusion: 'startup_failure', head_sha: SHA })
    const failures = await failedChecks(gh, repo, SHA)
    expect(failures.map(f => [f.name, f.conclusion, f.logMissing])).toEqual([
      ['Broken YAML', 'startup_failure', undefined],
      ['CI / old', 'failure', 'the log has expired']
    ])
  })

  it('reads at most the first few logs', async () => {
    const run = server.state.addRun({ name: 'CI', status: 'completed', conclusion: 'failure', head_sha: SHA })
    for (const name of ['a', 'b', 'c']) server.state.addJob(run.id, { name, log: `${name} failed\n` })
    const failures = await failedChecks(gh, repo, SHA, { maxLogs: 2 })
    expect(failures.map(f => f.log ?? f.logMissing)).toEqual([
      'a failed\n',
      'b failed\n',
      "not downloaded: only the first 2 failed jobs' logs are read"
    ])
  })
})

describe('StatusComment', () => {
  it('is posted with its first phase running, and edited only when what it shows changes', async () => {
    const issue = server.state.addIssue({ title: 'Add rate limiting', labels: ['orchestrator'] })
    const status = new StatusComment(gh, repo, issue.number, 'Planning', 'https://run', ['index', 'research'])
    await status.create()
    const [comment] = [...server.state.comments.values()]
    expect(comment?.body).toContain('⏳ **index** (running)')
    const edits = () => server.writes().filter(w => w.method === 'PATCH').length
    status.onProgress({ type: 'phase-start', phase: 'index', position: 1, total: 2 })
    status.onProgress({ type: 'phase-end', phase: 'index', result: emptyPhase('index', 'succeeded') })
    status.onProgress({ type: 'phase-start', phase: 'research', position: 2, total: 2 })
    await status.finish(true, 'Plan posted')
    // The start of index showed nothing new: only research's start and the outcome were edits.
    expect(edits()).toBe(2)
    expect(server.state.comments.get(comment?.id ?? 0)?.body).toContain('Plan posted')
  })
})
