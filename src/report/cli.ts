/**
 * `orchestrator report`: the ledger as Markdown on stdout, and the charts as
 * SVG files with `--svg-dir`. Reads a ledger file, a branch of the checkout
 * (the action's `orchestrator/ledger`, fetched), or by default the action's
 * ledger when origin's branch is fetched, else the CLI's own local ledger.
 * Exit codes: 0 printed, 2 usage error or no ledger to read.
 */
import fs from 'node:fs'
import path from 'node:path'
import { git, GitError } from '../git/git.js'
import { localLedgerPath } from '../ledger/local-store.js'
import { LEDGER_BRANCH, LEDGER_FILE, parseLedger } from '../ledger/schema.js'
import { buildReport } from './aggregate.js'
import { chartSpecs } from './chart-specs.js'
import { chartRefs, drawCharts } from './files.js'
import { renderReport } from './markdown.js'

export const REPORT_USAGE = `Usage: orchestrator report [--ledger <file> | --branch <ref>] [--weeks N] [--svg-dir DIR] [--cwd DIR]

Prints the run ledger's report as Markdown: runs, the share of issues that ended in a
merged pull request without human commits, median time and cost per merged PR, failures
by phase and reason, /fix rounds, review findings, what human review caught, and the
last N weeks.

  --ledger <file>   read this ledger file (JSON lines)
  --branch <ref>    read ${LEDGER_FILE} from this git ref (e.g. origin/${LEDGER_BRANCH}; run git fetch first)
                    default: origin/${LEDGER_BRANCH} when fetched, else this repository's
                    local CLI ledger (.git/orchestrator/${LEDGER_FILE})
  --weeks N         weeks of trend (default 8)
  --svg-dir DIR     also draw the charts as SVG files in DIR; the Markdown shows them
  --cwd DIR         the repository (default: the current directory)`

class ReportUsageError extends Error {}

interface ReportOptions {
  ledger?: string
  branch?: string
  weeks: number
  svgDir?: string
  cwd: string
  help: boolean
}

export function parseReportArgs(argv: string[], cwd: string): ReportOptions {
  const opts: ReportOptions = { weeks: 8, cwd, help: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined || v === '') throw new ReportUsageError(`${flag} needs a value`)
      return v
    }
    switch (flag) {
      case '--help':
      case '-h':
        opts.help = true
        break
      case '--ledger':
        opts.ledger = value()
        break
      case '--branch':
        opts.branch = value()
        break
      case '--weeks': {
        const raw = value()
        const n = Number(raw)
        if (!Number.isInteger(n) || n < 1 || n > 520)
          throw new ReportUsageError(`--weeks must be a whole number from 1 to 520, got "${raw}"`)
        opts.weeks = n
        break
      }
      case '--svg-dir':
        opts.svgDir = value()
        break
      case '--cwd':
        opts.cwd = path.resolve(cwd, value())
        break
      default:
        throw new ReportUsageError(`unknown option for report: ${arg}`)
    }
  }
  if (opts.ledger && opts.branch) throw new ReportUsageError('--ledger and --branch cannot be used together')
  return opts
}

async function showFromRef(cwd: string, ref: string): Promise<string> {
  try {
    return await git(cwd, ['show', `${ref}:${LEDGER_FILE}`])
  } catch (err) {
    if (err instanceof GitError)
      throw new ReportUsageError(`cannot read ${LEDGER_FILE} from ${ref}: ${err.stderr || err.message}`)
    throw err
  }
}

/** The ledger text and where it came from. */
async function readLedger(opts: ReportOptions): Promise<{ text: string; source: string }> {
  if (opts.ledger) {
    const file = path.resolve(opts.cwd, opts.ledger)
    if (!fs.existsSync(file)) throw new ReportUsageError(`no ledger file at ${file}`)
    return { text: fs.readFileSync(file, 'utf8'), source: file }
  }
  if (opts.branch) return { text: await showFromRef(opts.cwd, opts.branch), source: opts.branch }
  const remote = `refs/remotes/origin/${LEDGER_BRANCH}`
  const hasRemote = await git(opts.cwd, ['rev-parse', '--verify', '-q', remote]).then(
    () => true,
    () => false
  )
  if (hasRemote) return { text: await showFromRef(opts.cwd, remote), source: `origin/${LEDGER_BRANCH}` }
  const local = await localLedgerPath(opts.cwd).catch(() => null)
  if (local && fs.existsSync(local)) return { text: fs.readFileSync(local, 'utf8'), source: local }
  throw new ReportUsageError(
    `no ledger found: origin/${LEDGER_BRANCH} is not fetched (git fetch origin ${LEDGER_BRANCH}:refs/remotes/origin/${LEDGER_BRANCH}) and ${local ?? 'the local ledger'} does not exist`
  )
}

export async function reportMain(
  argv: string[],
  io: { cwd: string; out: (text: string) => void; err: (line: string) => void; now?: Date }
): Promise<number> {
  try {
    const opts = parseReportArgs(argv, io.cwd)
    if (opts.help) {
      io.out(`${REPORT_USAGE}\n`)
      return 0
    }
    const { text, source } = await readLedger(opts)
    const { records, skipped } = parseLedger(text)
    io.err(
      `orchestrator report: ${records.length} record(s) from ${source}${skipped ? ` (${skipped} line(s) skipped: not a ledger record of a known version)` : ''}`
    )
    const report = buildReport(records, { now: io.now ?? new Date(), weeks: opts.weeks })
    const specs = chartSpecs(report)
    let charts
    if (opts.svgDir) {
      const dir = path.resolve(opts.cwd, opts.svgDir)
      fs.mkdirSync(dir, { recursive: true })
      for (const [file, svg] of Object.entries(await drawCharts(specs))) fs.writeFileSync(path.join(dir, file), svg)
      io.err(`orchestrator report: ${specs.length} chart(s) in ${dir}`)
      const base = opts.svgDir.split(path.sep).join('/').replace(/\/?$/, '/')
      charts = chartRefs(specs, base)
    }
    io.out(renderReport(report, { charts }))
    return 0
  } catch (e) {
    if (e instanceof ReportUsageError) {
      io.err(`orchestrator report: ${e.message}`)
      io.err('Run orchestrator report --help for usage.')
      return 2
    }
    io.err(`orchestrator report: unexpected error: ${(e as Error).stack ?? String(e)}`)
    return 1
  }
}
