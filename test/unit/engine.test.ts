/** The engine's own git work around the phases, against a real repository (no phase starts Claude here). */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fallbackAnswerer } from '../../src/answerer/answerer.js'
import { runEngine, type EngineOptions } from '../../src/engine/engine.js'
import { tracingGit } from '../support/git-trace.js'
import { gitIn, writeFiles } from '../support/sandbox.js'

const ARTIFACTS = 'thoughts/shared'
let repo: string
const git = (...args: string[]) => gitIn(repo, args)

beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-'))
  git('init', '-q', '-b', 'main')
  git('config', 'user.email', 'u@example.com')
  git('config', 'user.name', 'U')
  writeFiles(repo, { 'README.md': '# app\n', 'src/api.js': 'export {}\n' })
  git('add', '-A')
  git('commit', '-qm', 'initial')
})
afterEach(() => fs.rmSync(repo, { recursive: true, force: true }))

/** A run whose phases are all reused: the engine does its git work, Claude never starts. */
function reusedRun(phases: EngineOptions['phases'], reviewBase: string): EngineOptions {
  const review = `${ARTIFACTS}/reviews/review.md`
  writeFiles(repo, { [review]: '# Review\n' })
  return {
    task: 't',
    repoDir: repo,
    artifactsDir: ARTIFACTS,
    phases,
    reuse: { implement: [], review: [review] },
    reviewBase,
    slug: 't',
    date: '2026-12-02',
    claude: { path: '/nonexistent/claude', env: {}, extraArgs: [] },
    phaseTimeoutMs: 1000,
    maxQuestionRounds: 1,
    answerer: fallbackAnswerer
  }
}

describe('the changed files', () => {
  it('are measured once when the review was shown them: one names-only diff and one full diff in all', async () => {
    const base = git('rev-parse', 'HEAD')
    writeFiles(repo, { 'src/api.js': 'export const limit = 100\n', 'src/limiter.js': 'export {}\n' })
    const { value: result, commands } = await tracingGit(() => runEngine(reusedRun(['implement', 'review'], base)))
    expect(result.changedFiles).toEqual(['src/api.js', 'src/limiter.js'])
    expect(commands.filter(c => c.startsWith('diff '))).toEqual([
      expect.stringContaining('--name-only'),
      expect.not.stringContaining('--name-only')
    ])
  })

  it('are listed by name only, without building a diff, when no review ran', async () => {
    const base = git('rev-parse', 'HEAD')
    writeFiles(repo, { 'src/limiter.js': 'export {}\n' })
    const { value: result, commands } = await tracingGit(() => runEngine(reusedRun(['implement'], base)))
    expect(result.changedFiles).toEqual(['src/limiter.js'])
    expect(commands.filter(c => c.startsWith('diff '))).toEqual([expect.stringContaining('--name-only')])
  })
})
