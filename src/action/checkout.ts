/**
 * The action works in the checkout actions/checkout leaves in GITHUB_WORKSPACE.
 * Without one, the first git call fails in git's own words ("--local can only
 * be used inside a git repository"), which tells a maintainer nothing about
 * the missing workflow step.
 */
import fs from 'node:fs'
import { git } from '../git/git.js'

export const NOT_A_CHECKOUT =
  'the workspace is not a git checkout: add actions/checkout before this step (into the workspace itself, without `path:`)'

function realpath(p: string): string {
  try {
    return fs.realpathSync(p)
  } catch {
    return p
  }
}

/** Throws NOT_A_CHECKOUT unless `workspace` is the top level of a git work tree. */
export async function assertCheckout(workspace: string): Promise<void> {
  const top = await git(workspace, ['rev-parse', '--show-toplevel']).catch(() => null)
  if (top === null || realpath(top) !== realpath(workspace)) throw new Error(NOT_A_CHECKOUT)
}
