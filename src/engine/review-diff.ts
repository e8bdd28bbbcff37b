/**
 * The change the review phase is shown: everything since `baseSha`, new
 * files included, as plain text. Staged through a throwaway index
 * (GIT_INDEX_FILE) so the user's own index is never touched.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { git, stageAll } from '../git/git.js'

/** Diffs larger than this are not inlined into the review prompt; the reviewer runs git diff itself. */
export const MAX_INLINE_DIFF = 60000

export async function reviewDiff(repoDir: string, baseSha: string | null, artifactsDir: string): Promise<string | undefined> {
  if (!baseSha) return undefined
  const gitDir = await git(repoDir, ['rev-parse', '--absolute-git-dir'])
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'orchestrator-index-'))
  const env = { GIT_INDEX_FILE: path.join(scratch, 'index') }
  try {
    if (fs.existsSync(path.join(gitDir, 'index'))) fs.copyFileSync(path.join(gitDir, 'index'), env.GIT_INDEX_FILE)
    const scope = ['.', `:(exclude)${artifactsDir}`]
    await stageAll(repoDir, scope, { env })
    // The bytes, not what a diff driver or textconv program named in .gitattributes would make of them.
    const diff = await git(repoDir, ['diff', '--cached', '--no-ext-diff', '--no-textconv', '--ignore-submodules=dirty', baseSha, '--', ...scope], { env })
    return diff.length <= MAX_INLINE_DIFF ? diff : undefined
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}
