/**
 * The ledger branch against real git: a bare origin, clones as the runs'
 * checkouts, the bot's WorkBranch for the remote side.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { WorkBranch } from '../../../src/action/branch.js'
import { useRepoTemplate } from '../../support/repo-template.js'
import { GitError } from '../../../src/git/git.js'
import { LedgerBranch, LedgerPushRejected, type LedgerRemote } from '../../../src/ledger/branch-store.js'
import { LEDGER_BRANCH, parseLedger } from '../../../src/ledger/schema.js'

const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' }
const noPause = async () => undefined

let root: string
let origin: string

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

function clone(name: string): string {
  const dir = path.join(root, name)
  git(root, 'clone', '-q', origin, dir)
  return dir
}

async function ledgerIn(dir: string, wrap: (remote: LedgerRemote) => LedgerRemote = r => r): Promise<LedgerBranch> {
  const wb = new WorkBranch(dir, LEDGER_BRANCH, { token: 'ghs_unused', serverUrl: 'https://github.com' })
  await wb.init()
  return new LedgerBranch(wrap(wb), dir, { pause: noPause })
}

const record = (id: string) => JSON.stringify({ v: 1, kind: 'run', id, startedAt: '2026-02-01T10:00:00.000Z' })

/** The ledger as origin has it: ids in file order, and the commits' subjects newest first. */
function originLedger(): { ids: string[]; log: string[] } {
  const text = git(origin, 'show', `refs/heads/${LEDGER_BRANCH}:ledger.jsonl`)
  return {
    ids: parseLedger(text).records.map(r => r.id),
    log: git(origin, 'log', '--format=%s', LEDGER_BRANCH).split('\n')
  }
}

/**
 * Holds every writer's first push until all of them have built their commit
 * on the tip they read: the pushes then race for real.
 */
function barrier(count: number): (remote: LedgerRemote) => LedgerRemote {
  let arrived = 0
  let release: () => void = () => undefined
  const all = new Promise<void>(resolve => (release = resolve))
  return remote => {
    let first = true
    return {
      remoteHead: name => remote.remoteHead(name),
      fetch: name => remote.fetch(name),
      async pushRef(commit, branch) {
        if (first) {
          first = false
          if (++arrived === count) release()
          await all
        }
        return remote.pushRef(commit, branch)
      }
    }
  }
}

// origin.git with one commit on main.
const repos = useRepoTemplate(dir => {
  root = dir
  origin = path.join(root, 'origin.git')
  git(root, 'init', '-q', '--bare', '-b', 'main', origin)
  const seed = clone('seed')
  fs.writeFileSync(path.join(seed, 'README.md'), '# widgets\n')
  git(seed, 'add', '-A')
  git(seed, '-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'commit', '-q', '-m', 'initial')
  git(seed, 'push', '-q', 'origin', 'HEAD:main')
  fs.rmSync(seed, { recursive: true, force: true })
})

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-')))
  repos.copyTo(root)
  origin = path.join(root, 'origin.git')
})

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('LedgerBranch', () => {
  it('creates the branch with the first record and appends later ones, without touching the work tree', async () => {
    const work = clone('work')
    fs.writeFileSync(path.join(work, 'dirty.txt'), 'work in progress\n')
    const head = git(work, 'rev-parse', 'HEAD')
    const ledger = await ledgerIn(work)
    expect(await ledger.read()).toEqual({ sha: null, text: '' })

    const first = await ledger.append([record('action:1.1')], BOT)
    expect(first.attempts).toBe(1)
    await ledger.append([record('action:2.1'), record('action:3.1')], BOT)
    expect(originLedger()).toEqual({
      ids: ['action:1.1', 'action:2.1', 'action:3.1'],
      log: ['ledger: action:2.1, action:3.1', 'ledger: action:1.1']
    })
    expect(git(origin, 'log', '-1', '--format=%an <%ae>', LEDGER_BRANCH)).toBe(`${BOT.name} <${BOT.email}>`)
    // Plumbing only: the checkout is where it was, with its own changes.
    expect(git(work, 'rev-parse', 'HEAD')).toBe(head)
    expect(git(work, 'status', '--porcelain')).toBe('?? dirty.txt')
  })

  it('never writes a record twice: an id already on the branch is skipped', async () => {
    const ledger = await ledgerIn(clone('work'))
    await ledger.append([record('action:1.1')], BOT)
    const again = await ledger.append([record('action:1.1')], BOT)
    expect(again.attempts).toBe(1)
    expect(originLedger()).toEqual({ ids: ['action:1.1'], log: ['ledger: action:1.1'] })
  })

  for (const existing of [false, true]) {
    it(`keeps both records when two runs push at the same moment (${existing ? 'onto an existing branch' : 'both creating the branch'}); nothing is forced`, async () => {
      if (existing) await (await ledgerIn(clone('earlier'))).append([record('action:0.1')], BOT)
      const race = barrier(2)
      const [a, b] = await Promise.all([ledgerIn(clone('run-a'), race), ledgerIn(clone('run-b'), race)])
      const results = await Promise.all([
        a.append([record('action:10.1')], BOT),
        b.append([record('action:11.1')], BOT)
      ])

      // One push won at once; the other was rejected, fetched the winner's tip, appended again and pushed.
      expect(results.map(r => r.attempts).sort()).toEqual([1, 2])
      const { ids, log } = originLedger()
      const winner = results[0]?.attempts === 1 ? 'action:10.1' : 'action:11.1'
      const loser = winner === 'action:10.1' ? 'action:11.1' : 'action:10.1'
      expect(ids).toEqual([...(existing ? ['action:0.1'] : []), winner, loser])
      expect(log).toEqual([`ledger: ${loser}`, `ledger: ${winner}`, ...(existing ? ['ledger: action:0.1'] : [])])
      // A straight line of commits: the loser's retry sits on top of the winner's commit.
      const tip = git(origin, 'rev-parse', LEDGER_BRANCH)
      expect(git(origin, 'rev-list', '--count', '--merges', LEDGER_BRANCH)).toBe('0')
      expect(git(origin, 'rev-parse', `${tip}^`)).toBe(results.find(r => r.attempts === 1)?.sha)
    })
  }

  it('writes companion files (nested folders too) in the same commit and keeps the branch’s other files', async () => {
    const ledger = await ledgerIn(clone('work'))
    await ledger.append([record('action:1.1')], BOT, async () => ({
      'README.md': '# Report\n',
      'report/trend.svg': '<svg/>',
      'report/old.svg': '<svg/>'
    }))
    await ledger.append([record('action:2.1')], BOT, async text => ({
      'report/trend.svg': `<svg>${parseLedger(text).records.length}</svg>`
    }))
    expect(git(origin, 'ls-tree', '-r', '--name-only', LEDGER_BRANCH).split('\n')).toEqual([
      'README.md',
      'ledger.jsonl',
      'report/old.svg',
      'report/trend.svg'
    ])
    expect(git(origin, 'show', `${LEDGER_BRANCH}:report/trend.svg`)).toBe('<svg>2</svg>')
    expect(git(origin, 'show', `${LEDGER_BRANCH}:README.md`)).toBe('# Report')
  })

  it("starts from the caller's read without reading origin again; a lost race reads the new tip", async () => {
    await (await ledgerIn(clone('earlier'))).append([record('action:0.1')], BOT)
    const reads = { remoteHead: 0, fetch: 0 }
    const counted = (r: LedgerRemote): LedgerRemote => ({
      ...bind(r),
      remoteHead: n => (reads.remoteHead++, r.remoteHead(n)),
      fetch: n => (reads.fetch++, r.fetch(n))
    })
    const ledger = await ledgerIn(clone('work'), counted)
    const tip = await ledger.read()
    expect(reads).toEqual({ remoteHead: 1, fetch: 1 })
    await ledger.append([record('action:1.1')], BOT, undefined, tip)
    expect(reads).toEqual({ remoteHead: 1, fetch: 1 })
    expect(originLedger().ids).toEqual(['action:0.1', 'action:1.1'])

    const stale = await ledger.read()
    await (await ledgerIn(clone('other'))).append([record('action:2.1')], BOT)
    const result = await ledger.append([record('action:3.1')], BOT, undefined, stale)
    expect(result.attempts).toBe(2)
    expect(reads).toEqual({ remoteHead: 3, fetch: 3 })
    expect(originLedger().ids).toEqual(['action:0.1', 'action:1.1', 'action:2.1', 'action:3.1'])
  })

  it('gives up after its attempts when the branch keeps moving, and passes on any other push error', async () => {
    const dir = clone('work')
    const rejected = new GitError(
      'git push failed',
      ['push'],
      1,
      'hint: Updates were rejected',
      '!\trefs/heads/x\t[rejected] (fetch first)'
    )
    const always = await ledgerIn(dir, r => ({ ...bind(r), pushRef: async () => Promise.reject(rejected) }))
    await expect(always.append([record('action:1.1')], BOT)).rejects.toThrow(LedgerPushRejected)
    const denied = new GitError(
      'git push failed: remote: Permission to acme/widgets.git denied',
      ['push'],
      128,
      'remote: Permission denied'
    )
    const broken = await ledgerIn(dir, r => ({ ...bind(r), pushRef: async () => Promise.reject(denied) }))
    await expect(broken.append([record('action:1.1')], BOT)).rejects.toBe(denied)
  })
})

function bind(remote: LedgerRemote): LedgerRemote {
  return { remoteHead: n => remote.remoteHead(n), fetch: n => remote.fetch(n), pushRef: (c, b) => remote.pushRef(c, b) }
}
