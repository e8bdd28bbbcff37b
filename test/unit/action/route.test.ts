import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import { routeEvent } from '../../../src/action/route.js'

type Json = Record<string, unknown>

const FIXTURES = new URL('../../fixtures/webhooks/', import.meta.url)
const TRIGGER = 'orchestrator'

/** A fresh copy of a real webhook payload, so each test may change it. */
function fixture(file: string): Json {
  return JSON.parse(fs.readFileSync(new URL(file, FIXTURES), 'utf8')) as Json
}

function obj(value: unknown): Json {
  return value as Json
}

/** issues.labeled with the given label added by the given sender. */
function labeled(label: string, sender?: { login: string; type: string }): Json {
  const p = fixture('issues.labeled.json')
  obj(p.label).name = label
  if (sender) p.sender = { ...obj(p.sender), ...sender }
  return p
}

/** issue_comment.created on an issue with the given comment body and author. */
function comment(body: string, user?: { login: string; type: string }, file = 'issue_comment.created.json'): Json {
  const p = fixture(file)
  const c = obj(p.comment)
  c.body = body
  if (user) {
    c.user = { ...obj(c.user), ...user }
    p.sender = { ...obj(p.sender), ...user }
  }
  return p
}

describe('routeEvent: issues', () => {
  it('starts a run when the trigger label is added by a person', () => {
    const route = routeEvent('issues', labeled(TRIGGER), TRIGGER)
    expect(route).toEqual({
      kind: 'start',
      trigger: { type: 'label' },
      actor: 'Codertocat',
      extra: '',
      issue: {
        number: 1,
        title: 'Spelling error in the README file',
        body: "It looks like you accidently spelled 'commit' with two 't's.",
        labels: ['bug'],
        isPullRequest: false
      }
    })
  })

  it('ignores another label, naming both labels', () => {
    const route = routeEvent('issues', fixture('issues.labeled.json'), TRIGGER)
    expect(route).toEqual({ kind: 'ignored', reason: 'label "bug" is not the trigger label "orchestrator"' })
  })

  it('matches the trigger label exactly', () => {
    expect(routeEvent('issues', labeled('Orchestrator'), TRIGGER).kind).toBe('ignored')
    expect(routeEvent('issues', labeled('orchestrator:planning'), TRIGGER).kind).toBe('ignored')
    expect(routeEvent('issues', labeled('needs-ai'), 'needs-ai').kind).toBe('start')
  })

  it('ignores the trigger label when a bot adds it', () => {
    const byType = routeEvent('issues', labeled(TRIGGER, { login: 'renovate', type: 'Bot' }), TRIGGER)
    expect(byType).toEqual({ kind: 'ignored', reason: 'the label was added by a bot (renovate)' })
    const byLogin = routeEvent('issues', labeled(TRIGGER, { login: 'github-actions[bot]', type: 'User' }), TRIGGER)
    expect(byLogin).toEqual({ kind: 'ignored', reason: 'the label was added by a bot (github-actions[bot])' })
  })

  it('ignores other issue actions', () => {
    const p = labeled(TRIGGER)
    p.action = 'unlabeled'
    expect(routeEvent('issues', p, TRIGGER)).toEqual({
      kind: 'ignored',
      reason: 'issues event with action "unlabeled" is not a trigger'
    })
    p.action = 'opened'
    expect(routeEvent('issues', p, TRIGGER).kind).toBe('ignored')
  })

  it('reads an issue with a null body as empty', () => {
    const p = labeled(TRIGGER)
    obj(p.issue).body = null
    const route = routeEvent('issues', p, TRIGGER)
    expect(route.kind === 'start' && route.issue.body).toBe('')
  })
})

describe('routeEvent: issue_comment', () => {
  const issue = {
    number: 1,
    title: 'Spelling error in the README file',
    body: '',
    labels: ['bug'],
    isPullRequest: false
  }

  it('the unchanged fixture (a plain comment) is not a command', () => {
    expect(routeEvent('issue_comment', fixture('issue_comment.created.json'), TRIGGER)).toEqual({
      kind: 'ignored',
      reason: 'the comment does not start with an orchestrator command'
    })
  })

  it('/plan starts a run with the argument as extra context', () => {
    expect(routeEvent('issue_comment', comment('/plan also update the docs'), TRIGGER)).toEqual({
      kind: 'start',
      issue,
      actor: 'Codertocat',
      extra: 'also update the docs',
      trigger: { type: 'comment', id: 492700400, createdAt: '2019-05-15T15:20:21Z' }
    })
  })

  it('/approve approves with the argument as guidance', () => {
    expect(routeEvent('issue_comment', comment('/approve\nkeep it small'), TRIGGER)).toEqual({
      kind: 'approve',
      issue,
      actor: 'Codertocat',
      guidance: 'keep it small',
      trigger: { type: 'comment', id: 492700400, createdAt: '2019-05-15T15:20:21Z' }
    })
  })

  it('/revise asks for a new plan with the argument as feedback', () => {
    expect(routeEvent('issue_comment', comment('/revise use a map instead'), TRIGGER)).toEqual({
      kind: 'revise',
      issue,
      actor: 'Codertocat',
      feedback: 'use a map instead',
      trigger: { type: 'comment', id: 492700400, createdAt: '2019-05-15T15:20:21Z' }
    })
  })

  it('/cancel cancels', () => {
    expect(routeEvent('issue_comment', comment('/cancel'), TRIGGER)).toEqual({
      kind: 'cancel',
      issue,
      actor: 'Codertocat',
      trigger: { type: 'comment', id: 492700400, createdAt: '2019-05-15T15:20:21Z' }
    })
  })

  it('/answer answers the waiting question with the rest of the comment', () => {
    expect(routeEvent('issue_comment', comment('/answer 2'), TRIGGER)).toEqual({
      kind: 'answer',
      issue,
      actor: 'Codertocat',
      answer: '2',
      trigger: { type: 'comment', id: 492700400, createdAt: '2019-05-15T15:20:21Z' }
    })
  })

  it('/resume goes on from a failed run, with optional guidance', () => {
    expect(routeEvent('issue_comment', comment('/resume keep the old API'), TRIGGER)).toEqual({
      kind: 'resume',
      issue,
      actor: 'Codertocat',
      guidance: 'keep the old API',
      trigger: { type: 'comment', id: 492700400, createdAt: '2019-05-15T15:20:21Z' }
    })
  })

  it('the actor is the comment author', () => {
    const route = routeEvent('issue_comment', comment('/approve', { login: 'octo-maintainer', type: 'User' }), TRIGGER)
    expect(route).toMatchObject({ kind: 'approve', actor: 'octo-maintainer' })
  })

  it('ignores a quoted command and a word that only starts like one', () => {
    expect(routeEvent('issue_comment', comment('> /approve\nwhy not?'), TRIGGER).kind).toBe('ignored')
    expect(routeEvent('issue_comment', comment('/approved'), TRIGGER).kind).toBe('ignored')
  })

  it('ignores a command written by a Bot user type', () => {
    const route = routeEvent('issue_comment', comment('/approve', { login: 'some-app', type: 'Bot' }), TRIGGER)
    expect(route).toEqual({ kind: 'ignored', reason: 'comment by a bot (some-app)' })
  })

  it('ignores a command written by a [bot] login, even with user type User', () => {
    const route = routeEvent(
      'issue_comment',
      comment('/approve', { login: 'github-actions[bot]', type: 'User' }),
      TRIGGER
    )
    expect(route).toEqual({ kind: 'ignored', reason: 'comment by a bot (github-actions[bot])' })
  })

  it('ignores edited comments, even when they now start with a command', () => {
    const p = comment('/approve', undefined, 'issue_comment.edited.json')
    expect(routeEvent('issue_comment', p, TRIGGER)).toEqual({
      kind: 'ignored',
      reason: 'comment edited: only new comments carry commands'
    })
  })

  it('ignores deleted comments', () => {
    const p = comment('/cancel')
    p.action = 'deleted'
    expect(routeEvent('issue_comment', p, TRIGGER)).toEqual({
      kind: 'ignored',
      reason: 'comment deleted: only new comments carry commands'
    })
  })

  it('ignores commands on a pull request', () => {
    const p = comment('/approve', undefined, 'issue_comment.created.pull_request.json')
    expect(obj(p.issue).pull_request).toBeDefined()
    expect(routeEvent('issue_comment', p, TRIGGER)).toEqual({
      kind: 'ignored',
      reason: '/approve on a pull request: only /fix works there'
    })
    expect(
      routeEvent('issue_comment', comment('/plan', undefined, 'issue_comment.created.pull_request.json'), TRIGGER).kind
    ).toBe('ignored')
  })

  it('ignores a comment with no body', () => {
    const p = comment('')
    obj(p.comment).body = null
    expect(routeEvent('issue_comment', p, TRIGGER).kind).toBe('ignored')
  })
})

describe('routeEvent: other events', () => {
  it('never handles pull_request_target', () => {
    const p = fixture('pull_request_review.submitted.json')
    p.action = 'opened'
    expect(routeEvent('pull_request_target', p, TRIGGER)).toEqual({
      kind: 'ignored',
      reason: 'pull_request_target events are never handled: they would run untrusted code with secrets'
    })
  })

  it('ignores events it does not handle, naming them', () => {
    expect(routeEvent('push', {}, TRIGGER)).toEqual({ kind: 'ignored', reason: 'event push is not handled' })
    expect(routeEvent('workflow_dispatch', {}, TRIGGER).kind).toBe('ignored')
  })

  it('a labeled payload under another event name does not start a run', () => {
    expect(routeEvent('pull_request', labeled(TRIGGER), TRIGGER).kind).toBe('ignored')
  })
})

describe('routeEvent: /fix on pull requests', () => {
  function review(state: string, body: string, user?: { login: string; type: string }): Json {
    const p = fixture('pull_request_review.submitted.json')
    const r = obj(p.review)
    r.state = state
    r.body = body
    if (user) r.user = { ...obj(r.user), ...user }
    return p
  }

  it('routes /fix in a comment on a pull request, with its feedback', () => {
    const p = comment('/fix Rename the limiter\nand add a test', undefined, 'issue_comment.created.pull_request.json')
    const route = routeEvent('issue_comment', p, TRIGGER)
    expect(route).toMatchObject({
      kind: 'fix',
      feedback: 'Rename the limiter\nand add a test',
      trigger: { type: 'comment', id: obj(p.comment).id }
    })
    expect(route.kind === 'fix' && route.issue.isPullRequest).toBe(true)
  })

  it('ignores /fix on an issue', () => {
    expect(routeEvent('issue_comment', comment('/fix it'), TRIGGER)).toEqual({
      kind: 'ignored',
      reason: '/fix on an issue: it works on the pull requests the orchestrator opened'
    })
  })

  it('routes a changes-requested review whose body starts with /fix, naming the review', () => {
    const p = review('changes_requested', '/fix see the inline comments')
    const route = routeEvent('pull_request_review', p, TRIGGER)
    expect(route).toMatchObject({
      kind: 'fix',
      feedback: 'see the inline comments',
      trigger: { type: 'review', id: obj(p.review).id }
    })
    expect(route.kind === 'fix' && route.issue.number).toBe(obj(p.pull_request).number)
  })

  it('ignores other reviews: approvals, plain comments, no /fix, bots', () => {
    expect(routeEvent('pull_request_review', review('approved', '/fix nothing'), TRIGGER).kind).toBe('ignored')
    expect(routeEvent('pull_request_review', review('commented', '/fix later'), TRIGGER).kind).toBe('ignored')
    expect(routeEvent('pull_request_review', review('changes_requested', 'Please rename this.'), TRIGGER).kind).toBe(
      'ignored'
    )
    expect(
      routeEvent(
        'pull_request_review',
        review('changes_requested', '/fix x', { login: 'ci[bot]', type: 'Bot' }),
        TRIGGER
      ).kind
    ).toBe('ignored')
  })
})

describe('routeEvent: pull_request closed (the ledger)', () => {
  function closed(change: (pr: Json) => void = () => undefined): Json {
    const p = fixture('pull_request.closed.json')
    change(obj(p.pull_request))
    return p
  }

  it('routes a merged pull request to the ledger with what the event says about it', () => {
    const route = routeEvent(
      'pull_request',
      closed(pr => {
        pr.merged = true
        pr.merged_at = '2019-05-15T15:21:18Z'
      }),
      TRIGGER
    )
    expect(route).toEqual({
      kind: 'closed',
      actor: 'Codertocat',
      issue: {
        number: 2,
        title: 'Update the README with new information.',
        body: 'This is a pretty simple change that we need to pull into master.',
        labels: ['bug'],
        isPullRequest: true
      },
      pull: {
        number: 2,
        merged: true,
        createdAt: '2019-05-15T15:20:33Z',
        closedAt: '2019-05-15T15:21:18Z',
        author: 'Codertocat',
        headRef: 'changes',
        body: 'This is a pretty simple change that we need to pull into master.'
      }
    })
  })

  it('routes one closed without merge too, whoever closed it (bots included)', () => {
    const p = closed()
    p.sender = { ...obj(p.sender), login: 'mergify[bot]', type: 'Bot' }
    const route = routeEvent('pull_request', p, TRIGGER)
    expect(route.kind === 'closed' && route.pull.merged).toBe(false)
    expect(route.kind === 'closed' && route.actor).toBe('mergify[bot]')
  })

  it('ignores other pull request actions and pull requests from forks', () => {
    const opened = closed()
    opened.action = 'opened'
    expect(routeEvent('pull_request', opened, TRIGGER)).toEqual({
      kind: 'ignored',
      reason: 'pull_request opened: only closed pull requests are recorded'
    })
    const fork = closed(pr => {
      obj(obj(pr.head).repo).full_name = 'someone/Hello-World'
    })
    expect(routeEvent('pull_request', fork, TRIGGER)).toEqual({
      kind: 'ignored',
      reason: 'a pull request from a fork was closed: the orchestrator only records its own'
    })
  })
})

describe('routeEvent: failed checks (fix_failing_checks)', () => {
  const ON = { fixFailingChecks: true, branchPrefix: 'orchestrator/issue-' }
  const SHA = 'a'.repeat(40)

  /** A pull request as check suites and workflow runs list it; head and base in the event's repository. */
  function entry(p: Json, number: number, ref: string, headRepoId?: number): Json {
    const id = obj(p.repository).id as number
    return {
      url: `https://api.github.com/repos/x/y/pulls/${number}`,
      id: 100 + number,
      number,
      head: { ref, sha: SHA, repo: { id: headRepoId ?? id, url: 'u', name: 'n' } },
      base: { ref: 'main', sha: 'b'.repeat(40), repo: { id, url: 'u', name: 'n' } }
    }
  }
  function suite(conclusion: string, pulls: (p: Json) => Json[]): Json {
    const p = fixture('check_suite.completed.json')
    Object.assign(obj(p.check_suite), { conclusion, head_sha: SHA, pull_requests: pulls(p) })
    return p
  }
  function workflowRun(conclusion: string, pulls: (p: Json) => Json[], headRepo?: string): Json {
    const p = fixture('workflow_run.completed.json')
    const run = obj(p.workflow_run)
    Object.assign(run, { conclusion, head_sha: SHA, name: 'CI', pull_requests: pulls(p) })
    if (headRepo) run.head_repository = { ...obj(run.head_repository), full_name: headRepo }
    return p
  }

  it('routes a failed check suite on a pull request from an orchestrator branch', () => {
    const route = routeEvent(
      'check_suite',
      suite('failure', p => [entry(p, 7, 'orchestrator/issue-3')]),
      TRIGGER,
      ON
    )
    expect(route).toEqual({
      kind: 'checks',
      issue: { number: 7, title: '', body: '', labels: [], isPullRequest: true },
      actor: 'Codertocat',
      trigger: {
        type: 'checks',
        event: 'check_suite',
        id: 118578147,
        name: 'octocoders-linter',
        conclusion: 'failure',
        headSha: SHA,
        headBranch: 'orchestrator/issue-3'
      }
    })
  })

  it('routes a failed or timed-out workflow run the same way, named after the workflow', () => {
    const route = routeEvent(
      'workflow_run',
      workflowRun('timed_out', p => [entry(p, 9, 'orchestrator/issue-4')]),
      TRIGGER,
      ON
    )
    expect(route).toMatchObject({
      kind: 'checks',
      issue: { number: 9 },
      trigger: {
        type: 'checks',
        event: 'workflow_run',
        id: 289782451,
        name: 'CI',
        conclusion: 'timed_out',
        headSha: SHA
      }
    })
    expect(
      routeEvent(
        'workflow_run',
        workflowRun('startup_failure', p => [entry(p, 9, 'orchestrator/issue-4')]),
        TRIGGER,
        ON
      ).kind
    ).toBe('checks')
  })

  it('ignores everything while fix_failing_checks is off (the default)', () => {
    const p = suite('failure', q => [entry(q, 7, 'orchestrator/issue-3')])
    expect(routeEvent('check_suite', p, TRIGGER)).toEqual({
      kind: 'ignored',
      reason: 'check_suite completed: fix_failing_checks is off, failed checks are left to people'
    })
  })

  it('ignores checks that did not fail, and other actions', () => {
    for (const conclusion of ['success', 'cancelled', 'skipped', 'neutral', 'action_required']) {
      const route = routeEvent(
        'check_suite',
        suite(conclusion, p => [entry(p, 7, 'orchestrator/issue-3')]),
        TRIGGER,
        ON
      )
      expect(route).toEqual({
        kind: 'ignored',
        reason: `check_suite concluded "${conclusion}": only failed checks start a fix`
      })
    }
    const requested = suite('failure', p => [entry(p, 7, 'orchestrator/issue-3')])
    requested.action = 'requested'
    expect(routeEvent('check_suite', requested, TRIGGER, ON).kind).toBe('ignored')
  })

  it('never routes a fork: another head repository, or a pull request whose head is elsewhere', () => {
    const fork = workflowRun('failure', p => [entry(p, 9, 'orchestrator/issue-4')], 'mallory/widgets')
    expect(routeEvent('workflow_run', fork, TRIGGER, ON)).toEqual({
      kind: 'ignored',
      reason: 'the failed workflow ran on a fork: the orchestrator only fixes its own pull requests'
    })
    const elsewhere = suite('failure', p => [entry(p, 7, 'orchestrator/issue-3', 999999)])
    expect(routeEvent('check_suite', elsewhere, TRIGGER, ON).kind).toBe('ignored')
    // GitHub lists no pull requests for a fork's check suite.
    expect(
      routeEvent(
        'check_suite',
        suite('failure', () => []),
        TRIGGER,
        ON
      )
    ).toEqual({
      kind: 'ignored',
      reason: 'the failed checks belong to no pull request of this repository (a fork, or a branch without one)'
    })
  })

  it('ignores pull requests from branches without the orchestrator prefix, and picks the one with it', () => {
    const people = suite('failure', p => [entry(p, 5, 'feature/by-hand')])
    expect(routeEvent('check_suite', people, TRIGGER, ON)).toEqual({
      kind: 'ignored',
      reason:
        'the failed checks belong to no pull request from an orchestrator branch (orchestrator/issue-…) of this repository'
    })
    const both = suite('failure', p => [entry(p, 5, 'feature/by-hand'), entry(p, 6, 'bot/issue-2')])
    expect(routeEvent('check_suite', both, TRIGGER, { ...ON, branchPrefix: 'bot/issue-' })).toMatchObject({
      kind: 'checks',
      issue: { number: 6 }
    })
  })
})
