/** Issue comments and reactions. */
import crypto from 'node:crypto'
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
  return items.map(c => ({
    id: c.id,
    body: c.body ?? '',
    login: c.user?.login ?? '',
    htmlUrl: c.html_url,
    createdAt: c.created_at
  }))
}

/** A failure after which GitHub may have written the comment anyway (5xx, a dropped connection). */
function mayHaveWritten(err: unknown): boolean {
  const status = (err as { status?: number }).status
  return status === undefined || status >= 500
}

/**
 * Creates a comment exactly once. Each body carries a hidden key; a POST whose
 * answer was lost is not blindly repeated (that left a second, forever-blank
 * status comment): the issue is searched for the key first.
 */
export async function createComment(
  gh: GitHubClient,
  repo: RepoRef,
  issue: number,
  body: string
): Promise<IssueComment> {
  const key = `<!-- orchestrator:write ${crypto.randomBytes(9).toString('base64url')} -->`
  const keyed = `${body}\n${key}`
  const post = async (retries?: number): Promise<IssueComment> => {
    const { data } = await gh.rest.issues.createComment({
      ...repo,
      issue_number: issue,
      body: keyed,
      ...(retries === undefined ? {} : { request: { retries } })
    })
    return {
      id: data.id,
      body: data.body ?? '',
      login: data.user?.login ?? '',
      htmlUrl: data.html_url,
      createdAt: data.created_at
    }
  }
  try {
    return await post(0)
  } catch (err) {
    if (!mayHaveWritten(err)) throw err
    const written = (await listComments(gh, repo, issue)).find(c => c.body.includes(key))
    return written ?? post()
  }
}

export async function updateComment(gh: GitHubClient, repo: RepoRef, commentId: number, body: string): Promise<void> {
  await gh.rest.issues.updateComment({ ...repo, comment_id: commentId, body })
}

export type Reaction = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes'

export async function reactToComment(
  gh: GitHubClient,
  repo: RepoRef,
  commentId: number,
  content: Reaction
): Promise<void> {
  await gh.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content })
}
