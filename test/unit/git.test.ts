import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { git } from '../../src/git/git.js'

let repo: string
const marker = () => path.join(repo, 'hook-ran')

beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'git-wrapper-'))
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo })
  fs.writeFileSync(path.join(repo, 'a.txt'), 'a\n')
  // A hook a phase could have written: it records that it ran and what it saw.
  for (const hook of ['pre-commit', 'post-commit', 'prepare-commit-msg']) {
    fs.writeFileSync(path.join(repo, '.git', 'hooks', hook), `#!/bin/sh\nenv >> "${marker()}"\n`, { mode: 0o755 })
  }
})
afterEach(() => {
  fs.rmSync(repo, { recursive: true, force: true })
  delete process.env.INPUT_GITHUB_TOKEN
})

describe('git wrapper', () => {
  it("never runs the repository's hooks", async () => {
    await git(repo, ['add', '-A'])
    await git(repo, ['commit', '-q', '-m', 'x'], { config: { 'user.name': 'Bot', 'user.email': 'bot@example.com' } })
    expect(await git(repo, ['log', '--format=%s'])).toBe('x')
    expect(fs.existsSync(marker())).toBe(false)
  })

  it("does not hand the step's secrets to git or anything git starts", async () => {
    process.env.INPUT_GITHUB_TOKEN = 'ghs_secret_for_test'
    // A command git runs (here through an alias) sees the filtered environment.
    const seen = await git(repo, ['-c', 'alias.showenv=!env', 'showenv'])
    expect(seen).not.toContain('ghs_secret_for_test')
    expect(seen).toContain('GIT_TERMINAL_PROMPT=0')
  })
})
