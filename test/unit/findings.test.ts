import { describe, expect, it } from '@jest/globals'
import { FindingsError, parseVerdict, sortFindings, verdictFromText } from '../../src/engine/findings.js'
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
