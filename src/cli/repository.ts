/**
 * The CLI works at the top level of the repository it is started in, so a run
 * started in a subfolder (or with `--cwd sub`) writes its documents where the
 * workspace checks and the reviewer look for them: paths in git's status are
 * relative to the top level, never to the folder git was called from.
 */
import fs from 'node:fs'
import path from 'node:path'
import { git } from '../git/git.js'

/** The repository's top level for `start`, or null when `start` is not inside a git work tree. */
export async function repositoryRoot(start: string): Promise<string | null> {
  if (!fs.existsSync(start)) return null
  try {
    return path.resolve(await git(start, ['rev-parse', '--show-toplevel']))
  } catch {
    return null
  }
}

/** `start` relative to the top level ("src/api/"), or '' when it is the top level. */
export function subfolderOf(root: string, start: string): string {
  const rel = path.relative(root, fs.realpathSync(start))
  return rel && !rel.startsWith('..') ? `${rel.split(path.sep).join('/')}/` : ''
}
