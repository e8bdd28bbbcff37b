/** The run's changes measured from the work tree as implement found it, against real repositories. */
import { beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { changesSince, recordStartingPoint } from '../../src/engine/starting-point.js'
import { useCommittedRepo } from '../support/repo-template.js'
import { gitIn, writeFiles } from '../support/sandbox.js'

const ARTIFACTS = 'thoughts/shared'
let repo: string
const git = (...args: string[]) => gitIn(repo, args)
const append = (rel: string, text: string) => fs.appendFileSync(path.join(repo, rel), text)

const committed = useCommittedRepo({ 'README.md': '# app\n', 'src/api.js': 'export {}\n' })
beforeEach(() => {
  repo = committed.repo()
})

describe('recordStartingPoint', () => {
  it('is HEAD itself when nothing is uncommitted (phase documents do not count)', async () => {
    writeFiles(repo, { [`${ARTIFACTS}/plans/p.md`]: '# Plan\n' })
    expect(await recordStartingPoint(repo, ARTIFACTS)).toBe(git('rev-parse', 'HEAD'))
  })

  it("records uncommitted edits as a commit on no branch, leaving the user's index, branch and files alone", async () => {
    append('README.md', 'my own notes\n')
    writeFiles(repo, { 'notes.txt': 'todo\n', 'staged.txt': 'staged\n' })
    git('add', 'staged.txt')
    const start = await recordStartingPoint(repo, ARTIFACTS)

    expect(start).not.toBe(git('rev-parse', 'HEAD'))
    expect(git('rev-parse', `${start}^`)).toBe(git('rev-parse', 'HEAD'))
    expect(git('branch', '--contains', start)).toBe('')
    expect(git('show', `${start}:README.md`)).toBe('# app\nmy own notes')
    expect(git('diff', '--cached', '--name-only')).toBe('staged.txt')
    expect(git('status', '--porcelain').split('\n')).toEqual(['M README.md', 'A  staged.txt', '?? notes.txt'])
  })

  it('works without a git identity and in a repository with no commit yet', async () => {
    const saved = {
      GIT_CONFIG_GLOBAL: process.env.GIT_CONFIG_GLOBAL,
      GIT_CONFIG_NOSYSTEM: process.env.GIT_CONFIG_NOSYSTEM
    }
    // No global or system git config: no user.name or user.email anywhere.
    process.env.GIT_CONFIG_GLOBAL = '/dev/null'
    process.env.GIT_CONFIG_NOSYSTEM = '1'
    try {
      fs.rmSync(repo, { recursive: true, force: true })
      fs.mkdirSync(repo)
      git('init', '-q')
      writeFiles(repo, { 'a.js': 'a\n' })
      const start = await recordStartingPoint(repo, ARTIFACTS)
      writeFiles(repo, { 'b.js': 'b\n' })
      expect((await changesSince(repo, start, ARTIFACTS)).files).toEqual(['b.js'])
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  })
})

describe('changesSince', () => {
  it("counts only the run's changes: not the user's edits, even in a file both changed", async () => {
    append('README.md', 'my own notes\n')
    writeFiles(repo, { 'notes.txt': 'todo\n', 'result.json': '' })
    const start = await recordStartingPoint(repo, ARTIFACTS)

    // The run: a new file, a further edit to the user's file, a document, one commit of its own.
    writeFiles(repo, { 'src/limit.js': 'export const LIMIT = 100\n', [`${ARTIFACTS}/reviews/r.md`]: '# R\n' })
    append('README.md', 'Rate limited.\n')
    append('src/api.js', '// limited\n')
    git('commit', '-qam', 'claude committed')

    const change = await changesSince(repo, start, ARTIFACTS)
    expect(change.files).toEqual(['README.md', 'src/api.js', 'src/limit.js'])
    expect(change.diff).toContain('+Rate limited.')
    expect(change.diff).toContain('+export const LIMIT = 100')
    // The user's line may show as context, never as part of the change.
    expect(change.diff).not.toContain('+my own notes')
    expect(change.diff).not.toContain('notes.txt')
    expect(change.diff).not.toContain('result.json')
  })

  it('reports deletions and nothing at all when the run changed nothing', async () => {
    append('README.md', 'mine\n')
    const start = await recordStartingPoint(repo, ARTIFACTS)
    expect(await changesSince(repo, start, ARTIFACTS)).toEqual({ files: [], diff: '' })
    fs.rmSync(path.join(repo, 'src/api.js'))
    expect((await changesSince(repo, start, ARTIFACTS)).files).toEqual(['src/api.js'])
  })
})
