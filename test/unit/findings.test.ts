import { describe, expect, it } from '@jest/globals'
import {
  findingId,
  FindingsError,
  nextFindingNumber,
  parseVerdict,
  renderBySeverity,
  renderFindingsSection,
  sortFindings,
  trackFindings,
  verdictFromText
} from '../../src/engine/findings.js'
import type { Finding } from '../../src/engine/types.js'

const finding = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  severity: 'major',
  lens: 'correctness',
  file: 'src/api.js',
  line: 12,
  title: 'Limiter is bypassed on error paths',
  detail: 'The 500 branch returns before the limiter runs.',
  ...overrides
})

describe('parseVerdict', () => {
  it('accepts a well-formed verdict and keeps every field', () => {
    const verdict = parseVerdict({
      summary: 'Mostly fine.',
      findings: [finding(), finding({ severity: 'nit', lens: undefined, line: null, file: 'README.md', title: 'Typo' })]
    })
    expect(verdict).toEqual({
      summary: 'Mostly fine.',
      findings: [
        {
          severity: 'major',
          lens: 'correctness',
          file: 'src/api.js',
          line: 12,
          title: 'Limiter is bypassed on error paths',
          detail: 'The 500 branch returns before the limiter runs.'
        },
        {
          severity: 'nit',
          file: 'README.md',
          line: null,
          title: 'Typo',
          detail: 'The 500 branch returns before the limiter runs.'
        }
      ]
    })
  })

  it('accepts an empty list of findings and a missing line', () => {
    expect(parseVerdict({ summary: 'Nothing to report.', findings: [] })).toEqual({
      summary: 'Nothing to report.',
      findings: []
    })
    const { findings } = parseVerdict({ summary: '', findings: [finding({ line: undefined })] })
    expect(findings[0]?.line).toBeNull()
  })

  it('rejects answers that are not an object or have no findings array', () => {
    expect(() => parseVerdict(null)).toThrow('the review answer is not a JSON object')
    expect(() => parseVerdict([finding()])).toThrow('the review answer is not a JSON object')
    expect(() => parseVerdict('looks good')).toThrow(FindingsError)
    expect(() => parseVerdict({ summary: 'ok' })).toThrow('the review answer has no "findings" array')
    expect(() => parseVerdict({ summary: 'ok', findings: 'none' })).toThrow('the review answer has no "findings" array')
  })

  it('rejects an unknown severity, naming the finding and the allowed values', () => {
    expect(() => parseVerdict({ summary: '', findings: [finding(), finding({ severity: 'critical' })] })).toThrow(
      'finding 2 has severity "critical"; expected one of blocker, major, minor, nit'
    )
    expect(() => parseVerdict({ summary: '', findings: [finding({ severity: undefined })] })).toThrow(
      'finding 1 has severity undefined'
    )
  })

  it('rejects a finding missing file, title or detail', () => {
    expect(() => parseVerdict({ summary: '', findings: [finding({ file: undefined })] })).toThrow(
      'finding 1 has no string "file"'
    )
    expect(() => parseVerdict({ summary: '', findings: [finding({ title: 42 })] })).toThrow(
      'finding 1 has no string "title"'
    )
    expect(() => parseVerdict({ summary: '', findings: [finding({ detail: null })] })).toThrow(
      'finding 1 has no string "detail"'
    )
    expect(() => parseVerdict({ summary: '', findings: ['blocker: bad'] })).toThrow('finding 1 is not an object')
  })

  it('rejects a line that is not a positive integer', () => {
    for (const line of [0, -3, 1.5, '12']) {
      expect(() => parseVerdict({ summary: '', findings: [finding({ line })] })).toThrow(
        `finding 1 has line ${JSON.stringify(line)}; expected a positive integer or null`
      )
    }
  })

  it('treats a missing summary as empty rather than failing', () => {
    expect(parseVerdict({ findings: [] })).toEqual({ summary: '', findings: [] })
  })
})

describe('verdictFromText', () => {
  it('reads the last ```json block of a text review', () => {
    const text = [
      'Draft:',
      '```json',
      JSON.stringify({ summary: 'draft', findings: [finding({ severity: 'blocker' })] }),
      '```',
      'Final verdict:',
      '```json',
      JSON.stringify({ summary: 'Final.', findings: [finding({ severity: 'minor' })] }, null, 2),
      '```'
    ].join('\n')
    const verdict = verdictFromText(text)
    expect(verdict?.summary).toBe('Final.')
    expect(verdict?.findings.map(f => f.severity)).toEqual(['minor'])
  })

  it('returns null when there is no json block', () => {
    expect(verdictFromText('The change looks good. No findings.')).toBeNull()
    expect(verdictFromText('```ts\nconst x = 1\n```')).toBeNull()
  })

  it('throws a FindingsError for a block that does not parse', () => {
    expect(() => verdictFromText('```json\n{"summary": "x", "findings": [\n```')).toThrow(FindingsError)
    expect(() => verdictFromText('```json\n{"summary": "x", "findings": [\n```')).toThrow(
      /the review's JSON block does not parse/
    )
  })

  it('validates the parsed block like a structured answer', () => {
    expect(() => verdictFromText('```json\n{"summary": "x", "findings": [{"severity": "high"}]}\n```')).toThrow(
      'finding 1 has severity "high"'
    )
  })
})

describe('sortFindings', () => {
  it('orders blocker, major, minor, nit and keeps the order within a severity', () => {
    const input: Finding[] = [
      { severity: 'nit', file: 'a', line: null, title: 'n1', detail: '' },
      { severity: 'major', file: 'b', line: 1, title: 'm1', detail: '' },
      { severity: 'blocker', file: 'c', line: 2, title: 'b1', detail: '' },
      { severity: 'minor', file: 'd', line: null, title: 'mi1', detail: '' },
      { severity: 'major', file: 'e', line: 3, title: 'm2', detail: '' }
    ]
    expect(sortFindings(input).map(f => f.title)).toEqual(['b1', 'm1', 'm2', 'mi1', 'n1'])
    // The input is left as it was.
    expect(input.map(f => f.title)).toEqual(['n1', 'm1', 'b1', 'mi1', 'm2'])
  })
})

describe('parseVerdict: ids and earlier findings', () => {
  it('reads the id of a continued finding and the marks of earlier ones, normalised', () => {
    const verdict = parseVerdict({
      summary: '',
      findings: [finding({ id: 'f2' }), finding({ id: 'not-an-id' })],
      earlier: [
        { id: 'F1', status: 'fixed' },
        { id: ' f2 ', status: 'open' }
      ]
    })
    expect(verdict.findings.map(f => f.id)).toEqual(['F2', undefined])
    expect(verdict.earlier).toEqual([
      { id: 'F1', status: 'fixed' },
      { id: 'F2', status: 'open' }
    ])
  })

  it('rejects a malformed mark, naming it', () => {
    expect(() => parseVerdict({ summary: '', findings: [], earlier: [{ id: 'F1', status: 'maybe' }] })).toThrow(
      'earlier finding 1 must be {"id": "F<n>", "status": "fixed" | "open"}, got {"id":"F1","status":"maybe"}'
    )
    expect(() => parseVerdict({ summary: '', findings: [], earlier: 'all fixed' })).toThrow(FindingsError)
    expect(() => parseVerdict({ summary: '', findings: [finding({ id: 2 })] })).toThrow('finding 1 has id 2')
  })

  it('findingId and nextFindingNumber', () => {
    expect(findingId('F07')).toBe('F7')
    expect(findingId('FF1')).toBeNull()
    expect(nextFindingNumber([{ id: 'F3' }, { id: 'F9' }, {}], 4)).toBe(10)
    expect(nextFindingNumber([], 12)).toBe(12)
  })
})

describe('trackFindings: ids stable across review rounds', () => {
  const f = (title: string, over: Partial<Finding> = {}): Finding => ({
    severity: 'minor',
    file: 'src/a.js',
    line: 1,
    title,
    detail: 'd',
    ...over
  })

  it('numbers a first round from F1, most severe first', () => {
    const out = trackFindings([], {
      summary: '',
      findings: [f('Nit', { severity: 'nit' }), f('Blocker', { severity: 'blocker' })]
    })
    expect(out.findings.map(x => `${x.id} ${x.title}`)).toEqual(['F1 Blocker', 'F2 Nit'])
    expect(out.earlier).toEqual([])
    expect(out.next).toBe(3)
  })

  it('keeps the id of a finding the reviewer names, gives new ones the next number, and never reuses a fixed one', () => {
    const earlier = [f('One', { id: 'F1' }), f('Two', { id: 'F2' }), f('Three', { id: 'F3' })]
    const out = trackFindings(
      earlier,
      {
        summary: '',
        findings: [f('Two, reworded', { id: 'F2' }), f('New')],
        earlier: [
          { id: 'F1', status: 'fixed' },
          { id: 'F2', status: 'open' },
          { id: 'F3', status: 'fixed' }
        ]
      },
      4
    )
    expect(out.findings.map(x => `${x.id} ${x.title}`)).toEqual(['F2 Two, reworded', 'F4 New'])
    expect(out.earlier).toEqual([
      { id: 'F1', title: 'One', status: 'fixed' },
      { id: 'F2', title: 'Two', status: 'open' },
      { id: 'F3', title: 'Three', status: 'fixed' }
    ])
    expect(out.next).toBe(5)
  })

  it('matches by file and title when the reviewer gives no id, and keeps a finding marked open but not listed', () => {
    const earlier = [
      f('Same title', { id: 'F1' }),
      f('Marked open', { id: 'F2', file: 'b.js' }),
      f('Gone', { id: 'F3' })
    ]
    const out = trackFindings(earlier, {
      summary: '',
      findings: [f('same TITLE ')],
      earlier: [{ id: 'F2', status: 'open' }]
    })
    expect(out.findings.map(x => x.id)).toEqual(['F1', 'F2'])
    // Neither listed nor marked open: a review of the whole change no longer raises it.
    expect(out.earlier.find(e => e.id === 'F3')?.status).toBe('fixed')
  })

  it('gives an id only once, and ignores an id no earlier finding had', () => {
    const out = trackFindings([f('One', { id: 'F1' })], {
      summary: '',
      findings: [f('A', { id: 'F1' }), f('B', { id: 'F1', file: 'x.js' }), f('C', { id: 'F9', file: 'y.js' })]
    })
    expect(out.findings.map(x => x.id)).toEqual(['F1', 'F2', 'F3'])
  })
})

describe('renderBySeverity: the one grouping', () => {
  it('renders the groups with one heading map for the document and the pull request', () => {
    const list = [
      { severity: 'nit' as const, file: 'a', line: null, title: 'n', detail: '' },
      { severity: 'blocker' as const, file: 'b', line: null, title: 'b', detail: '' }
    ]
    expect(renderBySeverity(list, { level: '####', item: x => `- ${x.title}` })).toBe(
      '#### 🛑 Blockers (1)\n- b\n\n#### ⚪ Nits (1)\n- n'
    )
    expect(renderFindingsSection({ summary: 'S', findings: [{ ...list[1]!, id: 'F1', detail: 'Why.' }] })).toBe(
      '## Findings by severity\n\nS\n\n### 🛑 Blockers (1)\n\n- F1 **b** — `b`\n  Why.\n'
    )
  })
})
