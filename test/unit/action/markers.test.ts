import { describe, expect, it } from '@jest/globals'
import { decodePlanMarker, encodePlanMarker, replacePlanMarker, type PlanState } from '../../../src/action/markers.js'

const state: PlanState = {
  v: 1,
  issue: 42,
  branch: 'orchestrator/issue-42',
  base: 'main',
  planSha: 'a'.repeat(40),
  headSha: 'a'.repeat(40),
  planPath: 'thoughts/shared/plans/2025-03-01-rate-limiting.md',
  artifacts: { index: ['thoughts/shared/index/codebase.md'], research: ['thoughts/shared/research/limits.md'] },
  state: 'pending'
}

function marker(json: string): string {
  return `<!-- orchestrator:plan ${Buffer.from(json, 'utf8').toString('base64url')} -->`
}

describe('encodePlanMarker / decodePlanMarker', () => {
  it('round-trips the state through a hidden HTML comment', () => {
    const m = encodePlanMarker(state)
    expect(m).toMatch(/^<!-- orchestrator:plan [A-Za-z0-9_-]+ -->$/)
    expect(decodePlanMarker(m)).toEqual(state)
  })

  it('finds the marker inside a rendered comment', () => {
    const body = `${encodePlanMarker({ ...state, pr: 7, state: 'approved' })}\n\n## 📋 Plan for #42\n\nSome text`
    expect(decodePlanMarker(body)).toEqual({ ...state, pr: 7, state: 'approved' })
  })

  it('keeps text that tries to close the comment or forge a marker inside the payload', () => {
    const hostile: PlanState = {
      ...state,
      branch: 'x --> <!-- orchestrator:plan AAAA -->',
      planPath: 'plans/--><script>alert(1)</script>.md',
      artifacts: { research: ['a -->', '<!--'] }
    }
    const m = encodePlanMarker(hostile)
    // The payload is base64url: nothing in it can end the comment early.
    expect(m.indexOf('-->')).toBe(m.length - 3)
    expect(m.match(/<!--/g)).toHaveLength(1)
    expect(decodePlanMarker(m)).toEqual(hostile)
  })

  it('reads a marker written before `artifacts` was called `documents`', () => {
    const { artifacts, ...rest } = state
    expect(decodePlanMarker(marker(JSON.stringify({ ...rest, documents: artifacts })))).toEqual(state)
    expect(decodePlanMarker(marker(JSON.stringify(rest)))).toEqual({ ...rest, artifacts: {} })
  })

  it('round-trips non-ASCII text', () => {
    const s = { ...state, branch: 'orchestrator/issue-42-größe-🚀' }
    expect(decodePlanMarker(encodePlanMarker(s))).toEqual(s)
  })

  it('returns null when there is no marker', () => {
    expect(decodePlanMarker('## Plan\n\nno marker here')).toBeNull()
    expect(decodePlanMarker('')).toBeNull()
    expect(decodePlanMarker(null)).toBeNull()
    expect(decodePlanMarker(undefined)).toBeNull()
    expect(decodePlanMarker('<!-- orchestrator:status -->')).toBeNull()
  })

  it('returns null for a payload that is not valid base64url JSON', () => {
    expect(decodePlanMarker('<!-- orchestrator:plan AAAA -->')).toBeNull()
    expect(decodePlanMarker('<!-- orchestrator:plan !!!not-base64!!! -->')).toBeNull()
    expect(decodePlanMarker(marker('this is not json'))).toBeNull()
    expect(decodePlanMarker(marker('{"v":1,'))).toBeNull()
  })

  it('returns null for JSON that is not a version 1 plan state', () => {
    expect(decodePlanMarker(marker('null'))).toBeNull()
    expect(decodePlanMarker(marker('1'))).toBeNull()
    expect(decodePlanMarker(marker('"v"'))).toBeNull()
    expect(decodePlanMarker(marker('[]'))).toBeNull()
    expect(decodePlanMarker(marker(JSON.stringify({ ...state, v: 2 })))).toBeNull()
    expect(decodePlanMarker(marker(JSON.stringify({ ...state, v: '1' })))).toBeNull()
    expect(decodePlanMarker(marker(JSON.stringify({ ...state, branch: 5 })))).toBeNull()
    const { planSha: _omit, ...noPlanSha } = state
    expect(decodePlanMarker(marker(JSON.stringify(noPlanSha)))).toBeNull()
  })

  it('does not accept a marker with different spacing or prefix', () => {
    const payload = encodePlanMarker(state).slice('<!-- orchestrator:plan '.length, -' -->'.length)
    expect(decodePlanMarker(`<!--orchestrator:plan ${payload}-->`)).toBeNull()
    expect(decodePlanMarker(`<!-- orchestrator:planned ${payload} -->`)).toBeNull()
  })
})

describe('replacePlanMarker', () => {
  it('swaps the state and leaves the rest of the comment alone', () => {
    const body = `${encodePlanMarker(state)}\n\n## 📋 Plan for #42: Rate limiting\n\nStep 1: $& and $1 stay literal.`
    const next = replacePlanMarker(body, { ...state, state: 'superseded' })
    expect(decodePlanMarker(next)).toEqual({ ...state, state: 'superseded' })
    expect(next.slice(next.indexOf('-->'))).toBe(body.slice(body.indexOf('-->')))
    expect(next.match(/orchestrator:plan/g)).toHaveLength(1)
  })

  it('returns the body unchanged when it has no marker', () => {
    const body = '## A comment without a marker'
    expect(replacePlanMarker(body, state)).toBe(body)
  })
})
