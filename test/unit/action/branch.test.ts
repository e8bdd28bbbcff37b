import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { useRepoTemplate } from '../../support/repo-template.js'
import { BranchMovedError, gitAuthConfig, withoutPersistedCredentials, WorkBranch } from '../../../src/action/branch.js'

const BRANCH = 'orchestrator/issue-42'
const AUTH = { token: 'ghs_secret_token', serverUrl: 'https://github.com' }
const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' }

let root: string
let origin: string
let work: string

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

/** Exit code of a git command that may fail. */
function gitStatus(cwd: string, ...args: string[]): number {
  try {
    execFileSync('git', args, { cwd, stdio: 'ignore' })
    return 0
  } catch (err) {
    return (err as { status: number }).status
  }
}

/** `git status --porcelain` lines, sorted (untrimmed: the first column matters). */
function status(cwd: string): string[] {
  const out = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd, encoding: 'utf8' })
  return out.split('\n').filter(Boolean).sort()
}

function write(repo: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true })
  fs.writeFileSync(path.join(repo, rel), content)
}

function clone(name: string): string {
  const dir = path.join(root, name)
  git(
    root,
    'clone',
    '-q',
    '-c',
    'user.name=Human Dev',
    '-c',
    'user.email=dev@example.com',
    '-c',
    'commit.gpgsign=false',
    origin,
    dir
  )
  return dir
}

function commitAll(repo: string, message: string): string {
  git(repo, 'add', '-A')
  git(repo, 'commit', '-q', '-m', message)
  return git(repo, 'rev-parse', 'HEAD')
}

/** The branch's commit on origin, read directly from the bare repository. */
function originHead(name: string): string | null {
  try {
    return git(origin, 'rev-parse', '--verify', '-q', `refs/heads/${name}`)
  } catch {
    return null
  }
}

async function workBranch(dir = work): Promise<WorkBranch> {
  const wb = new WorkBranch(dir, BRANCH, AUTH)
  await wb.init()
  return wb
}

/** A bare repository as origin with one commit on main, and a clone of it in `work`. */
function useRepositories(): void {
  const repos = useRepoTemplate(dir => {
    root = dir
    origin = path.join(root, 'origin.git')
    git(root, 'init', '-q', '--bare', '-b', 'main', origin)
    const seed = clone('seed')
    git(seed, 'checkout', '-q', '-b', 'main')
    write(seed, 'README.md', '# widgets\n')
    write(seed, 'src/app.ts', 'export const app = 1\n')
    commitAll(seed, 'initial')
    git(seed, 'push', '-q', 'origin', 'main')
    fs.rmSync(seed, { recursive: true, force: true })
    clone('work')
  })

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'branch-')))
    repos.copyTo(root)
    origin = path.join(root, 'origin.git')
    work = path.join(root, 'work')
  })

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true })
  })
}

describe('WorkBranch', () => {
  useRepositories()

  it('says so when the checkout has no origin remote', async () => {
    git(work, 'remote', 'remove', 'origin')
    await expect(workBranch()).rejects.toThrow('the checkout has no origin remote (remote.origin.url is not set)')
  })

  it('reads a branch head on origin, or null when there is no such branch', async () => {
    const wb = await workBranch()
    expect(await wb.remoteHead()).toBeNull()
    expect(await wb.remoteHead('main')).toBe(originHead('main'))
  })

  it('fetches a branch and returns its commit', async () => {
    const other = clone('other')
    git(other, 'checkout', '-q', '-b', 'feature')
    write(other, 'feature.txt', 'f\n')
    const sha = commitAll(other, 'feature')
    git(other, 'push', '-q', 'origin', 'feature')

    const wb = await workBranch()
    expect(await wb.fetch('feature')).toBe(sha)
    expect(git(work, 'rev-parse', 'refs/remotes/origin/feature')).toBe(sha)
  })

  it('checks out the work branch at a commit, discarding local changes and untracked files', async () => {
    const wb = await workBranch()
    const base = git(work, 'rev-parse', 'HEAD')
    write(work, 'src/app.ts', 'export const app = 2 // local edit\n')
    write(work, 'scratch/notes.md', 'left over\n')
    git(work, 'add', 'src/app.ts')

    await wb.checkoutAt(base)
    expect(git(work, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(BRANCH)
    expect(git(work, 'rev-parse', 'HEAD')).toBe(base)
    expect(git(work, 'status', '--porcelain', '--untracked-files=all')).toBe('')
    expect(fs.readFileSync(path.join(work, 'src/app.ts'), 'utf8')).toBe('export const app = 1\n')
  })

  it('commits as the given author', async () => {
    const wb = await workBranch()
    await wb.checkoutAt(git(work, 'rev-parse', 'HEAD'))
    write(work, 'thoughts/shared/plans/plan.md', '# Plan\n')
    const sha = await wb.commit('orchestrator: plan for #42\n\nAdd rate limiting', BOT)
    expect(sha).toBe(git(work, 'rev-parse', 'HEAD'))
    expect(git(work, 'log', '-1', '--format=%an <%ae>')).toBe(`${BOT.name} <${BOT.email}>`)
    expect(git(work, 'log', '-1', '--format=%B')).toBe('orchestrator: plan for #42\n\nAdd rate limiting')
    expect(git(work, 'show', '--name-only', '--format=', 'HEAD')).toBe('thoughts/shared/plans/plan.md')
  })

  it('commits deletions too', async () => {
    const wb = await workBranch()
    fs.rmSync(path.join(work, 'src/app.ts'))
    expect(await wb.commit('remove app', BOT)).not.toBeNull()
    expect(git(work, 'show', '--name-status', '--format=', 'HEAD')).toBe('D\tsrc/app.ts')
  })

  it('returns null and makes no commit when nothing changed', async () => {
    const wb = await workBranch()
    const before = git(work, 'rev-parse', 'HEAD')
    expect(await wb.commit('nothing', BOT)).toBeNull()
    expect(git(work, 'rev-parse', 'HEAD')).toBe(before)
  })

  it('returns null when only paths outside the given ones changed', async () => {
    const wb = await workBranch()
    write(work, 'thoughts/shared/plans/old.md', '# Old plan\n')
    commitAll(work, 'earlier plan')
    const before = git(work, 'rev-parse', 'HEAD')
    write(work, 'src/app.ts', 'changed\n')
    expect(await wb.commit('plan', BOT, ['thoughts/shared'])).toBeNull()
    expect(git(work, 'rev-parse', 'HEAD')).toBe(before)
  })

  it('returns null when a given path does not exist', async () => {
    const wb = await workBranch()
    write(work, 'src/app.ts', 'changed\n')
    expect(await wb.commit('plan', BOT, ['thoughts/shared'])).toBeNull()
  })

  it('commits only the given paths and leaves other changes in the work tree', async () => {
    const wb = await workBranch()
    write(work, 'thoughts/shared/plans/plan.md', '# Plan\n')
    write(work, 'src/app.ts', 'export const app = 2\n')
    write(work, 'stray.txt', 'untracked\n')
    await wb.commit('plan', BOT, ['thoughts/shared'])
    expect(git(work, 'show', '--name-only', '--format=', 'HEAD')).toBe('thoughts/shared/plans/plan.md')
    expect(status(work)).toEqual([' M src/app.ts', '?? stray.txt'])
  })

  it('does not commit a file staged earlier outside the given paths', async () => {
    const wb = await workBranch()
    write(work, 'src/app.ts', 'export const app = 2\n')
    git(work, 'add', 'src/app.ts')
    write(work, 'thoughts/shared/plans/plan.md', '# Plan\n')
    await wb.commit('plan', BOT, ['thoughts/shared'])
    expect(git(work, 'show', '--name-only', '--format=', 'HEAD')).toBe('thoughts/shared/plans/plan.md')
  })

  it('pushes HEAD to a new branch on origin', async () => {
    const wb = await workBranch()
    await wb.checkoutAt(git(work, 'rev-parse', 'HEAD'))
    write(work, 'thoughts/shared/plans/plan.md', '# Plan\n')
    const sha = await wb.commit('plan', BOT)
    await wb.push()
    expect(originHead(BRANCH)).toBe(sha)
    expect(await wb.remoteHead()).toBe(sha)
    expect(originHead('main')).not.toBe(sha)
  })

  it('pushes a fast-forward to an existing branch', async () => {
    const wb = await workBranch()
    write(work, 'a.txt', '1\n')
    await wb.commit('one', BOT)
    await wb.push()
    write(work, 'a.txt', '2\n')
    const second = await wb.commit('two', BOT)
    await wb.push()
    expect(originHead(BRANCH)).toBe(second)
  })

  /** The bot pushes a plan, a maintainer pushes a fix on top, the bot commits its implementation. */
  async function raceWithMaintainer(): Promise<{ wb: WorkBranch; theirs: string }> {
    const wb = await workBranch()
    await wb.checkoutAt(git(work, 'rev-parse', 'HEAD'))
    write(work, 'thoughts/shared/plans/plan.md', '# Plan\n')
    await wb.commit('plan', BOT)
    await wb.push()

    // A maintainer pushes a fix to the work branch while the bot works.
    const human = clone('human')
    git(human, 'checkout', '-q', BRANCH)
    write(human, 'src/app.ts', 'export const app = 3 // by hand\n')
    const theirs = commitAll(human, 'manual fix')
    git(human, 'push', '-q', 'origin', BRANCH)

    write(work, 'src/app.ts', 'export const app = 2 // by the bot\n')
    await wb.commit('implement', BOT)
    return { wb, theirs }
  }

  it('never overwrites commits someone else pushed to the branch', async () => {
    const { wb, theirs } = await raceWithMaintainer()
    await expect(wb.push()).rejects.toThrow()
    expect(originHead(BRANCH)).toBe(theirs)
  })

  it('reports a push origin refused because the branch moved as BranchMovedError', async () => {
    const { wb, theirs } = await raceWithMaintainer()
    const err = await wb.push().then(
      () => null,
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(BranchMovedError)
    expect((err as Error).message).toBe(
      `the branch ${BRANCH} changed on origin while the run worked; nothing was pushed`
    )
    expect(originHead(BRANCH)).toBe(theirs)
  })

  it('never overwrites a diverged branch, even after fetching it', async () => {
    const { wb, theirs } = await raceWithMaintainer()
    await wb.fetch(BRANCH)
    await expect(wb.push()).rejects.toThrow()
    expect(originHead(BRANCH)).toBe(theirs)
  })

  it("lists the heads of an issue's branch and its fresh siblings, and nothing else", async () => {
    const wb = await workBranch()
    const main = originHead('main')!
    for (const name of [BRANCH, `${BRANCH}-2`, `${BRANCH}-10`, 'orchestrator/issue-420', 'other'])
      git(work, 'push', '-q', origin, `${main}:refs/heads/${name}`)
    const heads = await wb.remoteHeads(BRANCH)
    // ls-remote patterns are globs; the caller only uses the names it expects.
    expect([...heads.keys()].sort()).toEqual([BRANCH, `${BRANCH}-10`, `${BRANCH}-2`])
    expect(heads.get(BRANCH)).toBe(main)
  })

  it('describes a commit by short sha, subject and author, and finds where HEAD forked from the base', async () => {
    const wb = await workBranch()
    const fork = git(work, 'rev-parse', 'HEAD')
    await wb.checkoutAt(fork)
    write(work, 'a.txt', 'bot\n')
    const sha = (await wb.commit('orchestrator: plan for #42', BOT)) as string
    // main moves on after the fork.
    const other = clone('other')
    write(other, 'b.txt', 'later\n')
    commitAll(other, 'later on main')
    git(other, 'push', '-q', 'origin', 'main')

    expect(await wb.describe(sha)).toEqual({
      short: sha.slice(0, 7),
      subject: 'orchestrator: plan for #42',
      author: BOT.name
    })
    expect(await wb.forkPoint('main')).toBe(fork)
  })
})

describe('gitAuthConfig', () => {
  function decodeHeader(config: Record<string, string>, key: string): string {
    const value = config[key] ?? ''
    expect(value).toMatch(/^AUTHORIZATION: basic [A-Za-z0-9+/=]+$/)
    return Buffer.from(value.slice('AUTHORIZATION: basic '.length), 'base64').toString('utf8')
  }

  it('gives an https origin on the server an auth header for that server only', () => {
    const config = gitAuthConfig('https://github.com/acme/widgets.git', AUTH)
    expect(Object.keys(config)).toEqual(['http.https://github.com/.extraheader'])
    expect(decodeHeader(config, 'http.https://github.com/.extraheader')).toBe('x-access-token:ghs_secret_token')
  })

  it('works for a GitHub Enterprise Server host and ignores case in the host', () => {
    const config = gitAuthConfig('https://GHE.example.com/acme/widgets', {
      token: 't0k',
      serverUrl: 'https://ghe.example.com/'
    })
    expect(Object.keys(config)).toEqual(['http.https://ghe.example.com/.extraheader'])
    expect(decodeHeader(config, 'http.https://ghe.example.com/.extraheader')).toBe('x-access-token:t0k')
  })

  it('gives nothing to other hosts, other protocols and local paths', () => {
    for (const remote of [
      'https://gitlab.com/acme/widgets.git',
      'https://github.com.evil.example/acme/widgets.git',
      'https://github.com:8443/acme/widgets.git',
      'http://github.com/acme/widgets.git',
      'git@github.com:acme/widgets.git',
      'ssh://git@github.com/acme/widgets.git',
      'git://github.com/acme/widgets.git',
      'file:///srv/git/widgets.git',
      '/srv/git/widgets.git',
      '../widgets.git',
      ''
    ]) {
      expect(gitAuthConfig(remote, AUTH)).toEqual({})
    }
  })

  it('gives nothing when the server URL does not parse', () => {
    expect(gitAuthConfig('https://github.com/acme/widgets.git', { token: 't', serverUrl: 'not a url' })).toEqual({})
  })

  it('never puts the token itself in the setting', () => {
    const config = gitAuthConfig('https://github.com/acme/widgets.git', AUTH)
    expect(JSON.stringify(config)).not.toContain(AUTH.token)
  })
})

describe('withoutPersistedCredentials', () => {
  useRepositories()

  const KEY = 'http.https://github.com/.extraheader'
  const HEADER = 'AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX2NoZWNrb3V0'

  function extraheaders(): string {
    return gitStatus(work, 'config', '--local', '--get-regexp', 'extraheader') === 0
      ? git(work, 'config', '--local', '--get-regexp', 'extraheader')
      : ''
  }

  beforeEach(() => {
    // What actions/checkout leaves behind.
    git(work, 'config', '--local', KEY, HEADER)
  })

  it('removes the checkout credentials during the callback and restores .git/config byte for byte', async () => {
    const configFile = path.join(work, '.git', 'config')
    const before = fs.readFileSync(configFile)
    expect(extraheaders()).toBe(`${KEY} ${HEADER}`)

    let during = 'not called'
    const out = await withoutPersistedCredentials(work, async () => {
      during = extraheaders()
      return 'result'
    })
    expect(out).toBe('result')
    expect(during).toBe('')
    expect(fs.readFileSync(configFile).equals(before)).toBe(true)
    expect(extraheaders()).toBe(`${KEY} ${HEADER}`)
  })

  it('restores the credentials when the callback throws', async () => {
    const configFile = path.join(work, '.git', 'config')
    const before = fs.readFileSync(configFile)
    await expect(
      withoutPersistedCredentials(work, async () => {
        expect(extraheaders()).toBe('')
        throw new Error('claude failed')
      })
    ).rejects.toThrow('claude failed')
    expect(fs.readFileSync(configFile).equals(before)).toBe(true)
  })

  it('removes every extraheader entry, for any host, including repeated ones', async () => {
    git(work, 'config', '--local', '--add', KEY, 'AUTHORIZATION: bearer second')
    git(work, 'config', '--local', 'http.https://ghe.example.com/.extraheader', 'AUTHORIZATION: basic other')
    const configFile = path.join(work, '.git', 'config')
    const before = fs.readFileSync(configFile)
    await withoutPersistedCredentials(work, async () => {
      expect(extraheaders()).toBe('')
      expect(git(work, 'config', '--local', 'user.email')).toBe('dev@example.com')
    })
    expect(fs.readFileSync(configFile).equals(before)).toBe(true)
  })

  it('runs the callback and leaves the config alone when there are no credentials', async () => {
    git(work, 'config', '--local', '--unset-all', KEY)
    const configFile = path.join(work, '.git', 'config')
    const before = fs.readFileSync(configFile)
    expect(await withoutPersistedCredentials(work, async () => 42)).toBe(42)
    expect(fs.readFileSync(configFile).equals(before)).toBe(true)
  })

  it('works in a linked worktree, whose config is the shared one', async () => {
    const wt = path.join(root, 'wt')
    git(work, 'worktree', 'add', '-q', '-b', 'feature', wt)
    const configFile = path.join(work, '.git', 'config')
    const before = fs.readFileSync(configFile)
    let during = 'not called'
    await withoutPersistedCredentials(wt, async () => {
      during = gitStatus(wt, 'config', '--get-regexp', 'extraheader') === 0 ? 'still there' : ''
    })
    expect(during).toBe('')
    expect(fs.readFileSync(configFile).equals(before)).toBe(true)
  })

  it('hides credentials that actions/checkout@v6 keeps in an included file', async () => {
    git(work, 'config', '--local', '--unset-all', KEY)
    const credentials = path.join(root, 'runner-temp', 'git-credentials-1234.config')
    fs.mkdirSync(path.dirname(credentials))
    fs.writeFileSync(credentials, `[http "https://github.com/"]\n\textraheader = ${HEADER}\n`)
    git(work, 'config', '--local', `includeIf.gitdir:${path.join(work, '.git')}.path`, credentials)
    const visible = (): string =>
      gitStatus(work, 'config', '--get-regexp', 'extraheader') === 0
        ? git(work, 'config', '--get-regexp', 'extraheader')
        : ''
    expect(visible()).toBe(`${KEY} ${HEADER}`)

    let during = 'not called'
    await withoutPersistedCredentials(work, async () => {
      during = visible()
    })
    expect(during).toBe('')
    expect(visible()).toBe(`${KEY} ${HEADER}`)
  })
})
