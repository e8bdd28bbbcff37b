import { describe, expect, it } from '@jest/globals'
import { formatProgress, toolTarget } from '../../src/engine/progress.js'
import type { PhaseResult } from '../../src/engine/types.js'

const REPO = '/work/repo'

const phaseResult = (overrides: Partial<PhaseResult>): PhaseResult => ({
  name: 'plan',
  status: 'succeeded',
  durationMs: 12345,
  costUsd: 0.01234,
  inputTokens: 1500,
  outputTokens: 320,
  turns: 4,
  sessionId: 's',
  artifacts: [],
  questions: [],
  ...overrides
})

describe('toolTarget', () => {
  it('shows file paths relative to the repository', () => {
    expect(
      toolTarget({ id: '1', name: 'Write', input: { file_path: `${REPO}/thoughts/shared/plans/x.md` } }, REPO)
    ).toBe('thoughts/shared/plans/x.md')
    expect(toolTarget({ id: '1', name: 'Read', input: { file_path: 'src/api.js' } }, REPO)).toBe('src/api.js')
    expect(toolTarget({ id: '1', name: 'NotebookEdit', input: { notebook_path: `${REPO}/nb.ipynb` } }, REPO)).toBe(
      'nb.ipynb'
    )
    expect(toolTarget({ id: '1', name: 'Glob', input: { pattern: '**/*.js', path: REPO } }, REPO)).toBe('.')
  })

  it('keeps paths outside the repository as given', () => {
    expect(toolTarget({ id: '1', name: 'Read', input: { file_path: '/etc/hosts' } }, REPO)).toBe('/etc/hosts')
  })

  it('shows a command on one line, a pattern, or the input as JSON', () => {
    expect(toolTarget({ id: '1', name: 'Bash', input: { command: 'npm test \\\n  -- --watch=false' } }, REPO)).toBe(
      'npm test \\ -- --watch=false'
    )
    expect(toolTarget({ id: '1', name: 'Grep', input: { pattern: 'rateLimit' } }, REPO)).toBe('rateLimit')
    expect(toolTarget({ id: '1', name: 'TodoWrite', input: { todos: [] } }, REPO)).toBe('{"todos":[]}')
  })

  it('cuts a long command to 120 characters with an ellipsis', () => {
    const target = toolTarget({ id: '1', name: 'Bash', input: { command: `echo ${'a'.repeat(300)}` } }, REPO)
    expect(target).toHaveLength(120)
    expect(target.endsWith('…')).toBe(true)
  })
})

describe('formatProgress', () => {
  it('announces a phase with its position', () => {
    expect(formatProgress({ type: 'phase-start', phase: 'research', position: 2, total: 5 }, REPO)).toBe(
      '▶ research (2/5)'
    )
  })

  it('shows a tool call with its target', () => {
    expect(
      formatProgress(
        { type: 'tool', phase: 'plan', call: { id: '1', name: 'Write', input: { file_path: `${REPO}/a/b.md` } } },
        REPO
      )
    ).toBe('  · Write a/b.md')
    expect(
      formatProgress(
        { type: 'tool', phase: 'review', call: { id: '1', name: 'StructuredOutput', input: { findings: [] } } },
        REPO
      )
    ).toBe('  · review: returned structured findings')
  })

  it('shows assistant text on one line, cut at 160 characters', () => {
    expect(formatProgress({ type: 'text', phase: 'plan', text: 'Reading\n\n the   code.' }, REPO)).toBe(
      '  Reading the code.'
    )
    const long = formatProgress({ type: 'text', phase: 'plan', text: 'word '.repeat(100) }, REPO) ?? ''
    expect(long).toHaveLength(2 + 160)
    expect(long.endsWith('…')).toBe(true)
  })

  it('shows questions and who answered them', () => {
    expect(formatProgress({ type: 'question', phase: 'plan', question: 'Redis\nor memory?' }, REPO)).toBe(
      '  ? Redis or memory?'
    )
    expect(formatProgress({ type: 'answer', phase: 'plan', answer: 'Use memory.', answeredBy: 'openai' }, REPO)).toBe(
      '  ↳ openai: Use memory.'
    )
    expect(
      formatProgress(
        {
          type: 'answer',
          phase: 'plan',
          answer: 'Proceed.',
          answeredBy: 'fallback',
          fallbackReason: 'OpenAI failed: 500 boom'
        },
        REPO
      )
    ).toBe('  ↳ fallback (OpenAI failed: 500 boom): Proceed.')
  })

  it('summarises the end of a phase by status', () => {
    expect(
      formatProgress(
        { type: 'phase-end', phase: 'plan', result: phaseResult({ artifacts: ['thoughts/shared/plans/x.md'] }) },
        REPO
      )
    ).toBe('✔ plan (12.3s, $0.0123, 1500/320 tokens) → thoughts/shared/plans/x.md')
    expect(formatProgress({ type: 'phase-end', phase: 'plan', result: phaseResult({}) }, REPO)).toBe(
      '✔ plan (12.3s, $0.0123, 1500/320 tokens)'
    )
    expect(
      formatProgress(
        {
          type: 'phase-end',
          phase: 'implement',
          result: phaseResult({ name: 'implement', status: 'failed', error: 'budget exhausted' })
        },
        REPO
      )
    ).toBe('✖ implement failed (12.3s, $0.0123, 1500/320 tokens): budget exhausted')
    expect(
      formatProgress(
        { type: 'phase-end', phase: 'implement', result: phaseResult({ name: 'implement', status: 'skipped' }) },
        REPO
      )
    ).toBe('- implement skipped')
  })

  it('says what git setup a phase changed and the engine put back, finished or failed', () => {
    const restored = ['.git/config', '.git/hooks/pre-commit']
    expect(
      formatProgress(
        { type: 'phase-end', phase: 'implement', result: phaseResult({ name: 'implement', restored }) },
        REPO
      )
    ).toBe(
      "✔ implement (12.3s, $0.0123, 1500/320 tokens); put back what it changed in git's setup: .git/config, .git/hooks/pre-commit"
    )
    expect(
      formatProgress(
        {
          type: 'phase-end',
          phase: 'research',
          result: phaseResult({ name: 'research', status: 'failed', error: 'it changed files', restored })
        },
        REPO
      )
    ).toBe(
      "✖ research failed (12.3s, $0.0123, 1500/320 tokens): it changed files; put back what it changed in git's setup: .git/config, .git/hooks/pre-commit"
    )
    const many = Array.from({ length: 11 }, (_, i) => `.git/hooks/h${i}`)
    expect(formatProgress({ type: 'phase-end', phase: 'plan', result: phaseResult({ restored: many }) }, REPO)).toMatch(
      /h7 and 3 more$/
    )
  })
})
