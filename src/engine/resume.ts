/**
 * Going on from an implement phase that stopped half-way (timeout, budget,
 * turn limit, an error): the new session starts with the work already in the
 * tree, and is told what it is (the diff so far and the stopped session's last
 * words) so it finishes the plan instead of starting it again. The action
 * (`/resume`) and the CLI (`--resume`) both come through here.
 */
import { changesSince } from './starting-point.js'

/** Diffs larger than this are not inlined; the session is told to run git diff itself. */
export const MAX_RESUME_DIFF = 20000

export interface EarlierAttempt {
  /** The commit the earlier attempt started from: the work so far is everything since. */
  from: string
  /** Why it stopped, in a sentence. */
  reason: string
  /** The commit that keeps its work, when it was committed. */
  sha?: string
  /** Claude's last words in the stopped session. */
  summary?: string
}

/**
 * What the resumed implement session is told, or null when the earlier attempt
 * left nothing in the tree (then it simply starts again).
 */
export async function resumeGuidance(
  repoDir: string,
  artifactsDir: string,
  attempt: EarlierAttempt,
  redact: (text: string) => string = t => t
): Promise<string | null> {
  const change = await changesSince(repoDir, attempt.from, artifactsDir)
  if (!change.files.length) return null
  const from = attempt.from.slice(0, 12)
  const files = change.files.length > 30 ? [...change.files.slice(0, 30), '…'] : change.files
  const kept = attempt.sha ? ` (kept as commit ${attempt.sha.slice(0, 12)})` : ''
  const lines = [
    `This continues an earlier attempt that stopped (${attempt.reason}). Its changes are already in the working tree${kept}: ` +
      `${change.files.length} file${change.files.length === 1 ? '' : 's'} changed since ${from} (${files.join(', ')}).`
  ]
  if (change.diff.length <= MAX_RESUME_DIFF) {
    lines.push(`The diff so far (against ${from}):\n\`\`\`diff\n${redact(change.diff)}\n\`\`\``)
  } else {
    lines.push(`The diff so far is too long to show here: see it with \`git diff ${from}\`.`)
  }
  const said = attempt.summary?.trim()
  if (said) lines.push(`Its last words before it stopped:\n> ${redact(said).slice(0, 1000).replace(/\n/g, '\n> ')}`)
  lines.push('Check what is done against the plan, then finish what is left; do not start over.')
  return lines.join('\n\n')
}
