/**
 * The CLI's ledger: the same records in `.git/orchestrator/ledger.jsonl` of
 * the repository it ran in (the common git directory, so every worktree of a
 * repository shares one). Never committed, never pushed; `orchestrator report`
 * reads it.
 */
import fs from 'node:fs'
import path from 'node:path'
import { git } from '../git/git.js'
import { LEDGER_FILE } from './schema.js'

export async function localLedgerPath(repoDir: string): Promise<string> {
  const common = await git(repoDir, ['rev-parse', '--git-common-dir'])
  return path.join(path.resolve(repoDir, common), 'orchestrator', LEDGER_FILE)
}

/** One write per record, opened for appending: concurrent runs on one machine do not interleave lines. */
export function appendLocal(file: string, lines: string[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  for (const line of lines) fs.appendFileSync(file, `${line}\n`, { flag: 'a' })
}

/** `owner/repo` of a GitHub origin URL (https or ssh), else null. */
export function repositoryOf(url: string): string | null {
  const m = url
    .trim()
    .match(/^(?:https?:\/\/(?:[^@/]+@)?[^/]+\/|git@[^:]+:|ssh:\/\/git@[^/]+\/)([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/)
  return m ? `${m[1]}/${m[2]}` : null
}
