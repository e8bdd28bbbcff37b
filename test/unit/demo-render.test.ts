/** The demo's small markdown renderer (scripts/demo/render.ts). */
import { describe, expect, it } from '@jest/globals'
import {
  markdownToHtml,
  markdownToTerminal,
  makeStyles,
  renderPage,
  visibleWidth,
  type PageView
} from '../../scripts/demo/render.js'
import { editFor, testSummary } from '../../scripts/demo/story.js'

const plain = makeStyles(false)

describe('markdownToHtml', () => {
  it('drops hidden markers and escapes raw HTML other than details/summary', () => {
    const html = markdownToHtml(
      '<!-- orchestrator:plan abc -->\n## Title\n\n<details><summary>More</summary>\n\n<script>alert(1)</script> &lt;!-- kept\n\n</details>'
    )
    expect(html).not.toContain('orchestrator:plan')
    expect(html).toContain('<h2>Title</h2>')
    expect(html).toContain('<details><summary>More</summary>')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &lt;!-- kept')
    expect(html).toContain('</details>')
  })

  it('renders lists with continuation lines, nested lists, tables, fences, quotes and inline markup', () => {
    const md = [
      '- **Title** [`a.js:3`](https://example.com/a.js#L3) _(tests)_',
      '  The detail.',
      '1. one',
      '   - nested',
      '',
      '| A | B |',
      '|---|--:|',
      '| `x \\| y` | 2 |',
      '',
      '```sh',
      'npm test <x>',
      '```',
      '> quoted',
      '',
      'Link: [bad](javascript:alert(1))'
    ].join('\n')
    const html = markdownToHtml(md)
    expect(html).toContain(
      '<li><strong>Title</strong> <a href="https://example.com/a.js#L3"><code>a.js:3</code></a> <em>(tests)</em><br>\nThe detail.</li>'
    )
    expect(html).toMatch(/<ol>\n<li>one\n<ul>\n<li>nested<\/li>\n<\/ul><\/li>\n<\/ol>/)
    expect(html).toContain('<td><code>x | y</code></td><td style="text-align:right">2</td>')
    expect(html).toContain('<pre class="lang-sh"><code>npm test &lt;x&gt;</code></pre>')
    expect(html).toContain('<blockquote>\n<p>quoted</p>\n</blockquote>')
    expect(html).toContain('<a href="#">bad</a>')
  })
})

describe('markdownToTerminal', () => {
  it('shows what GitHub shows: no markers, bullets, aligned tables, wrapped paragraphs, entities decoded', () => {
    const md =
      '<!-- orchestrator:status -->\n### Status\n\n- **a** &lt;!-- b\n\n| Phase | Cost |\n|---|---:|\n| ✅ plan | $1 |\n\n' +
      'word '.repeat(30)
    const text = markdownToTerminal(md, plain, 40)
    expect(text).not.toContain('orchestrator:status')
    expect(text).toContain('• a <!-- b')
    expect(text).toContain('Phase   │ Cost\n────────┼─────\n✅ plan │   $1')
    expect(text.split('\n').every(l => visibleWidth(l) <= 40)).toBe(true)
  })
})

describe('demo story helpers', () => {
  it('editFor finds a unique old_string that turns one file into the other', () => {
    const before = 'a\nb\nc\nb\nd\n'
    const after = 'a\nb\nc\nb\nX\nd\n'
    const edit = editFor(before, after)
    expect(before.split(edit.old_string)).toHaveLength(2)
    expect(before.replace(edit.old_string, edit.new_string)).toBe(after)
  })

  it('testSummary reads both the TAP and the spec reporter', () => {
    expect(testSummary('# tests 8\n# suites 0\n# pass 8\n# fail 0\n')).toEqual({ tests: 8, pass: 8, fail: 0 })
    expect(testSummary('ℹ tests 3\nℹ pass 2\nℹ fail 1\n')).toEqual({ tests: 3, pass: 2, fail: 1 })
    expect(testSummary('no summary')).toBeNull()
  })
})

describe('renderPage', () => {
  const view: PageView = {
    repo: 'acme/widgets',
    generatedAt: '2026-01-01',
    intro: 'intro',
    issue: { number: 1, title: 'T', author: 'mia', body: 'body', labels: [], state: 'Open' },
    timeline: [
      {
        kind: 'comment',
        author: 'bot',
        bot: true,
        at: '2026-01-01T00:00:00Z',
        body: '| Step | File | Change |\n|---|---|---|\n| 1 | `a.js` | a long change |\n\n```diff\n-a\n+b\n```'
      }
    ],
    pr: {
      number: 2,
      title: 'PR',
      author: 'bot',
      head: 'h',
      base: 'main',
      body: 'b',
      url: 'https://github.com/acme/widgets/pull/2',
      diffStat: ' a.js | 2 +-',
      diff: 'diff --git a/a.js b/a.js\nindex 1..2 100644\n--- a/a.js\n+++ b/a.js\n@@ -1 +1 @@\n-a\n+b\n'
    }
  }
  const html = renderPage(view)

  it('shows each diff line once, without a blank line after it', () => {
    // Each line is a block-level span; a newline between two of them inside <pre> is a second, empty line.
    const pres = html.match(/<pre class="(?:diff|lang-diff)">[\s\S]*?<\/pre>/g) ?? []
    expect(pres).toHaveLength(2)
    for (const pre of pres) {
      expect(pre).toContain('<span class="del">-a</span><span class="add">+b</span>')
      expect(pre).not.toMatch(/<\/span>\n/)
    }
  })

  it('never breaks a table header inside a word ("Ste p")', () => {
    const css = html.match(/<style>([\s\S]*?)<\/style>/)?.[1] ?? ''
    // `overflow-wrap:anywhere` lowers a cell's min-content width to one letter, so auto table layout squeezes short columns.
    expect(css).not.toMatch(/overflow-wrap:\s*anywhere|word-break:\s*break-all/)
    expect(css).toMatch(/th \{[^}]*white-space:nowrap/)
    expect(html).toContain('<th>Step</th>')
  })
})
