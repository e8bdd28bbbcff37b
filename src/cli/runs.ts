/**
 * The CLI's checkpoints: one file per run in `.git/orchestrator/runs/` (the
 * common git directory, like the local ledger; never committed or pushed),
 * written after every phase, so `orchestrator --resume <run | branch>` knows
 * what finished and where the run's changes are measured from. A run that
 * fails also keeps the work tree as a commit on no branch, held by
 * `refs/orchestrator/runs/<id>` so git's garbage collection keeps it.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { PHASES, type PhaseName, type RunResult } from '../engine/types.js'

export type RunState = 'running' | 'failed' | 'completed' | 'planned'

export interface CliRunRecord {
  v: 1
  id: string
  task: string
  /** The branch checked out when the run started (null: detached HEAD). */
  branch: string | null
  startedAt: string
  updatedAt: string
  artifactsDir: string
  /** The phases the run was asked for, in order. */
  phases: PhaseName[]
  /** Finished phases and the documents they handed on (implement: none; its work is in the tree). */
  done: Partial<Record<PhaseName, string[]>>
  state: RunState
  failedPhase?: PhaseName
  error?: string
  /** The work tree before implement, as a commit: the run's changes are measured from it. */
  startingPoint?: string
  /** The work tree when the run stopped, as a commit on no branch. */
  kept?: string
  /** The files the run had changed when it stopped. */
  changedFiles: string[]
  /** Claude's last words in the implement session that stopped. */
  lastText?: string
  /** How many times the run was started (1, then one more per --resume). */
  attempts: number
}

export const keptRef = (id: string) => `refs/orchestrator/runs/${id}`

const runsDir = (gitCommonDir: string) => path.join(gitCommonDir, 'orchestrator', 'runs')

/** Short enough to type, and checked against the runs already there. */
export function newRunId(taken: (id: string) => boolean): string {
  for (;;) {
    const id = crypto.randomBytes(4).toString('hex')
    if (!taken(id)) return id
  }
}

export function saveRun(gitCommonDir: string, record: CliRunRecord): void {
  const dir = runsDir(gitCommonDir)
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${record.id}.json`)
  // Written whole, then renamed: a run interrupted mid-write leaves the previous checkpoint.
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify({ ...record, updatedAt: new Date().toISOString() }, null, 2)}\n`)
  fs.renameSync(`${file}.tmp`, file)
}

export function loadRuns(gitCommonDir: string): CliRunRecord[] {
  const dir = runsDir(gitCommonDir)
  if (!fs.existsSync(dir)) return []
  const runs: CliRunRecord[] = []
  for (const name of fs.readdirSync(dir).filter(n => n.endsWith('.json'))) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as CliRunRecord
      if (r.v === 1 && typeof r.id === 'string' && Array.isArray(r.phases)) runs.push(r)
    } catch {
      // A file that is not a run record is not ours to judge.
    }
  }
  return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt))
}

const finished = (r: CliRunRecord) => r.state === 'completed' || r.state === 'planned'

function describe(r: CliRunRecord): string {
  const where = r.failedPhase ? `stopped in ${r.failedPhase}` : r.state
  return `${r.id} (${r.startedAt.slice(0, 16).replace('T', ' ')}, ${r.branch ? `branch ${r.branch}, ` : ''}${where})`
}

/**
 * The run `--resume <ref>` means: a run id (or a unique start of one), else the
 * latest run started on the branch of that name. A finished run is an error:
 * there is nothing left to do.
 */
export function findRun(runs: CliRunRecord[], ref: string): { run: CliRunRecord } | { error: string } {
  const byId = runs.filter(r => r.id === ref || (ref.length >= 4 && r.id.startsWith(ref)))
  if (byId.length > 1)
    return { error: `"${ref}" matches more than one run (${byId.map(r => r.id).join(', ')}); give more of the id` }
  const onBranch = runs.filter(r => r.branch === ref)
  const run = byId[0] ?? onBranch[0]
  if (!run) {
    const open = runs.filter(r => !finished(r)).slice(0, 5)
    return {
      error:
        `no orchestrator run or branch named "${ref}" in this repository` +
        (open.length
          ? `; runs that can be resumed: ${open.map(describe).join(', ')}`
          : runs.length
            ? '; every run recorded here has finished'
            : '; no run was recorded here yet')
    }
  }
  if (finished(run)) {
    const which = byId[0] ? `run ${run.id}` : `the latest run on branch ${ref}, ${run.id},`
    return {
      error: `${which} already finished (${run.state}): there is nothing to resume. Start a new run with orchestrator "task"`
    }
  }
  return { run }
}

export interface ResumePoint {
  /** Finished phases reused as they are, with their documents. */
  reuse: Partial<Record<PhaseName, string[]>>
  /** The first phase that runs again. */
  from: PhaseName
  /** Documents of finished phases that are gone, so their phase runs again. */
  missing: string[]
}

/** Where a run goes on: after the finished phases whose documents are all still there. */
export function resumePoint(run: CliRunRecord, exists: (rel: string) => boolean): ResumePoint {
  const reuse: ResumePoint['reuse'] = {}
  const missing: string[] = []
  for (const phase of PHASES.filter(p => run.phases.includes(p))) {
    const docs = run.done[phase]
    const gone = docs?.filter(d => !exists(d)) ?? []
    if (!docs || gone.length) {
      missing.push(...gone)
      return { reuse, from: phase, missing }
    }
    reuse[phase] = docs
  }
  // Every phase finished but the run is not marked so (it was stopped after its last phase): review again.
  const last = run.phases[run.phases.length - 1] as PhaseName
  delete reuse[last]
  return { reuse, from: last, missing }
}

/** The record after an engine run: what finished, and how it ended. */
export function afterRun(record: CliRunRecord, result: RunResult, keptSha: string | undefined): CliRunRecord {
  const done = { ...record.done }
  for (const p of result.phases) {
    if (p.status === 'succeeded') done[p.name] = p.artifacts
  }
  // A phase that failed this time is not done, whatever an earlier attempt said.
  if (result.failedPhase) delete done[result.failedPhase]
  const failedImplement = result.phases.findLast(p => p.name === 'implement' && p.status === 'failed')
  const next: CliRunRecord = {
    ...record,
    done,
    state: result.status === 'failed' || result.status === 'awaiting-answer' ? 'failed' : result.status,
    changedFiles: result.changedFiles
  }
  delete next.failedPhase
  delete next.error
  delete next.kept
  delete next.lastText
  if (result.failedPhase) next.failedPhase = result.failedPhase
  if (result.error) next.error = result.error
  if (keptSha) next.kept = keptSha
  if (failedImplement?.lastText) next.lastText = failedImplement.lastText
  return next
}
