/**
 * Which failed checks the bot fixes by itself (fix_failing_checks), decided
 * from facts already fetched. Pure: every rule is a unit test.
 */
import type { PrState } from './markers.js'

export interface PullFacts {
  author: string
  headRef: string
  headSha: string
  /** `owner/repo` of the head and the base: different for a fork. */
  headRepo: string | null
  baseRepo: string
  open: boolean
}

/** A pull request the bot opened from its own branch: its login, its marker, its prefix, its marker's branch. */
export function isBotPull(
  pr: Pick<PullFacts, 'author' | 'headRef'>,
  state: PrState | null,
  opts: { botLogin: string; branchPrefix: string }
): state is PrState {
  return (
    state !== null &&
    pr.author === opts.botLogin &&
    pr.headRef.startsWith(opts.branchPrefix) &&
    pr.headRef === state.branch
  )
}

export type CheckFixDecision =
  | { kind: 'skip'; reason: string }
  /** The budget is spent and nobody was told yet: one stop comment, nothing else. */
  | { kind: 'stop'; attempts: number }
  | { kind: 'fix'; attempt: number }

export function decideCheckFix(facts: {
  pr: PullFacts
  state: PrState | null
  /** The commit the checks failed on. */
  headSha: string
  botLogin: string
  branchPrefix: string
  maxAutoFixes: number
}): CheckFixDecision {
  const { pr, state } = facts
  if (!isBotPull(pr, state, facts)) {
    return { kind: 'skip', reason: 'the pull request was not opened by the orchestrator' }
  }
  if (pr.headRepo !== pr.baseRepo) return { kind: 'skip', reason: 'the pull request comes from a fork' }
  if (!pr.open) return { kind: 'skip', reason: 'the pull request is closed' }
  if (pr.headSha !== facts.headSha) {
    return {
      kind: 'skip',
      reason: `the checks failed on ${facts.headSha.slice(0, 7)}, but the pull request's head is now ${pr.headSha.slice(0, 7)}`
    }
  }
  const done = state.checkFixes ?? []
  if (done.includes(facts.headSha)) {
    return { kind: 'skip', reason: `failed checks on ${facts.headSha.slice(0, 7)} were already handled` }
  }
  if (done.length >= facts.maxAutoFixes) {
    if (state.checkFixesStopped) {
      return { kind: 'skip', reason: `the ${facts.maxAutoFixes} automatic fix(es) are spent and the PR says so` }
    }
    return { kind: 'stop', attempts: done.length }
  }
  return { kind: 'fix', attempt: done.length + 1 }
}
