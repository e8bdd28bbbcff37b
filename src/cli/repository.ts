/**
 * The CLI works at the top level of the repository it is started in, so a run
 * started in a subfolder (or with `--cwd sub`) writes its documents where the
 * workspace checks and the reviewer look for them: paths in git's status are
 * relative to the top level, never to the folder git was called from.
 *
 * It also works in a tree with uncommitted edits: those stay the user's (the
 * engine measures the run's changes from a recorded starting point), and the
 * CLI says so up front.
 */
import fs from 'node:fs'
import path from 'node:path'
import { dirtyPaths, git } from '../git/git.js'
import { isInside } from '../engine/workspace-guard.js'

/** Where a CLI run works, and where it keeps its own files. */
export interface Repository {
  /** The top level of the work tree. */
  root: string
  /** The common git directory (every worktree of the repository shares it): the runs and the local ledger live here. */
  gitCommonDir: string
}

/** The repository `start` is in (asked of git once per run), or null when `start` is not inside a git work tree. */
export async function findRepository(start: string): Promise<Repository | null> {
  if (!fs.existsSync(start)) return null
  try {
    const out = await git(start, ['rev-parse', '--show-toplevel', '--path-format=absolute', '--git-common-dir'])
    const [root = '', gitCommonDir = ''] = out.split('\n')
    return { root: path.resolve(root), gitCommonDir: path.resolve(gitCommonDir) }
  } catch {
    return null
  }
}

/** `start` relative to the top level ("src/api/"), or '' when it is the top level. */
export function subfolderOf(root: string, start: string): string {
  const rel = path.relative(root, fs.realpathSync(start))
  return rel && !rel.startsWith('..') ? `${rel.split(path.sep).join('/')}/` : ''
}

/** A line saying which uncommitted files were there before the run, or null for a clean tree. */
export async function uncommittedNote(repoDir: string, artifactsDir: string): Promise<string | null> {
  const yours = (await dirtyPaths(repoDir)).filter(p => !isInside(p, artifactsDir)).sort()
  if (!yours.length) return null
  const shown = yours.slice(0, 5).join(', ') + (yours.length > 5 ? ', …' : '')
  const count = yours.length === 1 ? '1 uncommitted file was' : `${yours.length} uncommitted files were`
  return `${count} there before the run (${shown}): they stay yours, and are neither counted as the run's changes nor sent to the reviewer`
}
