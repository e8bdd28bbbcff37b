/**
 * Where approve, revise and fix continue from: the branch's head on origin,
 * when it is a commit the bot recorded pushing (plan-record.ts). Anything
 * else (someone's push, a force push, a deleted branch) stops the command:
 * the bot never builds on, or over, work it has not seen.
 */
import { GitError } from '../../git/git.js'
import type { WorkBranch } from '../branch.js'
import { recordedCommits } from '../plan-record.js'
import { neutralize } from '../render/markdown.js'
import type { PlanState } from '../markers.js'

/** The branch's head in a few words, for saying who moved it: `abc1234 ("Subject" by Name)`. */
export async function describeHead(wb: WorkBranch, head: string): Promise<string> {
  const c = await wb.describe(head)
  const subject = c.subject.length > 80 ? `${c.subject.slice(0, 79)}…` : c.subject
  return `${c.short} ("${neutralize(subject)}"${c.author ? ` by ${neutralize(c.author)}` : ''})`
}

export async function resumeBranch(
  wb: WorkBranch,
  state: Pick<PlanState, 'headSha'> & Partial<Pick<PlanState, 'planSha' | 'pushed'>>
): Promise<{ sha: string } | { problem: string }> {
  let head: string
  try {
    head = await wb.fetch(wb.branch)
  } catch (err) {
    if (err instanceof GitError && /couldn't find remote ref/i.test(err.stderr)) {
      return { problem: `the branch \`${wb.branch}\` no longer exists` }
    }
    throw err
  }
  if (!recordedCommits(state).includes(head)) {
    return {
      problem:
        `the branch \`${wb.branch}\` is at ${await describeHead(wb, head)}, a commit the orchestrator did not push ` +
        `(its last push there was ${state.headSha.slice(0, 7)})`
    }
  }
  await wb.checkoutAt(head)
  return { sha: head }
}

/** The way forward after resumeBranch's problem: one command, and the branch stays as it is. */
export function startOverHint(branch: string, where = ''): string {
  return `Comment \`/plan\`${where} to start over on a fresh branch; \`${branch}\` is left as it is.`
}
