/**
 * The git commands a piece of code starts, from git's own trace (GIT_TRACE, which the
 * orchestrator's hermetic git environment keeps). Each is a process a user waits for.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Runs `fn` with git tracing to a scratch file; `commands` are the git commands it started, as `rev-parse --git-common-dir`. */
export async function tracingGit<T>(fn: () => Promise<T>): Promise<{ value: T; commands: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'git-trace-'))
  const file = path.join(dir, 'trace')
  const saved = process.env.GIT_TRACE
  process.env.GIT_TRACE = file
  try {
    const value = await fn()
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : []
    const commands = lines.flatMap(line => /trace: built-in: git (.*)$/.exec(line)?.[1] ?? [])
    return { value, commands }
  } finally {
    if (saved === undefined) delete process.env.GIT_TRACE
    else process.env.GIT_TRACE = saved
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
