/** Issue comments and reactions. */
import type { GitHubClient, RepoRef } from './client.js'

export interface IssueComment {
  id: number
  body: string
  login: string
  htmlUrl: string
  createdAt: string
}

export async function listComments(gh: GitHubClient, repo: RepoRef, issue: number): Promise<IssueComment[]> {
  const items = await gh.paginate(gh.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 })
  return items.map((c) => ({ id: c.id, body: c.body ?? '', login: c.user?.login ?? '', htmlUrl: c.html_url, createdAt: c.created_at }))
}

export async function createComment(gh: GitHubClient, repo: RepoRef, issue: number, body: string): Promise<IssueComment> {
  const { data } = await gh.rest.issues.createComment({ ...repo, issue_number: issue, body })
  return { id: data.id, body: data.body ?? '', login: data.user?.login ?? '', htmlUrl: data.html_url, createdAt: data.created_at }
}

export async function updateComment(gh: GitHubClient, repo: RepoRef, commentId: number, body: string): Promise<void> {
  await gh.rest.issues.updateComment({ ...repo, comment_id: commentId, body })
}

export type Reaction = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes'

export async function reactToComment(gh: GitHubClient, repo: RepoRef, commentId: number, content: Reaction): Promise<void> {
  await gh.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content })
}
