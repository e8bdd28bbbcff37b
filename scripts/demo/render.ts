/**
 * Just enough GitHub-flavoured markdown for the demo: to styled terminal text
 * and to HTML. Headings, paragraphs, lists (nested, with continuation lines),
 * code fences, tables, block quotes and alerts, details/summary, links, code
 * spans, bold and italic. Everything else is escaped and shown as text.
 */

// ------------------------------------------------------------------ shared

/** GitHub does not show HTML comments (the bot's state markers): neither do we. */
export function stripHidden(md: string): string {
  return md.replace(/<!--[\s\S]*?-->/g, '').replace(/^\s*\n/, '')
}

interface InlineOps {
  text(s: string): string
  code(s: string): string
  bold(s: string): string
  italic(s: string): string
  link(text: string, url: string): string
}

const LINK = /\[((?:`[^`]*`|[^\]`])+)\]\(([^)\s]+)\)/g
const URL_RE = /\bhttps?:\/\/[^\s<>)\]]+[^\s<>)\].,;:!?'"]/g

function inline(src: string, ops: InlineOps): string {
  const slots: string[] = []
  const keep = (rendered: string) => `\ue000${slots.push(rendered) - 1}\ue001`
  let s = src.replace(LINK, (_m, text: string, url: string) => keep(ops.link(inline(text, ops), url)))
  s = s.replace(/`([^`]+)`/g, (_m, code: string) => keep(ops.code(code)))
  s = s.replace(URL_RE, url => keep(ops.link(ops.text(url), url)))
  s = ops.text(s)
  s = s.replace(/\*\*(.+?)\*\*/g, (_m, inner: string) => ops.bold(inner))
  s = s.replace(/(^|[^\w])_([^_\n]+?)_(?!\w)/g, (_m, before: string, inner: string) => before + ops.italic(inner))
  s = s.replace(/(^|[^\w*])\*([^*\n]+?)\*(?![\w*])/g, (_m, before: string, inner: string) => before + ops.italic(inner))
  // Slots may hold slots (a code span inside a link): restore until none are left.
  while (/\ue000\d+\ue001/.test(s)) s = s.replace(/\ue000(\d+)\ue001/g, (_m, i: string) => slots[Number(i)] ?? '')
  return s
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)\s*$/
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/
const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/
const DETAILS_OPEN = /^\s*<details(?:\s+open)?>\s*(?:<summary>(.*?)<\/summary>)?\s*$/i
const SUMMARY = /^\s*<summary>(.*?)<\/summary>\s*$/i
const DETAILS_CLOSE = /^\s*<\/details>\s*$/i
const LIST_ITEM = /^(\s*)([-*+]|\d+[.)])(\s+)/
const ALERT = /^\s*\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$/i

function isTableStart(lines: string[], i: number): boolean {
  return (lines[i] ?? '').trim().startsWith('|') && TABLE_SEPARATOR.test(lines[i + 1] ?? '')
}

function tableCells(line: string): string[] {
  const cells: string[] = []
  let current = ''
  let inCode = false
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '')
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string
    if (ch === '\\' && body[i + 1] === '|') {
      current += '|'
      i++
    } else if (ch === '`') {
      inCode = !inCode
      current += ch
    } else if (ch === '|' && !inCode) {
      cells.push(current.trim())
      current = ''
    } else {
      current += ch
    }
  }
  cells.push(current.trim())
  return cells
}

function alignments(separator: string): Array<'left' | 'right' | 'center' | null> {
  return tableCells(separator).map(c =>
    c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : null
  )
}

function indentOf(line: string): number {
  return (line.match(/^\s*/)?.[0] ?? '').replace(/\t/g, '    ').length
}

function startsBlock(line: string): boolean {
  return (
    FENCE.test(line) ||
    HEADING.test(line) ||
    LIST_ITEM.test(line) ||
    /^\s*>/.test(line) ||
    DETAILS_OPEN.test(line) ||
    DETAILS_CLOSE.test(line) ||
    line.trim().startsWith('|')
  )
}

// ------------------------------------------------------------------ terminal

export interface Styles {
  enabled: boolean
  bold(s: string): string
  dim(s: string): string
  italic(s: string): string
  underline(s: string): string
  red(s: string): string
  green(s: string): string
  yellow(s: string): string
  blue(s: string): string
  magenta(s: string): string
  cyan(s: string): string
}

export function makeStyles(enabled: boolean): Styles {
  const sgr = (open: number, close: number) => (s: string) => (enabled && s ? `\u001b[${open}m${s}\u001b[${close}m` : s)
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    italic: sgr(3, 23),
    underline: sgr(4, 24),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    magenta: sgr(35, 39),
    cyan: sgr(36, 39)
  }
}

export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '')
}

/** Columns a string takes in a terminal: emoji are two wide, joiners and variation selectors none. */
export function visibleWidth(s: string): number {
  let width = 0
  for (const ch of stripAnsi(s)) {
    const cp = ch.codePointAt(0) ?? 0
    if ((cp >= 0x200b && cp <= 0x200d) || cp === 0xfe0e || cp === 0xfe0f || (cp >= 0x300 && cp <= 0x36f)) continue
    width += /\p{Extended_Pictographic}|[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/u.test(ch)
      ? 2
      : 1
  }
  return width
}

function padTo(s: string, width: number, align: 'left' | 'right' | 'center' | null): string {
  const gap = Math.max(0, width - visibleWidth(s))
  if (align === 'right') return ' '.repeat(gap) + s
  if (align === 'center') return ' '.repeat(Math.floor(gap / 2)) + s + ' '.repeat(Math.ceil(gap / 2))
  return s + ' '.repeat(gap)
}

export function terminalInline(s: string, st: Styles): string {
  return inline(s, {
    text: decodeEntities,
    code: c => (st.enabled ? st.cyan(c) : `\`${c}\``),
    bold: st.bold,
    italic: st.italic,
    link: text => st.underline(text)
  })
}

export function colorDiffLine(line: string, st: Styles): string {
  if (/^(diff --git|index |--- |\+\+\+ |new file mode|deleted file mode)/.test(line)) return st.bold(line)
  if (line.startsWith('@@')) return st.cyan(line)
  if (line.startsWith('+')) return st.green(line)
  if (line.startsWith('-')) return st.red(line)
  return line
}

/** Runs of non-blank text, keeping code spans, links, bold and italic (which may hold spaces) whole. */
const WORD = /(?:\[(?:`[^`]*`|[^\]`])+\]\([^)\s]+\)|`[^`]+`|\*\*[^*]+?\*\*|(?<!\w)_[^_\n]+?_(?!\w)|\S)+/g

/** Inline markdown, styled and word-wrapped to `width` columns. */
export function wrapInline(raw: string, width: number, st: Styles): string[] {
  const lines: string[][] = [[]]
  let used = 0
  for (const word of raw.match(WORD) ?? []) {
    const w = visibleWidth(terminalInline(word, st))
    const current = lines[lines.length - 1] as string[]
    if (current.length && used + 1 + w > width) {
      lines.push([word])
      used = w
    } else {
      used += (current.length ? 1 : 0) + w
      current.push(word)
    }
  }
  return lines.map(words => terminalInline(words.join(' '), st))
}

/** Column widths that fit `room`: narrow columns keep their width, wide ones share what is left. */
function fitColumns(natural: number[], room: number): number[] {
  const widths = [...natural]
  let left = room
  const order = natural.map((w, i) => ({ w, i })).sort((a, b) => a.w - b.w)
  order.forEach(({ w, i }, k) => {
    const share = Math.max(8, Math.floor(left / (order.length - k)))
    widths[i] = Math.min(w, share)
    left -= widths[i] as number
  })
  return widths
}

function terminalTable(
  rows: string[][],
  align: Array<'left' | 'right' | 'center' | null>,
  width: number,
  st: Styles
): string[] {
  const columns = Math.max(...rows.map(r => r.length))
  const natural = Array.from({ length: columns }, (_c, ci) =>
    Math.max(1, ...rows.map(r => visibleWidth(terminalInline(r[ci] ?? '', st))))
  )
  const widths = fitColumns(natural, width - 3 * (columns - 1))
  const out: string[] = []
  rows.forEach((row, ri) => {
    const cells = widths.map((w, ci) => wrapInline(row[ci] ?? '', w, st).map(l => (ri === 0 ? st.bold(l) : l)))
    const height = Math.max(...cells.map(c => c.length))
    for (let h = 0; h < height; h++) {
      out.push(
        widths
          .map((w, ci) => padTo(cells[ci]?.[h] ?? '', w, align[ci] ?? null))
          .join(st.dim(' │ '))
          .trimEnd()
      )
    }
    if (ri === 0) out.push(st.dim(widths.map(w => '─'.repeat(w)).join('─┼─')))
  })
  return out
}

/** Markdown as a maintainer would read it, in a terminal `width` columns wide. Collapsed sections are marked with a bar. */
export function markdownToTerminal(md: string, st: Styles, width = 98): string {
  const lines = stripHidden(md).split('\n')
  const out: string[] = []
  const blank = (l: string) => !stripAnsi(l).replace(/┊/g, '').trim()
  let depth = 0
  const bar = () => st.dim('┊ '.repeat(depth))
  const room = () => Math.max(20, width - 2 * depth)
  const emit = (...rendered: string[]) => out.push(...rendered.map(l => (l ? bar() + l : depth ? bar().trimEnd() : '')))
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const fence = line.match(FENCE)
    if (fence) {
      const close = fence[2] as string
      const lang = fence[3] ?? ''
      for (i++; i < lines.length && !(lines[i] as string).trim().startsWith(close); i++) {
        const code = lines[i] as string
        emit(`${st.dim('│')} ${lang === 'diff' ? colorDiffLine(code, st) : st.dim(code)}`)
      }
      continue
    }
    if (isTableStart(lines, i)) {
      const align = alignments(lines[i + 1] as string)
      const rows = [tableCells(line)]
      for (i += 2; i < lines.length && (lines[i] as string).trim().startsWith('|'); i++)
        rows.push(tableCells(lines[i] as string))
      i--
      emit(...terminalTable(rows, align, room(), st))
      continue
    }
    const heading = line.match(HEADING)
    if (heading) {
      if (out.length && !blank(out[out.length - 1] as string)) emit('')
      const text = terminalInline(heading[2] as string, st)
      emit((heading[1] as string).length <= 2 ? st.bold(st.magenta(text)) : st.bold(text))
      continue
    }
    const details = line.match(DETAILS_OPEN)
    if (details) {
      if (details[1] !== undefined) emit(st.bold(`▸ ${terminalInline(details[1], st)}`))
      depth++
      continue
    }
    const summary = line.match(SUMMARY)
    if (summary) {
      depth--
      emit(st.bold(`▸ ${terminalInline(summary[1] as string, st)}`))
      depth++
      continue
    }
    if (DETAILS_CLOSE.test(line)) {
      depth = Math.max(0, depth - 1)
      continue
    }
    const quote = line.match(/^(\s*)>\s?(.*)$/)
    if (quote) {
      const lead = `${quote[1]}${st.dim('│')} `
      const alert = (quote[2] as string).match(ALERT)
      if (alert) emit(lead + st.bold((alert[1] as string)[0] + (alert[1] as string).slice(1).toLowerCase()))
      else emit(...wrapInline(quote[2] as string, room() - visibleWidth(lead), st).map(l => lead + l))
      continue
    }
    const item = line.match(LIST_ITEM)
    if (item) {
      const marker = `${item[1]}${/\d/.test(item[2] as string) ? (item[2] as string) : '•'}${item[3]}`
      const hang = ' '.repeat(visibleWidth(marker))
      emit(...wrapInline(line.slice(item[0].length), room() - hang.length, st).map((l, k) => (k ? hang : marker) + l))
      continue
    }
    if (!line.trim()) {
      emit('')
      continue
    }
    const lead = line.match(/^\s*/)?.[0] ?? ''
    emit(...wrapInline(line, room() - lead.length, st).map(l => lead + l))
  }
  // No runs of blank lines, none at either end.
  while (out.length && blank(out[out.length - 1] as string)) out.pop()
  return out
    .filter((l, k) => !(blank(l) && (k === 0 || blank(out[k - 1] as string))))
    .join('\n')
    .trim()
}

// ------------------------------------------------------------------ HTML

const ENTITY = /&(?:[a-z][a-z0-9]*|#\d+|#x[0-9a-f]+);/i

/** Markdown text may carry HTML entities (the bot writes `&lt;!--` for model text): GitHub shows them decoded. */
function decodeEntities(s: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ' }
  return s.replace(new RegExp(ENTITY.source, 'gi'), e => {
    const name = e.slice(1, -1)
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1))
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : e
    }
    return named[name.toLowerCase()] ?? e
  })
}

/** HTML-escapes markdown text, keeping the entities it already holds (as GitHub does). */
function escapeText(s: string): string {
  return s
    .split(new RegExp(`(${ENTITY.source})`, 'i'))
    .map((part, i) => (i % 2 ? part : escapeHtml(part)))
    .join('')
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

function safeUrl(url: string): string {
  return /^(https?:|mailto:|#|\/)/i.test(url) ? url : '#'
}

export function htmlInline(s: string): string {
  return inline(s, {
    text: escapeText,
    code: c => `<code>${escapeHtml(c)}</code>`,
    bold: t => `<strong>${t}</strong>`,
    italic: t => `<em>${t}</em>`,
    link: (text, url) => `<a href="${escapeHtml(safeUrl(url))}">${text}</a>`
  })
}

export function diffToHtml(diff: string): string {
  const files = diff.split(/^(?=diff --git )/m).filter(f => f.trim())
  return files
    .map(file => {
      const lines = file.replace(/\n$/, '').split('\n')
      const name = (lines[0] ?? '').match(/ b\/(.+)$/)?.[1] ?? lines[0] ?? ''
      const firstHunk = lines.findIndex(l => l.startsWith('@@'))
      const body = firstHunk < 0 ? [] : lines.slice(firstHunk)
      // Block-level spans, joined without newlines: inside <pre> each newline would add a blank line.
      const rows = body.map(colorDiffHtml).join('')
      const adds = body.filter(l => l.startsWith('+')).length
      const dels = body.filter(l => l.startsWith('-')).length
      return `<details class="file" open><summary><code>${escapeHtml(name)}</code> <span class="stat"><span class="plus">+${adds}</span> <span class="minus">−${dels}</span></span></summary><pre class="diff">${rows}</pre></details>`
    })
    .join('\n')
}

function listToHtml(lines: string[], start: number): { html: string; next: number } {
  const first = (lines[start] as string).match(LIST_ITEM) as RegExpMatchArray
  const base = indentOf(first[1] as string)
  const ordered = /\d/.test(first[2] as string)
  const items: string[][] = []
  let i = start
  while (i < lines.length) {
    const line = lines[i] as string
    const m = line.match(LIST_ITEM)
    if (m && indentOf(m[1] as string) === base && /\d/.test(m[2] as string) === ordered) {
      items.push([line.slice(m[0].length)])
      i++
      continue
    }
    const current = items[items.length - 1] as string[]
    if (!line.trim()) {
      let j = i
      while (j < lines.length && !(lines[j] as string).trim()) j++
      if (j < lines.length && indentOf(lines[j] as string) > base) {
        current.push('')
        i++
        continue
      }
      break
    }
    if (indentOf(line) > base) {
      const strip = Math.min(indentOf(line), base + (first[2] as string).length + (first[3] as string).length)
      current.push(line.replace(/\t/g, '    ').slice(strip))
      i++
      continue
    }
    break
  }
  const rendered = items.map(item => {
    let lead = 0
    while (lead < item.length && (item[lead] as string).trim() && (lead === 0 || !startsBlock(item[lead] as string)))
      lead++
    const text = item
      .slice(0, lead)
      .map(l => htmlInline(l.trim()))
      .join('<br>\n')
    const rest = item.slice(lead)
    return `<li>${text}${rest.some(l => l.trim()) ? `\n${blocksToHtml(rest)}` : ''}</li>`
  })
  const startAttr =
    ordered && Number.parseInt(first[2] as string, 10) !== 1
      ? ` start="${Number.parseInt(first[2] as string, 10)}"`
      : ''
  const tag = ordered ? 'ol' : 'ul'
  return { html: `<${tag}${startAttr}>\n${rendered.join('\n')}\n</${tag}>`, next: i }
}

function blocksToHtml(lines: string[]): string {
  const out: string[] = []
  const paragraph: string[] = []
  const flush = () => {
    if (paragraph.length) out.push(`<p>${paragraph.map(l => htmlInline(l.trim())).join('<br>\n')}</p>`)
    paragraph.length = 0
  }
  let i = 0
  while (i < lines.length) {
    const line = lines[i] as string
    const fence = line.match(FENCE)
    if (fence) {
      flush()
      const code: string[] = []
      for (i++; i < lines.length && !(lines[i] as string).trim().startsWith(fence[2] as string); i++)
        code.push(lines[i] as string)
      i++
      const lang = fence[3] ?? ''
      // Diff lines are block-level spans: a newline between them inside <pre> would be an extra blank line.
      const body = lang === 'diff' ? code.map(l => colorDiffHtml(l)).join('') : escapeHtml(code.join('\n'))
      out.push(`<pre${lang ? ` class="lang-${escapeHtml(lang)}"` : ''}><code>${body}</code></pre>`)
      continue
    }
    if (!line.trim()) {
      flush()
      i++
      continue
    }
    const heading = line.match(HEADING)
    if (heading) {
      flush()
      const level = (heading[1] as string).length
      out.push(`<h${level}>${htmlInline(heading[2] as string)}</h${level}>`)
      i++
      continue
    }
    if (/^\s*(-{3,}|\*{3,}|_{3,})\s*$/.test(line) && !paragraph.length) {
      out.push('<hr>')
      i++
      continue
    }
    const details = line.match(DETAILS_OPEN)
    if (details) {
      flush()
      out.push(`<details>${details[1] !== undefined ? `<summary>${htmlInline(details[1])}</summary>` : ''}`)
      i++
      continue
    }
    const summary = line.match(SUMMARY)
    if (summary) {
      flush()
      out.push(`<summary>${htmlInline(summary[1] as string)}</summary>`)
      i++
      continue
    }
    if (DETAILS_CLOSE.test(line)) {
      flush()
      out.push('</details>')
      i++
      continue
    }
    if (isTableStart(lines, i)) {
      flush()
      const align = alignments(lines[i + 1] as string)
      const cell = (tag: string, c: string, ci: number) =>
        `<${tag}${align[ci] ? ` style="text-align:${align[ci]}"` : ''}>${htmlInline(c)}</${tag}>`
      const head = tableCells(line).map((c, ci) => cell('th', c, ci))
      const rows: string[] = []
      for (i += 2; i < lines.length && (lines[i] as string).trim().startsWith('|'); i++) {
        rows.push(
          `<tr>${tableCells(lines[i] as string)
            .map((c, ci) => cell('td', c, ci))
            .join('')}</tr>`
        )
      }
      out.push(`<table>\n<thead><tr>${head.join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`)
      continue
    }
    if (/^\s*>/.test(line)) {
      flush()
      const quoted: string[] = []
      for (; i < lines.length && /^\s*>/.test(lines[i] as string); i++)
        quoted.push((lines[i] as string).replace(/^\s*>\s?/, ''))
      const alert = (quoted[0] ?? '').match(ALERT)
      if (alert) {
        const kind = (alert[1] as string).toLowerCase()
        out.push(
          `<blockquote class="alert alert-${kind}"><p class="alert-title">${kind[0]?.toUpperCase()}${kind.slice(1)}</p>\n${blocksToHtml(quoted.slice(1))}</blockquote>`
        )
      } else {
        out.push(`<blockquote>\n${blocksToHtml(quoted)}\n</blockquote>`)
      }
      continue
    }
    if (LIST_ITEM.test(line)) {
      flush()
      const list = listToHtml(lines, i)
      out.push(list.html)
      i = list.next
      continue
    }
    paragraph.push(line)
    i++
  }
  flush()
  return out.join('\n')
}

function colorDiffHtml(line: string): string {
  const cls = line.startsWith('@@') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx'
  return `<span class="${cls}">${escapeHtml(line) || ' '}</span>`
}

/** Markdown as GitHub would show it (hidden markers dropped, raw HTML other than details/summary escaped). */
export function markdownToHtml(md: string): string {
  return blocksToHtml(stripHidden(md).split('\n'))
}

// ------------------------------------------------------------------ the page

export interface PageEntry {
  kind: 'comment' | 'event'
  /** Anchor in the page (`issuecomment-<id>` for comments). */
  anchor?: string
  author: string
  bot: boolean
  at: string
  edited?: boolean
  /** Markdown for comments, plain text for events. */
  body: string
  reactions?: string[]
}

export interface PageView {
  repo: string
  generatedAt: string
  intro: string
  issue: { number: number; title: string; author: string; body: string; labels: string[]; state: string }
  timeline: PageEntry[]
  pr: {
    number: number
    title: string
    author: string
    head: string
    base: string
    body: string
    url: string
    diffStat: string
    diff: string
  }
}

const CSS = `
:root { color-scheme: light; --fg:#1f2328; --muted:#59636e; --border:#d1d9e0; --bg:#f6f8fa; --accent:#0969da; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif; color:var(--fg); background:#fff; }
main { max-width: 980px; margin: 0 auto; padding: 24px 16px 64px; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
.banner { background:#ddf4ff; border:1px solid #54aeff66; border-radius:6px; padding:12px 16px; margin-bottom:24px; }
h1.title { font-size:26px; font-weight:400; margin:8px 0 4px; } h1.title .num { color:var(--muted); }
.meta { color:var(--muted); padding-bottom:16px; border-bottom:1px solid var(--border); margin-bottom:16px; }
.state { display:inline-block; border-radius:2em; padding:2px 10px; color:#fff; font-weight:500; margin-right:6px; }
.state.open { background:#1f883d; } .state.pr { background:#8250df; }
.label { display:inline-block; border-radius:2em; padding:0 8px; font-size:12px; font-weight:500; background:#ddf4ff; border:1px solid #54aeff66; margin-right:4px; }
.comment { border:1px solid var(--border); border-radius:6px; margin:16px 0; }
.comment > header { background:var(--bg); border-bottom:1px solid var(--border); padding:8px 16px; color:var(--muted); border-radius:6px 6px 0 0; }
.comment > header b { color:var(--fg); }
.comment.bot > header { background:#fff8c5; }
.badge { border:1px solid var(--border); border-radius:2em; padding:0 6px; font-size:12px; margin-left:4px; }
/* break-word, not anywhere: anywhere lets table layout squeeze a column to one letter ("Ste p"). */
.comment .body { padding:8px 16px; overflow-wrap:break-word; }
.reactions { padding:0 16px 12px; } .reactions span { border:1px solid var(--border); border-radius:2em; padding:0 8px; margin-right:4px; }
.event { color:var(--muted); margin:8px 0 8px 16px; padding-left:16px; border-left:2px solid var(--border); }
section { margin-top:40px; }
table { border-collapse:collapse; margin:8px 0; display:block; overflow:auto; }
th, td { border:1px solid var(--border); padding:4px 10px; } th { background:var(--bg); white-space:nowrap; }
code { background:#eff1f3; border-radius:4px; padding:1px 4px; font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
pre { background:var(--bg); border-radius:6px; padding:12px; overflow:auto; } pre code { background:none; padding:0; }
blockquote { margin:8px 0; padding:0 12px; color:var(--muted); border-left:4px solid var(--border); }
blockquote.alert { color:var(--fg); border-left-color:var(--accent); } .alert-title { color:var(--accent); font-weight:600; margin:4px 0; }
details { margin:8px 0; } summary { cursor:pointer; font-weight:500; }
.file { border:1px solid var(--border); border-radius:6px; margin:12px 0; } .file > summary { background:var(--bg); padding:8px 12px; }
.file .stat .plus { color:#1a7f37; } .file .stat .minus { color:#d1242f; }
pre.diff { margin:0; border-radius:0 0 6px 6px; background:#fff; padding:0; font:12px/1.6 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
pre.diff span, pre.lang-diff span { display:block; padding:0 12px; white-space:pre; }
.add { background:#dafbe1; } .del { background:#ffebe9; } .hunk { background:#ddf4ff; color:var(--muted); }
.diffstat { white-space:pre; }
`

export function renderPage(v: PageView): string {
  const labels = v.issue.labels.map(l => `<span class="label">${escapeHtml(l)}</span>`).join('')
  const timeline = v.timeline
    .map(e => {
      const when = escapeHtml(new Date(e.at).toLocaleString())
      if (e.kind === 'event')
        return `<div class="event"><b>${escapeHtml(e.author)}</b> ${htmlInline(e.body)} · ${when}</div>`
      const reactions = e.reactions?.length
        ? `<div class="reactions">${e.reactions.map(r => `<span>${escapeHtml(r)}</span>`).join('')}</div>`
        : ''
      return [
        `<article class="comment${e.bot ? ' bot' : ''}"${e.anchor ? ` id="${escapeHtml(e.anchor)}"` : ''}>`,
        `<header><b>${escapeHtml(e.author)}</b>${e.bot ? '<span class="badge">bot</span>' : ''} commented · ${when}${e.edited ? ' · edited' : ''}</header>`,
        `<div class="body">\n${markdownToHtml(e.body)}\n</div>${reactions}`,
        '</article>'
      ].join('\n')
    })
    .join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${v.issue.title} · Issue #${v.issue.number} · ${v.repo}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<div class="banner">${htmlInline(v.intro)}<br><small>Generated ${escapeHtml(v.generatedAt)}</small></div>
<section class="issue">
<div>${escapeHtml(v.repo)}</div>
<h1 class="title">${htmlInline(v.issue.title)} <span class="num">#${v.issue.number}</span></h1>
<div class="meta"><span class="state open">${escapeHtml(v.issue.state)}</span><b>${escapeHtml(v.issue.author)}</b> opened this issue · ${labels}</div>
<article class="comment">
<header><b>${escapeHtml(v.issue.author)}</b> opened this issue</header>
<div class="body">\n${markdownToHtml(v.issue.body)}\n</div>
</article>
${timeline}
</section>
<section class="pr" id="pull-request">
<h1 class="title">${htmlInline(v.pr.title)} <span class="num">#${v.pr.number}</span></h1>
<div class="meta"><span class="state pr">Open</span><b>${escapeHtml(v.pr.author)}</b> wants to merge <code>${escapeHtml(v.pr.head)}</code> into <code>${escapeHtml(v.pr.base)}</code> · <a href="${escapeHtml(safeUrl(v.pr.url))}">${escapeHtml(v.pr.url)}</a></div>
<article class="comment">
<header><b>${escapeHtml(v.pr.author)}</b> opened this pull request</header>
<div class="body">\n${markdownToHtml(v.pr.body)}\n</div>
</article>
<h2>Files changed</h2>
<pre class="diffstat">${escapeHtml(v.pr.diffStat)}</pre>
${diffToHtml(v.pr.diff)}
</section>
</main>
</body>
</html>
`
}
