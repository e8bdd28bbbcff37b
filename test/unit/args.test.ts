import { describe, expect, it } from '@jest/globals'
import { parseCli, UsageError, type CliOptions } from '../../src/cli/args.js'

const CWD = '/home/dev/project'

function run(argv: string[], env: Record<string, string | undefined> = {}): CliOptions {
  const parsed = parseCli(argv, env, CWD)
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${parsed.kind}`)
  return parsed.options
}

function usageError(argv: string[]): string {
  try {
    parseCli(argv, {}, CWD)
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError)
    return (err as Error).message
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`)
}

describe('parseCli', () => {
  it('fills in the defaults for a bare task', () => {
    expect(run(['Add rate limiting'])).toEqual({
      task: 'Add rate limiting',
      implement: true,
      json: false,
      cwd: CWD,
      artifactsDir: 'thoughts/shared',
      maxBudgetUsd: undefined,
      phaseTimeoutMinutes: 30,
      maxTurns: undefined,
      maxQuestions: 3,
      model: undefined,
      claudePath: undefined,
      claudeArgs: [],
      sandbox: 'auto',
      allowedDomains: undefined
    })
  })

  it('joins several positional words into one task', () => {
    expect(run(['Add', 'rate', 'limiting', '--json']).task).toBe('Add rate limiting')
  })

  it('reads every option', () => {
    const options = run(
      [
        '--no-implement',
        '--json',
        '--cwd',
        '/srv/repo',
        '--artifacts-dir',
        'docs/ai/',
        '--max-budget-usd',
        '2.5',
        '--phase-timeout-minutes',
        '45',
        '--max-turns',
        '80',
        '--max-questions',
        '5',
        '--model',
        'claude-opus-4-1',
        '--claude-path',
        './bin/claude',
        '--claude-args=--append-system-prompt "Be brief" --fallback-model sonnet',
        '--sandbox',
        'required',
        '--allowed-domains',
        'registry.npmjs.org,pypi.org',
        'Fix the bug'
      ],
      { CLAUDE_PATH: '/usr/bin/claude' }
    )
    expect(options).toEqual({
      task: 'Fix the bug',
      implement: false,
      json: true,
      cwd: '/srv/repo',
      artifactsDir: 'docs/ai',
      maxBudgetUsd: 2.5,
      phaseTimeoutMinutes: 45,
      maxTurns: 80,
      maxQuestions: 5,
      model: 'claude-opus-4-1',
      claudePath: './bin/claude',
      claudeArgs: ['--append-system-prompt', 'Be brief', '--fallback-model', 'sonnet'],
      sandbox: 'required',
      allowedDomains: ['registry.npmjs.org', 'pypi.org']
    })
  })

  it('takes the claude path from CLAUDE_PATH when the flag is absent, ignoring an empty value', () => {
    expect(run(['t'], { CLAUDE_PATH: '/opt/claude' }).claudePath).toBe('/opt/claude')
    expect(run(['t'], { CLAUDE_PATH: '' }).claudePath).toBeUndefined()
  })

  it('rejects an unknown sandbox mode and a URL as an allowed domain', () => {
    expect(usageError(['--sandbox', 'maybe', 't'])).toBe('--sandbox must be required, auto or off, got "maybe"')
    expect(usageError(['--allowed-domains', 'https://x.example', 't'])).toContain(
      '--allowed-domains: "https://x.example" is not a host name'
    )
  })

  it('allows --max-questions 0 to turn answering off', () => {
    expect(run(['--max-questions', '0', 't']).maxQuestions).toBe(0)
  })

  it('rejects numbers that are not positive, naming the flag and the value', () => {
    expect(usageError(['--max-budget-usd', '0', 't'])).toBe('--max-budget-usd must be a positive number, got "0"')
    expect(usageError(['--max-budget-usd=-1', 't'])).toBe('--max-budget-usd must be a positive number, got "-1"')
    expect(usageError(['--phase-timeout-minutes', 'ten', 't'])).toBe(
      '--phase-timeout-minutes must be a positive number, got "ten"'
    )
    expect(usageError(['--max-turns', '2.5', 't'])).toBe('--max-turns must be a positive whole number, got "2.5"')
    expect(usageError(['--max-turns', ' ', 't'])).toBe('--max-turns must be a positive whole number, got " "')
    expect(usageError(['--max-questions', '1.5', 't'])).toBe(
      '--max-questions must be a positive whole number, got "1.5"'
    )
    expect(usageError(['--max-budget-usd', 'Infinity', 't'])).toBe(
      '--max-budget-usd must be a positive number, got "Infinity"'
    )
  })

  it('accepts fractional budgets and timeouts', () => {
    const options = run(['--max-budget-usd', '0.25', '--phase-timeout-minutes', '0.5', 't'])
    expect(options.maxBudgetUsd).toBe(0.25)
    expect(options.phaseTimeoutMinutes).toBe(0.5)
  })

  it('requires a task', () => {
    expect(usageError([])).toBe('no task given: orchestrator "describe what to do"')
    expect(usageError(['  ', '--json'])).toBe('no task given: orchestrator "describe what to do"')
  })

  it('turns unknown options and missing values into usage errors', () => {
    expect(usageError(['--implement-only', 't'])).toMatch(/implement-only/)
    expect(usageError(['t', '--model'])).toMatch(/model/)
  })

  it('splits --claude-args like a shell and reports an unterminated quote', () => {
    expect(run(["--claude-args=--system-prompt 'a b' --verbose", 't']).claudeArgs).toEqual([
      '--system-prompt',
      'a b',
      '--verbose'
    ])
    expect(usageError(['--claude-args=--system-prompt "oops', 't'])).toBe(
      '--claude-args: unterminated " quote in: --system-prompt "oops'
    )
  })

  it('accepts --claude-args "<flags>" as shown in the usage text', () => {
    expect(run(['--claude-args', '--fallback-model sonnet', 't']).claudeArgs).toEqual(['--fallback-model', 'sonnet'])
  })

  it('requires the artifacts folder to be relative and inside the repository', () => {
    expect(usageError(['--artifacts-dir', '/tmp/out', 't'])).toBe(
      '--artifacts-dir must be a relative path inside the repository, got "/tmp/out"'
    )
    expect(usageError(['--artifacts-dir', '../outside', 't'])).toMatch(/must be a relative path inside the repository/)
    expect(usageError(['--artifacts-dir', 'docs/../../x', 't'])).toMatch(
      /must be a relative path inside the repository/
    )
    expect(usageError(['--artifacts-dir', '/', 't'])).toMatch(/must be a relative path inside the repository/)
    expect(usageError(['--artifacts-dir', '', 't'])).toMatch(/must be a relative path inside the repository/)
    expect(run(['--artifacts-dir', 'docs/..notes', 't']).artifactsDir).toBe('docs/..notes')
  })

  it('normalises a ./-prefixed artifacts folder', () => {
    expect(run(['--artifacts-dir', './docs', 't']).artifactsDir).toBe('docs')
    expect(run(['--artifacts-dir', 'docs//ai/', 't']).artifactsDir).toBe('docs/ai')
  })

  it('answers help and version before validating anything else', () => {
    expect(parseCli(['--help'], {}, CWD)).toEqual({ kind: 'help' })
    expect(parseCli(['-h', '--max-turns', 'x'], {}, CWD)).toEqual({ kind: 'help' })
    expect(parseCli(['--version'], {}, CWD)).toEqual({ kind: 'version' })
    expect(parseCli(['-v'], {}, CWD)).toEqual({ kind: 'version' })
  })

  it('takes --resume <run | branch> without a task; words after it are guidance for implement', () => {
    expect(run(['--resume', 'a1b2c3d4'])).toMatchObject({ resume: 'a1b2c3d4', task: '' })
    expect(run(['--resume', 'feature/limits', 'keep', 'the', 'old', 'API'])).toMatchObject({
      resume: 'feature/limits',
      task: 'keep the old API'
    })
    expect(run(['Add rate limiting'])).not.toHaveProperty('resume')
  })

  it("refuses --resume with options that would change the run's own phases or documents", () => {
    expect(usageError(['--resume', 'a1b2', '--no-implement'])).toBe(
      "--resume goes on with the run's own phases and documents: drop --no-implement"
    )
    expect(usageError(['--resume', 'a1b2', '--artifacts-dir', 'docs'])).toBe(
      "--resume goes on with the run's own phases and documents: drop --artifacts-dir"
    )
    expect(usageError(['--resume', ' '])).toBe('--resume needs a run id or a branch name')
  })
})
