import { describe, expect, it } from '@jest/globals'
import {
  blobUrl,
  GITHUB_BODY_LIMIT,
  neutralize,
  phaseTable,
  questionsSection,
  truncate
} from '../../../src/action/render/markdown.js'
import { decodePlanMarker } from '../../../src/action/markers.js'
import { phase } from './support.js'

const ZWSP = '\u200b'

describe('neutralize', () => {
  it('cannot open an HTML comment', () => {
    const out = neutralize('before <!-- hidden --> after')
    expect(out).not.toContain('<!--')
    expect(out).toBe('before &lt;!-- hidden --&gt; after')
  })

  it('cannot close an enclosing HTML comment, with --> or --!>', () => {
    expect(neutralize('x --> y')).not.toContain('-->')
    expect(neutralize('x --!> y')).not.toMatch(/--!?>/)
  })

  it('cannot produce a decodable plan marker', () => {
    const forged = '<!-- orchestrator:plan eyJ2IjoxLCJicmFuY2giOiJ4IiwicGxhblNoYSI6InkifQ -->'
    expect(decodePlanMarker(forged)).not.toBeNull()
    expect(decodePlanMarker(neutralize(forged))).toBeNull()
  })

  it('breaks @mentions with a zero-width space so nobody is notified', () => {
    expect(neutralize('@octocat please review')).toBe(`@${ZWSP}octocat please review`)
    expect(neutralize('cc @alice, @bob-smith and (@org/team)')).toBe(
      `cc @${ZWSP}alice, @${ZWSP}bob-smith and (@${ZWSP}org/team)`
    )
    expect(neutralize('line\n@carol')).toBe(`line\n@${ZWSP}carol`)
  })

  it('keeps email addresses, inline code and a lone @ as they are', () => {
    expect(neutralize('mail dev@example.com')).toBe('mail dev@example.com')
    expect(neutralize('use the `@Injectable` decorator')).toBe('use the `@Injectable` decorator')
    expect(neutralize('meet @ 10:00, @-sign, @@')).toBe('meet @ 10:00, @-sign, @@')
  })

  it('leaves ordinary markdown untouched', () => {
    const text = '## Steps\n\n1. Edit `src/a.ts` -> add a check\n2. if (a < b && c > d)\n\n| a | b |\n|---|---|'
    expect(neutralize(text)).toBe(text)
  })

  it('keeps links whose path contains @', () => {
    const text = 'See https://www.npmjs.com/package/@types/node and https://medium.com/@someone/post'
    expect(neutralize(text)).toBe(text)
  })

  it('keeps decorators and scoped packages inside fenced code blocks', () => {
    const text = '```py\n@pytest.fixture\ndef client(): ...\n```\n\n```sh\nnpm i -D @types/node\n```'
    expect(neutralize(text)).toBe(text)
  })
})

describe('truncate', () => {
  const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, '0')} of the plan`).join('\n')

  it('returns short text unchanged', () => {
    expect(truncate('short', 10, 'x')).toBe('short')
    expect(truncate('exactly10!', 10, 'x')).toBe('exactly10!')
  })

  it('cuts at a line break and says where the rest is', () => {
    const out = truncate(lines, 1000, 'see the plan file')
    expect(out.length).toBeLessThanOrEqual(1000)
    expect(out).toMatch(/of the plan\n\n… _truncated: see the plan file_$/)
    const kept = out.slice(0, out.indexOf('\n\n…'))
    expect(lines.startsWith(`${kept}\n`)).toBe(true)
  })

  it('cuts mid-line when the only line break is too early', () => {
    const text = `title\n${'x'.repeat(5000)}`
    const out = truncate(text, 500, 'rest')
    expect(out.length).toBeLessThanOrEqual(500)
    expect(out.startsWith(`title\n${'x'.repeat(100)}`)).toBe(true)
    expect(out.endsWith('… _truncated: rest_')).toBe(true)
  })

  it('never goes over the limit for large inputs', () => {
    for (const max of [100, 777, 4000, GITHUB_BODY_LIMIT]) {
      expect(truncate(lines.repeat(50), max, 'see the log').length).toBeLessThanOrEqual(max)
      expect(truncate('y'.repeat(100_000), max, 'see the log').length).toBeLessThanOrEqual(max)
    }
  })
})

describe('phaseTable', () => {
  it('lists every phase with a status mark and a total row', () => {
    const table = phaseTable([
      phase('index', { durationMs: 20_000, costUsd: 0.02, inputTokens: 1000, outputTokens: 100 }),
      phase('research', { status: 'failed', durationMs: 61_000, costUsd: 0.1, inputTokens: 2000, outputTokens: 200 }),
      phase('plan', { status: 'skipped', durationMs: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 })
    ])
    expect(table).toBe(
      [
        '| Phase | Time | Input tokens | Output tokens | Cost |',
        '|---|---:|---:|---:|---:|',
        '| ✅ index | 20.0s | 1000 | 100 | $0.0200 |',
        '| ❌ research | 1m 1s | 2000 | 200 | $0.1000 |',
        '| ⏭️ plan | 0.0s | 0 | 0 | $0.0000 |',
        '| **Total** | 1m 21s | 3000 | 300 | $0.1200 |'
      ].join('\n')
    )
  })

  it('has a zero total row for no phases', () => {
    expect(phaseTable([]).split('\n')).toHaveLength(3)
    expect(phaseTable([phase('index'), phase('plan')])).not.toContain('⚠️')
  })

  it("adds a warning under the table for each phase that changed git's own setup", () => {
    const table = phaseTable([
      phase('research', { restored: ['.git/info/exclude'] }),
      phase('plan'),
      phase('implement', { restored: ['.git/config', '.git/hooks/pre-commit'] })
    ])
    expect(table.split('\n\n')[1]).toBe(
      [
        "> ⚠️ **research** changed git's own setup; it was put back: `.git/info/exclude`",
        '>',
        "> ⚠️ **implement** changed git's own setup; it was put back: `.git/config`, `.git/hooks/pre-commit`"
      ].join('\n')
    )
    expect(phaseTable([])).toContain('| **Total** | 0.0s | 0 | 0 | $0.0000 |')
  })
})

describe('questionsSection', () => {
  it('is empty when no phase asked anything', () => {
    expect(questionsSection([phase('index'), phase('plan')])).toBe('')
  })

  it('lists questions in a collapsed section, quoted, with who answered', () => {
    const section = questionsSection([
      phase('research', {
        questions: [{ question: 'Which store?\nRedis or memory?', answer: 'Memory.', answeredBy: 'openai' }]
      }),
      phase('plan', { questions: [{ question: 'Count HEAD?', answer: 'Yes.', answeredBy: 'fallback' }] })
    ])
    expect(section).toBe(
      [
        '<details><summary>Questions Claude asked (2)</summary>',
        '',
        '**research** asked:',
        '> Which store?',
        '> Redis or memory?',
        '',
        'Answered by openai: Memory.',
        '',
        '**plan** asked:',
        '> Count HEAD?',
        '',
        'Answered by fallback: Yes.',
        '',
        '</details>'
      ].join('\n')
    )
  })

  it('neutralizes the questions and answers', () => {
    const section = questionsSection([
      phase('plan', { questions: [{ question: 'Ask @alice? -->', answer: '<!-- no', answeredBy: 'azure' }] })
    ])
    expect(section).not.toContain('-->')
    expect(section).not.toContain('<!--')
    expect(section).not.toMatch(/@alice/)
  })

  it('truncates many questions but keeps the section closed', () => {
    const questions = Array.from({ length: 500 }, (_, i) => ({
      question: `Question ${i}? ${'detail '.repeat(10)}`,
      answer: 'ok',
      answeredBy: 'openai' as const
    }))
    const section = questionsSection([phase('plan', { questions })], 2000)
    expect(section.length).toBeLessThan(2200)
    expect(section).toContain('Questions Claude asked (500)')
    expect(section).toContain('_truncated: see the run log_')
    expect(section.endsWith('\n\n</details>')).toBe(true)
  })
})

describe('blobUrl', () => {
  const repo = { owner: 'acme', repo: 'widgets' }

  it('links a file at a commit, with an optional line anchor', () => {
    expect(blobUrl('https://github.com', repo, 'abc123', 'src/limiter.ts')).toBe(
      'https://github.com/acme/widgets/blob/abc123/src/limiter.ts'
    )
    expect(blobUrl('https://github.com', repo, 'abc123', 'src/limiter.ts', 40)).toBe(
      'https://github.com/acme/widgets/blob/abc123/src/limiter.ts#L40'
    )
    expect(blobUrl('https://github.com', repo, 'abc123', 'src/limiter.ts', null)).toBe(
      'https://github.com/acme/widgets/blob/abc123/src/limiter.ts'
    )
  })

  it('encodes each path segment but keeps the slashes', () => {
    expect(blobUrl('https://ghe.example.com', repo, 'abc', 'docs/My Notes/#1 (draft)?.md')).toBe(
      'https://ghe.example.com/acme/widgets/blob/abc/docs/My%20Notes/%231%20%28draft%29%3F.md'
    )
    expect(blobUrl('https://github.com', repo, 'abc', 'packages/@scope/größe.ts', 3)).toBe(
      'https://github.com/acme/widgets/blob/abc/packages/%40scope/gr%C3%B6%C3%9Fe.ts#L3'
    )
  })

  it('keeps a markdown link intact even for a path with brackets and parentheses', () => {
    const url = blobUrl('https://github.com', repo, 'abc', 'a/[x] (y).md')
    expect(url).not.toMatch(/[\s[\]]/)
  })
})
