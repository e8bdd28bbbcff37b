/**
 * Where `/plan` (or the trigger label) starts, decided from what the bot
 * recorded and what origin has. Pure, so every rule is a fast test:
 * - an open request for this issue (a pending plan, an implementation or pull
 *   request) is answered with the command that continues it;
 * - the bot's own branch, at a commit it recorded pushing, is built on;
 * - a branch someone else moved, or one whose pull request was closed or
 *   merged, is left as it is: the new plan gets a fresh branch from the base.
 */
import { recordedCommits, type FoundPlan } from '../plan-record.js'

export type PullState = 'open' | 'closed' | 'merged'

export interface StartFacts {
  /** The bot's latest plan on the issue, if any. */
  plan: FoundPlan | null
  /** The state of that plan's pull request, when it has one. */
  pull: PullState | null
  /** `<prefix><issue>`: the branch an issue gets first. */
  defaultBranch: string
  /** Heads on origin of the default branch and its `-<n>` siblings. */
  heads: Map<string, string>
}

/** The branch a new plan does not reuse, and why: moved by someone else, or its pull request is done. */
export interface LeftAlone {
  branch: string
  why: 'moved' | PullState
}

export type StartPoint =
  | { kind: 'refuse'; message: string }
  /** Build on the bot's own branch, from its recorded head. */
  | { kind: 'continue'; branch: string; sha: string }
  /** Start from the base on `branch`. */
  | { kind: 'base'; branch: string; leftAlone?: LeftAlone }

/** The first `<default>-<n>` after `previous` that origin does not have. */
export function freshBranchName(defaultBranch: string, previous: string, taken: Iterable<string>): string {
  const used = new Set(taken)
  const suffix = previous.startsWith(`${defaultBranch}-`) ? Number(previous.slice(defaultBranch.length + 1)) : NaN
  let n = Number.isInteger(suffix) && suffix >= 2 ? suffix + 1 : 2
  while (used.has(`${defaultBranch}-${n}`)) n++
  return `${defaultBranch}-${n}`
}

export function chooseStart(f: StartFacts): StartPoint {
  const plan = f.plan?.state
  const branch = plan?.branch ?? f.defaultBranch
  const head = f.heads.get(branch) ?? null
  const fresh = (why: 'moved' | PullState): StartPoint => ({
    kind: 'base',
    branch: freshBranchName(f.defaultBranch, branch, f.heads.keys()),
    leftAlone: { branch, why }
  })
  const link = f.plan ? `[the plan](${f.plan.comment.htmlUrl})` : ''

  if (plan?.state === 'approved' && (f.pull === 'closed' || f.pull === 'merged')) return fresh(f.pull)
  if (head === null) return { kind: 'base', branch }
  if (!plan || !recordedCommits(plan).includes(head)) return fresh('moved')
  if (plan.state === 'pending') {
    return {
      kind: 'refuse',
      message: `This issue already has [a plan awaiting approval](${f.plan?.comment.htmlUrl}). Comment \`/approve\` to implement it.`
    }
  }
  if (plan.state === 'approved') {
    return {
      kind: 'refuse',
      message: plan.pr
        ? `This issue already has pull request #${plan.pr}, built from ${link}. Comment \`/revise <what should change>\` for a new plan on its branch.`
        : `The implementation of ${link} was pushed to \`${branch}\`, but its pull request was not opened. Comment \`/approve\` to finish it.`
    }
  }
  // A cancelled or superseded plan's branch: still the bot's own, so the new plan builds on it.
  return { kind: 'continue', branch, sha: head }
}
