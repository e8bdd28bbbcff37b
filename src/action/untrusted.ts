import crypto from 'node:crypto'

/**
 * Issue titles, bodies and comments are written by anyone. Before they reach
 * Claude or the answerer, remove what a human reader cannot see but a model
 * would obey: HTML comments, invisible and direction-changing Unicode, and
 * markdown images (which can carry text in their alt or URL).
 */

// Zero-width, word joiner, BOM, soft hyphen, bidi embeddings/overrides/isolates, tag characters, variation selectors.
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class -- matching lone combining selectors is the point
  /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFE00-\uFE0F\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu

export function sanitizeUntrusted(text: string): string {
  return (
    text
      // Invisible characters first: one inside `<!--` must not hide a comment from the next step.
      .replace(INVISIBLE, '')
      .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
      // Link reference definitions are never rendered (`[//]: # (hidden text)`).
      .replace(/^ {0,3}\[[^\]\n]+\]:[^\n]*$/gm, '')
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '[image]')
      .replace(/<img\b[^>]*>/gi, '[image]')
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '')
      .replace(/\r\n/g, '\n')
      .trim()
  )
}

/** The task the engine gets for an issue: title, body and any extra context, all sanitised. */
export function issueTask(issue: { number: number; title: string; body: string }, extra?: string): string {
  const parts = [`Issue #${issue.number}: ${sanitizeUntrusted(issue.title)}`, sanitizeUntrusted(issue.body)]
  const more = extra ? sanitizeUntrusted(extra) : ''
  if (more) parts.push(`Additional context from a maintainer:\n${more}`)
  return parts.filter(Boolean).join('\n\n')
}

type IssueText = { number: number; title: string; body: string }

const sha256 = (text: string): string => crypto.createHash('sha256').update(text).digest('hex')

/**
 * What an edit must change to count: ticking a task-list box or reflowing
 * whitespace leaves the request the same, so neither asks for a new plan.
 */
function normalizeTask(text: string): string {
  return text.replace(/^(\s*(?:[-*+]|\d+[.)])\s+)\[[ xX]\]/gm, '$1[ ]').replace(/\s+/g, '')
}

/** Identifies the issue text a plan was made from (title and body as Claude saw them, normalised). */
export function taskHash(issue: IssueText): string {
  return sha256(`v2\0${normalizeTask(issueTask(issue))}`)
}

/** Whether the issue still says what it said when `hash` was taken (no hash: nothing to compare). */
export function sameTask(hash: string | undefined, issue: IssueText): boolean {
  if (!hash || hash === taskHash(issue)) return true
  // Plans made before the normalisation hold the hash of the text exactly as it was.
  return hash === sha256(issueTask(issue))
}
