import { describe, expect, it } from '@jest/globals'
import { decideCheckFix, type PullFacts } from '../../../src/action/check-fix-rules.js'
import type { PrState } from '../../../src/action/markers.js'

const BOT = 'github-actions[bot]'
const SHA = 'c0ffee'.padEnd(40, '0')

const pr = (over: Partial<PullFacts> = {}): PullFacts => ({
  author: BOT,
  headRef: 'orchestrator/issue-3',
  headSha: SHA,
  headRepo: 'acme/widgets',
  baseRepo: 'acme/widgets',
  open: true,
  ...over
})
const state = (over: Partial<PrState> = {}): PrState => ({
  v: 1,
  issue: 3,
  branch: 'orchestrator/issue-3',
  planPath: 'thoughts/shared/plans/p.md',
  handled: [],
  ...over
})
const decide = (p: PullFacts, s: PrState | null, max = 2) =>
  decideCheckFix({
    pr: p,
    state: s,
    headSha: SHA,
    botLogin: BOT,
    branchPrefix: 'orchestrator/issue-',
    maxAutoFixes: max
  })

describe('decideCheckFix: which failed checks the bot fixes', () => {
  it('fixes the first failure on its own pull request as attempt 1, the next commit as attempt 2', () => {
    expect(decide(pr(), state())).toEqual({ kind: 'fix', attempt: 1 })
    expect(decide(pr(), state({ checkFixes: ['e'.repeat(40)] }))).toEqual({ kind: 'fix', attempt: 2 })
  })

  it('leaves pull requests it did not open alone: another author, no marker, another branch', () => {
    const notOurs = { kind: 'skip', reason: 'the pull request was not opened by the orchestrator' }
    expect(decide(pr({ author: 'maintainer-mia' }), state())).toEqual(notOurs)
    expect(decide(pr(), null)).toEqual(notOurs)
    expect(decide(pr({ headRef: 'feature/x' }), state({ branch: 'feature/x' }))).toEqual(notOurs)
    expect(decide(pr({ headRef: 'orchestrator/issue-4' }), state())).toEqual(notOurs)
  })

  it('never fixes a fork, a closed pull request, or a commit that is no longer the head', () => {
    expect(decide(pr({ headRepo: 'mallory/widgets' }), state())).toEqual({
      kind: 'skip',
      reason: 'the pull request comes from a fork'
    })
    expect(decide(pr({ headRepo: null }), state()).kind).toBe('skip')
    expect(decide(pr({ open: false }), state())).toEqual({ kind: 'skip', reason: 'the pull request is closed' })
    expect(decide(pr({ headSha: 'd'.repeat(40) }), state())).toEqual({
      kind: 'skip',
      reason: "the checks failed on c0ffee0, but the pull request's head is now ddddddd"
    })
  })

  it('never twice for the same commit', () => {
    expect(decide(pr(), state({ checkFixes: [SHA] }))).toEqual({
      kind: 'skip',
      reason: 'failed checks on c0ffee0 were already handled'
    })
  })

  it('stops once the budget is spent, says so once, then stays quiet', () => {
    const spent = state({ checkFixes: ['1'.repeat(40), '2'.repeat(40)] })
    expect(decide(pr(), spent)).toEqual({ kind: 'stop', attempts: 2 })
    expect(decide(pr(), { ...spent, checkFixesStopped: '2'.repeat(40) }).kind).toBe('skip')
    expect(decide(pr(), state(), 0)).toEqual({ kind: 'stop', attempts: 0 })
  })
})
