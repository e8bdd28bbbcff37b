/** Shared, realistic engine results for the renderer tests. */
import type { Finding, PhaseName, PhaseResult, RunResult } from '../../../src/engine/types.js'

export function phase(name: PhaseName, overrides: Partial<PhaseResult> = {}): PhaseResult {
  return {
    name,
    status: 'succeeded',
    durationMs: 42_300,
    costUsd: 0.0612,
    inputTokens: 12_000,
    outputTokens: 1_500,
    turns: 6,
    sessionId: `session-${name}`,
    artifacts: [],
    questions: [],
    ...overrides
  }
}

export const findings: Finding[] = [
  {
    severity: 'minor',
    file: 'src/limiter.ts',
    line: 40,
    title: 'Magic number',
    detail: 'Move 100 into a named constant.',
    lens: 'correctness'
  },
  {
    severity: 'blocker',
    file: 'src/api/server.ts',
    line: 12,
    title: 'Limiter bypassed for HEAD requests',
    detail: 'The middleware returns early for HEAD,\nso a client can flood the server.',
    lens: 'security'
  },
  { severity: 'nit', file: 'README.md', line: null, title: 'Typo', detail: 'recieve → receive' },
  {
    severity: 'major',
    file: 'test/limiter.test.ts',
    line: 7,
    title: 'No test for the reset window',
    detail: 'Add one.',
    lens: 'tests'
  }
]

export function runResult(overrides: Partial<RunResult> = {}): RunResult {
  return {
    task: 'Issue #42: Add rate limiting',
    status: 'completed',
    phases: [
      phase('index', { durationMs: 20_000, costUsd: 0.02 }),
      phase('research', { durationMs: 61_000, costUsd: 0.1 }),
      phase('plan', {
        durationMs: 45_500,
        costUsd: 0.08,
        questions: [
          { question: 'Should HEAD requests count?', answer: 'Yes, count them like GET.', answeredBy: 'openai' }
        ]
      }),
      phase('implement', { durationMs: 185_000, costUsd: 1.25, inputTokens: 90_000, outputTokens: 9_000 }),
      phase('review', { durationMs: 30_000, costUsd: 0.3 })
    ],
    planPath: 'thoughts/shared/plans/2025-03-01-rate-limiting.md',
    reviewPath: 'thoughts/shared/reviews/2025-03-01-rate-limiting.md',
    findings,
    changedFiles: ['src/limiter.ts', 'src/api/server.ts', 'test/limiter.test.ts'],
    totals: { durationMs: 341_500, costUsd: 1.75, inputTokens: 138_000, outputTokens: 15_000 },
    ...overrides
  }
}
