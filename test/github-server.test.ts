import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Octokit } from '@octokit/rest'
import { retry } from '@octokit/plugin-retry'
import { getOctokit } from '@actions/github'
import { startFakeGitHub, type FakeGitHub } from './support/github-server.js'

const OWNER = 'acme'
const REPO = 'widgets'
const repo = { owner: OWNER, repo: REPO }
/** Octokit logs every failed request with console.error; these tests fail requests on purpose. */
const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

interface RequestErrorLike {
  status: number
  message: string
  response?: { data: { message?: string; errors?: Array<Record<string, unknown>> } }
}

async function failure(p: Promise<unknown>): Promise<RequestErrorLike> {
  try {
    await p
  } catch (e) {
    return e as RequestErrorLike
  }
  throw new Error('expected the request to fail')
}

describe('fake GitHub server', () => {
  let gh: FakeGitHub
  let octokit: Octokit

  beforeEach(async () => {
    gh = await startFakeGitHub({ owner: OWNER, repo: REPO })
    octokit = new Octokit({ baseUrl: gh.url, auth: 'x', log })
  })

  afterEach(async () => {
    await gh.close()
    // Every answer of the fake matched GitHub's documented response schema.
    expect(gh.problems()).toEqual([])
  })

  it('creates, lists (paginated) and updates issue comments', async () => {
    const issue = gh.state.addIssue({ title: 'Add a widget', body: 'please', labels: ['orchestrate'], user: 'alice' })
    gh.state.addComment({ issue_number: issue.number, body: 'human says hi', user: 'alice' })

    const created = []
    for (let i = 0; i < 4; i++) {
      const { status, data } = await octokit.rest.issues.createComment({
        ...repo,
        issue_number: issue.number,
        body: `bot comment ${i}`
      })
      expect(status).toBe(201)
      created.push(data)
    }
    expect(created[0]?.user?.login).toBe('github-actions[bot]')
    expect(created[0]?.user?.type).toBe('Bot')
    expect(created[0]?.html_url).toBe(
      `https://github.com/${OWNER}/${REPO}/issues/${issue.number}#issuecomment-${created[0]?.id}`
    )

    const page1 = await octokit.rest.issues.listComments({ ...repo, issue_number: issue.number, per_page: 2 })
    expect(page1.data.map(c => c.body)).toEqual(['human says hi', 'bot comment 0'])
    expect(page1.headers.link).toContain('rel="next"')
    expect(page1.headers.link).toContain(
      `${gh.url}/repos/${OWNER}/${REPO}/issues/${issue.number}/comments?per_page=2&page=2`
    )

    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repo,
      issue_number: issue.number,
      per_page: 2
    })
    expect(all.map(c => c.body)).toEqual([
      'human says hi',
      'bot comment 0',
      'bot comment 1',
      'bot comment 2',
      'bot comment 3'
    ])
    expect(all[0]?.user?.login).toBe('alice')
    expect(gh.log.filter(e => e.operation === 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments')).toHaveLength(
      4
    )

    const target = created[1]
    if (!target) throw new Error('no comment')
    const updated = await octokit.rest.issues.updateComment({ ...repo, comment_id: target.id, body: 'edited' })
    expect(updated.data.body).toBe('edited')
    expect(gh.state.comments.get(target.id)?.body).toBe('edited')

    await octokit.rest.issues.deleteComment({ ...repo, comment_id: target.id })
    expect(gh.state.commentsOn(issue.number)).toHaveLength(4)

    expect(gh.writes().map(e => e.operation)).toEqual([
      ...Array(4).fill('POST /repos/{owner}/{repo}/issues/{issue_number}/comments'),
      'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
      'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}'
    ])
    expect(gh.writes()[0]?.body).toEqual({ body: 'bot comment 0' })
    expect(gh.unknown()).toEqual([])
  })

  it('answers an endpoint that is not in the OpenAPI description with 404 and logs it', async () => {
    const err = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comment', {
        ...repo,
        issue_number: 1,
        body: 'x'
      })
    )
    expect(err.status).toBe(404)
    expect(err.response?.data.message).toContain("not in GitHub's OpenAPI description")
    expect(gh.unknown()).toHaveLength(1)
    expect(gh.log[0]).toMatchObject({
      method: 'POST',
      path: `/repos/${OWNER}/${REPO}/issues/1/comment`,
      status: 404,
      unknown: true
    })

    // A real GitHub endpoint that this fake does not model is named as such.
    const real = await failure(octokit.rest.issues.lock({ ...repo, issue_number: 1 }))
    expect(real.status).toBe(404)
    expect(real.response?.data.message).toContain('is a GitHub endpoint')
    expect(gh.unknown()).toHaveLength(2)
  })

  it('rejects a body that does not match the request schema with 422', async () => {
    const issue = gh.state.addIssue({ title: 't' })
    const err = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...repo,
        issue_number: issue.number,
        body: 123 as unknown as string
      })
    )
    expect(err.status).toBe(422)
    expect(err.response?.data.errors?.[0]).toMatchObject({ instancePath: '/body', keyword: 'type' })
    expect(gh.state.commentsOn(issue.number)).toEqual([])

    const reaction = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/reactions', {
        ...repo,
        issue_number: issue.number,
        content: 'thumbsup' as '+1'
      })
    )
    expect(reaction.status).toBe(422)
    expect(gh.log.map(e => e.status)).toEqual([422, 422])
  })

  it('requires an Authorization header', async () => {
    const anonymous = new Octokit({ baseUrl: gh.url, log })
    const err = await failure(anonymous.rest.repos.get(repo))
    expect(err.status).toBe(401)
    const ok = await octokit.rest.repos.get(repo)
    expect(ok.data).toMatchObject({
      name: REPO,
      full_name: `${OWNER}/${REPO}`,
      default_branch: 'main',
      owner: { login: OWNER }
    })
  })

  it('refuses a second open pull request for the same head', async () => {
    const first = await octokit.rest.pulls.create({
      ...repo,
      head: 'orchestrator/issue-7',
      base: 'main',
      title: 'Fix #7',
      body: 'Closes #7'
    })
    expect(first.status).toBe(201)
    expect(first.data.head.ref).toBe('orchestrator/issue-7')
    expect(first.data.html_url).toBe(`https://github.com/${OWNER}/${REPO}/pull/${first.data.number}`)

    const err = await failure(
      octokit.rest.pulls.create({ ...repo, head: `${OWNER}:orchestrator/issue-7`, base: 'main', title: 'again' })
    )
    expect(err.status).toBe(422)
    expect(err.response?.data.errors?.[0]?.message).toBe(
      `A pull request already exists for ${OWNER}:orchestrator/issue-7.`
    )

    const listed = await octokit.rest.pulls.list({ ...repo, head: `${OWNER}:orchestrator/issue-7`, state: 'open' })
    expect(listed.data.map(p => p.number)).toEqual([first.data.number])
    const other = await octokit.rest.pulls.list({ ...repo, head: `${OWNER}:nope`, state: 'all' })
    expect(other.data).toEqual([])

    await octokit.rest.pulls.update({ ...repo, pull_number: first.data.number, title: 'Fix #7 (v2)', state: 'closed' })
    expect(gh.state.pulls.get(first.data.number)).toMatchObject({ title: 'Fix #7 (v2)', state: 'closed' })
    expect((await octokit.rest.pulls.list({ ...repo, head: `${OWNER}:orchestrator/issue-7` })).data).toEqual([])
    // Once the first is closed, a new one may be opened.
    const second = await octokit.rest.pulls.create({
      ...repo,
      head: 'orchestrator/issue-7',
      base: 'main',
      title: 'Fix #7 again'
    })
    expect(second.data.number).toBe(first.data.number + 1)
  })

  it('shares one number sequence between issues and pull requests', async () => {
    const issue = gh.state.addIssue({ title: 'one' })
    const pr = await octokit.rest.pulls.create({ ...repo, head: 'feature', base: 'main', title: 'two' })
    expect(pr.data.number).toBe(issue.number + 1)
    const asIssue = await octokit.rest.issues.get({ ...repo, issue_number: pr.data.number })
    expect(asIssue.data.pull_request?.html_url).toBe(pr.data.html_url)
    await octokit.rest.issues.createComment({ ...repo, issue_number: pr.data.number, body: 'on the PR' })
    expect(gh.state.commentsOn(pr.data.number)[0]?.html_url).toContain(`/pull/${pr.data.number}#issuecomment-`)
  })

  it('auto-creates repository labels when adding them to an issue, and 422s on a duplicate label', async () => {
    const issue = gh.state.addIssue({ title: 't' })
    const { data } = await octokit.rest.issues.addLabels({
      ...repo,
      issue_number: issue.number,
      labels: ['orchestrator:planning']
    })
    expect(data).toEqual([expect.objectContaining({ name: 'orchestrator:planning', color: 'ededed' })])
    expect(gh.state.findLabel('orchestrator:planning')).toBeDefined()
    expect(gh.state.issues.get(issue.number)?.labels).toEqual(['orchestrator:planning'])

    const dup = await failure(
      octokit.rest.issues.createLabel({ ...repo, name: 'Orchestrator:Planning', color: 'ff0000' })
    )
    expect(dup.status).toBe(422)
    expect(dup.response?.data.errors?.[0]).toMatchObject({ resource: 'Label', code: 'already_exists', field: 'name' })

    const label = await octokit.rest.issues.getLabel({ ...repo, name: 'orchestrator:planning' })
    expect(label.data.name).toBe('orchestrator:planning')

    await octokit.rest.issues.removeLabel({ ...repo, issue_number: issue.number, name: 'orchestrator:planning' })
    const missing = await failure(
      octokit.rest.issues.removeLabel({ ...repo, issue_number: issue.number, name: 'orchestrator:planning' })
    )
    expect(missing.status).toBe(404)

    await octokit.rest.issues.setLabels({ ...repo, issue_number: issue.number, labels: ['a b', 'c'] })
    expect(
      (await octokit.rest.issues.listLabelsOnIssue({ ...repo, issue_number: issue.number })).data.map(l => l.name)
    ).toEqual(['a b', 'c'])
  })

  it('injects faults: a 503 once, then the retried request succeeds', async () => {
    const issue = gh.state.addIssue({ title: 't' })
    const op = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
    gh.injectFault({ method: 'POST', operation: op, status: 503, headers: { 'retry-after': '0' } })

    const err = await failure(
      octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: 'first try' })
    )
    expect(err.status).toBe(503)
    await octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: 'second try' })

    // The same with Octokit's retry plugin: one call, two requests.
    gh.injectFault({ method: 'POST', operation: op, status: 503 })
    const Retrying = Octokit.plugin(retry)
    const retrying = new Retrying({ baseUrl: gh.url, auth: 'x', log, retry: { retryAfterBaseValue: 1 } })
    await retrying.rest.issues.createComment({ ...repo, issue_number: issue.number, body: 'retried' })

    expect(gh.writes().map(e => [e.status, e.injected === true])).toEqual([
      [503, true],
      [201, false],
      [503, true],
      [201, false]
    ])
    expect(gh.state.commentsOn(issue.number).map(c => c.body)).toEqual(['second try', 'retried'])
    expect(() => gh.injectFault({ method: 'POST', operation: '/repos/{owner}/{repo}/nope', status: 500 })).toThrow(
      /not an operation/
    )
  })

  it('reports collaborator permissions like GitHub', async () => {
    gh.state.permissions = { alice: 'admin', bob: 'maintain', carol: 'triage', dave: 'write' }
    const get = (username: string) =>
      octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username }).then(r => r.data)
    expect(await get('alice')).toMatchObject({ permission: 'admin', role_name: 'admin', user: { login: 'alice' } })
    expect(await get('bob')).toMatchObject({ permission: 'write', role_name: 'maintain' })
    expect(await get('carol')).toMatchObject({ permission: 'read', role_name: 'triage' })
    expect(await get('dave')).toMatchObject({ permission: 'write', role_name: 'write' })
    // Public repository: anyone else can read.
    expect(await get('mallory')).toMatchObject({ permission: 'read', role_name: 'read' })
  })

  it('stores reactions, serves review comments, branches and workflow runs', async () => {
    const issue = gh.state.addIssue({ title: 't' })
    const c = gh.state.addComment({ issue_number: issue.number, body: '/approve', user: 'alice' })
    const r1 = await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: c.id, content: 'eyes' })
    expect(r1.status).toBe(201)
    const r2 = await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: c.id, content: 'eyes' })
    expect(r2.status).toBe(200)
    expect(r2.data.id).toBe(r1.data.id)
    expect(
      (await octokit.rest.reactions.createForIssue({ ...repo, issue_number: issue.number, content: 'rocket' })).status
    ).toBe(201)
    expect(gh.state.comments.get(c.id)?.reactions.map(r => r.content)).toEqual(['eyes'])
    expect((await octokit.rest.issues.getComment({ ...repo, comment_id: c.id })).data.reactions?.eyes).toBe(1)

    const pull = gh.state.addPull({ head: 'feature', title: 'PR' })
    const { review } = gh.state.addReview(pull.number, {
      user: 'alice',
      state: 'CHANGES_REQUESTED',
      comments: [{ path: 'src/a.ts', line: 3, body: 'rename this' }]
    })
    const all = await octokit.rest.pulls.listReviewComments({ ...repo, pull_number: pull.number })
    expect(all.data).toEqual([
      expect.objectContaining({ body: 'rename this', path: 'src/a.ts', line: 3, pull_request_review_id: review.id })
    ])
    const byReview = await octokit.rest.pulls.listCommentsForReview({
      ...repo,
      pull_number: pull.number,
      review_id: review.id
    })
    expect(byReview.data.map(x => x.body)).toEqual(['rename this'])
    expect(
      (await failure(octokit.rest.pulls.listCommentsForReview({ ...repo, pull_number: pull.number, review_id: 1 })))
        .status
    ).toBe(404)

    expect((await octokit.rest.repos.getBranch({ ...repo, branch: 'main' })).data.name).toBe('main')
    expect((await failure(octokit.rest.repos.getBranch({ ...repo, branch: 'nope' }))).status).toBe(404)

    const run = gh.state.addRun({ id: 42 })
    const got = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: run.id })
    expect(got.data.html_url).toBe(`https://github.com/${OWNER}/${REPO}/actions/runs/42`)
  })

  it('lists a pull request’s commits from the git repository in state.gitDir, also after the base moved on', async () => {
    const pull0 = gh.state.addPull({ head: 'nowhere', title: 'PR' })
    expect((await failure(octokit.rest.pulls.listCommits({ ...repo, pull_number: pull0.number }))).status).toBe(500)

    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-commits-'))
    const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim()
    try {
      const origin = path.join(root, 'origin.git')
      git(root, 'init', '-q', '--bare', '-b', 'main', origin)
      const work = path.join(root, 'work')
      git(root, 'clone', '-q', origin, work)
      const commit = (message: string, email: string) => {
        fs.writeFileSync(path.join(work, `${message}.txt`), message)
        git(work, 'add', '-A')
        git(work, '-c', 'user.name=Someone', '-c', `user.email=${email}`, 'commit', '-q', '-m', message)
      }
      commit('base', 'base@example.com')
      git(work, 'push', '-q', 'origin', 'HEAD:main')
      gh.state.gitDir = origin
      git(work, 'checkout', '-q', '-b', 'feature')
      commit('bot work', 'bot@example.com')
      commit('human fix', 'dev@example.com')
      git(work, 'push', '-q', 'origin', 'feature')
      const pull = gh.state.addPull({ head: 'feature', title: 'PR' })
      // The pull request is merged: main now contains its commits, and GitHub still lists them.
      git(work, 'push', '-q', 'origin', 'feature:main')
      const { data } = await octokit.rest.pulls.listCommits({ ...repo, pull_number: pull.number })
      expect(data.map(c => [c.commit.message, c.commit.author?.email])).toEqual([
        ['bot work', 'bot@example.com'],
        ['human fix', 'dev@example.com']
      ])
      expect(data[1]?.parents[0]?.sha).toBe(data[0]?.sha)
    } finally {
      fs.rmSync(root, { recursive: true, force: true })
    }
  })

  it('handles label names that need escaping and the since filter', async () => {
    const issue = gh.state.addIssue({ title: 't', labels: ['orchestrator/needs review'] })
    expect((await octokit.rest.issues.getLabel({ ...repo, name: 'orchestrator/needs review' })).data.color).toBe(
      'ededed'
    )
    const left = await octokit.rest.issues.removeLabel({
      ...repo,
      issue_number: issue.number,
      name: 'orchestrator/needs review'
    })
    expect(left.data).toEqual([])

    let t = Date.parse('2024-01-01T00:00:00Z')
    await gh.close()
    gh = await startFakeGitHub({ owner: OWNER, repo: REPO, now: () => new Date(t) })
    octokit = new Octokit({ baseUrl: gh.url, auth: 'x', log })
    const n = gh.state.addIssue({ title: 't' }).number
    gh.state.addComment({ issue_number: n, body: 'old', user: 'alice' })
    t += 60_000
    gh.state.addComment({ issue_number: n, body: 'new', user: 'alice' })
    const since = await octokit.rest.issues.listComments({ ...repo, issue_number: n, since: '2024-01-01T00:00:30Z' })
    expect(since.data.map(c => c.body)).toEqual(['new'])
  })

  it('supports a private repository, a required token and required head branches', async () => {
    await gh.close()
    gh = await startFakeGitHub({ owner: OWNER, repo: REPO, private: true, token: 'secret', requireHeadBranch: true })
    const wrong = new Octokit({ baseUrl: gh.url, auth: 'x', log })
    expect((await failure(wrong.rest.repos.get(repo))).status).toBe(401)
    octokit = new Octokit({ baseUrl: gh.url, auth: 'secret', log })
    expect(
      (await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: 'mallory' })).data.permission
    ).toBe('none')
    const err = await failure(octokit.rest.pulls.create({ ...repo, head: 'not-pushed', base: 'main', title: 't' }))
    expect(err.status).toBe(422)
    expect(err.response?.data.errors?.[0]).toMatchObject({ resource: 'PullRequest', field: 'head', code: 'invalid' })
    gh.state.addBranch('pushed')
    expect((await octokit.rest.pulls.create({ ...repo, head: 'pushed', base: 'main', title: 't' })).status).toBe(201)
  })

  it('works with @actions/github getOctokit', async () => {
    const client = getOctokit('x', { baseUrl: gh.url, log })
    const issue = gh.state.addIssue({ title: 'via actions' })
    const { data } = await client.rest.issues.get({ ...repo, issue_number: issue.number })
    expect(data.title).toBe('via actions')
    expect(gh.log[0]?.operation).toBe('GET /repos/{owner}/{repo}/issues/{issue_number}')
  })
})

describe('webhook fixtures', () => {
  const dir = new URL('./fixtures/webhooks/', import.meta.url)
  const expected: Record<string, { event: string; action: string; pullRequest?: boolean }> = {
    'issues.labeled.json': { event: 'issues', action: 'labeled' },
    'issue_comment.created.json': { event: 'issue_comment', action: 'created', pullRequest: false },
    'issue_comment.created.pull_request.json': { event: 'issue_comment', action: 'created', pullRequest: true },
    'issue_comment.edited.json': { event: 'issue_comment', action: 'edited', pullRequest: false },
    'pull_request_review.submitted.json': { event: 'pull_request_review', action: 'submitted' },
    'pull_request.closed.json': { event: 'pull_request', action: 'closed' },
    'check_suite.completed.json': { event: 'check_suite', action: 'completed' },
    'workflow_run.completed.json': { event: 'workflow_run', action: 'completed' }
  }

  it('has exactly the expected files', () => {
    expect(fs.readdirSync(dir).sort()).toEqual(Object.keys(expected).sort())
  })

  for (const [file, want] of Object.entries(expected)) {
    it(`${file} parses and has the fields the orchestrator reads`, () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const p = JSON.parse(fs.readFileSync(new URL(file, dir), 'utf8')) as any
      expect(p.action).toBe(want.action)
      expect(typeof p.repository.owner.login).toBe('string')
      expect(typeof p.repository.name).toBe('string')
      expect(typeof p.sender.login).toBe('string')
      if (want.event === 'issues' || want.event === 'issue_comment') {
        expect(typeof p.issue.number).toBe('number')
        expect(Array.isArray(p.issue.labels)).toBe(true)
      }
      if (want.event === 'issues') {
        expect(typeof p.label.name).toBe('string')
      }
      if (want.event === 'issue_comment') {
        expect(typeof p.comment.body).toBe('string')
        expect(typeof p.comment.user.login).toBe('string')
        expect(['User', 'Bot', 'Organization']).toContain(p.comment.user.type)
        expect(p.issue.pull_request !== undefined).toBe(want.pullRequest)
      }
      if (want.action === 'edited') {
        expect(typeof p.changes.body.from).toBe('string')
      }
      if (want.event === 'pull_request') {
        expect(typeof p.pull_request.number).toBe('number')
        expect(typeof p.pull_request.merged).toBe('boolean')
        expect(typeof p.pull_request.user.login).toBe('string')
        expect(typeof p.pull_request.head.ref).toBe('string')
        expect(typeof p.pull_request.head.repo.full_name).toBe('string')
      }
      if (want.event === 'check_suite' || want.event === 'workflow_run') {
        const subject = p[want.event]
        expect(typeof subject.id).toBe('number')
        expect(typeof subject.head_sha).toBe('string')
        expect(Array.isArray(subject.pull_requests)).toBe(true)
        expect(typeof p.repository.id).toBe('number')
        expect(typeof p.repository.full_name).toBe('string')
        if (want.event === 'workflow_run') expect(typeof subject.head_repository.full_name).toBe('string')
        else expect(typeof subject.app.name).toBe('string')
      }
      if (want.event === 'pull_request_review') {
        expect(typeof p.pull_request.number).toBe('number')
        expect(typeof p.review.user.login).toBe('string')
        expect(typeof p.review.state).toBe('string')
      }
    })
  }
})
