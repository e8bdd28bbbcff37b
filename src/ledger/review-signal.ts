/**
 * "Where does human review catch what the automation missed?" For a merged
 * pull request, each review comment a person left is compared with the
 * findings the bot's reviews had published before it: same file and within
 * PROXIMITY_LINES lines (a finding or comment without a line covers the whole
 * file) counts as raised by the bot, under that finding's lens; anything else
 * was missed, and is counted under the lens it most likely belongs to. Pure.
 */
import { REVIEW_LENSES } from '../engine/findings.js'
import type { HumanReview, LedgerFinding } from './schema.js'

export const PROXIMITY_LINES = 5

/** A bot finding and when the review that raised it was published. */
export interface PublishedFinding extends LedgerFinding {
  publishedAt: string
}

export interface HumanComment {
  file: string
  line: number | null
  body: string
  createdAt: string
}

export const SIGNAL_LENSES = [...REVIEW_LENSES, 'other'] as const

/**
 * The review lens a person's comment most likely belongs to, from its file and
 * words. A guess, on purpose simple and in this order: security words, then a
 * test file or test words, then plan words, then correctness words; else other.
 */
export function guessLens(file: string, body: string): (typeof SIGNAL_LENSES)[number] {
  if (
    /secur|inject|\bxss\b|csrf|secret|\btoken|credential|password|sanitiz|escap|permission|vulnerab|unsafe|\bauth/i.test(
      body
    )
  )
    return 'security'
  if (
    /(^|\/)(tests?|__tests__|spec)\/|\.(test|spec)\.[a-z]+$/i.test(file) ||
    /\btests?\b|\bassert|\bmock|coverage|flaky/i.test(body)
  )
    return 'tests'
  if (/\bplan\b|out of scope|\bscope\b|requirement|not what the issue|the issue (asks|asked|says)/i.test(body))
    return 'plan-conformance'
  if (
    /\bbug\b|wrong|incorrect|edge case|boundary|off[- ]by[- ]one|\bnull\b|undefined|\brace\b|error|exception|crash|leak|overflow|\bfails?\b|\bbreaks?\b/i.test(
      body
    )
  ) {
    return 'correctness'
  }
  return 'other'
}

/** GitHub's timestamps have whole seconds: a finding published in the same second counts as before. */
function seconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000)
}

function near(f: LedgerFinding, c: HumanComment): boolean {
  if (f.file !== c.file) return false
  if (f.line === null || c.line === null) return true
  return Math.abs(f.line - c.line) <= PROXIMITY_LINES
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1
}

export function compareReview(findings: PublishedFinding[], comments: HumanComment[]): HumanReview {
  const out: HumanReview = { comments: comments.length, raised: 0, missed: 0, raisedByLens: {}, missedByLens: {} }
  for (const c of comments) {
    const at = seconds(c.createdAt)
    const match = findings.find(f => seconds(f.publishedAt) <= at && near(f, c))
    if (match) {
      out.raised++
      bump(
        out.raisedByLens,
        match.lens && (REVIEW_LENSES as readonly string[]).includes(match.lens) ? match.lens : 'other'
      )
    } else {
      out.missed++
      bump(out.missedByLens, guessLens(c.file, c.body))
    }
  }
  return out
}
