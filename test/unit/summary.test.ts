import { describe, expect, it } from '@jest/globals'
import { renderSummary } from '../../src/cli/summary.js'
import type { PhaseResult, RunResult } from '../../src/engine/types.js'

const phase = (name: PhaseResult['name'], questions = 0): PhaseResult => ({
  name,
  status: 'succeeded',
  durationMs: 1000,
  costUsd: 0.01,
  inputTokens: 100,
  outputTokens: 10,
  turns: 2,
  sessionId: `s-${name}`,
  artifacts: [],
  questions: Array.from({ length: questions }, (_, i) => ({
    question: `q${i}?`,
    answer: 'a',
    answeredBy: 'openai' as const
  }))
})

const base = (overrides: Partial<RunResult>): RunResult => ({
  task: 'Add rate limiting',
  status: 'completed',
  phases: [phase('index'), phase('research'), phase('plan', 1), phase('implement'), phase('review', 1)],
  planPath: 'thoughts/shared/plans/2025-03-01-add-rate-limiting.md',
  reviewPath: 'thoughts/shared/reviews/2025-03-01-add-rate-limiting.md',
  findings: [],
  changedFiles: ['src/api.js', 'test.js'],
  totals: { durationMs: 83456, costUsd: 0.123456, inputTokens: 5000, outputTokens: 700 },
  ...overrides
})

describe('renderSummary', () => {
  it('summarises a completed run with findings counted by severity, in severity order', () => {
    const text = renderSummary(
      base({
        findings: [
          { severity: 'blocker', file: 'src/api.js', line: 12, title: 'Limiter bypassed', detail: '' },
          { severity: 'minor', file: 'test.js', line: null, title: 'Weak assertion', detail: '' },
          { severity: 'minor', file: 'README.md', line: 3, title: 'Docs outdated', detail: '' }
        ]
      })
    )
    expect(text).toBe(
      [
        'Completed.',
        'Plan: thoughts/shared/plans/2025-03-01-add-rate-limiting.md',
        'Review: thoughts/shared/reviews/2025-03-01-add-rate-limiting.md',
        'Findings: 1 blocker, 2 minor',
        '  [blocker] src/api.js:12 Limiter bypassed',
        '  [minor] test.js Weak assertion',
        '  [minor] README.md:3 Docs outdated',
        'Changed files: src/api.js, test.js',
        'Questions answered: 2',
        'Cost: $0.1235, time: 1m 23s'
      ].join('\n')
    )
  })

  it('says none when a completed run has no findings and changed nothing', () => {
    const text = renderSummary(base({ changedFiles: [], phases: [phase('index')] }))
    expect(text).toContain('Findings: none')
    expect(text).toContain('Changed files: none')
    expect(text).not.toContain('Questions answered')
  })

  it('summarises a planned run without findings or changed files', () => {
    const text = renderSummary(
      base({
        status: 'planned',
        reviewPath: null,
        phases: [phase('index'), phase('research'), phase('plan')],
        changedFiles: []
      })
    )
    expect(text).toBe(
      [
        'Planned (implementation not run).',
        'Plan: thoughts/shared/plans/2025-03-01-add-rate-limiting.md',
        'Cost: $0.1235, time: 1m 23s'
      ].join('\n')
    )
  })

  it('leads a failed run with the error', () => {
    const text = renderSummary(
      base({
        status: 'failed',
        failedPhase: 'implement',
        error: 'implement: Claude Code stopped at the maximum number of turns (50)',
        reviewPath: null,
        totals: { durationMs: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 }
      })
    )
    expect(text.split('\n')).toEqual([
      'Failed: implement: Claude Code stopped at the maximum number of turns (50)',
      'Plan: thoughts/shared/plans/2025-03-01-add-rate-limiting.md',
      'Questions answered: 2',
      'Cost: $0.0000, time: 0.0s'
    ])
    expect(renderSummary(base({ status: 'failed', planPath: null, reviewPath: null, phases: [] })).split('\n')[0]).toBe(
      'Failed: unknown error'
    )
  })

  it("warns about a phase that changed git's own setup", () => {
    const phases = [phase('index'), { ...phase('implement'), restored: ['.git/hooks/pre-commit'] }]
    expect(renderSummary(base({ phases })).split('\n')).toContain(
      "Warning: implement changed git's own setup; put back what it changed in git's setup: .git/hooks/pre-commit"
    )
  })

  it('names the run, what a resumed run reused, and what a failed one kept', () => {
    expect(renderSummary(base({ status: 'planned' }), { runId: 'a1b2c3d4' }).split('\n')[1]).toBe('Run: a1b2c3d4')
    const resumed = renderSummary(base({}), {
      runId: 'a1b2c3d4',
      resumed: { runId: 'a1b2c3d4', from: 'implement', reused: ['index', 'research', 'plan'], attempt: 2 }
    })
    expect(resumed.split('\n')[1]).toBe(
      'Resumed run a1b2c3d4 (attempt 2) from implement; reused without a model request: index, research, plan'
    )
    const kept = renderSummary(base({ status: 'failed', error: 'implement failed: timeout' }), {
      runId: 'a1b2c3d4',
      kept: {
        sha: 'k'.repeat(40),
        ref: 'refs/orchestrator/runs/a1b2c3d4',
        note: 'Kept: … Continue with: orchestrator --resume a1b2c3d4'
      }
    })
    expect(kept.split('\n').slice(0, 3)).toEqual([
      'Failed: implement failed: timeout',
      'Run: a1b2c3d4',
      'Kept: … Continue with: orchestrator --resume a1b2c3d4'
    ])
  })
})
