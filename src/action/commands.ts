/**
 * Slash commands in issue comments. A command counts only as the comment's
 * first word: a quoted `> /approve` or one inside a code block is text.
 */

export type CommandName = 'plan' | 'approve' | 'revise' | 'cancel' | 'fix' | 'answer' | 'resume'

export interface Command {
  name: CommandName
  /** Everything after the command word, trimmed (may span lines). */
  argument: string
}

const COMMANDS: readonly CommandName[] = ['plan', 'approve', 'revise', 'cancel', 'fix', 'answer', 'resume']

export function parseCommand(body: string | null | undefined): Command | null {
  if (!body) return null
  // Blank lines before the first line are fine; four spaces or a tab make it a code block, not a command.
  const text = body.replace(/^\uFEFF/, '').replace(/^(?:[ \t]*\r?\n)+/, '')
  const match = text.match(/^ {0,3}\/([a-z]+)(?=$|\s)([\s\S]*)$/)
  if (!match) return null
  const name = match[1] as CommandName
  if (!COMMANDS.includes(name)) return null
  return { name, argument: (match[2] ?? '').trim() }
}

export interface FixArgument {
  /** Review findings named first (`/fix F2 F3 …` or `/fix F2, F3: …`), in order, without repeats. */
  findings: string[]
  /** The words after them. */
  words: string
}

/** `/fix F2 F3 also rename it` → findings F2 and F3, words "also rename it". */
export function parseFixArgument(argument: string): FixArgument {
  const findings: string[] = []
  let rest = argument
  for (;;) {
    const m = /^\s*F(\d{1,6})\b\s*[,:;]?/i.exec(rest)
    if (!m) break
    const id = `F${Number(m[1])}`
    if (!findings.includes(id)) findings.push(id)
    rest = rest.slice(m[0].length)
  }
  return { findings, words: findings.length ? rest.trim() : argument.trim() }
}
