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
