/** `orchestrator report` and the CLI's local ledger, against real temporary repositories. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { findRepository } from '../../../src/cli/repository.js'
import type { RunResult } from '../../../src/engine/types.js'
import { recordCliRun } from '../../../src/ledger/cli.js'
import { localLedgerPath } from '../../../src/ledger/local-store.js'
import { parseLedger } from '../../../src/ledger/schema.js'
import { buildReport } from '../../../src/report/aggregate.js'
import { reportMain } from '../../../src/report/cli.js'
import { renderReport } from '../../../src/report/markdown.js'
import { ledgerSchemaErrors } from '../../support/ledger-schema.js'
import { REPO_ROOT } from '../../support/sandbox.js'

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'ledger', 'ledger-50.jsonl')
const NOW = new Date('2026-03-04T12:00:00Z')

let root: string
let repo: string

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

async function report(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  const err: string[] = []
  const code = await reportMain(argv, { cwd: repo, out: t => (out += t), err: l => err.push(l), now: NOW })
  return { code, out, err: err.join('\n') }
}

/** Commits `ledger.jsonl` with `text` on `branch` of `dir`, without checking it out. */
function commitLedger(dir: string, ref: string, text: string): void {
  const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, input: text, encoding: 'utf8' }).trim()
  const tree = execFileSync('git', ['mktree'], {
    cwd: dir,
    input: `100644 blob ${blob}\tledger.jsonl\n`,
    encoding: 'utf8'
  }).trim()
  const commit = git(
    dir,
    '-c',
    'user.name=Bot',
    '-c',
    'user.email=bot@example.com',
    'commit-tree',
    tree,
    '-m',
    'ledger'
  )
  git(dir, 'update-ref', ref, commit)
}

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'report-')))
  repo = path.join(root, 'repo')
  fs.mkdirSync(repo)
  git(repo, 'init', '-q', '-b', 'main')
})

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

const fixtureMarkdown = () =>
  renderReport(buildReport(parseLedger(fs.readFileSync(FIXTURE, 'utf8')).records, { now: NOW, weeks: 8 }))

describe('orchestrator report', () => {
  it('prints the report of a ledger file, and says what it read', async () => {
    const r = await report('--ledger', FIXTURE)
    expect(r.code).toBe(0)
    expect(r.out).toBe(fixtureMarkdown())
    expect(r.err).toBe(
      `orchestrator report: 59 record(s) from ${FIXTURE} (2 line(s) skipped: not a ledger record of a known version)`
    )
  })

  it('draws the charts into --svg-dir and shows them in the Markdown', async () => {
    const r = await report(`--ledger=${FIXTURE}`, '--svg-dir', 'docs/charts', '--weeks', '4')
    expect(r.code).toBe(0)
    expect(fs.readdirSync(path.join(repo, 'docs', 'charts')).sort()).toEqual([
      'failures.svg',
      'findings.svg',
      'fix-rounds.svg',
      'review.svg',
      'trend.svg'
    ])
    expect(fs.readFileSync(path.join(repo, 'docs', 'charts', 'trend.svg'), 'utf8')).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/
    )
    expect(r.out).toContain('![Runs and merged pull requests, last 4 weeks](docs/charts/trend.svg)')
    expect(r.out).toContain('### Last 4 weeks')
    expect(r.out).toContain('| 2026-02-09 | 4 | 1 | 2 | 1 | 1 | $3.10 |')
    expect(r.out).not.toContain('| 2026-02-02 |')
  })

  it('reads a branch of the checkout, and by default origin’s ledger branch once it is fetched', async () => {
    const text = fs.readFileSync(FIXTURE, 'utf8')
    commitLedger(repo, 'refs/heads/orchestrator/ledger', text)
    const branch = await report('--branch', 'orchestrator/ledger')
    expect(branch.code).toBe(0)
    expect(branch.out).toBe(fixtureMarkdown())

    commitLedger(repo, 'refs/remotes/origin/orchestrator/ledger', text)
    const byDefault = await report()
    expect(byDefault.code).toBe(0)
    expect(byDefault.err).toContain('from origin/orchestrator/ledger')
    expect(byDefault.out).toBe(fixtureMarkdown())
  })

  it('falls back to the local CLI ledger, which a CLI run writes', async () => {
    expect((await report()).code).toBe(2)
    const result: RunResult = {
      task: 'Fix the payment tests',
      status: 'failed',
      phases: [
        {
          name: 'index',
          status: 'failed',
          durationMs: 2000,
          costUsd: 0.01,
          inputTokens: 5,
          outputTokens: 1,
          turns: 1,
          sessionId: null,
          artifacts: [],
          questions: []
        }
      ],
      planPath: null,
      reviewPath: null,
      findings: [],
      changedFiles: [],
      totals: { durationMs: 2500, costUsd: 0.01, inputTokens: 5, outputTokens: 1 },
      failedPhase: 'index',
      error: 'index failed: Claude Code exited with code 1: key sk-ant-localKey0123456789 rejected'
    }
    git(repo, 'remote', 'add', 'origin', 'git@github.com:acme/widgets.git')
    const warnings: string[] = []
    const file = await recordCliRun(
      (await findRepository(repo))!,
      result,
      { ANTHROPIC_API_KEY: 'sk-ant-localKey0123456789' },
      l => warnings.push(l),
      new Date('2026-03-04T10:00:00Z')
    )
    expect(warnings).toEqual([])
    expect(file).toBe(path.join(repo, '.git', 'orchestrator', 'ledger.jsonl'))
    expect(await localLedgerPath(repo)).toBe(file)
    const text = fs.readFileSync(file as string, 'utf8')
    expect(text).not.toContain('sk-ant-localKey0123456789')
    const [record] = parseLedger(text).records
    expect(ledgerSchemaErrors(record)).toEqual([])
    expect(record).toMatchObject({
      source: 'cli',
      repository: 'acme/widgets',
      command: 'cli',
      trigger: 'cli',
      startedAt: '2026-03-04T09:59:57.500Z',
      status: 'failed',
      failedPhase: 'index',
      reason: 'claude-error',
      detail: 'index failed: Claude Code exited with code 1: key *** rejected'
    })

    const r = await report()
    expect(r.code).toBe(0)
    expect(r.err).toContain(`1 record(s) from ${file}`)
    expect(r.out).toContain('| Runs | 1 (cli 1) |')
    expect(r.out).toContain('| claude-error | 1 | 0 | 0 | 0 | 0 | 0 | 1 |')
  })

  it('never lets the local ledger break a CLI run', async () => {
    const warnings: string[] = []
    // A git directory that is a plain file: the ledger folder cannot be made in it.
    const notADir = path.join(root, 'plain')
    fs.writeFileSync(notADir, '')
    const result = {
      status: 'completed',
      phases: [],
      findings: [],
      changedFiles: [],
      totals: { durationMs: 1, costUsd: 0, inputTokens: 0, outputTokens: 0 }
    } as unknown as RunResult
    expect(await recordCliRun({ root, gitCommonDir: notADir }, result, {}, l => warnings.push(l))).toBeNull()
    expect(warnings).toEqual([expect.stringContaining('warning: could not add the run to the local ledger')])
  })

  it('answers usage errors with exit code 2', async () => {
    const cases: Array<[string[], string]> = [
      [['--nope'], 'unknown option for report: --nope'],
      [['--weeks', '0'], '--weeks must be a whole number from 1 to 520, got "0"'],
      [['--ledger', FIXTURE, '--branch', 'x'], '--ledger and --branch cannot be used together'],
      [['--ledger'], '--ledger needs a value'],
      [['--ledger', 'missing.jsonl'], `no ledger file at ${path.join(repo, 'missing.jsonl')}`],
      [['--branch', 'nope'], 'cannot read ledger.jsonl from nope']
    ]
    for (const [argv, message] of cases) {
      const r = await report(...argv)
      expect([argv, r.code, r.err.split('\n')[0]]).toEqual([argv, 2, expect.stringContaining(message)])
    }
    const help = await report('--help')
    expect(help.code).toBe(0)
    expect(help.out).toContain(
      'Usage: orchestrator report [--ledger <file> | --branch <ref>] [--weeks N] [--svg-dir DIR] [--cwd DIR]'
    )
  })
})
