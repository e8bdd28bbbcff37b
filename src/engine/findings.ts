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
      throw new FindingsError(`${where} has severity ${JSON.stringify(severity)}; expected one of ${SEVERITIES.join(', ')}`)
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
