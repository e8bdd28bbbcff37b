/** What a resumed implement session is told about the attempt that stopped, against a real repository. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { MAX_RESUME_DIFF, resumeGuidance } from '../../src/engine/resume.js'
import { snapshotWorkTree } from '../../src/engine/starting-point.js'
import { gitIn, writeFiles } from '../support/sandbox.js'

const ARTIFACTS = 'thoughts/shared'
let repo: string
let start: string
const git = (...args: string[]) => gitIn(repo, args)

beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'resume-'))
  git('init', '-q', '-b', 'main')
  writeFiles(repo, { 'README.md': '# app\n' })
  git('add', '-A')
  git('-c', 'user.name=U', '-c', 'user.email=u@example.com', 'commit', '-qm', 'initial')
  start = git('rev-parse', 'HEAD')
})
afterEach(() => fs.rmSync(repo, { recursive: true, force: true }))

describe('resumeGuidance', () => {
  it('tells the new session why the last one stopped, the diff so far and its last words', async () => {
    writeFiles(repo, { 'src/limit.js': 'export const LIMIT = 100\n', [`${ARTIFACTS}/plans/p.md`]: '# Plan\n' })
    const note = await resumeGuidance(repo, ARTIFACTS, {
      from: start,
      reason: 'Claude Code stopped because the budget was exhausted (spent $1.2000)',
      sha: 'abcdef1234567890',
      summary: 'Wrote the limit.\nNext: allow().'
    })
    expect(note).toContain(
      `This continues an earlier attempt that stopped (Claude Code stopped because the budget was exhausted (spent $1.2000)). ` +
        `Its changes are already in the working tree (kept as commit abcdef123456): 1 file changed since ${start.slice(0, 12)} (src/limit.js).`
    )
    expect(note).toContain('+export const LIMIT = 100')
    // Documents are not the implementation's work.
    expect(note).not.toContain('# Plan')
    expect(note).toContain('Its last words before it stopped:\n> Wrote the limit.\n> Next: allow().')
    expect(note).toMatch(/finish what is left; do not start over\.$/)
  })

  it('is nothing when the earlier attempt left no change: the session simply starts again', async () => {
    writeFiles(repo, { [`${ARTIFACTS}/plans/p.md`]: '# Plan\n' })
    expect(await resumeGuidance(repo, ARTIFACTS, { from: start, reason: 'API error' })).toBeNull()
  })

  it('points at git diff instead of inlining a long diff, and redacts what it shows', async () => {
    writeFiles(repo, { 'big.txt': `${'x'.repeat(80)}\n`.repeat(Math.ceil(MAX_RESUME_DIFF / 80) + 10) })
    const long = await resumeGuidance(repo, ARTIFACTS, { from: start, reason: 'timeout' })
    expect(long).toContain(`The diff so far is too long to show here: see it with \`git diff ${start.slice(0, 12)}\`.`)
    expect(long).not.toContain('x'.repeat(80))

    fs.rmSync(path.join(repo, 'big.txt'))
    writeFiles(repo, { 'key.txt': 'sk-secret-1234\n' })
    const short = await resumeGuidance(
      repo,
      ARTIFACTS,
      { from: start, reason: 'timeout', summary: 'used sk-secret-1234' },
      t => t.split('sk-secret-1234').join('***')
    )
    expect(short).not.toContain('sk-secret-1234')
    expect(short).toContain('+***')
  })

  it('spans every attempt: the diff is measured from where the first one started', async () => {
    writeFiles(repo, { 'a.js': 'first\n' })
    const kept = await snapshotWorkTree(repo, start, 'orchestrator: unfinished')
    writeFiles(repo, { 'b.js': 'second\n' })
    const note = await resumeGuidance(repo, ARTIFACTS, { from: start, reason: 'timeout', sha: kept })
    expect(note).toContain('2 files changed since')
    expect(note).toContain('(a.js, b.js)')
  })
})

describe('snapshotWorkTree', () => {
  it('keeps the whole work tree, documents included, on no branch, without touching the index', async () => {
    writeFiles(repo, { 'src/x.js': 'x\n', [`${ARTIFACTS}/plans/p.md`]: '# Plan\n' })
    const sha = await snapshotWorkTree(repo, start, 'orchestrator: unfinished run r1')
    expect(git('rev-parse', `${sha}^`)).toBe(start)
    expect(git('show', `${sha}:src/x.js`)).toBe('x')
    expect(git('show', `${sha}:${ARTIFACTS}/plans/p.md`)).toBe('# Plan')
    expect(git('branch', '--contains', sha)).toBe('')
    expect(git('diff', '--cached', '--name-only')).toBe('')
    expect(git('log', '-1', '--format=%s', sha)).toBe('orchestrator: unfinished run r1')
  })
})
