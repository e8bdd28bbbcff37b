/**
 * Finds a secret's forms (secret-forms.ts) in text, also where a line break
 * falls inside one. Encoders wrap their output (`base64` at 76 characters,
 * `openssl base64` at 64, `xxd -p` at 60), and where the break lands in the
 * secret's run depends on whatever came before it in the stream: a search
 * for the unbroken form misses about half of them.
 */

/**
 * A line break as the texts we check carry it: raw (LF or CRLF), or escaped
 * as JSON writes it (ledger records, the progress log's events).
 */
const BREAK = /\r?\n|(?:\\r)?\\n/g
/**
 * The text as it is, too: a break's pattern can eat part of an unbroken form
 * (`C:\npm_…`: the escaped-break reading takes `\n` out of the token).
 */
const NO_BREAK = /(?!)/g
/** The same, with the mark (`+`, `-` or a space) a unified diff starts each line with: the review reads the change as a diff. */
const DIFF_BREAK = /(?:\r?\n|(?:\\r)?\\n)[+ -]?/g

/**
 * Why the text is searched with its breaks taken out, rather than with one
 * regex per form that allows a break between any two characters: such a
 * regex has a group after every character, and V8 takes a few hundred
 * milliseconds to compile one for a 1,000-byte secret (an AWS session token:
 * 2,000 hex characters), then runs it interpreted. Taking the breaks out is
 * one linear pass, and the forms are then found with `indexOf` as before: a
 * text without a secret costs two `replace`s more than it did. Two broken views,
 * because a `+`, `-` or space after a break is either a diff's mark or the
 * form's next character, and nothing but a second reading tells which; and
 * the text untouched, where the forms are found exactly as they are.
 */
const VIEWS = [NO_BREAK, BREAK, DIFF_BREAK]

/** A form shorter than this would match ordinary text (the floor secretForms keeps). */
const SHORTEST = 8

/** `text` without its breaks, and where each of its characters was in `text`. */
function joined(text: string, breaks: RegExp): { text: string; at: Uint32Array } {
  const at = new Uint32Array(text.length)
  const parts: string[] = []
  let n = 0
  let from = 0
  for (const m of text.matchAll(breaks)) {
    parts.push(text.slice(from, m.index))
    for (let i = from; i < m.index; i++) at[n++] = i
    from = m.index + m[0].length
  }
  parts.push(text.slice(from))
  for (let i = from; i < text.length; i++) at[n++] = i
  return { text: parts.join(''), at: at.subarray(0, n) }
}

export class FormMatcher {
  /** For each view, every form as it reads there (a form that itself spans lines loses its breaks too). */
  private readonly views = VIEWS.map(breaks => ({ breaks, forms: [] as string[] }))

  constructor(forms: Iterable<string> = []) {
    this.add(forms)
  }

  add(forms: Iterable<string>): void {
    for (const form of forms)
      for (const view of this.views) {
        const seen = form.replace(view.breaks, '')
        if (seen.length >= SHORTEST && !view.forms.includes(seen)) view.forms.push(seen)
      }
  }

  /** Whether the text holds a form, whole or broken across lines. */
  found(text: string): boolean {
    return this.views.some(view => {
      if (!view.forms.length) return false
      const seen = text.replace(view.breaks, '')
      return view.forms.some(form => seen.includes(form))
    })
  }

  /**
   * Every character of every form found becomes part of a mask: one `mask`
   * for each run of them. The line breaks (and a diff's marks) inside a
   * broken form are kept, so a form over two lines leaves a mask on each:
   * the text keeps its lines (a diff its hunks, a log its line count, JSON
   * its escapes), and where the breaks fell says nothing of the secret, only
   * of what came before it.
   */
  redact(text: string, mask: string): string {
    let hidden: Uint8Array | undefined
    for (const view of this.views) {
      if (!view.forms.length) continue
      const seen = text.replace(view.breaks, '')
      const present = view.forms.filter(form => seen.includes(form))
      if (!present.length) continue
      const { text: joinedText, at } = joined(text, view.breaks)
      hidden ??= new Uint8Array(text.length)
      for (const form of present)
        for (let i = joinedText.indexOf(form); i !== -1; i = joinedText.indexOf(form, i + form.length)) {
          // Read as it is, a form may begin with the letter of an escape (`\n`, `\r`): that letter
          // stays, so a JSON text stays JSON; it is the escape's, whatever the form says.
          const escaped = view.breaks === NO_BREAK && i > 0 && text[i - 1] === '\\' && /[nr]/.test(text[i] ?? '')
          for (let k = escaped ? i + 1 : i; k < i + form.length; k++) hidden[at[k] as number] = 1
        }
    }
    if (!hidden) return text
    const out: string[] = []
    for (let i = 0; i < text.length;) {
      let j = i
      while (j < text.length && hidden[j] === hidden[i]) j++
      out.push(hidden[i] ? mask : text.slice(i, j))
      i = j
    }
    return out.join('')
  }
}
