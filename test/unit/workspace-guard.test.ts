import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { useRepoTemplate } from '../support/repo-template.js'
import { checkImplement, checkReadOnly, isInside, snapshotWorkspace } from '../../src/engine/workspace-guard.js'

const ARTIFACTS = 'thoughts/shared'

let root: string
let repo: string

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

function write(rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true })
  fs.writeFileSync(path.join(repo, rel), content)
}

function commitAll(message: string): string {
  git('add', '-A')
  git('commit', '-q', '-m', message)
  return git('rev-parse', 'HEAD')
}

// repo, with one commit.
const repos = useRepoTemplate(dir => {
  repo = path.join(dir, 'repo')
  fs.mkdirSync(repo)
  git('init', '-q', '-b', 'main')
  git('config', 'user.email', 'test@example.com')
  git('config', 'user.name', 'Test')
  git('config', 'commit.gpgsign', 'false')
  write('src/api.js', 'export const handle = () => 200\n')
  write('README.md', '# sample\n')
  write('.github/workflows/ci.yml', 'on: push\n')
  commitAll('initial')
})

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'))
  repos.copyTo(root)
  repo = path.join(root, 'repo')
})
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('isInside', () => {
  it('matches the folder itself and paths below it, not siblings sharing a prefix', () => {
    expect(isInside('thoughts/shared', ARTIFACTS)).toBe(true)
    expect(isInside('thoughts/shared/plans/x.md', ARTIFACTS)).toBe(true)
    expect(isInside('thoughts/shared/plans/x.md', 'thoughts/shared/')).toBe(true)
    expect(isInside('thoughts/shared-old/x.md', ARTIFACTS)).toBe(false)
    expect(isInside('thoughts/x.md', ARTIFACTS)).toBe(false)
  })
})

describe('checkReadOnly', () => {
  it('passes when the phase only wrote inside the artifacts folder', async () => {
    const before = await snapshotWorkspace(repo)
    write('thoughts/shared/plans/2025-03-01-x.md', '# Plan\n')
    write('thoughts/shared/research/2025-03-01-x.md', '# Research\n')
    expect(await checkReadOnly(repo, before, ARTIFACTS)).toBeNull()
  })

  it('passes when nothing changed', async () => {
    const before = await snapshotWorkspace(repo)
    expect(await checkReadOnly(repo, before, ARTIFACTS)).toBeNull()
  })

  it('fails naming a tracked file modified outside the folder', async () => {
    const before = await snapshotWorkspace(repo)
    write('thoughts/shared/plans/x.md', '# Plan\n')
    write('src/api.js', 'export const handle = () => 500\n')
    const violation = await checkReadOnly(repo, before, ARTIFACTS)
    expect(violation).toEqual({
      reason: 'it changed files outside thoughts/shared/: src/api.js',
      paths: ['src/api.js']
    })
  })

  it('fails for new, deleted and staged files outside the folder', async () => {
    const before = await snapshotWorkspace(repo)
    write('notes/todo.md', 'x\n')
    fs.rmSync(path.join(repo, 'README.md'))
    write('src/extra.js', '1\n')
    git('add', 'src/extra.js')
    const violation = await checkReadOnly(repo, before, ARTIFACTS)
    expect(violation?.paths).toEqual(['README.md', 'notes/todo.md', 'src/extra.js'])
    expect(violation?.reason).toContain('README.md, notes/todo.md, src/extra.js')
  })

  it('fails for a file in a sibling folder that only shares the prefix', async () => {
    const before = await snapshotWorkspace(repo)
    write('thoughts/shared-backup/x.md', 'x\n')
    expect((await checkReadOnly(repo, before, ARTIFACTS))?.paths).toEqual(['thoughts/shared-backup/x.md'])
  })

  it('ignores files that were already dirty and that the phase left alone', async () => {
    write('src/api.js', 'export const handle = () => 201 // local edit\n')
    write('scratch.txt', 'mine\n')
    const before = await snapshotWorkspace(repo)
    write('thoughts/shared/plans/x.md', '# Plan\n')
    expect(await checkReadOnly(repo, before, ARTIFACTS)).toBeNull()
  })

  it('catches a further change to an already dirty file, and reverting it', async () => {
    write('src/api.js', 'export const handle = () => 201\n')
    write('scratch.txt', 'mine\n')
    const before = await snapshotWorkspace(repo)
    write('src/api.js', 'export const handle = () => 202\n')
    expect((await checkReadOnly(repo, before, ARTIFACTS))?.paths).toEqual(['src/api.js'])

    // Throwing the local edit away is a change too.
    git('checkout', '--', 'src/api.js')
    expect((await checkReadOnly(repo, before, ARTIFACTS))?.paths).toEqual(['src/api.js'])
  })

  it('fails when the phase committed, even only its document', async () => {
    const before = await snapshotWorkspace(repo)
    const oldHead = git('rev-parse', 'HEAD')
    write('thoughts/shared/plans/x.md', '# Plan\n')
    const newHead = commitAll('plan')
    const violation = await checkReadOnly(repo, before, ARTIFACTS)
    expect(violation).toEqual({
      reason: `it moved HEAD from ${oldHead.slice(0, 7)} to ${newHead.slice(0, 7)}`,
      paths: []
    })
  })

  it('handles paths with spaces and non-ASCII characters', async () => {
    const before = await snapshotWorkspace(repo)
    write('docs/résumé notes.md', 'x\n')
    expect((await checkReadOnly(repo, before, ARTIFACTS))?.paths).toEqual(['docs/résumé notes.md'])
  })
})

describe('checkImplement', () => {
  it('passes for source edits left in the work tree', async () => {
    const before = await snapshotWorkspace(repo)
    write('src/api.js', 'export const handle = () => 429\n')
    write('src/limiter.js', 'export const limit = () => true\n')
    expect(await checkImplement(repo, before)).toBeNull()
  })

  it('passes for a normal commit on top of the starting point', async () => {
    const before = await snapshotWorkspace(repo)
    write('src/limiter.js', 'export const limit = () => true\n')
    commitAll('add limiter')
    expect(await checkImplement(repo, before)).toBeNull()
  })

  it('fails for a workflow change in the work tree', async () => {
    const before = await snapshotWorkspace(repo)
    write('.github/workflows/ci.yml', 'on: [push, pull_request]\n')
    write('.github/workflows/deploy.yml', 'on: push\n')
    const violation = await checkImplement(repo, before)
    expect(violation?.paths).toEqual(['.github/workflows/ci.yml', '.github/workflows/deploy.yml'])
    expect(violation?.reason).toBe(
      'it changed workflow files, which the orchestrator never does: .github/workflows/ci.yml, .github/workflows/deploy.yml'
    )
  })

  it('fails for a workflow change hidden in a commit', async () => {
    const before = await snapshotWorkspace(repo)
    write('src/api.js', 'export const handle = () => 429\n')
    write('.github/workflows/ci.yml', 'on: workflow_dispatch\n')
    commitAll('innocent')
    expect((await checkImplement(repo, before))?.paths).toEqual(['.github/workflows/ci.yml'])
  })

  it('does not blame the phase for a workflow file that was already dirty', async () => {
    write('.github/workflows/ci.yml', 'on: [push] # local\n')
    const before = await snapshotWorkspace(repo)
    write('src/api.js', 'export const handle = () => 429\n')
    expect(await checkImplement(repo, before)).toBeNull()
  })

  it('allows changes to other .github files', async () => {
    const before = await snapshotWorkspace(repo)
    write('.github/CODEOWNERS', '* @octo\n')
    expect(await checkImplement(repo, before)).toBeNull()
  })

  it('fails when history was rewritten to an older commit', async () => {
    const first = git('rev-parse', 'HEAD')
    write('src/api.js', 'export const handle = () => 201\n')
    const second = commitAll('second')
    const before = await snapshotWorkspace(repo)
    git('reset', '-q', '--hard', first)
    const violation = await checkImplement(repo, before)
    expect(violation).toEqual({
      reason: `it rewrote history: ${second.slice(0, 7)} is no longer an ancestor of HEAD`,
      paths: []
    })
  })

  it('fails when the last commit was amended', async () => {
    const before = await snapshotWorkspace(repo)
    write('src/api.js', 'export const handle = () => 429\n')
    git('add', '-A')
    git('commit', '-q', '--amend', '-m', 'rewritten')
    expect((await checkImplement(repo, before))?.reason).toMatch(/^it rewrote history/)
  })
})
