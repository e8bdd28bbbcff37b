/** The pull request for a work branch: one per branch, created or updated. */
import type { GitHubClient, RepoRef } from './client.js'

export interface PullRef {
  number: number
  htmlUrl: string
  created: boolean
}

export interface PullSpec {
  branch: string
  base: string
  title: string
  body: string
  draft: boolean
  /** The PR this branch had last time, if known: updated directly, no search needed. */
  knownNumber?: number
}

function status(err: unknown): number | undefined {
  return (err as { status?: number }).status
}

export async function findOpenPull(gh: GitHubClient, repo: RepoRef, branch: string): Promise<{ number: number; htmlUrl: string } | null> {
  const { data } = await gh.rest.pulls.list({ ...repo, head: `${repo.owner}:${branch}`, state: 'open', per_page: 1 })
  const pr = data[0]
  return pr ? { number: pr.number, htmlUrl: pr.html_url } : null
}

async function update(gh: GitHubClient, repo: RepoRef, number: number, pr: PullSpec): Promise<PullRef | null> {
  const { data } = await gh.rest.pulls.update({ ...repo, pull_number: number, title: pr.title, body: pr.body })
  // A PR the maintainer closed stays closed; the new work gets a fresh one.
  return data.state === 'open' ? { number: data.number, htmlUrl: data.html_url, created: false } : null
}

/**
 * Updates the branch's open pull request or creates one. Costs one request in
 * the common cases: PATCH when the number is known, POST when it is not.
 */
export async function createOrUpdatePull(gh: GitHubClient, repo: RepoRef, pr: PullSpec): Promise<PullRef> {
  if (pr.knownNumber) {
    try {
      const updated = await update(gh, repo, pr.knownNumber, pr)
      if (updated) return updated
    } catch (err) {
      if (status(err) !== 404) throw err
    }
  }
  try {
    const { data } = await gh.rest.pulls.create({ ...repo, head: pr.branch, base: pr.base, title: pr.title, body: pr.body, draft: pr.draft })
    return { number: data.number, htmlUrl: data.html_url, created: true }
  } catch (err) {
    // 422 "A pull request already exists for owner:branch": someone opened it by hand.
    if (status(err) !== 422) throw err
    const existing = await findOpenPull(gh, repo, pr.branch)
    if (!existing) throw err
    const updated = await update(gh, repo, existing.number, pr)
    if (!updated) throw err
    return updated
  }
}
