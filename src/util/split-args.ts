/**
 * Splits a user-supplied flag string (`--claude-args`, `claude_args`) into an
 * argv array the way a POSIX shell would, without ever invoking a shell.
 */
export function splitArgs(input: string): string[] {
  const args: string[] = []
  let current = ''
  let inToken = false
  let quote: '"' | "'" | null = null
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string
    if (quote) {
      if (ch === quote) quote = null
      // In double quotes a backslash only escapes $ ` " \ and newline, as in a POSIX shell.
      else if (ch === '\\' && quote === '"' && i + 1 < input.length && '$`"\\\n'.includes(input[i + 1] as string))
        current += input[++i]
      else current += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inToken = true
    } else if (ch === '\\' && i + 1 < input.length) {
      current += input[++i]
      inToken = true
    } else if (/\s/.test(ch)) {
      if (inToken) args.push(current)
      current = ''
      inToken = false
    } else {
      current += ch
      inToken = true
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in: ${input}`)
  if (inToken) args.push(current)
  return args
}
