import { describe, expect, it } from '@jest/globals'
import { chooseStart, freshBranchName, type StartFacts } from '../../../src/action/flows/start-point.js'
import type { FoundPlan } from '../../../src/action/plan-record.js'
import type { PlanState } from '../../../src/action/markers.js'

const BRANCH = 'orchestrator/issue-42'
const PLAN = 'a'.repeat(40)
const IMPL = 'b'.repeat(40)
const THEIRS = 'c'.repeat(40)
const URL = 'https://github.com/acme/widgets/issues/42#issuecomment-7'

function plan(overrides: Partial<PlanState> = {}): FoundPlan {
  const state: PlanState = {
    v: 1,
    issue: 42,
    branch: BRANCH,
    base: 'main',
    planSha: PLAN,
    headSha: PLAN,
    pushed: [PLAN],
    planPath: 'thoughts/shared/plans/p.md',
    artifacts: {},
    state: 'pending',
    ...overrides
  }
  return { comment: { id: 7, body: '', login: 'bot', htmlUrl: URL, createdAt: '2026-01-01T00:00:00Z' }, state }
}

function facts(overrides: Partial<StartFacts>): StartFacts {
  return { plan: null, pull: null, defaultBranch: BRANCH, heads: new Map(), ...overrides }
}

describe('chooseStart', () => {
  it('starts from the base on the usual branch when there is nothing yet', () => {
    expect(chooseStart(facts({}))).toEqual({ kind: 'base', branch: BRANCH })
  })

  it('points a second /plan at the pending plan, with the one command that continues it', () => {
    const start = chooseStart(facts({ plan: plan(), heads: new Map([[BRANCH, PLAN]]) }))
    expect(start).toEqual({
      kind: 'refuse',
      message: `This issue already has [a plan awaiting approval](${URL}). Comment \`/approve\` to implement it.`
    })
  })

  it('points at /revise while the pull request is open, and at /approve when the implementation has no pull request yet', () => {
    const approved = { state: 'approved' as const, headSha: IMPL, pushed: [PLAN, IMPL] }
    const open = chooseStart(
      facts({ plan: plan({ ...approved, pr: 9 }), pull: 'open', heads: new Map([[BRANCH, IMPL]]) })
    )
    expect(open).toMatchObject({ kind: 'refuse', message: expect.stringContaining('already has pull request #9') })
    expect(open.kind === 'refuse' && open.message).toContain(
      'Comment `/revise <what should change>` for a new plan on its branch.'
    )
    const noPr = chooseStart(facts({ plan: plan(approved), heads: new Map([[BRANCH, IMPL]]) }))
    expect(noPr.kind === 'refuse' && noPr.message).toMatch(
      /its pull request was not opened\. Comment `\/approve` to finish it\.$/
    )
  })

  it("builds on a cancelled plan's branch at any commit the bot recorded, not only the last", () => {
    const cancelled = plan({ state: 'cancelled', headSha: IMPL, pushed: [PLAN, IMPL] })
    expect(chooseStart(facts({ plan: cancelled, heads: new Map([[BRANCH, PLAN]]) }))).toEqual({
      kind: 'continue',
      branch: BRANCH,
      sha: PLAN
    })
  })

  it('leaves a branch someone else moved alone, even under a pending plan, and takes a fresh one', () => {
    for (const p of [plan(), plan({ state: 'cancelled' }), null]) {
      expect(chooseStart(facts({ plan: p, heads: new Map([[BRANCH, THEIRS]]) }))).toEqual({
        kind: 'base',
        branch: `${BRANCH}-2`,
        leftAlone: { branch: BRANCH, why: 'moved' }
      })
    }
  })

  it("starts fresh after the pull request was closed or merged, even though the branch is the bot's own", () => {
    for (const pull of ['closed', 'merged'] as const) {
      const done = plan({ state: 'approved', headSha: IMPL, pushed: [PLAN, IMPL], pr: 9 })
      expect(
        chooseStart(
          facts({
            plan: done,
            pull,
            heads: new Map([
              [BRANCH, IMPL],
              [`${BRANCH}-2`, THEIRS]
            ])
          })
        )
      ).toEqual({
        kind: 'base',
        branch: `${BRANCH}-3`,
        leftAlone: { branch: BRANCH, why: pull }
      })
      // Merged and deleted: the name is free, but the new work still gets a new one.
      expect(chooseStart(facts({ plan: done, pull, heads: new Map() }))).toMatchObject({ branch: `${BRANCH}-2` })
    }
  })

  it("starts again on the same branch when a pending plan's branch was deleted", () => {
    expect(chooseStart(facts({ plan: plan({ branch: `${BRANCH}-2` }) }))).toEqual({
      kind: 'base',
      branch: `${BRANCH}-2`
    })
  })
})

describe('freshBranchName', () => {
  it('counts on from the branch it replaces, skipping names origin has', () => {
    expect(freshBranchName(BRANCH, BRANCH, [])).toBe(`${BRANCH}-2`)
    expect(freshBranchName(BRANCH, BRANCH, [BRANCH, `${BRANCH}-2`])).toBe(`${BRANCH}-3`)
    expect(freshBranchName(BRANCH, `${BRANCH}-4`, [])).toBe(`${BRANCH}-5`)
    expect(freshBranchName(BRANCH, `${BRANCH}-x`, [])).toBe(`${BRANCH}-2`)
  })
})
