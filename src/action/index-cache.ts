/**
 * Don't pay twice for the same index. The index document of a base tree is
 * kept on a branch of its own (`orchestrator/index-cache`, file
 * `index/<tree sha>.md`), so a second issue planned on the same commit skips
 * the index phase. Written with git plumbing: the work tree is never touched.
 * The cache is an optimisation: any failure to read or write it is a warning.
 */
import * as core from '@actions/core'
import { git } from '../git/git.js'
import type { WorkBranch } from './branch.js'

export const INDEX_CACHE_BRANCH = 'orchestrator/index-cache'

export class IndexCache {
  private cacheSha: string | null = null

  constructor(
    private readonly wb: WorkBranch,
    private readonly repoDir: string
  ) {}

  /** The tree the index describes: the base commit's, whatever is on the work branch. */
  async treeOf(commit: string): Promise<string> {
    return git(this.repoDir, ['rev-parse', `${commit}^{tree}`])
  }

  /** The cached index document for `tree`, or null. */
  async lookup(tree: string): Promise<string | null> {
    try {
      if (!(await this.wb.remoteHead(INDEX_CACHE_BRANCH))) return null
      this.cacheSha = await this.wb.fetch(INDEX_CACHE_BRANCH)
      return await git(this.repoDir, ['show', `${this.cacheSha}:index/${tree}.md`])
    } catch (err) {
      if (!/does not exist|exists on disk, but not in/.test((err as Error).message)) {
        core.warning(`Could not read the index cache: ${(err as Error).message}`)
      }
      return null
    }
  }

  /** Adds the index document for `tree` to the cache branch and pushes it. */
  async store(tree: string, content: string, author: { name: string; email: string }): Promise<void> {
    try {
      const parent =
        this.cacheSha ??
        ((await this.wb.remoteHead(INDEX_CACHE_BRANCH)) ? await this.wb.fetch(INDEX_CACHE_BRANCH) : null)
      const blob = await git(this.repoDir, ['hash-object', '-w', '--stdin'], { input: content })
      const entries = parent ? await git(this.repoDir, ['ls-tree', `${parent}:index`]).catch(() => '') : ''
      const kept = entries.split('\n').filter(line => line && !line.endsWith(`\t${tree}.md`))
      const indexTree = await git(this.repoDir, ['mktree'], {
        input: [...kept, `100644 blob ${blob}\t${tree}.md`].join('\n') + '\n'
      })
      const root = await git(this.repoDir, ['mktree'], { input: `040000 tree ${indexTree}\tindex\n` })
      const env = {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email
      }
      const commit = await git(
        this.repoDir,
        ['commit-tree', root, ...(parent ? ['-p', parent] : []), '-m', `index of tree ${tree}`],
        { env }
      )
      await this.wb.pushRef(commit, INDEX_CACHE_BRANCH)
    } catch (err) {
      core.warning(`Could not save the index for reuse: ${(err as Error).message}`)
    }
  }
}
