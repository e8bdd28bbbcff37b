/**
 * What failed on a commit, through the Checks and Actions REST APIs: the
 * failed check runs (their output and annotations), and for GitHub Actions
 * the failed jobs of the failed workflow runs with their logs. A workflow job
 * is also a check run (the job's `check_run_url`), so each failure is listed
 * once, whichever API found it.
 */
import type { GitHubClient, RepoRef } from './client.js'

/** Conclusions that mean "this is red": cancelled, skipped and neutral runs are nobody's bug. */
const FAILED = new Set(['failure', 'timed_out', 'startup_failure'])

export const isFailedConclusion = (conclusion: string | null | undefined): boolean =>
  conclusion !== null && conclusion !== undefined && FAILED.has(conclusion)

export interface CheckAnnotation {
  path: string
  line: number | null
  level: string
  title: string | null
  message: string
}

export interface FailedCheck {
  /** `Workflow / job` for Actions, the check run's name otherwise. */
  name: string
  conclusion: string
  /** Where a person reads it (the job's or the check run's page). */
  url: string | null
  /** The check run's own report (title, summary, text), for CIs that write one. */
  output: string
  annotations: CheckAnnotation[]
  /** The job's log as downloaded (untrimmed), or why it is missing. */
  log?: string
  logMissing?: string
}

export interface FailedChecksOptions {
  /** Logs downloaded at most (the first failed jobs). */
  maxLogs?: number
  /** Annotations read per check run at most. */
  maxAnnotations?: number
}

const checkRunId = (url: string | null | undefined): number | null => {
  const m = url ? /\/check-runs\/(\d+)$/.exec(url) : null
  return m ? Number(m[1]) : null
}

function text(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('utf8')
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')
  return ''
}

/**
 * A job's log. GitHub answers 302 with a short-lived URL on another host;
 * fetch follows it (without the token, which stays on the API's origin).
 */
async function jobLog(gh: GitHubClient, repo: RepoRef, jobId: number): Promise<string> {
  const { data } = await gh.rest.actions.downloadJobLogsForWorkflowRun({ ...repo, job_id: jobId })
  return text(data)
}

export async function failedChecks(
  gh: GitHubClient,
  repo: RepoRef,
  sha: string,
  opts: FailedChecksOptions = {}
): Promise<FailedCheck[]> {
  const maxLogs = opts.maxLogs ?? 5
  const maxAnnotations = opts.maxAnnotations ?? 30
  const runs = await gh.paginate(gh.rest.checks.listForRef, {
    ...repo,
    ref: sha,
    filter: 'latest',
    status: 'completed',
    per_page: 100
  })
  const failedRuns = runs.filter(r => isFailedConclusion(r.conclusion))

  const { data: workflows } = await gh.rest.actions.listWorkflowRunsForRepo({ ...repo, head_sha: sha, per_page: 100 })
  const failures: Array<FailedCheck & { jobId?: number }> = []
  const jobIds = new Map<number, number>()
  for (const wf of workflows.workflow_runs.filter(r => r.head_sha === sha && isFailedConclusion(r.conclusion))) {
    const jobs = await gh.paginate(gh.rest.actions.listJobsForWorkflowRun, {
      ...repo,
      run_id: wf.id,
      filter: 'latest',
      per_page: 100
    })
    const failedJobs = jobs.filter(j => isFailedConclusion(j.conclusion))
    // A workflow that could not start has no jobs: its own conclusion is the failure.
    if (!failedJobs.length) {
      failures.push({
        name: wf.name ?? wf.path,
        conclusion: wf.conclusion ?? 'failure',
        url: wf.html_url,
        output: '',
        annotations: []
      })
      continue
    }
    for (const job of failedJobs) {
      const steps = (job.steps ?? []).filter(st => isFailedConclusion(st.conclusion)).map(st => st.name)
      const id = checkRunId(job.check_run_url)
      if (id !== null) jobIds.set(id, failures.length)
      failures.push({
        name: `${wf.name ?? job.workflow_name ?? 'workflow'} / ${job.name}`,
        conclusion: job.conclusion ?? 'failure',
        url: job.html_url,
        output: steps.length ? `Failed step${steps.length > 1 ? 's' : ''}: ${steps.join(', ')}` : '',
        annotations: [],
        jobId: job.id
      })
    }
  }

  for (const run of failedRuns) {
    const at = jobIds.get(run.id)
    const entry: FailedCheck = (at !== undefined ? failures[at] : undefined) ?? {
      name: run.name,
      conclusion: run.conclusion ?? 'failure',
      url: run.details_url ?? run.html_url ?? null,
      output: '',
      annotations: []
    }
    if (at === undefined) failures.push(entry)
    const report = [run.output.title, run.output.summary, run.output.text].filter(Boolean).join('\n\n')
    if (report) entry.output = [entry.output, report].filter(Boolean).join('\n\n')
    if (run.output.annotations_count > 0) {
      const list = await gh.rest.checks.listAnnotations({ ...repo, check_run_id: run.id, per_page: maxAnnotations })
      entry.annotations = list.data.slice(0, maxAnnotations).map(a => ({
        path: a.path,
        line: a.start_line ?? null,
        level: a.annotation_level ?? 'failure',
        title: a.title ?? null,
        message: a.message ?? ''
      }))
    }
  }

  let downloaded = 0
  for (const f of failures) {
    const jobId = f.jobId
    delete f.jobId
    if (jobId === undefined) continue
    if (downloaded >= maxLogs) {
      f.logMissing = `not downloaded: only the first ${maxLogs} failed jobs' logs are read`
      continue
    }
    downloaded++
    try {
      f.log = await jobLog(gh, repo, jobId)
    } catch (err) {
      const status = (err as { status?: number }).status
      f.logMissing =
        status === 410 ? 'the log has expired' : `the log could not be read (${status ?? (err as Error).message})`
    }
  }
  return failures
}
