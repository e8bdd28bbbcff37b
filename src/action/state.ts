/**
 * The bot's memory lives on the issue: a hidden marker in the plan comment.
 * Its payload is base64url JSON, so nothing rendered around it (model text
 * included) can close it or forge one; and it is trusted only in comments
 * written by the bot's own login.
 */
import type { PhaseName } from '../engine/types.js'

export type PlanStateName = 'pending' | 'approved' | 'superseded' | 'cancelled'

export interface PlanState {
  v: 1
  issue: number
  branch: string
  base: string
  /** The commit that holds the plan the maintainer approves. */
  planSha: string
  /** The commit the bot last pushed to the branch (planSha, then implementation commits). */
  headSha: string
  planPath: string
  /** Earlier documents on the branch, reused by /revise. */
  documents: Partial<Record<PhaseName, string[]>>
  state: PlanStateName
  /** sha256 of the issue text the plan was made from: an edited issue needs a new plan. */
  taskHash?: string
  pr?: number
  /** The /approve comments already carried out: a re-run or a duplicate must not implement twice. */
  approvedBy?: number[]
  /** When the last implementation was pushed (ISO time). */
  approvedAt?: string
}

const PREFIX = '<!-- orchestrator:plan '
const PATTERN = /<!-- orchestrator:plan ([A-Za-z0-9_-]+) -->/

export function encodePlanMarker(state: PlanState): string {
  return `${PREFIX}${Buffer.from(JSON.stringify(state), 'utf8').toString('base64url')} -->`
}

export function decodePlanMarker(body: string | null | undefined): PlanState | null {
  const match = body?.match(PATTERN)
  if (!match?.[1]) return null
  try {
    const value = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8')) as PlanState
    if (value.v !== 1 || typeof value.branch !== 'string' || typeof value.planSha !== 'string') return null
    return value
  } catch {
    return null
  }
}

export function replacePlanMarker(body: string, state: PlanState): string {
  return body.replace(PATTERN, encodePlanMarker(state))
}

export const STATUS_MARKER = '<!-- orchestrator:status -->'

/** What the bot remembers about a pull request it opened, in the PR body. */
export interface PrState {
  v: 1
  issue: number
  branch: string
  planPath: string
  /** The issue text the approved plan was made from (see PlanState.taskHash). */
  taskHash?: string
  /** Feedback already acted on: `comment:<id>` and `review:<id>`. */
  handled: string[]
}

const PR_PATTERN = /<!-- orchestrator:pr ([A-Za-z0-9_-]+) -->/

export function encodePrMarker(state: PrState): string {
  return `<!-- orchestrator:pr ${Buffer.from(JSON.stringify(state), 'utf8').toString('base64url')} -->`
}

export function decodePrMarker(body: string | null | undefined): PrState | null {
  const match = body?.match(PR_PATTERN)
  if (!match?.[1]) return null
  try {
    const value = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8')) as PrState
    if (value.v !== 1 || typeof value.branch !== 'string' || typeof value.issue !== 'number') return null
    return { ...value, handled: Array.isArray(value.handled) ? value.handled : [] }
  } catch {
    return null
  }
}

export function replacePrMarker(body: string, state: PrState): string {
  return body.replace(PR_PATTERN, encodePrMarker(state))
}
