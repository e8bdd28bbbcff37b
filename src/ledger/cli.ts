/**
 * The CLI's side of the ledger: after each run, one record in the
 * repository's local ledger file. Writing it never changes the run's outcome.
 */
import crypto from 'node:crypto'
import { providerSecrets } from '../claude/providers.js'
import type { RunResult } from '../engine/types.js'
import { git } from '../git/git.js'
import { FormMatcher } from '../util/form-matcher.js'
import { secretForms } from '../util/secret-forms.js'
import type { Repository } from '../cli/repository.js'
import { appendLocal, localLedgerFile, repositoryOf } from './local-store.js'
import { buildRunRecord } from './record.js'

/** Every credential the CLI may hold (the model provider's and the answerer's): none of their forms may reach the ledger file. */
export function redactor(env: Record<string, string | undefined>): (text: string) => string {
  const values = [...providerSecrets(env), env.OPENAI_API_KEY, env.AZURE_OPENAI_API_KEY]
  const forms = new FormMatcher(values.flatMap(value => (value && value.length >= 8 ? secretForms(value) : [])))
  return text => forms.redact(text, '***')
}

export async function recordCliRun(
  repo: Repository,
  result: RunResult,
  env: Record<string, string | undefined>,
  warn: (line: string) => void,
  endedAt = new Date()
): Promise<string | null> {
  try {
    const origin = await git(repo.root, ['remote', 'get-url', 'origin']).catch(() => '')
    const record = buildRunRecord({
      id: `cli:${crypto.randomUUID()}`,
      source: 'cli',
      repository: repositoryOf(origin),
      issue: null,
      pr: null,
      command: 'cli',
      trigger: 'cli',
      // The engine measured the run; the CLI's own start-up before it is not Claude's time.
      startedAt: new Date(endedAt.getTime() - result.totals.durationMs),
      endedAt,
      status: result.status,
      result
    })
    const file = localLedgerFile(repo.gitCommonDir)
    appendLocal(file, [redactor(env)(JSON.stringify(record))])
    return file
  } catch (err) {
    warn(`  warning: could not add the run to the local ledger: ${(err as Error).message}`)
    return null
  }
}
