/**
 * Every door through which the files a phase can write (the repository's
 * config and attributes, the user's ~/.gitconfig, the environment) could make
 * the orchestrator's own git run a program or send traffic elsewhere, planted
 * for real on temporary repositories with a bare origin (git 2.39 here).
 *
 * Each test first shows plain git walking through the door (so the test can
 * fail), then does what the orchestrator does with a checkout: fetch, check
 * out, look at the changes, build the review diff, commit, push. Nothing
 * planted may run, and origin must get exactly the bytes of the work tree.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { WorkBranch } from '../../src/action/branch.js'
import { changesSince } from '../../src/engine/starting-point.js'
import { dirtyPaths } from '../../src/git/git.js'
import { transportProblems } from '../../src/git/hermetic.js'
import { useRepoTemplate } from '../support/repo-template.js'
import { startConnectionCounter, startHttpsRemote, type HttpsRemote } from '../support/https-remote.js'

const BRANCH = 'orchestrator/issue-7'
const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' }
const AUTH = { token: 'ghs_hermeticToken0123456789', serverUrl: 'https://github.com' }
const ARTIFACTS = 'thoughts/shared'
const CONTENT = 'export const LIMIT = 100\n'
const HOOKS = [
  'pre-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'pre-push',
  'reference-transaction',
  'post-checkout',
  'post-index-change'
]

let root: string
let home: string
let origin: string
let work: string
let evil: string
let marker: string
const savedEnv: Record<string, string | undefined> = {}

function plainEnv(env: Record<string, string>): Record<string, string | undefined> {
  return {
    ...process.env,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Dev',
    GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'Dev',
    GIT_COMMITTER_EMAIL: 'dev@example.com',
    ...env
  }
}

/** Plain git as a user would run it (HOME is the test's, so ~/.gitconfig doors apply). */
function plain(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 20000, env: plainEnv(env) }).stdout ?? ''
}

/** The same, without blocking this process: for remotes served from it. */
async function plainAsync(cwd: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  await execa('git', args, { cwd, reject: false, timeout: 20000, env: plainEnv(env), extendEnv: false })
}

/** What the planted program recorded (one line per run), emptied for the next look. */
function ran(): string[] {
  if (!fs.existsSync(marker)) return []
  const lines = fs.readFileSync(marker, 'utf8').split('\n').filter(Boolean)
  fs.rmSync(marker)
  return lines
}

function write(rel: string, content: string, mode?: number): void {
  const file = path.isAbsolute(rel) ? rel : path.join(work, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, content, mode === undefined ? undefined : { mode })
}

function appendConfig(text: string, file = path.join(work, '.git', 'config')): void {
  fs.appendFileSync(file, text)
}

// origin.git with one commit on main, and work, its clone.
const repos = useRepoTemplate(dir => {
  home = dir
  const bare = path.join(dir, 'origin.git')
  plain(dir, ['init', '-q', '--bare', '-b', 'main', bare])
  const seed = path.join(dir, 'seed')
  plain(dir, ['init', '-q', '-b', 'main', seed])
  // A repository may name drivers in .gitattributes; only config gives them a program.
  fs.writeFileSync(path.join(seed, '.gitattributes'), '*.txt filter=evil diff=evil merge=evil\n')
  fs.mkdirSync(path.join(seed, 'src'))
  fs.writeFileSync(path.join(seed, 'src', 'app.txt'), 'original\n')
  plain(seed, ['add', '-A'])
  plain(seed, ['commit', '-q', '-m', 'initial'])
  plain(seed, ['push', '-q', bare, 'main'])
  fs.rmSync(seed, { recursive: true, force: true })
  plain(dir, ['clone', '-q', bare, path.join(dir, 'work')])
})

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hermetic-')))
  home = path.join(root, 'home')
  fs.mkdirSync(home)
  for (const key of ['HOME', 'GIT_EXTERNAL_DIFF', 'GIT_CONFIG_PARAMETERS', 'GIT_SSL_CAINFO'])
    savedEnv[key] = process.env[key]
  // Our git inherits HOME like any child: the user's global config is a door too.
  process.env.HOME = home
  marker = path.join(root, 'MARKER')
  evil = path.join(root, 'evil')
  // Records that it ran and prints something else than it was given.
  write(evil, `#!/bin/sh\necho "$(basename "$0") $*" >> "${marker}"\necho tampered\n`, 0o755)

  repos.copyTo(root)
  origin = path.join(root, 'origin.git')
  work = path.join(root, 'work')
  expect(fs.readFileSync(path.join(work, 'src', 'app.txt'), 'utf8')).toBe('original\n')
})

afterEach(() => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  fs.rmSync(root, { recursive: true, force: true })
})

/** What the orchestrator does with a checkout between phases, and after implement. */
async function orchestratorRound(plantInWorkTree?: () => void): Promise<string | undefined> {
  const wb = new WorkBranch(work, BRANCH, AUTH)
  await wb.init()
  const base = await wb.fetch('main')
  await wb.checkoutAt(base)
  if (plantInWorkTree) {
    plantInWorkTree()
    // Planting takes plain git too: what that ran is not the orchestrator's doing.
    ran()
  }
  write('src/app.txt', CONTENT)
  expect(await dirtyPaths(work)).toContain('src/app.txt')
  expect((await changesSince(work, base, ARTIFACTS)).files).toContain('src/app.txt')
  const diff = (await changesSince(work, base, ARTIFACTS)).diff
  expect(await wb.commit('orchestrator: implement #7', BOT)).not.toBeNull()
  await wb.push()
  expect(await wb.remoteHead()).toBe(plain(origin, ['rev-parse', BRANCH]).trim())
  return diff
}

function expectUntouched(diff: string | undefined): void {
  expect(ran()).toEqual([])
  // Read from the bare origin with cat-file, which applies no filter.
  expect(plain(origin, ['cat-file', 'blob', `${BRANCH}:src/app.txt`])).toBe(CONTENT)
  expect(fs.readFileSync(path.join(work, 'src', 'app.txt'), 'utf8')).toBe(CONTENT)
  expect(diff).toContain('+export const LIMIT = 100')
  expect(diff).toContain('-original')
  expect(diff).not.toContain('tampered')
}

interface Door {
  name: string
  plant: () => void
  plantInWorkTree?: () => void
  /** Plain git going through the door: it must record at least one run. */
  open: () => void
}

const changeAndAdd = (): void => {
  write('src/app.txt', 'changed\n')
  plain(work, ['add', 'src/app.txt'])
  plain(work, ['reset', '-q'])
}

const DOORS: Door[] = [
  {
    name: 'hooks in .git/hooks',
    plant: () => HOOKS.forEach(hook => fs.copyFileSync(evil, path.join(work, '.git', 'hooks', hook))),
    open: () => plain(work, ['commit', '-q', '--allow-empty', '-m', 'probe'])
  },
  {
    name: 'core.hooksPath naming a folder of hooks',
    plant: () => {
      fs.mkdirSync(path.join(root, 'hooks'))
      HOOKS.forEach(hook => fs.copyFileSync(evil, path.join(root, 'hooks', hook)))
      appendConfig(`[core]\n\thooksPath = ${root}/hooks\n`)
    },
    open: () => plain(work, ['commit', '-q', '--allow-empty', '-m', 'probe'])
  },
  {
    name: 'core.fsmonitor naming a program',
    plant: () => appendConfig(`[core]\n\tfsmonitor = ${evil}\n`),
    open: () => plain(work, ['status', '--porcelain'])
  },
  {
    name: 'clean and smudge programs of a filter named in .gitattributes',
    plant: () => appendConfig(`[filter "evil"]\n\tclean = ${evil}\n\tsmudge = ${evil}\n`),
    open: () => {
      changeAndAdd()
      fs.rmSync(path.join(work, 'src', 'app.txt'))
      plain(work, ['checkout', '--', 'src/app.txt'])
    }
  },
  {
    name: 'a long-running filter process marked required',
    plant: () => appendConfig(`[filter "evil"]\n\tprocess = ${evil}\n\trequired = true\n`),
    open: changeAndAdd
  },
  {
    name: 'drivers defined in files that .git/config includes',
    plant: () => {
      write(path.join(root, 'filter.cfg'), `[filter "evil"]\n\tclean = ${evil}\n`)
      write(path.join(root, 'diff.cfg'), `[diff "evil"]\n\ttextconv = ${evil}\n`)
      appendConfig(
        `[include]\n\tpath = ${root}/filter.cfg\n[includeIf "gitdir:${work}/.git"]\n\tpath = ${root}/diff.cfg\n`
      )
    },
    open: changeAndAdd
  },
  {
    name: 'a filter named in .git/info/attributes, whose name contains "="',
    plant: () => {
      write('.git/info/attributes', '*.txt filter=x=y\n')
      appendConfig(`[filter "x=y"]\n\tclean = ${evil}\n`)
    },
    open: changeAndAdd
  },
  {
    name: 'diff drivers: a textconv program and an external diff command',
    plant: () =>
      appendConfig(`[diff "evil"]\n\ttextconv = ${evil}\n\tcommand = ${evil}\n[diff]\n\texternal = ${evil}\n`),
    open: () => {
      write('src/app.txt', 'changed\n')
      plain(work, ['diff'])
      plain(work, ['diff', '--no-ext-diff'])
      plain(work, ['checkout', '--', 'src/app.txt'])
    }
  },
  {
    name: "the user's ~/.gitconfig and ~/.config/git/attributes",
    plant: () => {
      write(path.join(home, '.gitconfig'), `[filter "global"]\n\tclean = ${evil}\n[core]\n\tfsmonitor = ${evil}\n`)
      write(path.join(home, '.config', 'git', 'attributes'), '*.txt filter=global\n')
    },
    open: changeAndAdd
  },
  {
    name: 'GIT_* variables in the environment (an external diff, command-line config)',
    plant: () => {
      fs.mkdirSync(path.join(root, 'hooks'))
      fs.copyFileSync(evil, path.join(root, 'hooks', 'pre-commit'))
      process.env.GIT_EXTERNAL_DIFF = evil
      process.env.GIT_CONFIG_PARAMETERS = `'core.hookspath'='${root}/hooks'`
    },
    open: () => {
      write('src/app.txt', 'changed\n')
      plain(work, ['diff'])
      plain(work, ['checkout', '--', 'src/app.txt'])
      plain(work, ['commit', '-q', '--allow-empty', '-m', 'probe'])
    }
  },
  {
    name: "origin's uploadpack and receivepack programs (a local origin runs them)",
    plant: () => appendConfig(`[remote "origin"]\n\tuploadpack = ${evil}\n\treceivepack = ${evil}\n`),
    open: () => {
      plain(work, ['fetch', '-q', 'origin'])
      plain(work, ['push', '-q', 'origin', 'HEAD:refs/heads/probe'])
    }
  },
  {
    name: 'core.alternateRefsCommand with an alternate object store',
    plant: () => {
      plain(root, ['clone', '-q', '--bare', origin, path.join(root, 'alternate.git')])
      write('.git/objects/info/alternates', `${root}/alternate.git/objects\n`)
      appendConfig(`[core]\n\talternateRefsCommand = ${evil}\n`)
    },
    open: () => plain(work, ['fetch', '-q', origin, 'main'])
  },
  {
    name: 'commit signing through gpg.program',
    plant: () => appendConfig(`[commit]\n\tgpgSign = true\n[gpg]\n\tprogram = ${evil}\n`),
    open: () => plain(work, ['commit', '-q', '--allow-empty', '-m', 'probe'])
  },
  {
    name: 'a submodule whose own config names a filter',
    plant: () => undefined,
    plantInWorkTree: () => {
      const sub = path.join(work, 'vendor', 'lib')
      plain(work, ['init', '-q', '-b', 'main', sub])
      write(path.join(sub, '.gitattributes'), '* filter=sub\n')
      write(path.join(sub, 'lib.txt'), 'lib\n')
      plain(sub, ['add', '-A'])
      plain(sub, ['commit', '-q', '-m', 'lib'])
      appendConfig(`[filter "sub"]\n\tclean = ${evil}\n`, path.join(sub, '.git', 'config'))
      plain(work, ['add', 'vendor/lib'])
      // Same size, another mtime: git must read the file through the filter to know whether it
      // changed. (A new size tells it without reading; before, the door opened only through a
      // racily clean file, when the index was written in the same second, which a loaded CI missed.)
      const lib = path.join(sub, 'lib.txt')
      write(lib, 'LIB\n')
      const later = Date.now() / 1000 + 5
      fs.utimesSync(lib, later, later)
    },
    open: () => plain(work, ['status', '--porcelain'])
  }
]

describe("the orchestrator's git", () => {
  for (const door of DOORS) {
    it(`runs nothing through ${door.name}`, async () => {
      door.plant()
      door.plantInWorkTree?.()
      door.open()
      expect(ran().length).toBeGreaterThan(0)

      expectUntouched(await orchestratorRound(door.plantInWorkTree))
    })
  }

  it('refuses an ext:: origin even when the repository allows that protocol', async () => {
    appendConfig(`[protocol "ext"]\n\tallow = always\n`)
    plain(work, ['remote', 'set-url', 'origin', `ext::${evil} %S`])
    plain(work, ['ls-remote', 'origin'])
    expect(ran().length).toBeGreaterThan(0)

    const wb = new WorkBranch(work, BRANCH, AUTH)
    await wb.init()
    await expect(wb.remoteHead()).rejects.toThrow(/transport 'ext' not allowed/)
    expect(ran()).toEqual([])
  })

  it.each(['insteadOf', 'pushInsteadOf'])(
    'refuses to talk to origin when url.*.%s would send the push elsewhere',
    async setting => {
      const elsewhere = path.join(root, 'elsewhere.git')
      plain(root, ['init', '-q', '--bare', elsewhere])
      appendConfig(`[url "${elsewhere}"]\n\t${setting} = ${origin}\n`)
      plain(work, ['push', '-q', 'origin', 'HEAD:refs/heads/probe'])
      expect(plain(elsewhere, ['branch', '--list', 'probe'])).toContain('probe')

      await expect(orchestratorRound()).rejects.toThrow(
        new RegExp(
          `git fetch refused: the repository's git config sets url\\..*\\.${setting.toLowerCase()} \\(rewrites`
        )
      )
      expect(plain(elsewhere, ['branch', '--list', BRANCH])).toBe('')
      expect(plain(origin, ['branch', '--list', BRANCH])).toBe('')
    }
  )
})

describe("the orchestrator's git over https", () => {
  let remote: HttpsRemote
  beforeEach(async () => {
    remote = await startHttpsRemote()
    // The way a runner trusts a GHES certificate authority: kept, unlike the repository's http.sslCAInfo.
    process.env.GIT_SSL_CAINFO = remote.caFile
    plain(work, ['remote', 'set-url', 'origin', `${remote.origin}/acme/widgets.git`])
  })
  afterEach(async () => {
    await remote.close()
  })

  async function remoteHead(): Promise<Error> {
    const wb = new WorkBranch(work, BRANCH, { token: AUTH.token, serverUrl: remote.origin })
    await wb.init()
    return wb.remoteHead().then(
      () => new Error('no error'),
      (err: Error) => err
    )
  }

  it('sends the token as its own header, and never shows it in an error', async () => {
    const err = await remoteHead()
    expect(err.message).toMatch(/git ls-remote failed/)
    expect(err.message).not.toContain(AUTH.token)
    const expected = `basic ${Buffer.from(`x-access-token:${AUTH.token}`).toString('base64')}`
    expect(remote.requests.map(r => r.authorization?.toLowerCase())).toContain(expected.toLowerCase())
  })

  it('runs no credential helper or askpass program when the server asks for credentials', async () => {
    appendConfig(
      `[credential]\n\thelper = !${evil}\n[credential "${remote.origin}"]\n\thelper = !${evil}\n[core]\n\taskPass = ${evil}\n`
    )
    await plainAsync(work, ['ls-remote', 'origin'], { GIT_SSL_CAINFO: remote.caFile })
    expect(ran().length).toBeGreaterThan(0)

    expect((await remoteHead()).message).toMatch(/git ls-remote failed/)
    expect(remote.requests.length).toBeGreaterThan(0)
    expect(ran()).toEqual([])
  })

  it('refuses a proxy, certificate authority, resolver or TLS setting the repository chose, sending nothing', async () => {
    const proxy = await startConnectionCounter()
    try {
      appendConfig(`[http]\n\tproxy = ${proxy.url}\n`)
      await plainAsync(work, ['ls-remote', 'origin'], { GIT_SSL_CAINFO: remote.caFile })
      expect(proxy.connections()).toBeGreaterThan(0)
      plain(work, ['config', '--unset', 'http.proxy'])

      const port = new URL(remote.origin).port
      for (const [key, value] of [
        ['http.proxy', proxy.url],
        [`http.${remote.origin}/.proxy`, proxy.url],
        ['http.sslCAInfo', remote.caFile],
        ['http.curloptResolve', `127.0.0.1:${port}:127.0.0.1`],
        [`http.${remote.origin}.sslVerify`, 'false']
      ] as const) {
        plain(work, ['config', key, value])
        const before = { proxied: proxy.connections(), requests: remote.requests.length }
        // git lists section and setting names in lower case.
        expect((await remoteHead()).message).toContain(
          `git ls-remote refused: the repository's git config sets ${key.toLowerCase()}`
        )
        expect({ proxied: proxy.connections(), requests: remote.requests.length }).toEqual(before)
        plain(work, ['config', '--unset', key])
      }
    } finally {
      await proxy.close()
    }
  })
})

describe('transportProblems', () => {
  const url = 'https://github.com/acme/widgets'
  const entries = (pairs: Array<[string, string]>) => pairs.map(([key, value]) => ({ key, value }))

  it('lets through what actions/checkout writes: an ssh-to-https rewrite and its auth header', () => {
    expect(
      transportProblems(
        entries([
          ['url.https://github.com/.insteadof', 'git@github.com:'],
          ['http.https://github.com/.extraheader', 'AUTHORIZATION: basic xyz'],
          ['http.sslverify', 'true']
        ]),
        url
      )
    ).toEqual([])
  })

  it('names a rewrite that applies, and TLS verification turned off', () => {
    expect(
      transportProblems(
        entries([
          ['url.https://evil.example/.insteadof', 'https://github.com/'],
          ['http.https://github.com/.sslverify', 'false']
        ]),
        url
      )
    ).toEqual([
      'url.https://evil.example/.insteadof (rewrites https://github.com/ to https://evil.example/)',
      'http.https://github.com/.sslverify'
    ])
  })
})
