/**
 * The review phase's structured answer: a JSON schema handed to the CLI
 * (`--json-schema`) and a validator, because a malformed answer must fail the
 * phase rather than become an empty list of findings.
 */
import { SEVERITIES, type EarlierFinding, type Finding, type Severity } from './types.js'

export const REVIEW_LENSES = ['plan-conformance', 'tests', 'correctness', 'security'] as const

export const FINDINGS_SCHEMA = {
  type: 'object',
  properties: {
    summary: { type: 'string', description: 'Two or three sentences: overall verdict of the review.' },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          severity: { type: 'string', enum: [...SEVERITIES] },
          lens: { type: 'string', enum: [...REVIEW_LENSES] },
          file: { type: 'string', description: 'Path relative to the repository root.' },
          line: { type: ['integer', 'null'] },
          title: { type: 'string' },
          detail: { type: 'string' },
          id: {
            type: 'string',
            description: 'Only for an earlier finding that is still open: its id (e.g. F2). Omit for a new finding.'
          }
        },
        required: ['severity', 'file', 'title', 'detail']
      }
    },
    earlier: {
      type: 'array',
      description: 'One entry per earlier finding you were given: is it fixed now, or still open?',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, status: { type: 'string', enum: ['fixed', 'open'] } },
        required: ['id', 'status']
      }
    }
  },
  required: ['summary', 'findings']
} as const

export class FindingsError extends Error {}

export interface ReviewVerdict {
  summary: string
  findings: Finding[]
  /** What the reviewer said of the earlier findings it was given (absent when it said nothing). */
  earlier?: Array<{ id: string; status: 'fixed' | 'open' }>
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

export function parseVerdict(value: unknown): ReviewVerdict {
  if (!isRecord(value)) throw new FindingsError('the review answer is not a JSON object')
  if (!Array.isArray(value.findings)) throw new FindingsError('the review answer has no "findings" array')
  const findings = value.findings.map((raw, i): Finding => {
    const where = `finding ${i + 1}`
    if (!isRecord(raw)) throw new FindingsError(`${where} is not an object`)
    const severity = raw.severity
    if (typeof severity !== 'string' || !SEVERITIES.includes(severity as Severity)) {
      throw new FindingsError(
        `${where} has severity ${JSON.stringify(severity)}; expected one of ${SEVERITIES.join(', ')}`
      )
    }
    for (const key of ['file', 'title', 'detail'] as const) {
      if (typeof raw[key] !== 'string') throw new FindingsError(`${where} has no string "${key}"`)
    }
    const line = raw.line
    if (line !== undefined && line !== null && !(Number.isInteger(line) && (line as number) > 0)) {
      throw new FindingsError(`${where} has line ${JSON.stringify(line)}; expected a positive integer or null`)
    }
    const finding: Finding = {
      severity: severity as Severity,
      file: String(raw.file),
      line: typeof line === 'number' ? line : null,
      title: String(raw.title),
      detail: String(raw.detail)
    }
    if (typeof raw.lens === 'string' && raw.lens) finding.lens = raw.lens
    if (raw.id !== undefined && raw.id !== null) {
      if (typeof raw.id !== 'string')
        throw new FindingsError(`${where} has id ${JSON.stringify(raw.id)}; expected a string`)
      const id = findingId(raw.id)
      if (id) finding.id = id
    }
    return finding
  })
  const verdict: ReviewVerdict = { summary: typeof value.summary === 'string' ? value.summary : '', findings }
  if (value.earlier !== undefined && value.earlier !== null) {
    if (!Array.isArray(value.earlier)) throw new FindingsError('the review answer\'s "earlier" is not an array')
    verdict.earlier = value.earlier.map((raw, i) => {
      const id = isRecord(raw) && typeof raw.id === 'string' ? findingId(raw.id) : null
      const status = isRecord(raw) ? raw.status : undefined
      if (!id || (status !== 'fixed' && status !== 'open')) {
        throw new FindingsError(
          `earlier finding ${i + 1} must be {"id": "F<n>", "status": "fixed" | "open"}, got ${JSON.stringify(raw)}`
        )
      }
      return { id, status }
    })
  }
  return verdict
}

/** `F2` from `F2`, `f2` or ` F2 `; null for anything else. */
export function findingId(text: string): string | null {
  const m = /^\s*F(\d{1,6})\s*$/i.exec(text)
  return m ? `F${Number(m[1])}` : null
}

const idNumber = (id: string | undefined): number => (id ? Number(findingId(id)?.slice(1) ?? 0) : 0)

/** The number the next new finding gets: past every id seen so far and the recorded counter. */
export function nextFindingNumber(findings: Array<Pick<Finding, 'id'>>, recorded = 1): number {
  return Math.max(recorded, ...findings.map(f => idNumber(f.id) + 1))
}

const sameFinding = (a: Finding, b: Finding): boolean =>
  a.file === b.file && a.title.trim().toLowerCase() === b.title.trim().toLowerCase()

/**
 * Gives every finding of this round its id. A finding that continues an
 * earlier one keeps that id: the reviewer names it (`id`), or, for reviewers
 * that do not (a repository's own command), it has the same file and title.
 * Everything else gets the next free number. An earlier finding the review
 * marks open without listing it again stays in the list; one it neither
 * lists nor marks open is no longer raised by a review of the whole change,
 * and counts as fixed.
 */
export function trackFindings(
  earlier: Finding[],
  verdict: ReviewVerdict,
  next = 1
): { findings: Finding[]; earlier: EarlierFinding[]; next: number } {
  const previous = earlier.filter(f => f.id)
  let counter = nextFindingNumber(previous, next)
  const claimed = new Set<string>()
  // New ids in the order the list shows them: most severe first.
  const findings = sortFindings(verdict.findings).map(f => {
    const named = f.id && previous.some(p => p.id === f.id) && !claimed.has(f.id) ? f.id : undefined
    const id = named ?? previous.find(p => !claimed.has(p.id as string) && sameFinding(p, f))?.id
    const { id: _asked, ...rest } = f
    if (id) {
      claimed.add(id)
      return { ...rest, id }
    }
    return { ...rest, id: `F${counter++}` }
  })
  const marks = new Map((verdict.earlier ?? []).map(m => [m.id, m.status]))
  const statuses = previous.map((p): EarlierFinding => {
    const id = p.id as string
    const status = claimed.has(id) || marks.get(id) === 'open' ? 'open' : 'fixed'
    return { id, title: p.title, status }
  })
  const carried = previous.filter(p => !claimed.has(p.id as string) && marks.get(p.id as string) === 'open')
  return { findings: sortFindings([...findings, ...carried]), earlier: statuses, next: counter }
}

/** Fallback for reviewers that answer in text: the last ```json fenced block. */
export function verdictFromText(text: string): ReviewVerdict | null {
  const blocks = [...text.matchAll(/```json\s*\n([\s\S]*?)```/g)]
  const last = blocks[blocks.length - 1]?.[1]
  if (last === undefined) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(last)
  } catch (err) {
    throw new FindingsError(`the review's JSON block does not parse: ${(err as Error).message}`)
  }
  return parseVerdict(parsed)
}

const ORDER: Record<Severity, number> = { blocker: 0, major: 1, minor: 2, nit: 3 }

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity])
}

const SEVERITY_HEADINGS: Record<Severity, string> = {
  blocker: '🛑 Blockers',
  major: '🟠 Major',
  minor: '🟡 Minor',
  nit: '⚪ Nits'
}

/**
 * Findings grouped by severity, most severe first: `<level> <heading> (<count>)`
 * and the group's items, for each severity that has any. The one rendering of
 * the grouping, for the review document and the pull request description.
 */
export function renderBySeverity(
  findings: Finding[],
  opts: { level: string; item: (f: Finding) => string; blankAfterHeading?: boolean }
): string {
  return SEVERITIES.filter(s => findings.some(f => f.severity === s))
    .map(s => {
      const group = findings.filter(f => f.severity === s)
      const heading = `${opts.level} ${SEVERITY_HEADINGS[s]} (${group.length})`
      return [heading, ...(opts.blankAfterHeading ? [''] : []), ...group.map(opts.item)].join('\n')
    })
    .join('\n\n')
}

/** The findings as the review document shows them: grouped by severity, each with its id, lens and place. */
export function renderFindingsSection(verdict: ReviewVerdict): string {
  const lines = ['## Findings by severity', '']
  if (verdict.summary) lines.push(verdict.summary, '')
  if (!verdict.findings.length) lines.push('No findings.')
  const item = (f: Finding) => {
    const where = f.line ? `${f.file}:${f.line}` : f.file
    return `- ${f.id ? `${f.id} ` : ''}**${f.title}** — \`${where}\`${f.lens ? ` _(${f.lens})_` : ''}\n  ${f.detail.replace(/\n/g, '\n  ')}`
  }
  if (verdict.findings.length)
    lines.push(renderBySeverity(verdict.findings, { level: '###', item, blankAfterHeading: true }))
  return lines.join('\n').trimEnd() + '\n'
}

/** "1 major, 2 nits"-style counts, most severe first; `none` when empty. */
export function countBySeverity(findings: Finding[], none = 'none'): string {
  const counts = SEVERITIES.map(s => [s, findings.filter(f => f.severity === s).length] as const).filter(
    ([, n]) => n > 0
  )
  return counts.length ? counts.map(([s, n]) => `${n} ${s}`).join(', ') : none
}
