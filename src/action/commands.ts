/**
 * Slash commands in issue comments. A command counts only as the comment's
 * first word: a quoted `> /approve` or one inside a code block is text.
 */

export type CommandName = 'plan' | 'approve' | 'revise' | 'cancel'

export interface Command {
  name: CommandName
  /** Everything after the command word, trimmed (may span lines). */
  argument: string
}

const COMMANDS: readonly CommandName[] = ['plan', 'approve', 'revise', 'cancel']

export function parseCommand(body: string | null | undefined): Command | null {
  if (!body) return null
  // No trimming of leading `>` or fences: only a bare first word is a command.
  const text = body.replace(/^\uFEFF/, '').trimStart()
  const match = text.match(/^\/([a-z]+)(?=$|\s)([\s\S]*)$/)
  if (!match) return null
  const name = match[1] as CommandName
  if (!COMMANDS.includes(name)) return null
  return { name, argument: (match[2] ?? '').trim() }
}
