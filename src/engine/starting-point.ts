/**
 * What a run changed, told apart from what the user had already changed. The
 * CLI works in the user's own checkout, where uncommitted edits are normal
 * (even the `result.json` a shell creates for `> result.json` before we
 * start): those are neither the run's changes nor the reviewer's business.
 *
 * So implement starts from a recorded starting point, the work tree as it was,
 * and the changed files and the review's diff are measured from there. Both
 * are staged through a throwaway index (GIT_INDEX_FILE): the user's own index
 * is never touched.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { git, headSha, stageAll } from '../git/git.js'

/** The starting point is a commit on no branch; git needs an identity to write it, and the user's may be unset. */
const IDENTITY = {
  GIT_AUTHOR_NAME: 'orchestrator',
  GIT_AUTHOR_EMAIL: 'orchestrator@localhost',
  GIT_COMMITTER_NAME: 'orchestrator',
  GIT_COMMITTER_EMAIL: 'orchestrator@localhost'
}

/** Everything but the phase documents, which are reported on their own. */
const scope = (artifactsDir: string) => ['--', '.', `:(exclude)${artifactsDir}`]

/** Runs `fn` with a copy of the user's index holding the whole work tree (untracked files included, ignored ones not). */
async function withWorkTreeIndex<T>(
  repoDir: string,
  /** Left out of the index (the phase documents), or null for the whole work tree. */
  artifactsDir: string | null,
  fn: (env: Record<string, string>) => Promise<T>
): Promise<T> {
  const gitDir = await git(repoDir, ['rev-parse', '--absolute-git-dir'])
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'orchestrator-index-'))
  const env = { GIT_INDEX_FILE: path.join(scratch, 'index') }
  try {
    // Starting from the user's index keeps its stat data: git re-hashes only what changed.
    if (fs.existsSync(path.join(gitDir, 'index'))) fs.copyFileSync(path.join(gitDir, 'index'), env.GIT_INDEX_FILE)
    await stageAll(repoDir, artifactsDir === null ? ['.'] : scope(artifactsDir).slice(1), { env })
    return await fn(env)
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

/**
 * The work tree as it is now, as a commit: HEAD itself when nothing is
 * uncommitted (always so in the action's fresh checkout), otherwise a commit
 * on top of HEAD that no branch points to.
 */
export async function recordStartingPoint(repoDir: string, artifactsDir: string): Promise<string> {
  const head = await headSha(repoDir)
  return withWorkTreeIndex(repoDir, artifactsDir, async env => {
    const tree = await git(repoDir, ['write-tree'], { env })
    if (head && tree === (await git(repoDir, ['rev-parse', `${head}^{tree}`]))) return head
    const message = 'orchestrator: the work tree before implement (uncommitted changes, on no branch)'
    return git(repoDir, ['commit-tree', tree, ...(head ? ['-p', head] : []), '-m', message], {
      env: { ...env, ...IDENTITY }
    })
  })
}

/**
 * The whole work tree (the phase documents too) as a commit on top of
 * `parent`, on no branch: what a failed CLI run leaves, kept so nothing is lost
 * whatever happens to the work tree afterwards.
 */
export async function snapshotWorkTree(repoDir: string, parent: string, message: string): Promise<string> {
  return withWorkTreeIndex(repoDir, null, async env => {
    const tree = await git(repoDir, ['write-tree'], { env })
    return git(repoDir, ['commit-tree', tree, '-p', parent, '-m', message], { env: { ...env, ...IDENTITY } })
  })
}

export interface Change {
  /** Paths that differ from the starting point, outside the artifacts folder, sorted. */
  files: string[]
  diff: string
}

/** Paths that differ from `start` in the index `env` names, outside the artifacts folder, sorted. */
async function namesSince(repoDir: string, start: string, artifactsDir: string, env: Record<string, string>) {
  const names = await git(repoDir, ['diff', '--cached', '--name-only', '--no-renames', start, ...scope(artifactsDir)], {
    env
  })
  return names.split('\n').filter(Boolean).sort()
}

/** The paths changed since `start` (committed or not, new files included), outside the artifacts folder, sorted. */
export async function changedFilesSince(repoDir: string, start: string, artifactsDir: string): Promise<string[]> {
  return withWorkTreeIndex(repoDir, artifactsDir, env => namesSince(repoDir, start, artifactsDir, env))
}

/** What changed since `start` (committed or not, new files included), outside the artifacts folder: the paths and the diff. */
export async function changesSince(repoDir: string, start: string, artifactsDir: string): Promise<Change> {
  return withWorkTreeIndex(repoDir, artifactsDir, async env => {
    const files = await namesSince(repoDir, start, artifactsDir, env)
    // The bytes, not what a diff driver or textconv program named in .gitattributes would make of them.
    const diff = await git(
      repoDir,
      [
        'diff',
        '--cached',
        '--no-ext-diff',
        '--no-textconv',
        '--ignore-submodules=dirty',
        start,
        ...scope(artifactsDir)
      ],
      { env }
    )
    return { files, diff }
  })
}
