/**
 * The git commands a piece of code starts, from git's own trace (GIT_TRACE, which the
 * orchestrator's hermetic git environment keeps). Each is a process a user waits for.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** The git commands traced to `file` (GIT_TRACE=file), as `rev-parse --git-common-dir`. */
export function tracedCommands(file: string): string[] {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : []
  return lines.flatMap(line => /trace: built-in: git (.*)$/.exec(line)?.[1] ?? [])
}

/** Runs `fn` with git tracing to a scratch file; `commands` are the git commands it started, as `rev-parse --git-common-dir`. */
export async function tracingGit<T>(fn: () => Promise<T>): Promise<{ value: T; commands: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'git-trace-'))
  const file = path.join(dir, 'trace')
  const saved = process.env.GIT_TRACE
  process.env.GIT_TRACE = file
  try {
    const value = await fn()
    return { value, commands: tracedCommands(file) }
  } finally {
    if (saved === undefined) delete process.env.GIT_TRACE
    else process.env.GIT_TRACE = saved
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
