/**
 * Our git reads the repository's config once and keeps the reading while its
 * files are unchanged (src/git/config-cache.ts). A phase may rewrite them
 * between any two of our calls, by every route git follows to a config file:
 * each test warms the kept reading, plants a filter driver through one
 * route, then stages a file. The driver must not run, and the index must hold
 * the work tree's bytes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { dirtyPaths, git, stageAll } from '../../src/git/git.js'

let root: string
let repo: string
let marker: string
const CONTENT = 'export const LIMIT = 100\n'

function plain(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }).trim()
}

// Quoted: an unquoted ; starts a comment in a config file.
const evilFilter = () => `[filter "evil"]\n\tclean = "sh -c 'touch ${marker}; tr a-z A-Z'"\n`

/**
 * Stages a new file the way a phase's work is staged: the planted driver must
 * not run and the index must hold the work tree's bytes. Then plain git
 * stages it again, to show the door was open (so the test can fail).
 */
async function expectDriverOff(cwd = repo): Promise<void> {
  fs.writeFileSync(path.join(cwd, '.gitattributes'), '*.ts filter=evil\n')
  fs.writeFileSync(path.join(cwd, 'limit.ts'), CONTENT)
  await stageAll(cwd, ['.'])
  expect(plain(cwd, 'show', ':limit.ts') + '\n').toBe(CONTENT)
  expect(fs.existsSync(marker)).toBe(false)
  plain(cwd, 'add', '--renormalize', 'limit.ts')
  expect(fs.existsSync(marker)).toBe(true)
  expect(plain(cwd, 'show', ':limit.ts') + '\n').toBe(CONTENT.toUpperCase())
}

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'config-cache-')))
})
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

let n = 0
beforeEach(() => {
  repo = path.join(root, `repo-${++n}`)
  marker = path.join(root, `ran-${n}`)
  plain(root, 'init', '-q', '-b', 'main', repo)
})

describe('a reading kept between calls', () => {
  it('is used while the config is unchanged: one git process per call, not two', async () => {
    const bin = path.join(root, 'bin')
    const log = path.join(root, 'calls.log')
    fs.mkdirSync(bin, { recursive: true })
    fs.writeFileSync(
      path.join(bin, 'git'),
      `#!/bin/sh\necho "$1" >> '${log}'\nexec ${plain(root, '--exec-path')}/git "$@"\n`,
      {
        mode: 0o755
      }
    )
    const savedPath = process.env.PATH
    process.env.PATH = `${bin}:${savedPath}`
    try {
      await git(repo, ['status', '--porcelain'])
      fs.writeFileSync(log, '')
      await git(repo, ['status', '--porcelain'])
      await dirtyPaths(repo)
      expect(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual(['status', 'status'])
      // The same bytes written again count as unchanged; other bytes are read again.
      const config = path.join(repo, '.git', 'config')
      fs.writeFileSync(config, fs.readFileSync(config))
      await git(repo, ['status', '--porcelain'])
      fs.appendFileSync(config, '[user]\n\tname = Dev\n')
      await git(repo, ['status', '--porcelain'])
      expect(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual([
        'status',
        'status',
        'status',
        'config',
        'status'
      ])
    } finally {
      process.env.PATH = savedPath
    }
  })

  it('notices a driver planted in .git/config, even at the same size and time', async () => {
    const config = path.join(repo, '.git', 'config')
    // Room for the driver, so the rewrite keeps the file's length.
    const padding = `[pad]\n\tx = ${'p'.repeat(evilFilter().length - 12)}\n`
    fs.appendFileSync(config, padding)
    const time = 1_700_000_000
    fs.utimesSync(config, time, time)
    const { size } = fs.statSync(config)
    await git(repo, ['status'])
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(padding, evilFilter()))
    fs.utimesSync(config, time, time)
    expect(fs.statSync(config)).toMatchObject({ size, mtimeMs: time * 1000 })

    await expectDriverOff()
  })

  it('notices a commondir pointer to another config', async () => {
    await git(repo, ['status'])
    const other = path.join(root, `other-${n}.git`)
    fs.cpSync(path.join(repo, '.git'), other, { recursive: true })
    fs.appendFileSync(path.join(other, 'config'), evilFilter())
    fs.writeFileSync(path.join(repo, '.git', 'commondir'), `${other}\n`)

    await expectDriverOff()
  })

  it('notices a .git file pointed at another git directory', async () => {
    const clean = path.join(root, `clean-${n}.git`)
    const evil = path.join(root, `evil-${n}.git`)
    fs.renameSync(path.join(repo, '.git'), clean)
    fs.cpSync(clean, evil, { recursive: true })
    fs.appendFileSync(path.join(evil, 'config'), evilFilter())
    fs.writeFileSync(path.join(repo, '.git'), `gitdir: ${clean}\n`)
    await git(repo, ['status'])
    fs.writeFileSync(path.join(repo, '.git'), `gitdir: ${evil}\n`)

    await expectDriverOff()
  })

  it('notices a driver in config.worktree', async () => {
    plain(repo, 'config', 'extensions.worktreeConfig', 'true')
    await git(repo, ['status'])
    fs.writeFileSync(path.join(repo, '.git', 'config.worktree'), evilFilter())

    await expectDriverOff()
  })

  it('is never kept for a config that includes another file', async () => {
    const extra = path.join(root, `extra-${n}.conf`)
    fs.writeFileSync(extra, '[user]\n\tname = Dev\n')
    plain(repo, 'config', 'include.path', extra)
    await git(repo, ['status'])
    await git(repo, ['status'])
    fs.appendFileSync(extra, evilFilter())

    await expectDriverOff()
  })

  it('notices when .git stops being a repository and git walks up to the one around it', async () => {
    const outer = path.join(root, `outer-${n}`)
    const inner = path.join(outer, 'work')
    plain(root, 'init', '-q', '-b', 'main', outer)
    plain(outer, 'init', '-q', '-b', 'main', inner)
    fs.appendFileSync(
      path.join(outer, '.git', 'config'),
      '[url "https://evil.example/"]\n\tinsteadOf = https://github.com/\n'
    )
    const url = 'https://github.com/acme/widgets.git'
    await git(inner, ['status'], { remoteUrl: url })
    // Without a valid HEAD, git no longer takes inner/.git for a repository.
    fs.writeFileSync(path.join(inner, '.git', 'HEAD'), 'junk\n')

    await expect(git(inner, ['ls-remote', '--get-url', url], { remoteUrl: url })).rejects.toThrow(
      /refused: the repository's git config sets url\.https:\/\/evil\.example\/\.insteadof/
    )
    expect(plain(inner, 'ls-remote', '--get-url', url)).toBe('https://evil.example/acme/widgets.git')
  })

  it('keeps one reading per checkout', async () => {
    const second = path.join(root, `second-${n}`)
    plain(root, 'init', '-q', '-b', 'main', second)
    await git(repo, ['status'])
    await git(second, ['status'])
    fs.appendFileSync(path.join(second, '.git', 'config'), evilFilter())
    await git(repo, ['status'])

    await expectDriverOff(second)
  })
})
