import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { repositoryRoot, subfolderOf, uncommittedNote } from '../../src/cli/repository.js'
import { gitIn } from '../support/sandbox.js'

let root: string
beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'repo-root-')))
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

describe('repositoryRoot', () => {
  it('is the top level from any subfolder, and null outside a repository or for a missing folder', async () => {
    expect(await repositoryRoot(root)).toBeNull()
    gitIn(root, ['init', '-q'])
    fs.mkdirSync(path.join(root, 'src', 'api'), { recursive: true })
    expect(await repositoryRoot(path.join(root, 'src', 'api'))).toBe(root)
    expect(await repositoryRoot(root)).toBe(root)
    expect(await repositoryRoot(path.join(root, 'nope'))).toBeNull()
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
