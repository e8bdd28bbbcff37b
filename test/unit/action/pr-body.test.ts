import { verifySection } from '../../../src/action/render/markdown.js'
import { describe, expect, it } from '@jest/globals'
import { GITHUB_BODY_LIMIT } from '../../../src/action/render/markdown.js'
import { renderFindings, renderPrBody, replaceFindings, type PrBodyView } from '../../../src/action/render/pr-body.js'
import { decodePrMarker, encodePrMarker, withFindings, type PrState } from '../../../src/action/markers.js'
import type { Finding, Severity } from '../../../src/engine/types.js'
import { runResult } from './support.js'

const SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d'
const BLOB = `https://github.com/acme/widgets/blob/${SHA}`

const STATE: PrState = {
  v: 1,
  issue: 42,
  branch: 'orchestrator/issue-42',
  planPath: 'thoughts/shared/plans/2025-03-01-rate-limiting.md',
  handled: []
}

function view(overrides: Partial<PrBodyView> = {}): PrBodyView {
  return {
    state: STATE,
    issue: 42,
    issueTitle: 'Add rate limiting',
    branch: 'orchestrator/issue-42',
    headSha: SHA,
    planPath: 'thoughts/shared/plans/2025-03-01-rate-limiting.md',
    planCommentUrl: 'https://github.com/acme/widgets/issues/42#issuecomment-9001',
    result: runResult(),
    serverUrl: 'https://github.com',
    repo: { owner: 'acme', repo: 'widgets' },
    runUrl: 'https://github.com/acme/widgets/actions/runs/123',
    ...overrides
  }
}

describe('renderPrBody', () => {
  it('renders the whole description', () => {
    expect(renderPrBody(view())).toBe(
      [
        encodePrMarker(STATE),
        'Implements the plan for #42: Add rate limiting.',
        '',
        'Closes #42',
        '',
        `[Plan](${BLOB}/thoughts/shared/plans/2025-03-01-rate-limiting.md) ([as approved](https://github.com/acme/widgets/issues/42#issuecomment-9001)) · [review document](${BLOB}/thoughts/shared/reviews/2025-03-01-rate-limiting.md) · [workflow run](https://github.com/acme/widgets/actions/runs/123)`,
        '',
        '### Changed files',
        '- `src/limiter.ts`',
        '- `src/api/server.ts`',
        '- `test/limiter.test.ts`',
        '',
        '### Verify',
        '_No check ran: set `verify_command`, or `"verify"` in `.claude/orchestrator.json`._',
        '',
        '<!-- orchestrator:findings -->',
        '### Review findings',
        '#### 🛑 Blockers (1)',
        `- **Limiter bypassed for HEAD requests** [\`src/api/server.ts:12\`](${BLOB}/src/api/server.ts#L12) _(security)_`,
        '  The middleware returns early for HEAD,',
        '  so a client can flood the server.',
        '',
        '#### 🟠 Major (1)',
        `- **No test for the reset window** [\`test/limiter.test.ts:7\`](${BLOB}/test/limiter.test.ts#L7) _(tests)_`,
        '  Add one.',
        '',
        '#### 🟡 Minor (1)',
        `- **Magic number** [\`src/limiter.ts:40\`](${BLOB}/src/limiter.ts#L40) _(correctness)_`,
        '  Move 100 into a named constant.',
        '',
        '#### ⚪ Nits (1)',
        `- **Typo** [\`README.md\`](${BLOB}/README.md)`,
        '  recieve → receive',
        '<!-- /orchestrator:findings -->',
        '',
        '<details><summary>Questions Claude asked (1)</summary>',
        '',
        '**plan** asked:',
        '> Should HEAD requests count?',
        '',
        'Answered by openai: Yes, count them like GET.',
        '',
        '</details>',
        '',
        '### Phases',
        '| Phase | Time | Input tokens | Output tokens | Cost |',
        '|---|---:|---:|---:|---:|',
        '| ✅ index | 20.0s | 12000 | 1500 | $0.0200 |',
        '| ✅ research | 1m 1s | 12000 | 1500 | $0.1000 |',
        '| ✅ plan | 45.5s | 12000 | 1500 | $0.0800 |',
        '| ✅ implement | 3m 5s | 90000 | 9000 | $1.25 |',
        '| ✅ review | 30.0s | 12000 | 1500 | $0.3000 |',
        '| **Total** | 5m 42s | 138000 | 15000 | $1.75 |'
      ].join('\n')
    )
  })

  it('closes the issue and links the plan, the approved comment, the review and the run', () => {
    const body = renderPrBody(view())
    expect(decodePrMarker(body)).toEqual(STATE)
    expect(body).toContain('\nCloses #42\n')
    expect(body).toContain(`[Plan](${BLOB}/thoughts/shared/plans/2025-03-01-rate-limiting.md)`)
    expect(body).toContain('([as approved](https://github.com/acme/widgets/issues/42#issuecomment-9001))')
    expect(body).toContain(`[review document](${BLOB}/thoughts/shared/reviews/2025-03-01-rate-limiting.md)`)
    expect(body).toContain('[workflow run](https://github.com/acme/widgets/actions/runs/123)')
  })

  it('leaves out the approved-comment and review links when there are none', () => {
    const body = renderPrBody(view({ planCommentUrl: undefined, result: runResult({ reviewPath: null }) }))
    expect(body).not.toContain('as approved')
    expect(body).not.toContain('review document')
    expect(body).toContain(`[Plan](${BLOB}/thoughts/shared/plans/2025-03-01-rate-limiting.md) · [workflow run]`)
  })

  it('says when nothing changed and the review found nothing', () => {
    const body = renderPrBody(view({ result: runResult({ changedFiles: [], findings: [] }) }))
    expect(body).toContain('### Changed files\n_None._')
    expect(body).toContain('### Review findings\n_The review found nothing to report._')
  })

  it('stays within GitHub’s limit with 2,000 findings and keeps the phase table', () => {
    const severities: Severity[] = ['blocker', 'major', 'minor', 'nit']
    const many: Finding[] = Array.from({ length: 2000 }, (_, i) => ({
      severity: severities[i % 4] as Severity,
      file: `src/module${i}/handler.ts`,
      line: i + 1,
      title: `Finding number ${i} about input validation`,
      detail: `The handler in module ${i} does not validate its input.\nAdd a schema check before use.`,
      lens: 'correctness'
    }))
    const body = renderPrBody(view({ result: runResult({ findings: many }) }))
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT)
    expect(body).toContain('#### 🛑 Blockers (500)')
    expect(body).toContain('… _truncated: see the review document for every finding_')
    expect(body).toContain('### Phases')
    expect(body).toContain('| **Total** | 5m 42s | 138000 | 15000 | $1.75 |')
  })

  it('stays within GitHub’s limit with thousands of changed files and long findings', () => {
    const body = renderPrBody(
      view({
        result: runResult({
          changedFiles: Array.from({ length: 5000 }, (_, i) => `src/generated/file-${i}.ts`),
          findings: Array.from({ length: 300 }, (_, i) => ({
            severity: 'major' as const,
            file: 'a.ts',
            line: i + 1,
            title: 'Long',
            detail: 'x'.repeat(1000)
          }))
        })
      })
    )
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT)
    expect(body).toContain('… _truncated: see the commit_')
    expect(body).toContain('### Phases')
  })

  it('closes a code block in a finding that the truncation cuts through', () => {
    const detail = `Replace the loop:\n\`\`\`ts\n${'for (const x of xs) handle(x)\n'.repeat(5000)}\`\`\``
    const body = renderPrBody(
      view({
        result: runResult({ findings: [{ severity: 'major', file: 'src/a.ts', line: 1, title: 'Slow loop', detail }] })
      })
    )
    const before = body.slice(0, body.indexOf('### Phases'))
    expect((before.match(/^\s*```/gm) ?? []).length % 2).toBe(0)
  })

  it('neutralizes model text: no live mentions, no comment that hides the rest', () => {
    const body = renderPrBody(
      view({
        issueTitle: 'Fix @octocat’s bug -->',
        result: runResult({
          changedFiles: ['src/@scope/x.ts'],
          findings: [
            {
              severity: 'major',
              file: 'src/a.ts',
              line: 3,
              title: 'Ask @someone',
              detail: 'See <!-- hidden\nthen --> @maintainer',
              lens: 'security'
            }
          ]
        })
      })
    )
    expect(body).not.toMatch(/(^|[^\w`])@(octocat|someone|maintainer)/m)
    // Only the bot's own three markers (state, findings start and end) open or close a comment.
    expect(body.match(/<!--/g)).toHaveLength(3)
    expect(body.match(/-->/g)).toHaveLength(3)
    expect(decodePrMarker(body)).toEqual(STATE)
    expect(body).toContain('- **Ask @\u200bsomeone**')
  })
})

describe('renderFindings', () => {
  it('groups findings by severity, most severe first, whatever the input order', () => {
    const text = renderFindings(runResult().findings, view())
    const headings = text.split('\n').filter(l => l.startsWith('#### '))
    expect(headings).toEqual(['#### 🛑 Blockers (1)', '#### 🟠 Major (1)', '#### 🟡 Minor (1)', '#### ⚪ Nits (1)'])
  })

  it('leaves out empty severities and counts each group', () => {
    const text = renderFindings(
      [
        { severity: 'nit', file: 'a.ts', line: 1, title: 'A', detail: 'a' },
        { severity: 'blocker', file: 'b.ts', line: 2, title: 'B', detail: 'b' },
        { severity: 'nit', file: 'c.ts', line: 3, title: 'C', detail: 'c' }
      ],
      view()
    )
    expect(text).toContain('#### 🛑 Blockers (1)')
    expect(text).toContain('#### ⚪ Nits (2)')
    expect(text).not.toContain('Major')
    expect(text).not.toContain('Minor')
  })

  it('links file and line, shows the lens, and handles findings without a line or a file', () => {
    const text = renderFindings(
      [
        {
          severity: 'minor',
          file: 'docs/My Guide.md',
          line: 8,
          title: 'Broken link',
          detail: 'Fix it.',
          lens: 'plan-conformance'
        },
        { severity: 'minor', file: 'package.json', line: null, title: 'Unpinned', detail: 'Pin it.' },
        { severity: 'minor', file: '', line: null, title: 'General', detail: 'Overall fine.' }
      ],
      view()
    )
    expect(text).toContain(
      `- **Broken link** [\`docs/My Guide.md:8\`](${BLOB}/docs/My%20Guide.md#L8) _(plan-conformance)_`
    )
    expect(text).toContain(`- **Unpinned** [\`package.json\`](${BLOB}/package.json)\n  Pin it.`)
    expect(text).toMatch(/^- \*\*General\*\* ?\n {2}Overall fine\.$/m)
  })
})

describe('replaceFindings', () => {
  it('swaps only the findings section and keeps the rest of the description', () => {
    const body = renderPrBody(view())
    const replaced = replaceFindings(
      body,
      [
        {
          severity: 'minor',
          file: 'src/limiter.ts',
          line: 3,
          title: 'Window constant unnamed',
          detail: 'Name it.',
          lens: 'correctness'
        }
      ],
      view(),
      'Updated after review feedback in abc1234.'
    )
    expect(replaced).toContain('_Updated after review feedback in abc1234._')
    expect(replaced).toContain('#### 🟡 Minor (1)\n- **Window constant unnamed**')
    expect(replaced).not.toContain('Limiter bypassed for HEAD requests')
    expect(replaced).toContain('\nCloses #42\n')
    expect(replaced).toContain('### Phases')
    expect(decodePrMarker(replaced)).toEqual(STATE)
  })
})

describe('verifySection', () => {
  const round = (n: number, passed: boolean) => ({
    round: n,
    passed,
    exitCode: passed ? 0 : 1,
    durationMs: 1200,
    tail: passed ? 'ok' : 'FAIL boundary'
  })

  it('shows each round with its result and time, and the tail of the last one', () => {
    const { top, section } = verifySection({
      phases: [],
      verify: { command: 'npm test', source: 'input', passed: true, rounds: [round(1, false), round(2, true)] }
    })
    expect(top).toBe('')
    expect(section).toContain('### Verify: `npm test`')
    expect(section).toContain('| 1 | ❌ exit 1 | 1.2s |\n| 2 | ✅ passed | 1.2s |')
    expect(section).toContain('<summary>Output of round 2 (last lines)</summary>')
  })

  it('puts a still-failing check at the top', () => {
    const { top } = verifySection({
      phases: [],
      verify: { command: 'npm test', source: 'input', passed: false, rounds: [round(1, false)] }
    })
    expect(top).toBe(
      "> [!CAUTION]\n> The project's check `npm test` still fails after 1 round: this pull request is a draft. See *Verify* below."
    )
  })
})

describe('findings with ids', () => {
  const withIds: Finding[] = [
    { id: 'F3', severity: 'major', file: 'src/a.js', line: 2, title: 'Still wrong', detail: 'd', lens: 'tests' },
    { id: 'F5', severity: 'nit', file: 'src/b.js', line: null, title: 'New', detail: 'e' }
  ]

  it('shows each id, which earlier findings are fixed or still open, and how to fix chosen ones', () => {
    const earlier = [
      { id: 'F1', title: 'Gone now', status: 'fixed' as const },
      { id: 'F3', title: 'Still wrong', status: 'open' as const }
    ]
    const text = renderFindings(withIds, view(), earlier)
    expect(text).toContain(
      '#### Findings of the previous round\n- ✅ **F1** fixed: Gone now\n- ⏳ **F3** still open: Still wrong'
    )
    expect(text).toContain(`- **F3** **Still wrong** [\`src/a.js:2\`](${BLOB}/src/a.js#L2) _(tests)_ · _still open_`)
    expect(text).toContain('- **F5** **New** ')
    expect(text).not.toContain('**F5** **New** [`src/b.js`](' + `${BLOB}/src/b.js) · _still open_`)
    expect(text).toContain('_To have chosen findings fixed, comment `/fix F3 F5` (words after the ids go along)._')
  })

  it('keeps the ids and the counter in the marker', () => {
    const body = renderPrBody(view({ state: withFindings(STATE, withIds), result: runResult({ findings: withIds }) }))
    const marker = decodePrMarker(body)
    expect(marker?.findings?.map(f => f.id)).toEqual(['F3', 'F5'])
    expect(marker?.nextFinding).toBe(6)
    expect(withFindings({ ...STATE, nextFinding: 9 }, []).nextFinding).toBe(9)
  })
})
