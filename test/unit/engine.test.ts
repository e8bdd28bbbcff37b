/** The engine's own git work around the phases, against a real repository (no phase starts Claude here). */
import { beforeEach, describe, expect, it } from '@jest/globals'
import { fallbackAnswerer } from '../../src/answerer/answerer.js'
import { runEngine, type EngineOptions } from '../../src/engine/engine.js'
import { tracingGit } from '../support/git-trace.js'
import { useCommittedRepo } from '../support/repo-template.js'
import { gitIn, writeFiles } from '../support/sandbox.js'

const ARTIFACTS = 'thoughts/shared'
let repo: string
const git = (...args: string[]) => gitIn(repo, args)

const committed = useCommittedRepo({ 'README.md': '# app\n', 'src/api.js': 'export {}\n' })
beforeEach(() => {
  repo = committed.repo()
})

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
