/** Who may drive the bot: users with write, maintain or admin on the repository. */
import type { GitHubClient, RepoRef } from './client.js'

const WRITERS = new Set(['admin', 'maintain', 'write'])

export async function canWrite(gh: GitHubClient, repo: RepoRef, username: string): Promise<boolean> {
  try {
    const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ ...repo, username })
    return WRITERS.has(data.permission) || WRITERS.has(String(data.role_name ?? ''))
  } catch (err) {
    // GitHub answers 404 for users who are not collaborators.
    if ((err as { status?: number }).status === 404) return false
    throw err
  }
}
