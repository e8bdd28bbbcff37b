/**
 * The local CLI: `orchestrator "task"`. Progress on stderr, the result on stdout.
 * Exit codes: 0 success, 1 a phase failed, 2 usage error.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAnswerer } from '../answerer/answerer.js'
import { AnswererConfigError, describeAnswerer, detectAnswerer } from '../answerer/config.js'
import { buildClaudeEnv } from '../claude/env.js'
import { CLI_HINTS, PROVIDER_LABELS, ProviderConfigError, resolveProvider } from '../claude/providers.js'
import { ClaudeNotFoundError, locateClaude } from '../claude/locate.js'
import { slugify } from '../engine/artifacts.js'
import { runEngine } from '../engine/engine.js'
import { formatProgress } from '../engine/progress.js'
import { recordCliRun } from '../ledger/cli.js'
import { startClaudeHost } from '../sandbox/claude-host.js'
import { DEFAULT_ALLOWED_DOMAINS } from '../sandbox/policy.js'
import { findRuntimePackage, SandboxUnavailableError } from '../sandbox/runtime.js'
import { VERSION } from '../version.js'
import { assertModelCredential, MissingCredentialError } from './credentials.js'
import { loadEnvFile } from './env-file.js'
import { parseCli, USAGE, UsageError } from './args.js'
import { beginRun, checkpointPhase, finishRun, prepareRun, ResumeError } from './checkpoints.js'
import { findRepository, subfolderOf, uncommittedNote } from './repository.js'
import { renderSummary } from './summary.js'

export function localDate(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

export async function main(argv: string[], processEnv: Record<string, string | undefined>): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`)
  try {
    const command = parseCli(argv, processEnv, process.cwd())
    if (command.kind === 'help') {
      process.stdout.write(`${USAGE}\n`)
      return 0
    }
    if (command.kind === 'version') {
      process.stdout.write(`${VERSION}\n`)
      return 0
    }
    const opts = command.options
    const start = path.resolve(opts.cwd)
    const repo = await findRepository(start)
    if (!repo) {
      throw new UsageError(
        `${start} is not inside a git repository; run orchestrator in your project's checkout or pass --cwd`
      )
    }
    const repoDir = repo.root
    const env = loadEnvFile(path.join(repoDir, '.env.claude'), processEnv)
    const answererConfig = detectAnswerer(env)
    const claudePath = locateClaude({ explicit: opts.claudePath, pathVar: env.PATH, cwd: repoDir })
    const sub = subfolderOf(repoDir, start)
    const prepared = await prepareRun(repo, opts)
    const { record, resumed } = prepared
    const implementing = prepared.engine.phases.includes('implement')
    const what = resumed
      ? `resuming run ${resumed.runId} from ${resumed.from}${resumed.reused.length ? ` (reused: ${resumed.reused.join(', ')})` : ''}`
      : `${implementing ? 'full run' : 'plan only'} ${record.id}`
    err(
      `orchestrator ${VERSION}: ${what} in ${repoDir}${sub ? ` (the repository's top level; started in ${sub})` : ''}`
    )
    err(`  questions: ${describeAnswerer(answererConfig)}`)
    for (const line of prepared.notes) err(line)
    const note = implementing && !resumed ? await uncommittedNote(repoDir, opts.artifactsDir) : null
    if (note) err(`  note: ${note}`)
    // Without the credential in the environment, unconfined Claude Code looks for its own (a login, a profile).
    const provider = resolveProvider(env, { requireCredential: false, hints: CLI_HINTS })
    const host = await startClaudeHost({
      mode: opts.sandbox,
      runtimeDir: findRuntimePackage([path.dirname(fileURLToPath(import.meta.url))]),
      workspace: repoDir,
      claudePath,
      env: buildClaudeEnv(env),
      provider,
      allowedDomains: opts.allowedDomains ?? DEFAULT_ALLOWED_DOMAINS,
      denyRead: [],
      warn: message => err(`  warning: ${message}`)
    })
    let result
    /** Checkpoint writes, in order; the run waits for them before it ends. */
    let checkpoints: Promise<void> = Promise.resolve()
    try {
      assertModelCredential(env, { sandboxed: host.sandboxed })
      if (host.sandboxed) err('  sandbox: on (Claude sees the checkout, its own HOME and the allowed hosts)')
      err(
        `  model: ${PROVIDER_LABELS[provider.name]}${host.sandboxed && provider.credential ? ' (through the credential proxy)' : ''}`
      )
      beginRun(repo, record)
      result = await runEngine({
        ...prepared.engine,
        repoDir,
        slug: slugify(prepared.engine.task),
        date: localDate(),
        claude: {
          path: claudePath,
          env: host.env,
          host,
          model: opts.model,
          extraArgs: opts.claudeArgs
        },
        phaseTimeoutMs: opts.phaseTimeoutMinutes * 60000,
        maxTurns: opts.maxTurns,
        maxBudgetUsd: opts.maxBudgetUsd,
        maxQuestionRounds: opts.maxQuestions,
        verifyCommand: opts.verify,
        answerer: createAnswerer(answererConfig),
        onProgress: event => {
          const line = formatProgress(event, repoDir)
          if (line) err(line)
          if (event.type === 'phase-end')
            checkpoints = checkpoints
              .then(() => checkpointPhase(repo, record, event.result))
              .catch((e: unknown) => {
                err(`  warning: the run's checkpoint was not saved: ${(e as Error).message}`)
              })
        }
      })
      await checkpoints
    } finally {
      await host.close()
    }
    const { kept } = await finishRun(repo, record, result)
    // The summary says it; with --json, stderr is where a person reads it.
    if (kept && opts.json) err(`  ${kept.note}`)
    await recordCliRun(repo, result, env, err)
    const output = {
      runId: record.id,
      ...(resumed ? { resumed } : {}),
      ...(kept ? { kept: { sha: kept.sha, ref: kept.ref } } : {}),
      ...result
    }
    process.stdout.write(
      opts.json
        ? `${JSON.stringify(output, null, 2)}\n`
        : `${renderSummary(result, { runId: record.id, resumed, kept })}\n`
    )
    return result.status === 'failed' ? 1 : 0
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof ClaudeNotFoundError ||
      e instanceof AnswererConfigError ||
      e instanceof SandboxUnavailableError ||
      e instanceof MissingCredentialError ||
      e instanceof ProviderConfigError ||
      e instanceof ResumeError
    ) {
      err(`orchestrator: ${e.message}`)
      if (e instanceof UsageError) err('Run orchestrator --help for usage.')
      return 2
    }
    err(`orchestrator: unexpected error: ${(e as Error).stack ?? String(e)}`)
    return 1
  }
}
