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
  /** The branch's pull request, when the caller read it and it is open: updated directly, no search needed. */
  openNumber?: number
  /** The login the bot writes as, and the hidden marker only its own PR bodies carry. */
  bot: { login: string; marker: string }
}

/** The branch already has an open pull request someone else opened: the bot leaves it alone. */
export class ForeignPullError extends Error {
  constructor(
    readonly number: number,
    readonly author: string
  ) {
    super(
      `pull request #${number} from this branch was opened by ${author}, not by the orchestrator; it was left unchanged`
    )
  }
}

function status(err: unknown): number | undefined {
  return (err as { status?: number }).status
}

export async function findOpenPull(
  gh: GitHubClient,
  repo: RepoRef,
  branch: string
): Promise<{ number: number; htmlUrl: string; author: string; body: string } | null> {
  const { data } = await gh.rest.pulls.list({ ...repo, head: `${repo.owner}:${branch}`, state: 'open', per_page: 1 })
  const pr = data[0]
  return pr ? { number: pr.number, htmlUrl: pr.html_url, author: pr.user?.login ?? '', body: pr.body ?? '' } : null
}

async function update(gh: GitHubClient, repo: RepoRef, number: number, pr: PullSpec): Promise<PullRef> {
  const { data } = await gh.rest.pulls.update({ ...repo, pull_number: number, title: pr.title, body: pr.body })
  return { number: data.number, htmlUrl: data.html_url, created: false }
}

/**
 * Updates the branch's open pull request or creates one. A PR the maintainer
 * closed or merged is left as it is; the new work gets a fresh one.
 */
export async function createOrUpdatePull(gh: GitHubClient, repo: RepoRef, pr: PullSpec): Promise<PullRef> {
  if (pr.openNumber) return update(gh, repo, pr.openNumber, pr)
  try {
    const { data } = await gh.rest.pulls.create({
      ...repo,
      head: pr.branch,
      base: pr.base,
      title: pr.title,
      body: pr.body,
      draft: pr.draft
    })
    return { number: data.number, htmlUrl: data.html_url, created: true }
  } catch (err) {
    // 422 "A pull request already exists for owner:branch": someone opened it by hand.
    if (status(err) !== 422) throw err
    const existing = await findOpenPull(gh, repo, pr.branch)
    if (!existing) throw err
    // The bot's own PR whose create answer was lost is updated; a person's PR never is.
    if (existing.author !== pr.bot.login || !existing.body.includes(pr.bot.marker))
      throw new ForeignPullError(existing.number, existing.author)
    return update(gh, repo, existing.number, pr)
  }
}

export interface PullDetail {
  number: number
  htmlUrl: string
  open: boolean
  merged: boolean
  headRef: string
  headSha: string
  baseRef: string
  /** `owner/repo` of the head (null when its fork was deleted) and of the base. */
  headRepo: string | null
  baseRepo: string
  body: string
  author: string
}

export async function getPull(gh: GitHubClient, repo: RepoRef, number: number): Promise<PullDetail> {
  const { data } = await gh.rest.pulls.get({ ...repo, pull_number: number })
  return {
    number: data.number,
    htmlUrl: data.html_url,
    open: data.state === 'open' && !data.merged,
    merged: Boolean(data.merged),
    headRef: data.head.ref,
    headSha: data.head.sha,
    baseRef: data.base.ref,
    headRepo: data.head.repo?.full_name ?? null,
    baseRepo: data.base.repo.full_name,
    body: data.body ?? '',
    author: data.user?.login ?? ''
  }
}

/** The pull request, or null when GitHub has none by that number. */
export async function findPull(gh: GitHubClient, repo: RepoRef, number: number): Promise<PullDetail | null> {
  try {
    return await getPull(gh, repo, number)
  } catch (err) {
    if (status(err) !== 404) throw err
    return null
  }
}

export interface InlineComment {
  path: string
  line: number | null
  body: string
  author: string
}

/**
 * Inline review comments: those of one review, or all of the PR's that still
 * apply to the current diff. (REST does not say whether a thread is resolved;
 * a comment whose line no longer exists in the diff is outdated and left out.)
 */
export async function inlineComments(
  gh: GitHubClient,
  repo: RepoRef,
  pr: number,
  reviewId?: number
): Promise<InlineComment[]> {
  const items = reviewId
    ? await gh.paginate(gh.rest.pulls.listCommentsForReview, {
        ...repo,
        pull_number: pr,
        review_id: reviewId,
        per_page: 100
      })
    : (await gh.paginate(gh.rest.pulls.listReviewComments, { ...repo, pull_number: pr, per_page: 100 })).filter(
        c => c.line !== null && c.line !== undefined
      )
  return items.map(c => ({
    path: c.path,
    line:
      ('line' in c ? (c.line as number | null | undefined) : null) ??
      ('original_line' in c ? (c.original_line as number | null | undefined) : null) ??
      null,
    body: c.body,
    author: c.user?.login ?? ''
  }))
}
