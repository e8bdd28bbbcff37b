/** Which run `--resume` means, where it goes on, and what a run's checkpoint says afterwards. */
import { describe, expect, it } from '@jest/globals'
import { afterRun, findRun, resumePoint, type CliRunRecord } from '../../../src/cli/runs.js'
import type { PhaseResult, RunResult } from '../../../src/engine/types.js'

function run(over: Partial<CliRunRecord> = {}): CliRunRecord {
  return {
    v: 1,
    id: 'a1b2c3d4',
    task: 'Add rate limiting',
    branch: 'main',
    startedAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:05:00.000Z',
    artifactsDir: 'thoughts/shared',
    phases: ['index', 'research', 'plan', 'implement', 'review'],
    done: { index: ['i.md'], research: ['r.md'], plan: ['p.md'] },
    state: 'failed',
    failedPhase: 'implement',
    error: 'implement failed: did not finish within the 6 seconds phase timeout',
    startingPoint: 'f'.repeat(40),
    changedFiles: ['src/rate-limit.js'],
    attempts: 1,
    ...over
  }
}

const phase = (name: PhaseResult['name'], status: PhaseResult['status'], over: Partial<PhaseResult> = {}) =>
  ({
    name,
    status,
    durationMs: 1,
    costUsd: 0.001,
    inputTokens: 1,
    outputTokens: 1,
    turns: 1,
    sessionId: null,
    artifacts: [],
    questions: [],
    ...over
  }) satisfies PhaseResult

describe('findRun', () => {
  const runs = [
    run({ id: 'ffff0001', branch: 'feature', startedAt: '2026-12-02T09:00:00.000Z', state: 'completed' }),
    run({ id: 'a1b2c3d4', branch: 'feature', startedAt: '2026-12-01T10:00:00.000Z' }),
    run({ id: 'a1b29999', branch: 'other', startedAt: '2026-11-30T10:00:00.000Z' })
  ]

  it('takes a run by its id, or by a unique start of it', () => {
    expect(findRun(runs, 'a1b2c3d4')).toEqual({ run: runs[1] })
    expect(findRun(runs, 'a1b2c')).toEqual({ run: runs[1] })
  })

  it('asks for more of an id that matches two runs', () => {
    expect(findRun(runs, 'a1b2')).toEqual({
      error: '"a1b2" matches more than one run (a1b2c3d4, a1b29999); give more of the id'
    })
  })

  it("takes a branch's latest run, and says when that one already finished", () => {
    expect(findRun(runs, 'other')).toEqual({ run: runs[2] })
    expect(findRun(runs, 'feature')).toEqual({
      error:
        'the latest run on branch feature, ffff0001, already finished (completed): there is nothing to resume. Start a new run with orchestrator "task"'
    })
    expect(findRun(runs, 'ffff0001')).toMatchObject({ error: expect.stringMatching(/^run ffff0001 already finished/) })
  })

  it('names the runs that can be resumed when the name is unknown', () => {
    expect(findRun(runs, 'nope')).toEqual({
      error:
        'no orchestrator run or branch named "nope" in this repository; runs that can be resumed: ' +
        'a1b2c3d4 (2026-12-01 10:00, branch feature, stopped in implement), a1b29999 (2026-11-30 10:00, branch other, stopped in implement)'
    })
    expect(findRun([], 'nope')).toEqual({
      error: 'no orchestrator run or branch named "nope" in this repository; no run was recorded here yet'
    })
  })
})

describe('resumePoint', () => {
  const all = () => true

  it('goes on from the first phase that did not finish, reusing the ones before it', () => {
    expect(resumePoint(run(), all)).toEqual({
      reuse: { index: ['i.md'], research: ['r.md'], plan: ['p.md'] },
      from: 'implement',
      missing: []
    })
    expect(resumePoint(run({ done: { index: ['i.md'] }, failedPhase: 'research' }), all).from).toBe('research')
  })

  it('reuses a finished implement (its work is in the tree, no documents) and reviews again', () => {
    expect(resumePoint(run({ done: { ...run().done, implement: [] }, failedPhase: 'review' }), all)).toEqual({
      reuse: { index: ['i.md'], research: ['r.md'], plan: ['p.md'], implement: [] },
      from: 'review',
      missing: []
    })
  })

  it('runs a finished phase again when its document is gone, and everything after it', () => {
    expect(resumePoint(run(), rel => rel !== 'r.md')).toEqual({
      reuse: { index: ['i.md'] },
      from: 'research',
      missing: ['r.md']
    })
  })
})

describe('afterRun', () => {
  const result = (phases: PhaseResult[], over: Partial<RunResult> = {}): RunResult => ({
    task: 'Add rate limiting',
    status: 'completed',
    phases,
    planPath: 'p.md',
    reviewPath: 'v.md',
    findings: [],
    changedFiles: ['src/allow.js', 'src/rate-limit.js'],
    totals: { durationMs: 1, costUsd: 0.002, inputTokens: 2, outputTokens: 2 },
    ...over
  })

  it('marks a resumed run finished, with every phase done', () => {
    const next = afterRun(
      run(),
      result([
        phase('index', 'succeeded', { reused: true, artifacts: ['i.md'] }),
        phase('research', 'succeeded', { reused: true, artifacts: ['r.md'] }),
        phase('plan', 'succeeded', { reused: true, artifacts: ['p.md'] }),
        phase('implement', 'succeeded'),
        phase('review', 'succeeded', { artifacts: ['v.md'] })
      ]),
      undefined
    )
    expect(next).toMatchObject({ state: 'completed', done: { implement: [], review: ['v.md'] } })
    expect(next).not.toHaveProperty('failedPhase')
    expect(next).not.toHaveProperty('error')
  })

  it('keeps where a failed implement stopped: the kept commit, its last words, the files so far', () => {
    const next = afterRun(
      run({ failedPhase: undefined, error: undefined }),
      result(
        [
          phase('index', 'succeeded', { artifacts: ['i.md'] }),
          phase('implement', 'succeeded'),
          phase('implement', 'failed', { lastText: 'Half way.', error: 'Claude Code stopped because the budget…' }),
          phase('review', 'skipped')
        ],
        { status: 'failed', failedPhase: 'implement', error: 'implement failed: budget', changedFiles: ['a.js'] }
      ),
      'k'.repeat(40)
    )
    // An implement round that failed after one that succeeded (verify) is not done.
    expect(next.done.implement).toBeUndefined()
    expect(next).toMatchObject({
      state: 'failed',
      failedPhase: 'implement',
      error: 'implement failed: budget',
      kept: 'k'.repeat(40),
      lastText: 'Half way.',
      changedFiles: ['a.js']
    })
  })
})
