import { describe, expect, it } from '@jest/globals'
import { latestPlanIn, recordedCommits, withPush } from '../../../src/action/plan-record.js'
import { encodePlanMarker, type PlanState } from '../../../src/action/markers.js'
import type { IssueComment } from '../../../src/github/comments.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const C = 'c'.repeat(40)
const state: PlanState = {
  v: 1,
  issue: 42,
  branch: 'orchestrator/issue-42',
  base: 'main',
  planSha: A,
  headSha: A,
  planPath: 'p.md',
  artifacts: {},
  state: 'pending'
}

describe('recordedCommits / withPush', () => {
  it('trusts the plan and the last head of a marker written before pushes were recorded', () => {
    expect(recordedCommits({ ...state, headSha: B })).toEqual([A, B])
  })

  it('adds each push once, keeps the order, and moves the head', () => {
    const once = withPush({ ...state, pushed: [A] }, B)
    expect(once).toMatchObject({ headSha: B, pushed: [A, B] })
    expect(withPush(withPush(once, C), B)).toMatchObject({ headSha: B, pushed: [A, C, B] })
    expect(recordedCommits(withPush(once, C))).toEqual([A, B, C])
  })
})

describe('latestPlanIn', () => {
  const comment = (id: number, login: string, s: PlanState | null): IssueComment => ({
    id,
    login,
    body: s ? `${encodePlanMarker(s)}\n\n## Plan` : 'hello',
    htmlUrl: `https://github.com/acme/widgets/issues/42#issuecomment-${id}`,
    createdAt: '2026-01-01T00:00:00Z'
  })

  it("finds the bot's newest plan for the issue, ignoring others' markers and other issues", () => {
    const comments = [
      comment(1, 'bot', state),
      comment(2, 'bot', { ...state, planSha: B }),
      comment(3, 'mallory', { ...state, planSha: C }),
      comment(4, 'bot', { ...state, issue: 7 }),
      comment(5, 'bot', null)
    ]
    expect(latestPlanIn(comments, 'bot', 42)?.comment.id).toBe(2)
    expect(latestPlanIn(comments, 'someone', 42)).toBeNull()
  })
})
