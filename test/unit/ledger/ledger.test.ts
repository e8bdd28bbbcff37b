import { describe, expect, it } from '@jest/globals'
import { resultSummary } from '../../support/claude-result.js'
import { ACTION_HINTS, resolveProvider } from '../../../src/claude/providers.js'
import { describeResultError } from '../../../src/claude/runner.js'
import type { ResultSummary } from '../../../src/claude/stream.js'
import type { RunResult } from '../../../src/engine/types.js'
import { classifyFailure, failurePhase, shortDetail } from '../../../src/ledger/classify.js'
import { buildClosedRecord, humanComments, publishedFindings } from '../../../src/ledger/closed.js'
import { repositoryOf } from '../../../src/ledger/local-store.js'
import { buildRunRecord } from '../../../src/ledger/record.js'
import { compareReview, guessLens } from '../../../src/ledger/review-signal.js'
import { FAILURE_REASONS, parseLedger } from '../../../src/ledger/schema.js'
import { ledgerSchemaErrors } from '../../support/ledger-schema.js'

const claudeResult = resultSummary

describe('classifyFailure', () => {
  it('classifies the Claude runner’s own sentences (from describeResultError itself)', () => {
    const cases: Array<[Partial<ResultSummary>, string]> = [
      [{ subtype: 'error_max_budget_usd', costUsd: 0.51 }, 'budget'],
      [{ subtype: 'error_max_turns', turns: 12 }, 'max-turns'],
      [{ subtype: 'error_max_turns', turns: 2, errors: ['Reached maximum number of turns (1)'] }, 'max-turns'],
      [{ subtype: 'error_during_execution', apiErrorStatus: 529, errors: ['Overloaded'] }, 'model-api'],
      [{ subtype: 'error_during_execution', apiErrorStatus: 401, errors: ['invalid x-api-key'] }, 'credential'],
      [{ subtype: 'success', text: 'Invalid API key · Please run /login' }, 'credential'],
      [{ subtype: 'error_during_execution', errors: ['something broke'] }, 'claude-error']
    ]
    for (const [result, reason] of cases) {
      const text = describeResultError(claudeResult(result))
      expect([text, classifyFailure(text)]).toEqual([text, reason])
    }
  })

  it('classifies a model provider that lacks a setting as configuration (from resolveProvider itself)', () => {
    for (const env of [
      {},
      { CLAUDE_CODE_USE_BEDROCK: '1' },
      { CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'eu-west-1' },
      { CLAUDE_CODE_USE_VERTEX: '1', CLOUD_ML_REGION: 'us-east5', ANTHROPIC_VERTEX_PROJECT_ID: 'p' },
      { CLAUDE_CODE_USE_FOUNDRY: '1' },
      { CLAUDE_CODE_USE_FOUNDRY: '1', CLAUDE_CODE_USE_VERTEX: '1' }
    ]) {
      let text = ''
      try {
        resolveProvider(env, { requireCredential: true, hints: ACTION_HINTS })
      } catch (err) {
        text = (err as Error).message
      }
      expect([text, classifyFailure(text)]).toEqual([text, 'config'])
    }
  })

  it('classifies the runner’s process failures, the phase runner’s and the engine’s sentences', () => {
    const cases: Array<[string, string]> = [
      ['Claude Code did not finish within 30 minute(s) and was stopped', 'timeout'],
      ['did not finish within the 30 minute(s) phase timeout; Claude Code was stopped', 'timeout'],
      [
        'the Anthropic credential was rejected (HTTP 401); check anthropic_api_key / claude_code_oauth_token',
        'credential'
      ],
      ['Claude Code exited with code 1: Error: boom', 'claude-error'],
      ['Claude Code could not be started: spawn ENOENT', 'claude-error'],
      ['Claude Code ended without reporting a result', 'claude-error'],
      ['Claude Code failed', 'claude-error'],
      ['the research phase broke its rules: it changed src/api.js outside thoughts/shared', 'rule-broken'],
      ['the plan phase was still asking a question after 3 answer(s): Which store?', 'question-unanswered'],
      [
        'the plan phase finished without writing its document in thoughts/shared/ (expected thoughts/shared/plans/x.md)',
        'no-document'
      ],
      ['the review phase returned no structured findings', 'review-malformed'],
      ['the review phase returned malformed findings: findings[0].severity is missing', 'review-malformed'],
      ["implement failed: the run's budget of $2 is spent", 'budget'],
      ['review failed: Claude Code stopped because the budget was exhausted (spent $0.2000)', 'budget']
    ]
    for (const [text, reason] of cases) expect([text, classifyFailure(text)]).toEqual([text, reason])
  })

  it('classifies what the flows, the secret check, the sandbox, inputs and GitHub say', () => {
    const cases: Array<[string, string]> = [
      ['the implement phase changed nothing, so there is nothing to propose', 'empty-change'],
      ['the implement phase changed nothing for this feedback', 'empty-change'],
      ['the plan phase wrote nothing to commit', 'empty-change'],
      ['the plan phase produced no plan', 'no-document'],
      ['the branch orchestrator/issue-3 changed on origin while the run worked; nothing was pushed', 'branch-moved'],
      ['commit abc1234 would publish a secret (plain or encoded) in src/x.ts; nothing was pushed', 'secret-blocked'],
      ['commit abc1234 has a secret in its message; nothing was pushed', 'secret-blocked'],
      ['the sandbox cannot start: bubblewrap is missing. Install bubblewrap', 'sandbox'],
      ['Input max_budget_usd must be a positive number, got "lots"', 'config'],
      ['Resource not accessible by integration', 'github-api'],
      ["the project's check `npm test` still fails after 3 round(s) (require_green: true)", 'verify-failed'],
      ['verify failed after 3 rounds: npm test still fails', 'verify-failed'],
      ['something nobody wrote down', 'other']
    ]
    for (const [text, reason] of cases) expect([text, classifyFailure(text)]).toEqual([text, reason])
    expect(classifyFailure('I won’t implement the plan: the branch changed', 'refused')).toBe('refused')
    expect(classifyFailure(undefined)).toBe('other')
    // Every class the classifier can return is a documented one.
    expect(FAILURE_REASONS).toEqual(
      expect.arrayContaining([
        'timeout',
        'budget',
        'model-api',
        'rule-broken',
        'verify-failed',
        'empty-change',
        'refused'
      ])
    )
  })

  it('finds the phase: the engine’s, the one the sentence names, or none', () => {
    expect(failurePhase('anything', 'review')).toBe('review')
    expect(failurePhase('implement failed: Claude Code failed')).toBe('implement')
    expect(failurePhase('the plan phase wrote nothing to commit')).toBe('plan')
    expect(failurePhase("the project's check `npm test` still fails after 3 round(s) (require_green: true)")).toBe(
      'implement'
    )
    expect(failurePhase('Resource not accessible by integration')).toBeNull()
  })

  it('keeps a detail to one short line', () => {
    expect(shortDetail('a\n  b\tc')).toBe('a b c')
    const long = shortDetail('x'.repeat(500)) as string
    expect(long).toHaveLength(200)
    expect(long.endsWith('…')).toBe(true)
    expect(shortDetail('  ')).toBeNull()
  })
})

const RESULT: RunResult = {
  task: 'Issue #7: Add rate limiting. SECRET TASK TEXT',
  sandbox: { sandboxed: true },
  status: 'failed',
  phases: [
    {
      name: 'implement',
      status: 'succeeded',
      durationMs: 1200,
      costUsd: 0.1234567,
      inputTokens: 10,
      outputTokens: 5,
      turns: 2,
      sessionId: 's-1',
      artifacts: ['thoughts/shared/implementation/x.md'],
      questions: [{ question: 'Which limit? QUESTION TEXT', answer: 'ANSWER TEXT', answeredBy: 'openai' }]
    },
    {
      name: 'review',
      status: 'failed',
      durationMs: 300,
      costUsd: 0.02,
      inputTokens: 3,
      outputTokens: 1,
      turns: 1,
      sessionId: 's-2',
      artifacts: [],
      questions: [],
      error: 'the review phase returned no structured findings'
    }
  ],
  planPath: 'thoughts/shared/plans/x.md',
  reviewPath: null,
  findings: [
    { severity: 'major', file: 'src/a.ts', line: 3, title: 'TITLE TEXT', detail: 'DETAIL TEXT', lens: 'tests' },
    { severity: 'nit', file: 'src/b.ts', line: null, title: 't', detail: 'd' }
  ],
  changedFiles: ['src/a.ts', 'src/b.ts'],
  totals: { durationMs: 1500, costUsd: 0.1434567, inputTokens: 13, outputTokens: 6 },
  failedPhase: 'review',
  error: 'review failed: the review phase returned no structured findings'
}

describe('buildRunRecord', () => {
  const base = {
    id: 'action:123.1',
    source: 'action' as const,
    repository: 'acme/widgets',
    issue: 7,
    pr: null,
    command: 'approve' as const,
    trigger: 'comment' as const,
    startedAt: new Date('2026-02-01T10:00:00Z'),
    endedAt: new Date('2026-02-01T10:05:00Z')
  }

  it('keeps numbers, names and places, never texts, and matches the documented schema', () => {
    const record = buildRunRecord({ ...base, status: 'failed', reason: RESULT.error, result: RESULT })
    expect(ledgerSchemaErrors(record)).toEqual([])
    expect(record).toMatchObject({
      durationMs: 300000,
      status: 'failed',
      failedPhase: 'review',
      reason: 'review-malformed',
      detail: 'review failed: the review phase returned no structured findings',
      totals: { costUsd: 0.143457, inputTokens: 13, outputTokens: 6 },
      questions: [{ phase: 'implement', answeredBy: 'openai' }],
      findings: {
        bySeverity: { blocker: 0, major: 1, minor: 0, nit: 1 },
        byLens: { tests: 1, none: 1 },
        items: [
          { severity: 'major', lens: 'tests', file: 'src/a.ts', line: 3 },
          { severity: 'nit', lens: null, file: 'src/b.ts', line: null }
        ]
      },
      verifyRounds: 0,
      changedFiles: 2,
      sandboxed: true
    })
    expect(record.phases.map(p => [p.name, p.status, p.durationMs, p.costUsd, p.reused])).toEqual([
      ['implement', 'succeeded', 1200, 0.123457, false],
      ['review', 'failed', 300, 0.02, false]
    ])
    expect(JSON.stringify(record)).not.toMatch(/TEXT|sessionId|s-1|thoughts\/shared/)
  })

  it('records a refusal with its reason and no phase, and a success with neither', () => {
    const refused = buildRunRecord({
      ...base,
      status: 'refused',
      reason: 'Sorry, only people with write access can use /approve.'
    })
    expect(ledgerSchemaErrors(refused)).toEqual([])
    expect(refused).toMatchObject({
      reason: 'refused',
      failedPhase: null,
      detail: 'Sorry, only people with write access can use /approve.',
      phases: []
    })
    const ok = buildRunRecord({
      ...base,
      pr: 12,
      status: 'pr-opened',
      result: { ...RESULT, status: 'completed', failedPhase: undefined, error: undefined }
    })
    expect(ok).toMatchObject({ reason: null, failedPhase: null, detail: null, pr: 12 })
  })

  it('counts the rounds of the project’s check when the result has them', () => {
    const verify = {
      command: 'npm test',
      source: 'input',
      passed: true,
      rounds: [
        { round: 1, passed: false },
        { round: 2, passed: true }
      ]
    }
    const result = { ...RESULT, status: 'completed', verify } as unknown as RunResult
    expect(buildRunRecord({ ...base, status: 'pr-opened', result }).verifyRounds).toBe(2)
    expect(buildRunRecord({ ...base, status: 'pr-opened', result: RESULT }).verifyRounds).toBe(0)
  })

  it('counts the questions of a run that stopped for a maintainer as pending', () => {
    const waiting = buildRunRecord({
      ...base,
      command: 'start',
      status: 'awaiting-answer',
      result: {
        ...RESULT,
        status: 'awaiting-answer',
        phases: [],
        findings: [],
        waiting: {
          phase: 'plan',
          questions: [
            { question: 'q1', options: [] },
            { question: 'q2', options: [] }
          ]
        }
      }
    })
    expect(waiting.questions).toEqual([
      { phase: 'plan', answeredBy: 'pending' },
      { phase: 'plan', answeredBy: 'pending' }
    ])
  })
})

describe('the review quality signal', () => {
  const published = '2026-02-01T10:00:00.000Z'
  const finding = (file: string, line: number | null, lens: string | null = 'correctness') => ({
    severity: 'major' as const,
    lens,
    file,
    line,
    publishedAt: published
  })
  const comment = (
    file: string,
    line: number | null,
    body = 'Please look at this',
    createdAt = '2026-02-01T12:00:00Z'
  ) => ({ file, line, body, createdAt })

  it('counts a comment as raised when a finding published before it is in the same file within 5 lines', () => {
    const findings = [finding('src/a.ts', 10), finding('test/a.test.ts', null, 'tests')]
    const signal = compareReview(findings, [
      comment('src/a.ts', 15),
      comment('src/a.ts', 16, 'Off by one at the boundary'),
      comment('src/b.ts', 10, 'This leaks the token into the log'),
      comment('test/a.test.ts', 99),
      comment('src/a.ts', 10, 'Same place, but before the review', '2026-02-01T09:00:00Z')
    ])
    expect(signal).toEqual({
      comments: 5,
      raised: 2,
      missed: 3,
      raisedByLens: { correctness: 1, tests: 1 },
      // Line 16 is 6 lines away (correctness, from its words); the token one is security; the early one has no telling words.
      missedByLens: { correctness: 1, security: 1, other: 1 }
    })
  })

  it('guesses the lens of a missed comment from its file and words', () => {
    expect(guessLens('src/a.ts', 'This is open to SQL injection')).toBe('security')
    expect(guessLens('test/x.test.ts', 'Rename this')).toBe('tests')
    expect(guessLens('src/a.ts', 'This test only checks that the function exists')).toBe('tests')
    expect(guessLens('src/a.ts', 'Not in the plan: out of scope')).toBe('plan-conformance')
    expect(guessLens('src/a.ts', 'Crashes on an empty list')).toBe('correctness')
    expect(guessLens('src/a.ts', 'Nice name')).toBe('other')
  })

  it('takes people’s top-level comments only, and the findings of runs that published a review', () => {
    const raw = [
      { path: 'a.ts', line: 3, body: 'x', created_at: 't1', user: { login: 'mia', type: 'User' } },
      {
        path: 'a.ts',
        line: null,
        original_line: 7,
        body: 'outdated',
        created_at: 't2',
        user: { login: 'mia', type: 'User' }
      },
      {
        path: 'a.ts',
        line: 4,
        body: 'reply',
        created_at: 't3',
        in_reply_to_id: 1,
        user: { login: 'dan', type: 'User' }
      },
      { path: 'a.ts', line: 5, body: 'bot', created_at: 't4', user: { login: 'github-actions[bot]', type: 'Bot' } },
      { path: 'a.ts', line: 6, body: 'other bot', created_at: 't5', user: { login: 'linter', type: 'Bot' } }
    ]
    expect(humanComments(raw, 'github-actions[bot]')).toEqual([
      { file: 'a.ts', line: 3, body: 'x', createdAt: 't1' },
      { file: 'a.ts', line: 7, body: 'outdated', createdAt: 't2' }
    ])
    const record = (status: string, pr: number, repository = 'acme/widgets') => ({
      ...buildRunRecord({
        id: 'action:1.1',
        source: 'action',
        repository,
        issue: null,
        pr,
        command: 'fix',
        trigger: 'comment',
        startedAt: new Date('2026-02-01T10:00:00Z'),
        endedAt: new Date('2026-02-01T10:10:00Z'),
        status,
        result: { ...RESULT, status: 'completed', failedPhase: undefined, error: undefined }
      })
    })
    const found = publishedFindings(
      [record('pr-updated', 5), record('failed', 5), record('pr-updated', 6), record('pr-updated', 5, 'other/repo')],
      'acme/widgets',
      5
    )
    expect(found.map(f => [f.file, f.publishedAt])).toEqual([
      ['src/a.ts', '2026-02-01T10:10:00.000Z'],
      ['src/b.ts', '2026-02-01T10:10:00.000Z']
    ])
  })

  it('builds the closed record: human commits by author email, the signal only when merged', () => {
    const facts = {
      id: 'action:77.1',
      repository: 'acme/widgets',
      pull: {
        number: 5,
        merged: true,
        createdAt: '2026-02-01T09:00:00Z',
        closedAt: '2026-02-02T09:00:00Z',
        author: 'github-actions[bot]',
        headRef: 'orchestrator/issue-4',
        body: ''
      },
      issue: 4,
      fixRounds: 2,
      commitEmails: ['bot@example.com', 'BOT@example.com', 'dev@example.com'],
      botEmail: 'bot@example.com',
      comments: [comment('src/a.ts', 12)],
      findings: [finding('src/a.ts', 10)],
      recordedAt: new Date('2026-02-02T09:00:05Z')
    }
    const merged = buildClosedRecord(facts)
    expect(ledgerSchemaErrors(merged)).toEqual([])
    expect(merged).toMatchObject({
      kind: 'pr-closed',
      pr: 5,
      issue: 4,
      merged: true,
      fixRounds: 2,
      humanCommits: 1,
      botCommits: 2,
      closedAt: '2026-02-02T09:00:00Z'
    })
    expect(merged.humanReview).toEqual({
      comments: 1,
      raised: 1,
      missed: 0,
      raisedByLens: { correctness: 1 },
      missedByLens: {}
    })
    const closed = buildClosedRecord({ ...facts, pull: { ...facts.pull, merged: false } })
    expect(closed.humanReview).toBeNull()
    expect(ledgerSchemaErrors(closed)).toEqual([])
  })
})

describe('parseLedger and the local ledger', () => {
  it('skips lines of an unknown version and broken lines', () => {
    const ok = JSON.stringify({ v: 1, kind: 'run', id: 'action:1.1' })
    const { records, skipped } = parseLedger(`${ok}\n{"v":2,"kind":"run","id":"x"}\n{"v":1,"kind":"ru\n\n`)
    expect(records.map(r => r.id)).toEqual(['action:1.1'])
    expect(skipped).toBe(2)
  })

  it('reads owner/repo from origin URLs', () => {
    expect(repositoryOf('https://github.com/acme/widgets.git')).toBe('acme/widgets')
    expect(repositoryOf('git@github.com:acme/widgets.git')).toBe('acme/widgets')
    expect(repositoryOf('ssh://git@github.example.com/acme/widgets')).toBe('acme/widgets')
    expect(repositoryOf('/tmp/origin.git')).toBeNull()
  })
})
