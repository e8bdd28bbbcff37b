/** A CLI run's own bookkeeping (its checkpoints and the local ledger) against a real repository. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseCli } from '../../../src/cli/args.js'
import { beginRun, checkpointPhase, finishRun, prepareRun } from '../../../src/cli/checkpoints.js'
import { findRepository } from '../../../src/cli/repository.js'
import { emptyPhase } from '../../../src/engine/results.js'
import type { RunResult } from '../../../src/engine/types.js'
import { recordCliRun } from '../../../src/ledger/cli.js'
import { tracingGit } from '../../support/git-trace.js'
import { gitIn, writeFiles } from '../../support/sandbox.js'

let root: string
beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoints-')))
  gitIn(root, ['init', '-q', '-b', 'main'])
  writeFiles(root, { 'README.md': '# app\n' })
  gitIn(root, ['add', '-A'])
  gitIn(root, ['-c', 'user.name=U', '-c', 'user.email=u@example.com', 'commit', '-qm', 'initial'])
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

describe('a CLI run', () => {
  it('asks git where its common directory is once, for every checkpoint and the ledger record', async () => {
    const command = parseCli(['Add a limiter'], {}, root)
    if (command.kind !== 'run') throw new Error(`parsed as ${command.kind}`)
    const warnings: string[] = []
    const { value: runFile, commands } = await tracingGit(async () => {
      const repo = (await findRepository(root))!
      const { record } = await prepareRun(repo, command.options)
      beginRun(repo, record)
      for (const name of ['index', 'research', 'plan'] as const) {
        checkpointPhase(repo, record, { ...emptyPhase(name, 'succeeded'), artifacts: [`thoughts/shared/${name}.md`] })
      }
      const result: RunResult = {
        task: record.task,
        status: 'completed',
        phases: [],
        planPath: 'thoughts/shared/plan.md',
        reviewPath: null,
        findings: [],
        changedFiles: [],
        totals: { durationMs: 1, costUsd: 0, inputTokens: 0, outputTokens: 0 }
      }
      await finishRun(repo, record, result)
      await recordCliRun(repo, result, {}, l => warnings.push(l))
      return path.join(root, '.git', 'orchestrator', 'runs', `${record.id}.json`)
    })
    expect(warnings).toEqual([])
    expect(JSON.parse(fs.readFileSync(runFile, 'utf8'))).toMatchObject({ state: 'completed' })
    expect(fs.existsSync(path.join(root, '.git', 'orchestrator', 'ledger.jsonl'))).toBe(true)
    expect(commands.filter(c => c.includes('--git-common-dir'))).toHaveLength(1)
  })
})
