/** The pull request for a work branch: one per branch, created or updated. */
import type { GitHubClient, RepoRef } from './client.js'

export interface PullRef {
  number: number
  htmlUrl: string
  created: boolean
}

export async function findOpenPull(gh: GitHubClient, repo: RepoRef, branch: string): Promise<{ number: number; htmlUrl: string } | null> {
  const { data } = await gh.rest.pulls.list({ ...repo, head: `${repo.owner}:${branch}`, state: 'open', per_page: 1 })
  const pr = data[0]
  return pr ? { number: pr.number, htmlUrl: pr.html_url } : null
}

export async function createOrUpdatePull(
  gh: GitHubClient,
  repo: RepoRef,
  pr: { branch: string; base: string; title: string; body: string; draft: boolean }
): Promise<PullRef> {
  const existing = await findOpenPull(gh, repo, pr.branch)
  if (existing) {
    await gh.rest.pulls.update({ ...repo, pull_number: existing.number, title: pr.title, body: pr.body })
    return { ...existing, created: false }
  }
  const { data } = await gh.rest.pulls.create({
    ...repo,
    head: pr.branch,
    base: pr.base,
    title: pr.title,
    body: pr.body,
    draft: pr.draft
  })
  return { number: data.number, htmlUrl: data.html_url, created: true }
}
