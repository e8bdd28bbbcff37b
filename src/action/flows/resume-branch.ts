/**
 * Where approve and revise continue from: the commit the bot remembers, or a
 * later head when everything after it is the bot's own work (an implementation
 * pushed before its pull request failed, a /fix). Anyone else's commit stops
 * the run: the bot never builds on, or over, work it has not seen.
 */
import { GitError } from '../../git/git.js'
import type { WorkBranch } from '../branch.js'
import type { Session } from '../session.js'

export async function resumeBranch(s: Session, wb: WorkBranch, expected: string): Promise<{ sha: string } | { problem: string }> {
  let head: string
  try {
    head = await wb.fetch(wb.branch)
  } catch (err) {
    if (err instanceof GitError && /couldn't find remote ref/i.test(err.stderr)) {
      return { problem: `the branch \`${wb.branch}\` no longer exists` }
    }
    throw err
  }
  if (head !== expected) {
    const foreign = (await wb.descends(head, expected)) ? await wb.foreignCommits(expected, head, s.inputs.commitAuthorEmail) : null
    if (!foreign || foreign.length) {
      return {
        problem:
          `the branch \`${wb.branch}\` has commits the orchestrator did not make since ${expected.slice(0, 7)} ` +
          `(it is now at ${head.slice(0, 7)})`
      }
    }
  }
  await wb.checkoutAt(head)
  return { sha: head }
}
