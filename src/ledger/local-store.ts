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

/** The local ledger of the repository whose common git directory this is. */
export const localLedgerFile = (gitCommonDir: string) => path.join(gitCommonDir, 'orchestrator', LEDGER_FILE)

/** The local ledger of the repository `repoDir` is in. */
export async function localLedgerPath(repoDir: string): Promise<string> {
  return localLedgerFile(path.resolve(repoDir, await git(repoDir, ['rev-parse', '--git-common-dir'])))
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
