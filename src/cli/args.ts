/** `orchestrator [options] "task"`: parsed and validated in one place. */
import { parseArgs } from 'node:util'
import { normalizeArtifactsDir } from '../engine/artifacts.js'
import { SANDBOX_MODES, type SandboxMode } from '../sandbox/claude-host.js'
import { parseAllowedDomains } from '../sandbox/policy.js'
import { splitArgs } from '../util/split-args.js'

export class UsageError extends Error {}

export interface CliOptions {
  task: string
  implement: boolean
  json: boolean
  cwd: string
  artifactsDir: string
  maxBudgetUsd?: number
  phaseTimeoutMinutes: number
  maxTurns?: number
  maxQuestions: number
  model?: string
  claudePath?: string
  claudeArgs: string[]
  sandbox: SandboxMode
  /** The project's check after implement (else .claude/orchestrator.json's `verify`). */
  verify?: string
  /** Replaces the default registry list when given. */
  allowedDomains?: string[]
  /** `--resume <run id | branch>`: go on with that run; `task` is then optional guidance for implement. */
  resume?: string
}

export const USAGE = `Usage: orchestrator [options] "task"
       orchestrator --resume <run id | branch> [options] ["guidance"]
       orchestrator report [--ledger <file> | --branch <ref>] [--weeks N] [--svg-dir DIR] [--cwd DIR]

Runs index → research → plan → implement → review with Claude Code in the current
git repository. Progress goes to stderr; stdout carries only the result.

Options:
  --no-implement               stop after the plan
  --resume <run id | branch>   go on with a run that stopped (its id, or the branch it ran on):
                               finished phases are reused, a half-done implement is continued
  --json                       print the result as JSON on stdout
  --cwd <dir>                  repository to work in (default: current directory)
  --artifacts-dir <dir>        where phase documents go (default: thoughts/shared)
  --max-budget-usd <usd>       total budget for the run, shared across phases
  --phase-timeout-minutes <n>  per-phase timeout (default: 30)
  --max-turns <n>              maximum agent turns per Claude Code session
  --max-questions <n>          question/answer rounds per phase (default: 3)
  --model <name>               Claude model (default: the CLI's default)
  --claude-path <path>         Claude Code executable (default: $CLAUDE_PATH, PATH, node_modules/.bin)
  --claude-args "<flags>"      extra flags passed to every claude invocation
  --sandbox <mode>             auto (default): run Claude in the OS sandbox when it can start,
                               say so when it cannot; required: refuse to run without it; off
  --verify "<command>"         the project's check, run after implement in the sandbox; a failure goes
                               back to Claude for up to two more rounds (default: "verify" in
                               .claude/orchestrator.json)
  --allowed-domains "<hosts>"  hosts Claude's tools may reach in the sandbox (default: the
                               common package registries); the model is always reachable
  -h, --help                   show this help
  -v, --version                show the version

Claude Code needs a model credential, from the environment or .env.claude at the repository's
top level: ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN, ANTHROPIC_AUTH_TOKEN with ANTHROPIC_BASE_URL
(a gateway), or CLAUDE_CODE_USE_BEDROCK=1 / CLAUDE_CODE_USE_VERTEX=1 / CLAUDE_CODE_USE_FOUNDRY=1 with
the provider's credentials.

Questions Claude asks are answered by OpenAI (OPENAI_API_KEY, OPENAI_MODEL, OPENAI_BASE_URL)
or Azure OpenAI (AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_DEPLOYMENT,
AZURE_OPENAI_API_VERSION), read from the environment or .env.claude.

Exit codes: 0 success, 1 a phase failed, 2 usage error.`

function positiveNumber(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!value.trim() || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${name} must be a positive ${integer ? 'whole number' : 'number'}, got "${value}"`)
  }
  return n
}

export type ParsedCommand = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; options: CliOptions }

/** Options whose value may itself start with a dash (`--claude-args "--model x"`). */
const DASH_VALUE_OPTIONS = new Set(['--claude-args'])

/** Joins `--claude-args "--x y"` into `--claude-args=--x y`, which node's parser would otherwise reject. */
function joinDashValues(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (DASH_VALUE_OPTIONS.has(arg) && i + 1 < argv.length) out.push(`${arg}=${argv[++i]}`)
    else out.push(arg)
  }
  return out
}

export function parseCli(argv: string[], env: Record<string, string | undefined>, cwd: string): ParsedCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: joinDashValues(argv),
      allowPositionals: true,
      strict: true,
      options: {
        'no-implement': { type: 'boolean' },
        json: { type: 'boolean' },
        cwd: { type: 'string' },
        'artifacts-dir': { type: 'string' },
        'max-budget-usd': { type: 'string' },
        'phase-timeout-minutes': { type: 'string' },
        'max-turns': { type: 'string' },
        'max-questions': { type: 'string' },
        model: { type: 'string' },
        'claude-path': { type: 'string' },
        'claude-args': { type: 'string' },
        sandbox: { type: 'string' },
        verify: { type: 'string' },
        'allowed-domains': { type: 'string' },
        resume: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' }
      }
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const v = parsed.values
  if (v.help) return { kind: 'help' }
  if (v.version) return { kind: 'version' }
  const task = parsed.positionals.join(' ').trim()
  const resume = v.resume?.trim()
  if (v.resume !== undefined && !resume) throw new UsageError('--resume needs a run id or a branch name')
  if (resume && (v['no-implement'] || v['artifacts-dir'] !== undefined)) {
    throw new UsageError(
      `--resume goes on with the run's own phases and documents: drop ${v['no-implement'] ? '--no-implement' : '--artifacts-dir'}`
    )
  }
  if (!task && !resume) throw new UsageError('no task given: orchestrator "describe what to do"')
  const artifactsDir = normalizeArtifactsDir(v['artifacts-dir'] ?? 'thoughts/shared')
  if (!artifactsDir) {
    throw new UsageError(`--artifacts-dir must be a relative path inside the repository, got "${v['artifacts-dir']}"`)
  }
  const maxQuestions =
    v['max-questions'] === '0' ? 0 : (positiveNumber('--max-questions', v['max-questions'], true) ?? 3)
  let claudeArgs: string[]
  try {
    claudeArgs = splitArgs(v['claude-args'] ?? '')
  } catch (err) {
    throw new UsageError(`--claude-args: ${(err as Error).message}`)
  }
  const sandbox = (v.sandbox ?? 'auto') as SandboxMode
  if (!SANDBOX_MODES.includes(sandbox))
    throw new UsageError(`--sandbox must be required, auto or off, got "${v.sandbox}"`)
  let allowedDomains: string[] | undefined
  try {
    allowedDomains = v['allowed-domains'] === undefined ? undefined : parseAllowedDomains(v['allowed-domains'])
  } catch (err) {
    throw new UsageError(`--allowed-domains: ${(err as Error).message}`)
  }
  return {
    kind: 'run',
    options: {
      task,
      implement: !v['no-implement'],
      json: Boolean(v.json),
      cwd: v.cwd ?? cwd,
      artifactsDir,
      maxBudgetUsd: positiveNumber('--max-budget-usd', v['max-budget-usd'], false),
      phaseTimeoutMinutes: positiveNumber('--phase-timeout-minutes', v['phase-timeout-minutes'], false) ?? 30,
      maxTurns: positiveNumber('--max-turns', v['max-turns'], true),
      maxQuestions,
      model: v.model,
      claudePath: v['claude-path'] ?? (env.CLAUDE_PATH || undefined),
      claudeArgs,
      sandbox,
      ...(v.verify?.trim() ? { verify: v.verify.trim() } : {}),
      allowedDomains,
      ...(resume ? { resume } : {})
    }
  }
}
