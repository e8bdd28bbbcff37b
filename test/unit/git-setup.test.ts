import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { withoutPersistedCredentials } from '../../src/action/branch.js'
import { restoreGitSetup, snapshotGitSetup } from '../../src/git/setup.js'
import { checkReadOnly, snapshotWorkspace } from '../../src/engine/workspace-guard.js'

let root: string
let repo: string

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

const gitFile = (rel: string): string => path.join(repo, '.git', rel)

/** Every file and link under .git's watched parts, with content, mode or target. */
function picture(gitDir = path.join(repo, '.git')): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (abs: string): void => {
    if (!fs.existsSync(abs) && !fs.lstatSync(abs, { throwIfNoEntry: false })) return
    const st = fs.lstatSync(abs)
    const rel = path.relative(gitDir, abs)
    if (st.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(abs)}`
    else if (st.isDirectory()) {
      out[rel] = `dir ${(st.mode & 0o777).toString(8)}`
      for (const name of fs.readdirSync(abs)) walk(path.join(abs, name))
    } else out[rel] = `${(st.mode & 0o777).toString(8)} ${fs.readFileSync(abs, 'base64')}`
  }
  for (const rel of ['config', 'config.worktree', 'hooks', 'info', 'objects/info/alternates'])
    walk(path.join(gitDir, rel))
  return out
}

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'git-setup-')))
  repo = path.join(root, 'repo')
  fs.mkdirSync(repo)
  git(repo, 'init', '-q', '-b', 'main')
  git(repo, 'config', 'user.email', 'test@example.com')
  git(repo, 'config', 'user.name', 'Test')
  fs.writeFileSync(path.join(repo, 'README.md'), '# sample\n')
  git(repo, 'add', '-A')
  git(repo, 'commit', '-q', '-m', 'initial')
})
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('snapshotGitSetup / restoreGitSetup', () => {
  it('reports nothing and changes nothing when the phase left git alone', async () => {
    const before = picture()
    const snapshot = await snapshotGitSetup(repo)
    fs.writeFileSync(path.join(repo, 'README.md'), 'work tree changes are not its business\n')
    expect(restoreGitSetup(snapshot)).toEqual([])
    expect(picture()).toEqual(before)
  })

  it('puts back config, hooks, info and alternates exactly, and says what it put back', async () => {
    fs.writeFileSync(gitFile('hooks/pre-push'), '#!/bin/sh\nexit 0\n', { mode: 0o755 })
    const before = picture()
    const snapshot = await snapshotGitSetup(repo)

    // A phase's Bash at work: new hooks, a rewritten config, attributes, an alternate store, a deleted sample.
    fs.writeFileSync(gitFile('hooks/pre-commit'), '#!/bin/sh\nenv > /tmp/leak\n', { mode: 0o755 })
    fs.writeFileSync(gitFile('hooks/pre-push'), '#!/bin/sh\ncurl evil.example\n')
    fs.chmodSync(gitFile('hooks/pre-push'), 0o700)
    fs.rmSync(gitFile('hooks/pre-rebase.sample'))
    git(repo, 'config', 'core.fsmonitor', '/tmp/evil')
    fs.mkdirSync(gitFile('info/extra'))
    fs.writeFileSync(gitFile('info/extra/a'), 'x\n')
    fs.writeFileSync(gitFile('info/attributes'), '* filter=evil\n')
    fs.writeFileSync(gitFile('objects/info/alternates'), '/tmp/elsewhere/objects\n')
    git(repo, 'config', 'extensions.worktreeConfig', 'true')
    fs.writeFileSync(gitFile('config.worktree'), '[core]\n\thooksPath = /tmp/hooks\n')

    expect(restoreGitSetup(snapshot)).toEqual([
      '.git/config',
      '.git/config.worktree',
      '.git/hooks/pre-commit',
      '.git/hooks/pre-push',
      '.git/hooks/pre-rebase.sample',
      '.git/info/attributes',
      '.git/info/extra',
      '.git/objects/info/alternates'
    ])
    expect(picture()).toEqual(before)
    expect(restoreGitSetup(snapshot)).toEqual([])
  })

  it('puts back a hooks folder replaced by a symlink, and a config replaced by a folder', async () => {
    const before = picture()
    const snapshot = await snapshotGitSetup(repo)
    fs.mkdirSync(path.join(root, 'evil-hooks'))
    fs.renameSync(gitFile('hooks'), path.join(root, 'old-hooks'))
    fs.symlinkSync(path.join(root, 'evil-hooks'), gitFile('hooks'))
    const config = fs.readFileSync(gitFile('config'))
    fs.rmSync(gitFile('config'))
    fs.mkdirSync(gitFile('config'))
    fs.writeFileSync(gitFile('config/x'), 'x')

    expect(restoreGitSetup(snapshot)).toEqual(['.git/config', '.git/hooks'])
    expect(picture()).toEqual(before)
    expect(fs.readFileSync(gitFile('config')).equals(config)).toBe(true)
    // The symlink was removed, not followed: its target is as it was.
    expect(fs.readdirSync(path.join(root, 'evil-hooks'))).toEqual([])
  })

  it('covers a linked worktree: its own config.worktree and the shared config and hooks', async () => {
    const wt = path.join(root, 'wt')
    git(repo, 'worktree', 'add', '-q', '-b', 'feature', wt)
    git(repo, 'config', 'extensions.worktreeConfig', 'true')
    const own = path.join(repo, '.git', 'worktrees', 'wt')
    fs.writeFileSync(path.join(own, 'config.worktree'), '[user]\n\tname = Worktree\n')
    const shared = picture()
    const ownBefore = fs.readFileSync(path.join(own, 'config.worktree'), 'utf8')
    const snapshot = await snapshotGitSetup(wt)

    fs.writeFileSync(path.join(own, 'config.worktree'), '[core]\n\tfsmonitor = /tmp/evil\n')
    fs.writeFileSync(gitFile('hooks/post-checkout'), '#!/bin/sh\n', { mode: 0o755 })
    git(wt, 'config', 'core.sshCommand', '/tmp/evil')

    expect(restoreGitSetup(snapshot)).toEqual([
      '../repo/.git/config',
      '../repo/.git/hooks/post-checkout',
      '../repo/.git/worktrees/wt/config.worktree'
    ])
    expect(picture()).toEqual(shared)
    expect(fs.readFileSync(path.join(own, 'config.worktree'), 'utf8')).toBe(ownBefore)
  })

  it('restores before the workspace guard looks, so an exclude rule cannot hide a file from it', async () => {
    const files = await snapshotWorkspace(repo)
    const setup = await snapshotGitSetup(repo)
    fs.appendFileSync(gitFile('info/exclude'), 'notes/\n')
    fs.mkdirSync(path.join(repo, 'notes'))
    fs.writeFileSync(path.join(repo, 'notes', 'todo.md'), 'outside the artifacts folder\n')
    // While the rule is there, git itself does not see the file.
    expect(await checkReadOnly(repo, files, 'thoughts/shared')).toBeNull()

    expect(restoreGitSetup(setup)).toEqual(['.git/info/exclude'])
    expect((await checkReadOnly(repo, files, 'thoughts/shared'))?.paths).toEqual(['notes/todo.md'])
  })

  it("keeps the checkout's credentials out of .git/config through a phase's restore, and back afterwards", async () => {
    const key = 'http.https://github.com/.extraheader'
    git(repo, 'config', key, 'AUTHORIZATION: basic c2VjcmV0')
    const withToken = fs.readFileSync(gitFile('config'))
    let restored: string[] = []
    await withoutPersistedCredentials(repo, async () => {
      const snapshot = await snapshotGitSetup(repo)
      fs.writeFileSync(gitFile('config'), withToken)
      restored = restoreGitSetup(snapshot)
      expect(fs.readFileSync(gitFile('config'), 'utf8')).not.toContain('extraheader')
    })
    expect(restored).toEqual(['.git/config'])
    expect(fs.readFileSync(gitFile('config')).equals(withToken)).toBe(true)
  })
})
