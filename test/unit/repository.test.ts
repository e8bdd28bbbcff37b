import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { findRepository, subfolderOf, uncommittedNote } from '../../src/cli/repository.js'
import { gitIn } from '../support/sandbox.js'

let root: string
beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'repo-root-')))
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

describe('findRepository', () => {
  const rootOf = async (start: string) => (await findRepository(start))?.root ?? null

  it('is the top level from any subfolder, and null outside a repository or for a missing folder', async () => {
    expect(await rootOf(root)).toBeNull()
    gitIn(root, ['init', '-q'])
    fs.mkdirSync(path.join(root, 'src', 'api'), { recursive: true })
    expect(await rootOf(path.join(root, 'src', 'api'))).toBe(root)
    expect(await rootOf(root)).toBe(root)
    expect(await rootOf(path.join(root, 'nope'))).toBeNull()
  })

  it('names the common git directory, which a worktree shares with the main checkout, from any subfolder', async () => {
    const main = path.join(root, 'main')
    gitIn(root, ['init', '-q', main])
    gitIn(main, ['-c', 'user.name=U', '-c', 'user.email=u@example.com', 'commit', '-q', '--allow-empty', '-m', 'i'])
    gitIn(main, ['worktree', 'add', '-q', path.join(root, 'wt')])
    fs.mkdirSync(path.join(root, 'wt', 'src'))
    expect(await findRepository(path.join(main))).toEqual({ root: main, gitCommonDir: path.join(main, '.git') })
    expect(await findRepository(path.join(root, 'wt', 'src'))).toEqual({
      root: path.join(root, 'wt'),
      gitCommonDir: path.join(main, '.git')
    })
  })
})

describe('subfolderOf', () => {
  it('names where the CLI was started, relative to the top level', () => {
    fs.mkdirSync(path.join(root, 'src', 'api'), { recursive: true })
    expect(subfolderOf(root, path.join(root, 'src', 'api'))).toBe('src/api/')
    expect(subfolderOf(root, root)).toBe('')
  })
})

describe('uncommittedNote', () => {
  it("names the user's uncommitted files, not the phase documents, and nothing for a clean tree", async () => {
    gitIn(root, ['init', '-q'])
    expect(await uncommittedNote(root, 'thoughts/shared')).toBeNull()
    fs.mkdirSync(path.join(root, 'thoughts', 'shared'), { recursive: true })
    fs.writeFileSync(path.join(root, 'thoughts', 'shared', 'plan.md'), '# Plan\n')
    expect(await uncommittedNote(root, 'thoughts/shared')).toBeNull()
    fs.writeFileSync(path.join(root, 'result.json'), '')
    expect(await uncommittedNote(root, 'thoughts/shared')).toMatch(
      /^1 uncommitted file was there before the run \(result\.json\): they stay yours/
    )
  })
})
