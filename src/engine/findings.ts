/**
 * The review phase's structured answer: a JSON schema handed to the CLI
 * (`--json-schema`) and a validator, because a malformed answer must fail the
 * phase rather than become an empty list of findings.
 */
import { SEVERITIES, type Finding, type Severity } from './types.js'

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
          detail: { type: 'string' }
        },
        required: ['severity', 'file', 'title', 'detail']
      }
    }
  },
  required: ['summary', 'findings']
} as const

export class FindingsError extends Error {}

export interface ReviewVerdict {
  summary: string
  findings: Finding[]
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
    return finding
  })
  return { summary: typeof value.summary === 'string' ? value.summary : '', findings }
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

const HEADINGS: Record<Severity, string> = { blocker: 'Blockers', major: 'Major', minor: 'Minor', nit: 'Nits' }

/** The findings as the review document shows them: grouped by severity, each with its lens and place. */
export function renderFindingsSection(verdict: ReviewVerdict): string {
  const lines = ['## Findings by severity', '']
  if (verdict.summary) lines.push(verdict.summary, '')
  if (!verdict.findings.length) lines.push('No findings.')
  for (const severity of SEVERITIES) {
    const group = verdict.findings.filter(f => f.severity === severity)
    if (!group.length) continue
    lines.push(`### ${HEADINGS[severity]} (${group.length})`, '')
    for (const f of group) {
      const where = f.line ? `${f.file}:${f.line}` : f.file
      lines.push(
        `- **${f.title}** — \`${where}\`${f.lens ? ` _(${f.lens})_` : ''}`,
        `  ${f.detail.replace(/\n/g, '\n  ')}`
      )
    }
    lines.push('')
  }
  return lines.join('\n').trimEnd() + '\n'
}

/** "1 major, 2 nits"-style counts, most severe first; `none` when empty. */
export function countBySeverity(findings: Finding[], none = 'none'): string {
  const counts = SEVERITIES.map(s => [s, findings.filter(f => f.severity === s).length] as const).filter(
    ([, n]) => n > 0
  )
  return counts.length ? counts.map(([s, n]) => `${n} ${s}`).join(', ') : none
}
