/**
 * The action's side of the ledger. `recordActionRun` appends the record of
 * a run that was routed to a flow; `recordClosedPull` is the whole flow of a
 * `pull_request` `closed` event: no Claude, no comment, one record saying how
 * the bot's pull request ended. Neither ever fails the run: a ledger that
 * cannot be written is a warning in the log.
 */
import * as core from '@actions/core'
import { WorkBranch, withoutPersistedCredentials } from '../action/branch.js'
import type { Inputs, RunnerContext } from '../action/inputs.js'
import type { Route } from '../action/route.js'
import type { SecretRegistry } from '../action/secrets.js'
import type { Outputs, Session } from '../action/session.js'
import { decodePrMarker } from '../action/markers.js'
import { createGitHubClient } from '../github/client.js'
import type { LedgerReport } from '../report/files.js'
import { LedgerBranch, type AppendResult, type LedgerTip } from './branch-store.js'
import { buildClosedRecord, humanComments, publishedFindings, type RawReviewComment } from './closed.js'
import { buildRunRecord } from './record.js'
import { LEDGER_BRANCH, parseLedger, type LedgerCommand, type LedgerRecord, type LedgerTrigger } from './schema.js'

/** Weeks of trend in the job summary's report. */
const SUMMARY_WEEKS = 8

function runId(ctx: RunnerContext): string {
  return `action:${ctx.runId}.${ctx.env.GITHUB_RUN_ATTEMPT || '1'}`
}

function describeRoute(
  route: Exclude<Route, { kind: 'ignored' | 'closed' }>,
  out: Outputs
): {
  command: LedgerCommand
  trigger: LedgerTrigger
  issue: number | null
  pr: number | null
} {
  // /fix and failed checks work on the pull request; the issue is found from its marker.
  if (route.kind === 'fix' || route.kind === 'checks')
    return { command: 'fix', trigger: route.trigger.type, issue: null, pr: route.issue.number }
  return { command: route.kind, trigger: route.trigger.type, issue: route.issue.number, pr: out.prNumber ?? null }
}

/** One record per lines' JSON, redacted; a record that no longer parses after redaction is dropped. */
function lines(records: LedgerRecord[], secrets: SecretRegistry): string[] {
  return records.flatMap(r => {
    const line = secrets.redact(JSON.stringify(r))
    try {
      JSON.parse(line)
      return [line]
    } catch {
      core.warning(`Ledger record ${r.id} could not be redacted safely; it was left out`)
      return []
    }
  })
}

class ActionLedger {
  private constructor(
    private readonly store: LedgerBranch,
    private readonly ctx: RunnerContext,
    private readonly inputs: Inputs
  ) {}

  static async open(ctx: RunnerContext, inputs: Inputs): Promise<ActionLedger> {
    const wb = new WorkBranch(ctx.workspace, LEDGER_BRANCH, { token: inputs.githubToken, serverUrl: ctx.serverUrl })
    await wb.init()
    return new ActionLedger(new LedgerBranch(wb, ctx.workspace), ctx, inputs)
  }

  /** Git with the bot's credentials only: actions/checkout's persisted header would be sent twice. */
  private git<T>(fn: () => Promise<T>): Promise<T> {
    return withoutPersistedCredentials(this.ctx.workspace, fn)
  }

  /** The ledger as origin has it now: the tip an append can start from, and its records. */
  read(): Promise<LedgerTip & { records: LedgerRecord[] }> {
    return this.git(async () => {
      const tip = await this.store.read()
      return { ...tip, records: parseLedger(tip.text).records }
    })
  }

  /** `from`: the ledger as this run just read it, so the append need not read it again. */
  async append(records: LedgerRecord[], secrets: SecretRegistry, from?: LedgerTip): Promise<void> {
    const author = { name: this.inputs.commitAuthorName, email: this.inputs.commitAuthorEmail }
    const now = new Date()
    // The report and its charting library are loaded only by runs that draw it (eager: no separate bundle file).
    const files = () => import(/* webpackMode: "eager" */ '../report/files.js')
    // The report of the text last committed: the job summary shows the one pushed, without building it again.
    let built: LedgerReport | undefined
    const companions = this.inputs.ledgerReport
      ? async (text: string) => {
          const m = await files()
          built = m.reportFromLedger(text, now, SUMMARY_WEEKS)
          return m.branchFiles(built)
        }
      : undefined
    const result: AppendResult = await this.git(() =>
      this.store.append(lines(records, secrets), author, companions, from)
    )
    core.info(
      `Ledger: ${records.map(r => r.id).join(', ')} on ${LEDGER_BRANCH} at ${result.sha.slice(0, 7)}${result.attempts > 1 ? ` (after ${result.attempts} attempts)` : ''}`
    )
    if (this.inputs.ledgerReport) {
      const m = await files()
      // No commit when every record was already there: then nothing was built yet.
      const pushed = built?.text === result.text ? built : m.reportFromLedger(result.text, now, SUMMARY_WEEKS)
      const { owner, repo } = this.ctx.repository
      await core.summary
        .addRaw(m.summaryMarkdown(pushed, `${this.ctx.serverUrl}/${owner}/${repo}/raw/${result.sha}/`))
        .write()
    }
  }
}

/** Called at the end of every action run; a run that was ignored, or never got a session, leaves no record. */
export async function recordActionRun(
  session: Session | null,
  route: Route,
  out: Outputs,
  startedAt: number
): Promise<void> {
  if (!session || route.kind === 'ignored' || route.kind === 'closed' || !session.inputs.ledger) return
  // Failed checks on a pull request that is not the bot's to fix: an event ignored, only later than routing can tell.
  if (out.status === 'ignored') return
  try {
    const { ctx, inputs } = session
    const record = buildRunRecord({
      id: runId(ctx),
      source: 'action',
      repository: `${ctx.repository.owner}/${ctx.repository.repo}`,
      ...describeRoute(route, out),
      startedAt: new Date(startedAt),
      endedAt: new Date(),
      status: out.status,
      reason: out.reason,
      result: out.result
    })
    const ledger = await ActionLedger.open(ctx, inputs)
    await ledger.append([record], session.secrets)
  } catch (err) {
    core.warning(
      `Could not add this run to the ledger (${LEDGER_BRANCH}): ${session.secrets.redact((err as Error).message)}`
    )
  }
}

/** The flow of a closed pull request: records how one of the bot's pull requests ended. */
export async function recordClosedPull(
  inputs: Inputs,
  ctx: RunnerContext,
  route: Extract<Route, { kind: 'closed' }>,
  secrets: SecretRegistry
): Promise<Outputs> {
  const pull = route.pull
  const marker = decodePrMarker(pull.body)
  if (
    !marker ||
    pull.author !== inputs.botLogin ||
    pull.headRef !== marker.branch ||
    !pull.headRef.startsWith(inputs.branchPrefix)
  ) {
    const reason = `pull request #${pull.number} was not opened by the orchestrator`
    core.info(`Nothing to record: ${reason}`)
    return { status: 'ignored', reason }
  }
  if (!inputs.ledger) return { status: 'ignored', reason: 'the ledger is switched off (ledger: false)' }
  try {
    const gh = createGitHubClient(inputs.githubToken, ctx.apiUrl, text => secrets.redact(text))
    const repository = `${ctx.repository.owner}/${ctx.repository.repo}`
    const ledger = await ActionLedger.open(ctx, inputs)
    const [commits, comments, read] = await Promise.all([
      gh.paginate(gh.rest.pulls.listCommits, { ...ctx.repository, pull_number: pull.number, per_page: 100 }),
      gh.paginate(gh.rest.pulls.listReviewComments, { ...ctx.repository, pull_number: pull.number, per_page: 100 }),
      ledger.read()
    ])
    const record = buildClosedRecord({
      id: runId(ctx),
      repository,
      pull,
      issue: marker.issue,
      fixRounds: marker.handled.length,
      commitEmails: commits.map(c => c.commit.author?.email ?? ''),
      botEmail: inputs.commitAuthorEmail,
      comments: humanComments(comments as RawReviewComment[], inputs.botLogin),
      findings: publishedFindings(read.records, repository, pull.number),
      recordedAt: new Date()
    })
    await ledger.append([record], secrets, read)
    const how = pull.merged ? 'merged' : 'closed without merge'
    core.info(
      `Recorded pull request #${pull.number}: ${how}, ${record.fixRounds} /fix round(s), ${record.humanCommits} human commit(s)` +
        (record.humanReview
          ? `, ${record.humanReview.missed} of ${record.humanReview.comments} review comment(s) not raised by the bot`
          : '')
    )
    return { status: 'recorded', prNumber: pull.number, reason: `pull request #${pull.number} ${how}` }
  } catch (err) {
    const message = secrets.redact((err as Error).message)
    core.warning(`Could not record pull request #${pull.number} in the ledger (${LEDGER_BRANCH}): ${message}`)
    return { status: 'ignored', prNumber: pull.number, reason: `the ledger could not be written: ${message}` }
  }
}
