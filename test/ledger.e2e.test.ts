/**
 * The run ledger end to end: dist/index.js on Node 24 as the runner starts it,
 * the fake GitHub server (OpenAPI-checked), the real Claude Code CLI with the
 * scripted model, and a bare origin whose `orchestrator/ledger` branch is read
 * back with git after every run.
 */
import { beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { parseLedger, type LedgerRecord, type PullClosedRecord, type RunRecord } from '../src/ledger/schema.js'
import type { Reply } from './support/model-server.js'
import { outputPathOf, standardRules, write } from './support/phase-scripts.js'
import {
  ANTHROPIC_KEY,
  BOT,
  createWorld,
  expectOk,
  GITHUB_TOKEN,
  MAINTAINER,
  OPENAI_KEY,
  OUTSIDER,
  payloadRepository,
  webhookFixture,
  type World
} from './support/action-harness.js'
import { checkAndClose } from './support/world-hooks.js'
import { ledgerSchemaErrors } from './support/ledger-schema.js'
import { gitIn } from './support/sandbox.js'

let w: World

const LEDGER = 'orchestrator/ledger'
const BRANCH = () => `orchestrator/issue-${w.issue.number}`

/** The ledger as origin holds it, every record checked against the documented schema. */
function ledger(): LedgerRecord[] {
  if (!w.originHead(LEDGER)) return []
  const text = gitIn(w.origin, ['show', `refs/heads/${LEDGER}:ledger.jsonl`])
  const { records, skipped } = parseLedger(text)
  expect(skipped).toBe(0)
  for (const r of records) expect([r.id, ledgerSchemaErrors(r)]).toEqual([r.id, []])
  // No secrets, no code, no issue text.
  for (const forbidden of [GITHUB_TOKEN, ANTHROPIC_KEY, OPENAI_KEY, 'Clients can hammer', 'export function', 'LIMIT'])
    expect(text).not.toContain(forbidden)
  return records
}

/** A /fix comment on pull request `pr`, from the real PR-comment example. */
function prComment(pr: number, body: string): { name: string; payload: Record<string, unknown> } {
  const p = webhookFixture('issue_comment.created.pull_request')
  const stored = w.gh.state.addComment({ issue_number: pr, body, user: { login: MAINTAINER, type: 'User' } })
  const pull = w.gh.state.pulls.get(pr)!
  return {
    name: 'issue_comment',
    payload: {
      ...p,
      issue: { ...(p.issue as object), number: pr, title: pull.title, body: pull.body, labels: [] },
      comment: {
        ...(p.comment as object),
        id: stored.id,
        body,
        created_at: stored.created_at,
        user: { ...((p.comment as Record<string, unknown>).user as object), login: MAINTAINER, type: 'User' }
      },
      repository: payloadRepository(p),
      sender: { ...(p.sender as object), login: MAINTAINER, type: 'User' }
    }
  }
}

/** Closes pull request `pr` on the fake (merged or not) and returns the `pull_request` `closed` event GitHub sends. */
function closePull(pr: number, merged: boolean): { name: string; payload: Record<string, unknown> } {
  const pull = w.gh.state.pulls.get(pr)!
  const closedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
  Object.assign(pull, { state: 'closed', merged, closed_at: closedAt })
  const p = webhookFixture('pull_request.closed')
  const base = p.pull_request as Record<string, unknown>
  const head = base.head as Record<string, unknown>
  return {
    name: 'pull_request',
    payload: {
      ...p,
      number: pr,
      pull_request: {
        ...base,
        number: pr,
        title: pull.title,
        body: pull.body,
        user: { ...(base.user as object), login: pull.user.login, type: pull.user.type },
        created_at: pull.created_at,
        closed_at: closedAt,
        merged,
        merged_at: merged ? closedAt : null,
        head: { ...head, ref: pull.head, repo: { ...(head.repo as object), full_name: 'acme/widgets' } }
      },
      repository: payloadRepository(p),
      sender: { ...(p.sender as object), login: MAINTAINER, type: 'User' }
    }
  }
}

function fixScript(ws: string): ReturnType<typeof standardRules> {
  return standardRules(ws, {
    implement: [
      {
        text: 'Addressing the feedback.',
        tools: [
          write(
            ws,
            'test/rate-limit.test.js',
            "import { allow } from '../src/rate-limit.js'\nif (allow(100)) throw new Error('over')\n"
          )
        ]
      },
      { text: 'Added the test.' }
    ],
    review: req => {
      const replies: Reply[] = [
        { text: 'Reviewing the fix.', tools: [write(ws, outputPathOf(req), '# Review after feedback\n')] },
        {
          tools: [
            {
              name: 'StructuredOutput',
              input: {
                summary: 'Better.',
                findings: [
                  {
                    severity: 'minor',
                    lens: 'tests',
                    file: 'test/rate-limit.test.js',
                    line: 2,
                    title: 'Boundary',
                    detail: 'Test 100.'
                  }
                ]
              }
            }
          ]
        }
      ]
      return replies[req.turn] ?? { text: 'done' }
    }
  })
}

/** A person's commit on the work branch, pushed to origin the way they would. */
function humanCommit(): void {
  const dir = path.join(w.sb.root, 'human')
  gitIn(w.sb.root, ['clone', '-q', '-b', BRANCH(), w.origin, dir])
  fs.writeFileSync(path.join(dir, 'NOTES.md'), 'Tweaked by hand.\n')
  gitIn(dir, ['add', '-A'])
  gitIn(dir, ['-c', 'user.name=Mia', '-c', 'user.email=mia@example.com', 'commit', '-q', '-m', 'Hand-made tweak'])
  gitIn(dir, ['push', '-q', 'origin', BRANCH()])
}

beforeEach(async () => {
  w = await createWorld()
  // The fake lists a pull request's commits from the same origin the action pushes to.
  w.gh.state.gitDir = w.origin
  w.sb.model.setRules(standardRules(w.workspace))
})
checkAndClose(() => w)

describe('the run ledger', () => {
  it('records a plan run, an approve run and a /fix run, and completes them when the pull request is merged', async () => {
    const issue = w.issue.number
    const plan = await w.run(w.labeledEvent('orchestrator'))
    expectOk(plan)
    expect(plan.outputs.status).toBe('awaiting-approval')
    const [planned] = ledger() as RunRecord[]
    expect(planned).toMatchObject({
      kind: 'run',
      id: 'action:1001.1',
      source: 'action',
      repository: 'acme/widgets',
      issue,
      pr: null,
      command: 'start',
      trigger: 'label',
      status: 'awaiting-approval',
      reason: null,
      verifyRounds: 0
    })
    expect(planned?.phases.map(p => [p.name, p.status])).toEqual([
      ['index', 'succeeded'],
      ['research', 'succeeded'],
      ['plan', 'succeeded']
    ])
    expect(planned?.totals.costUsd).toBeCloseTo(Number(plan.outputs.cost_usd), 4)
    expect(planned?.phases.every(p => p.inputTokens > 0 && p.costUsd > 0)).toBe(true)

    const approve = await w.run(w.commentEvent('/approve'))
    expectOk(approve)
    expect(approve.outputs.status).toBe('pr-opened')
    const pr = Number(approve.outputs.pr_number)
    const approved = ledger()[1] as RunRecord
    expect(approved).toMatchObject({
      command: 'approve',
      trigger: 'comment',
      issue,
      pr,
      status: 'pr-opened',
      failedPhase: null
    })
    expect(approved.changedFiles).toBeGreaterThan(0)
    expect(approved.findings).toEqual({
      bySeverity: { blocker: 0, major: 1, minor: 0, nit: 1 },
      byLens: { tests: 1, correctness: 1 },
      items: [
        { severity: 'major', lens: 'tests', file: 'test.js', line: 1 },
        { severity: 'nit', lens: 'correctness', file: 'src/rate-limit.js', line: null }
      ]
    })

    // A maintainer reviews: one comment where the bot's review had looked, one where it had not.
    w.gh.state.addReview(pr, {
      state: 'COMMENTED',
      user: MAINTAINER,
      comments: [
        { path: 'test.js', line: 3, body: 'This test only checks that the file exists.' },
        { path: 'src/api.js', line: 2, body: 'This crashes on an empty body.' }
      ]
    })
    w.sb.model.setRules(fixScript(w.workspace))
    const fix = await w.run(prComment(pr, '/fix Test the limit itself.'))
    expectOk(fix)
    expect(fix.outputs.status).toBe('pr-updated')
    const fixed = ledger()[2] as RunRecord
    expect(fixed).toMatchObject({ command: 'fix', trigger: 'comment', issue: null, pr, status: 'pr-updated' })
    expect(fixed.findings.bySeverity).toEqual({ blocker: 0, major: 0, minor: 1, nit: 0 })

    // Someone pushes to the branch before merging it; then the pull request is merged.
    humanCommit()
    const requests = w.sb.model.requests.length
    const writes = w.gh.writes().length
    const closed = await w.run(closePull(pr, true), { ledger_report: 'true' })
    expectOk(closed)
    expect(closed.outputs.status).toBe('recorded')
    expect(closed.outputs.pr_number).toBe(String(pr))
    // Nothing ran and nothing was written on GitHub: no model request, no comment, no label.
    expect(w.sb.model.requests).toHaveLength(requests)
    expect(w.gh.writes()).toHaveLength(writes)

    const records = ledger()
    expect(records.map(r => r.id)).toEqual(['action:1001.1', 'action:1002.1', 'action:1003.1', 'action:1004.1'])
    expect(records[3]).toMatchObject({
      kind: 'pr-closed',
      issue,
      pr,
      merged: true,
      fixRounds: 1,
      humanCommits: 1,
      // The plan, the implementation and the fix.
      botCommits: 3,
      humanReview: { comments: 2, raised: 1, missed: 1, raisedByLens: { tests: 1 }, missedByLens: { correctness: 1 } }
    } satisfies Partial<PullClosedRecord>)

    // ledger_report: the report in the job summary, its charts on the ledger branch at the commit just pushed.
    const tip = w.originHead(LEDGER) as string
    expect(closed.summary).toContain('## Orchestrator ledger')
    expect(closed.summary).toContain('| Runs | 3 (start 1, approve 1, fix 1) |')
    expect(closed.summary).toContain('| Ended in a merged PR without human commits | 0 of 1 issues (0%) |')
    // Bot findings are the latest review's (the /fix's: one tests finding); people's comments were compared with the reviews before them.
    expect(closed.summary).toContain('| tests | 1 | 1 | 0 |')
    expect(closed.summary).toContain('| correctness | 0 | 0 | 1 |')
    expect(closed.summary).toContain(
      `![Runs and merged pull requests, last 8 weeks](https://github.com/acme/widgets/raw/${tip}/report/trend.svg)`
    )
    expect(gitIn(w.origin, ['ls-tree', '-r', '--name-only', LEDGER]).split('\n')).toEqual([
      'README.md',
      'ledger.jsonl',
      'report/findings.svg',
      'report/fix-rounds.svg',
      'report/review.svg',
      'report/trend.svg'
    ])
    expect(gitIn(w.origin, ['show', `${LEDGER}:report/trend.svg`])).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/
    )
    expect(gitIn(w.origin, ['show', `${LEDGER}:README.md`])).toContain(
      '![Runs and merged pull requests, last 8 weeks](report/trend.svg)'
    )
    // Appended, never rewritten: one commit per run on the ledger branch.
    expect(w.originLog(LEDGER)).toEqual([
      'ledger: action:1004.1',
      'ledger: action:1003.1',
      'ledger: action:1002.1',
      'ledger: action:1001.1'
    ])
  })

  it('records a pull request closed without merge, and leaves pull requests it did not open alone', async () => {
    expectOk(await w.run(w.labeledEvent('orchestrator'), { require_approval: 'false' }))
    const pr = [...w.gh.state.pulls.values()][0]!.number
    const closed = await w.run(closePull(pr, false))
    expectOk(closed)
    expect(closed.outputs.status).toBe('recorded')
    expect(ledger().map(r => [r.kind, 'merged' in r ? r.merged : r.status])).toEqual([
      ['run', 'pr-opened'],
      ['pr-closed', false]
    ])
    expect((ledger()[1] as PullClosedRecord).humanReview).toBeNull()

    const human = w.gh.state.addPull({ head: 'feature/by-hand', base: 'main', title: 'Hand-made', user: MAINTAINER })
    const other = await w.run(closePull(human.number, true))
    expectOk(other)
    expect(other.outputs.status).toBe('ignored')
    expect(ledger()).toHaveLength(2)
  })

  it('records refusals too, writes nothing with ledger: false, and warns (never fails) when the ledger cannot be pushed', async () => {
    const refused = await w.run(w.commentEvent('/approve', OUTSIDER))
    expectOk(refused)
    expect(ledger()).toEqual([
      expect.objectContaining({
        command: 'approve',
        status: 'refused',
        reason: 'refused',
        detail: expect.stringContaining('only people with write access')
      })
    ])

    const off = await w.run(w.commentEvent('/approve', OUTSIDER), { ledger: 'false' })
    expectOk(off)
    expect(ledger()).toHaveLength(1)

    // A rule on origin that declines pushes to the ledger branch.
    const hook = path.join(w.origin, 'hooks', 'pre-receive')
    fs.writeFileSync(
      hook,
      `#!/bin/sh\nwhile read old new ref; do [ "$ref" = "refs/heads/${LEDGER}" ] && { echo "ledger is protected" >&2; exit 1; }; done\nexit 0\n`
    )
    fs.chmodSync(hook, 0o755)
    const declined = await w.run(w.commentEvent('/approve', OUTSIDER))
    expectOk(declined)
    expect(declined.outputs.status).toBe('refused')
    expect(declined.stdout).toMatch(
      /::warning::Could not add this run to the ledger \(orchestrator\/ledger\): git push failed: remote: ledger is protected/
    )
    expect(ledger()).toHaveLength(1)
    expect(w.gh.state.commentsOn(w.issue.number).filter(c => c.user.login === BOT)).toHaveLength(3)
  })
})
