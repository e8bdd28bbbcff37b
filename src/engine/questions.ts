/**
 * Decides whether a phase ended by asking something instead of finishing.
 * The built-in prompts ask Claude to put a question on a line starting with
 * `QUESTION:`; custom commands don't, so a final paragraph ending in `?` counts too.
 */

// Upper case and a colon: "Questions: none" in a summary is not a question.
const MARKER = /^\s*(?:\*\*)?QUESTION(?:\*\*)?:(?:\*\*)?\s*(.+)$/m
const MARKER_PREFIX = /^\s*(?:\*\*)?QUESTION(?:\*\*)?:(?:\*\*)?\s*/
const LIST_ITEM = /^\s*(?:[-*]|\d+[.)])\s+/

export function extractQuestion(finalText: string): string | null {
  const text = finalText.trim()
  if (!text) return null
  const marked = text.match(MARKER)
  if (marked) {
    // The question is the marker line plus anything after it (options, context).
    const start = marked.index ?? 0
    return text.slice(start).replace(MARKER_PREFIX, '').trim()
  }
  const paragraphs = text.split(/\n\s*\n/)
  const last = paragraphs[paragraphs.length - 1]?.trim() ?? ''
  // A trailing list of options belongs to the question before it.
  if (/\?\s*$/.test(last)) return last
  const lines = last.split('\n')
  // "Which store?" directly followed by its options.
  const asked = lines.findIndex(l => /\?\s*$/.test(l))
  if (asked >= 0 && lines.length > asked + 1 && lines.slice(asked + 1).every(l => LIST_ITEM.test(l))) return last
  if (lines.every(l => LIST_ITEM.test(l)) && paragraphs.length > 1) {
    const before = paragraphs[paragraphs.length - 2]?.trim() ?? ''
    if (/\?\s*$/.test(before)) return `${before}\n${last}`
  }
  return null
}

/**
 * The option a reply names, by its number (from 1) or its label (any case). A label can itself be a
 * number: `prefer` is the reading the asker was told to use (the model answers with a label, a
 * maintainer with a number).
 */
export function namedOption<O extends { label: string }>(
  options: O[],
  reply: string,
  prefer: 'label' | 'number'
): O | undefined {
  const byNumber = /^\d+$/.test(reply) ? options[Number(reply) - 1] : undefined
  const byLabel = options.find(o => o.label.toLowerCase() === reply.toLowerCase())
  return prefer === 'label' ? (byLabel ?? byNumber) : (byNumber ?? byLabel)
}
