/**
 * How the CLI keeps a run going across invocations: a fresh run is recorded
 * before it starts and after every document phase; a run that fails keeps its
 * work tree as a commit on no branch; `--resume` picks the run up where it
 * stopped. The engine does the resuming itself (reused phases, and a
 * half-done implement told what it left: engine/resume.ts), as for the action.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { EngineOptions } from '../engine/engine.js'
import { snapshotWorkTree, changedFilesSince, recordStartingPoint } from '../engine/starting-point.js'
import { stopReason } from '../engine/results.js'
import { PHASES, type PhaseName, type PhaseResult, type RunResult } from '../engine/types.js'
import { git, headSha } from '../git/git.js'
import { usd } from '../util/format.js'
import type { CliOptions } from './args.js'
import type { Repository } from './repository.js'
import { afterRun, findRun, keptRef, loadRuns, newRunId, resumePoint, saveRun, type CliRunRecord } from './runs.js'

/** A `--resume` that cannot go on: exit 2 with the reason, nothing run. */
export class ResumeError extends Error {}

export interface Resumed {
  runId: string
  /** The first phase that ran again. */
  from: PhaseName
  /** The phases reused as they were, with no model request. */
  reused: PhaseName[]
  attempt: number
}

export interface PreparedRun {
  record: CliRunRecord
  engine: Pick<EngineOptions, 'task' | 'phases' | 'reuse' | 'reviewBase' | 'resume' | 'guidance' | 'artifactsDir'>
  resumed?: Resumed
  /** Lines for stderr before the run starts. */
  notes: string[]
}

async function currentBranch(repoDir: string): Promise<string | null> {
  return git(repoDir, ['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => null)
}

const IMPLEMENT_AT = PHASES.indexOf('implement')

/** The run to start (a fresh one, or the one `--resume` names, checked): nothing is written yet. */
export async function prepareRun(repo: Repository, opts: CliOptions): Promise<PreparedRun> {
  const repoDir = repo.root
  const runs = loadRuns(repo.gitCommonDir)
  if (!opts.resume) {
    const phases: PhaseName[] = opts.implement
      ? ['index', 'research', 'plan', 'implement', 'review']
      : ['index', 'research', 'plan']
    const record: CliRunRecord = {
      v: 1,
      id: newRunId(id => runs.some(r => r.id === id)),
      task: opts.task,
      branch: await currentBranch(repoDir),
      startedAt: new Date().toISOString(),
      updatedAt: '',
      artifactsDir: opts.artifactsDir,
      phases,
      done: {},
      state: 'running',
      // Read-only phases change only documents, so the tree before index is the tree implement finds.
      ...(opts.implement ? { startingPoint: await recordStartingPoint(repoDir, opts.artifactsDir) } : {}),
      changedFiles: [],
      attempts: 1
    }
    return {
      record,
      engine: { task: opts.task, phases, artifactsDir: opts.artifactsDir, reviewBase: record.startingPoint },
      notes: []
    }
  }

  const found = findRun(runs, opts.resume)
  if ('error' in found) throw new ResumeError(found.error)
  const run = found.run
  const branch = await currentBranch(repoDir)
  if (run.branch && branch !== run.branch) {
    throw new ResumeError(
      `run ${run.id} ran on branch ${run.branch}, and ${branch ? `${branch} is` : 'a detached HEAD is'} checked out: switch back with \`git switch ${run.branch}\` and resume again`
    )
  }
  const point = resumePoint(run, rel => fs.existsSync(path.join(repoDir, rel)))
  const notes = point.missing.length
    ? [`  note: ${point.missing.join(', ')} from the earlier attempt is gone, so ${point.from} runs again`]
    : []
  const implementRuns = run.phases.includes('implement') && PHASES.indexOf(point.from) <= IMPLEMENT_AT
  if (run.startingPoint && run.changedFiles.length && PHASES.indexOf(point.from) >= IMPLEMENT_AT) {
    const now = await changedFilesSince(repoDir, run.startingPoint, run.artifactsDir)
    const lost = run.changedFiles.filter(f => !now.includes(f))
    if (lost.length === run.changedFiles.length) {
      const files = lost.slice(0, 10).join(' ')
      throw new ResumeError(
        `the work run ${run.id} kept is no longer in the work tree (${lost.length} file${lost.length === 1 ? '' : 's'}: ${lost.slice(0, 5).join(', ')}). ` +
          (run.kept
            ? `Put it back with \`git restore --source ${run.kept.slice(0, 12)} -- ${files}\`, then resume again`
            : 'Restore it, then resume again')
      )
    }
  }
  const reason = stopReason(run.error, 'it was interrupted').slice(0, 300)
  const record: CliRunRecord = { ...run, state: 'running', attempts: run.attempts + 1 }
  return {
    record,
    engine: {
      task: run.task,
      phases: run.phases,
      artifactsDir: run.artifactsDir,
      reuse: point.reuse,
      reviewBase: run.startingPoint,
      ...(implementRuns && run.startingPoint
        ? { resume: { from: run.startingPoint, reason, sha: run.kept, summary: run.lastText } }
        : {}),
      ...(opts.task ? { guidance: { implement: opts.task } } : {})
    },
    resumed: {
      runId: run.id,
      from: point.from,
      reused: PHASES.filter(p => point.reuse[p] !== undefined),
      attempt: record.attempts
    },
    notes
  }
}

/** The first checkpoint, just before the engine starts: an interrupted run can be resumed from here. */
export function beginRun(repo: Repository, record: CliRunRecord): void {
  saveRun(repo.gitCommonDir, record)
}

/** After each document phase: what finished is on disk before the next phase starts. */
export function checkpointPhase(repo: Repository, record: CliRunRecord, result: PhaseResult): void {
  if (result.status !== 'succeeded' || !['index', 'research', 'plan'].includes(result.name)) return
  record.done[result.name] = result.artifacts
  saveRun(repo.gitCommonDir, record)
}

export interface Kept {
  sha: string
  ref: string
  /** What was kept and how to go on, for the summary. */
  note: string
}

/** The run's last checkpoint; a failed run keeps its work tree as a commit on no branch. */
export async function finishRun(
  repo: Repository,
  record: CliRunRecord,
  result: RunResult
): Promise<{ record: CliRunRecord; kept?: Kept }> {
  const repoDir = repo.root
  const ref = keptRef(record.id)
  let kept: Kept | undefined
  // Only a run that changed files has work to keep (a failed read-only phase leaves the user's own tree).
  if (result.status === 'failed' && result.changedFiles.length) {
    const parent = record.startingPoint ?? (await headSha(repoDir))
    if (parent) {
      const reason = stopReason(result.error, 'it failed').slice(0, 120)
      const sha = await snapshotWorkTree(
        repoDir,
        parent,
        `orchestrator: unfinished run ${record.id} (stopped in ${result.failedPhase ?? 'a phase'}: ${reason})\n\n${record.task.slice(0, 500)}`
      )
      await git(repoDir, ['update-ref', ref, sha])
      const files = result.changedFiles.length
      kept = {
        sha,
        ref,
        note:
          `Kept: the work tree as ${sha.slice(0, 7)} (${ref}; ${files} file${files === 1 ? '' : 's'} changed, ` +
          `${usd(result.totals.costUsd)} spent), and it stays in your work tree. ` +
          `Continue with: orchestrator --resume ${record.id}`
      }
    }
  } else {
    await git(repoDir, ['update-ref', '-d', ref]).catch(() => undefined)
  }
  const next = afterRun(record, result, kept?.sha)
  saveRun(repo.gitCommonDir, next)
  return { record: next, kept }
}
