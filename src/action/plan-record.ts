/**
 * The plan comment as the record of what the bot pushed. A later command
 * continues a branch only from a commit written down here: not from anything
 * that merely claims to be the bot's (an author e-mail is anyone's to type).
 */
import type { GitHubClient, RepoRef } from '../github/client.js'
import { updateComment, type IssueComment } from '../github/comments.js'
import { decodePlanMarker, replacePlanMarker, type PlanState } from './markers.js'

export interface FoundPlan {
  comment: IssueComment
  state: PlanState
}

/** The newest plan comment by `botLogin` for `issue`. A marker in anyone else's comment is ignored. */
export function latestPlanIn(comments: IssueComment[], botLogin: string, issue: number): FoundPlan | null {
  for (const comment of [...comments].reverse()) {
    if (comment.login !== botLogin) continue
    const state = decodePlanMarker(comment.body)
    if (state && state.issue === issue) return { comment, state }
  }
  return null
}

/** The commits a command may continue from (markers from before `pushed` name only the plan and the last head). */
/** The commits the bot pushed, by its own record (a plan marker, or a question marker's one head). */
export function recordedCommits(
  state: Pick<PlanState, 'headSha'> & Partial<Pick<PlanState, 'planSha' | 'pushed'>>
): string[] {
  return [...new Set([...(state.pushed ?? []), ...(state.planSha ? [state.planSha] : []), state.headSha])]
}

export function withPush(state: PlanState, sha: string): PlanState {
  return { ...state, headSha: sha, pushed: [...recordedCommits(state).filter(c => c !== sha), sha] }
}

/**
 * Writes `sha` into the plan comment's marker. Called right after a push and
 * before anything else can fail (the pull request call): a retry then knows
 * the branch's new head is the bot's own.
 */
export async function recordPush(gh: GitHubClient, repo: RepoRef, plan: FoundPlan, sha: string): Promise<FoundPlan> {
  const state = withPush(plan.state, sha)
  const body = replacePlanMarker(plan.comment.body, state)
  await updateComment(gh, repo, plan.comment.id, body)
  return { comment: { ...plan.comment, body }, state }
}
