/**
 * The bot's memory lives on the issue: a hidden marker in the plan comment.
 * Its payload is base64url JSON, so nothing rendered around it (model text
 * included) can close it or forge one; and it is trusted only in comments
 * written by the bot's own login.
 */
import { nextFindingNumber } from '../engine/findings.js'
import type { Finding, MaintainerAnswer, PendingQuestion, PhaseName, RunResult } from '../engine/types.js'

export type PlanStateName = 'pending' | 'approved' | 'superseded' | 'cancelled'

/**
 * Work a failed run kept on the branch, and what is left to do with it:
 * `/resume` goes on from here instead of paying for the finished steps again.
 */
export interface Checkpoint {
  next: 'implement' | 'review' | 'pull-request'
  /** The commit that holds the kept work (recorded in `pushed` too). */
  sha: string
  /** Why the run stopped, in a sentence. */
  reason: string
  /** For `implement`: the commit the unfinished work started from (so the diff so far spans every attempt). */
  from?: string
  /** For `implement`: Claude's last words before it stopped. */
  summary?: string
  /** For `pull-request`: what the pull request shows (trimmed to fit the marker). */
  result?: RunResult
}

export interface PlanState {
  v: 1
  issue: number
  branch: string
  base: string
  /** The commit that holds the plan the maintainer approves. */
  planSha: string
  /** The commit the bot last pushed to the branch (planSha, then implementation commits). */
  headSha: string
  /**
   * Every commit the bot pushed to `branch` (plans, implementations, /fix),
   * oldest first, written down right after each push: the only heads a later
   * command builds on (see plan-record.ts). Missing in markers from before.
   */
  pushed?: string[]
  planPath: string
  /** Earlier phases' artifacts on the branch, reused by /revise. */
  artifacts: Partial<Record<PhaseName, string[]>>
  state: PlanStateName
  /** sha256 of the issue text the plan was made from: an edited issue needs a new plan. */
  taskHash?: string
  pr?: number
  /** The /approve comments already carried out: a re-run or a duplicate must not implement twice. */
  approvedBy?: number[]
  /** When the last implementation was pushed (ISO time). */
  approvedAt?: string
  /** Set while a failed run's work waits for `/resume`. */
  checkpoint?: Checkpoint
}

/**
 * A hidden `<!-- orchestrator:<name> BASE64URL -->` marker holding JSON. The
 * payload alphabet cannot contain `-->`, so surrounding text cannot close it.
 */
function markerCodec<T>(name: string, valid: (value: T) => boolean, upgrade: (value: T) => T = v => v) {
  const pattern = new RegExp(`<!-- orchestrator:${name} ([A-Za-z0-9_-]+) -->`)
  const encode = (state: T): string =>
    `<!-- orchestrator:${name} ${Buffer.from(JSON.stringify(state), 'utf8').toString('base64url')} -->`
  return {
    encode,
    decode(body: string | null | undefined): T | null {
      const match = body?.match(pattern)
      if (!match?.[1]) return null
      try {
        const value = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8')) as T
        return valid(value) ? upgrade(value) : null
      } catch {
        return null
      }
    },
    replace: (body: string, state: T): string => body.replace(pattern, encode(state))
  }
}

/** A run that stopped on a structured question: what it asked and where to go on from. */
export interface QuestionState {
  v: 1
  issue: number
  phase: PhaseName
  questions: PendingQuestion[]
  /** The branch head with the artifacts written so far. */
  headSha: string
  /** Artifacts of the phases before the asking one, reused when the run goes on. */
  artifacts: Partial<Record<PhaseName, string[]>>
  /** The `/plan` text and earlier maintainer answers the run started with. */
  extra: string
  answered: MaintainerAnswer[]
  /** The branch the artifacts were pushed to (absent in older markers: the usual branch). */
  branch?: string
  /** Set when a /revise asked: the plan comment it revises, its feedback, and the commits the bot recorded. */
  revision?: { planCommentId: number; feedback: string; pushed: string[] }
  state: 'pending' | 'answered'
}

/** Markers written before the field was called `artifacts` name it `documents`: still read. */
function withArtifacts<T extends { artifacts: Partial<Record<PhaseName, string[]>> }>(value: T): T {
  const { documents, ...rest } = value as T & { documents?: T['artifacts'] }
  return { ...rest, artifacts: value.artifacts ?? documents ?? {} } as T
}

const questionMarker = markerCodec<QuestionState>(
  'question',
  v => v.v === 1 && typeof v.phase === 'string' && Array.isArray(v.questions),
  withArtifacts
)
export const encodeQuestionMarker = questionMarker.encode
export const decodeQuestionMarker = questionMarker.decode
export const replaceQuestionMarker = questionMarker.replace

const planMarker = markerCodec<PlanState>(
  'plan',
  v => v.v === 1 && typeof v.branch === 'string' && typeof v.planSha === 'string',
  withArtifacts
)
export const encodePlanMarker = planMarker.encode
export const decodePlanMarker = planMarker.decode
export const replacePlanMarker = planMarker.replace

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
  /**
   * The latest review's findings with their ids (text trimmed to fit): what
   * `/fix F2` sends, and what the next round's review marks fixed or open.
   */
  findings?: Finding[]
  /** The number the next new finding gets, so an id is never given twice on this pull request. */
  nextFinding?: number
  /**
   * Head commits whose failed checks started a fix run (fix_failing_checks),
   * oldest first; written before the run starts, so a crash still counts.
   */
  checkFixes?: string[]
  /** The head commit at which the stop comment for a spent budget of fixes was posted (posted once). */
  checkFixesStopped?: string
}

const prMarker = markerCodec<PrState>(
  'pr',
  v => v.v === 1 && typeof v.branch === 'string' && typeof v.issue === 'number'
)
export const encodePrMarker = prMarker.encode
export const replacePrMarker = prMarker.replace
export function decodePrMarker(body: string | null | undefined): PrState | null {
  const value = prMarker.decode(body)
  return value && { ...value, handled: Array.isArray(value.handled) ? value.handled : [] }
}

/** Findings kept in the marker: enough to send one to implement, small enough for the PR body. */
const MARKER_FINDINGS = 40

/** The marker after a review round: its findings (trimmed) and the id counter past them. */
export function withFindings(state: PrState, findings: Finding[]): PrState {
  const kept = findings
    .filter(f => f.id)
    .slice(0, MARKER_FINDINGS)
    .map(f => ({ ...f, title: f.title.slice(0, 200), detail: f.detail.slice(0, 600), file: f.file.slice(0, 300) }))
  return { ...state, findings: kept, nextFinding: nextFindingNumber(findings, state.nextFinding) }
}
