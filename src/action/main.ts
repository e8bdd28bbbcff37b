/**
 * The action: read inputs, route the event, check who asked, run the flow,
 * set outputs. One try/catch: anything unexpected fails the step with a
 * message, and the issue hears about it when a run had started.
 */
import * as core from '@actions/core'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { providerSecrets } from '../claude/providers.js'
import { createGitHubClient } from '../github/client.js'
import { reactToComment } from '../github/comments.js'
import { canWrite } from '../github/permissions.js'
import { phaseTable } from './render/markdown.js'
import { withoutPersistedCredentials } from './branch.js'
import { assertCheckout } from './checkout.js'
import { claudeEngine } from './claude-engine.js'
import { assertNoCredentialFiles } from './credential-files.js'
import { resolveClaude, verifyClaude } from './claude-install.js'
import { cancelPlan } from './flows/cancel.js'
import { fixFailedChecks } from './flows/check-fix.js'
import { fixPullRequest } from './flows/fix.js'
import { approvePlan, resumeRun } from './flows/implement.js'
import { failBeforeStart, refuse } from './flows/outcome.js'
import { answerQuestion, revisePlan, startPlan } from './flows/plan.js'
import { readInputs, readRunnerContext, type Inputs, type RunnerContext } from './inputs.js'
import { SecretRegistry } from './secrets.js'
import { routeEvent, type Route } from './route.js'
import { recordActionRun, recordClosedPull } from '../ledger/action.js'
import { Session, type Outputs } from './session.js'

const secrets = new SecretRegistry()

function registerSecrets(inputs: Inputs, ctx: RunnerContext): void {
  for (const value of [
    inputs.githubToken,
    inputs.answerer?.apiKey,
    // The model credentials, from the inputs or the job's environment (aws-actions/configure-aws-credentials…).
    ...providerSecrets({ ...ctx.env, ...inputs.providerEnv })
  ]) {
    secrets.add(value)
  }
}

function setOutputs(out: Outputs, ctx: RunnerContext | null): void {
  core.setOutput('status', out.status)
  core.setOutput('branch', out.branch ?? '')
  core.setOutput('pr_number', out.prNumber !== undefined ? String(out.prNumber) : '')
  core.setOutput('pr_url', out.prUrl ?? '')
  core.setOutput('plan_comment_url', out.planCommentUrl ?? '')
  core.setOutput('cost_usd', out.costUsd !== undefined ? out.costUsd.toFixed(4) : '0')
  let resultFile = ''
  if (out.result) {
    const dir = ctx?.env.RUNNER_TEMP || os.tmpdir()
    resultFile = path.join(dir, `orchestrator-result-${ctx?.runId ?? 'local'}.json`)
    fs.writeFileSync(resultFile, secrets.redact(`${JSON.stringify(out.result, null, 2)}\n`))
  }
  core.setOutput('result_file', resultFile)
}

async function writeSummary(out: Outputs, route: Route): Promise<void> {
  const lines = [`## Orchestrator: ${out.status}`]
  if (route.kind !== 'ignored') lines.push(`Issue #${route.issue.number}: ${route.issue.title.replace(/[<>]/g, '')}`)
  if (out.reason) lines.push(`Reason: ${out.reason}`)
  if (out.planCommentUrl) lines.push(`[Plan comment](${out.planCommentUrl})`)
  if (out.prUrl) lines.push(`[Pull request #${out.prNumber}](${out.prUrl})`)
  if (out.result) lines.push(phaseTable(out.result.phases))
  await core.summary.addRaw(secrets.redact(lines.join('\n\n'))).write()
}

async function dispatch(s: Session, route: Exclude<Route, { kind: 'ignored' | 'closed' }>): Promise<Outputs> {
  switch (route.kind) {
    case 'start':
      return startPlan(s, { extra: route.extra })
    case 'revise':
      return revisePlan(s, { feedback: route.feedback })
    case 'approve':
      return approvePlan(s, {
        guidance: route.guidance,
        commentId: route.trigger.id,
        commentCreatedAt: route.trigger.createdAt
      })
    case 'cancel':
      return cancelPlan(s, route.actor)
    case 'fix':
      return fixPullRequest(s, { feedback: route.feedback, source: route.trigger })
    case 'answer':
      return answerQuestion(s, { answer: route.answer, actor: route.actor })
    case 'resume':
      return resumeRun(s, { guidance: route.guidance, commentId: route.trigger.id })
    case 'checks':
      return fixFailedChecks(s, { headSha: route.trigger.headSha, name: route.trigger.name })
  }
}

export async function run(): Promise<void> {
  const startedAt = Date.now()
  let ctx: RunnerContext | null = null
  let out: Outputs
  let route: Route = { kind: 'ignored', reason: 'not routed yet' }
  let session: Session | null = null
  /** Set once the actor's permission is confirmed: a failure before the flow's status comment then gets a reply. */
  let accepted = false
  try {
    ctx = readRunnerContext()
    const inputs = readInputs()
    registerSecrets(inputs, ctx)
    const payload = JSON.parse(fs.readFileSync(ctx.eventPath, 'utf8')) as Record<string, unknown>
    route = routeEvent(ctx.eventName, payload, inputs.triggerLabel, {
      fixFailingChecks: inputs.fixFailingChecks,
      branchPrefix: inputs.branchPrefix
    })
    if (route.kind === 'ignored') {
      core.info(`Nothing to do: ${route.reason}`)
      setOutputs({ status: 'ignored', reason: route.reason }, ctx)
      return
    }
    if (route.kind === 'closed') {
      // Nothing runs on a closed pull request: it only completes the ledger's records of it.
      setOutputs(await recordClosedPull(inputs, ctx, route, secrets), ctx)
      return
    }
    core.info(`Event: ${route.kind} on #${route.issue.number} by ${route.actor}`)
    const gh = createGitHubClient(inputs.githubToken, ctx.apiUrl, text => secrets.redact(text))
    const repository = (payload.repository ?? {}) as { default_branch?: string }
    const baseBranch = inputs.baseBranch ?? repository.default_branch ?? 'main'
    const runner = ctx
    // Resolved once per run, and never from the checkout (see claude-install.ts).
    let claude: Promise<string> | null = null
    const engine = claudeEngine({
      inputs,
      ctx,
      secrets,
      resolveClaude: () => {
        claude ??= resolveClaude({
          claudePath: inputs.claudePath,
          pathVar: runner.env.PATH,
          workspace: runner.workspace,
          toolCache: runner.toolCache
        }).then(async file => {
          await verifyClaude(file)
          return file
        })
        return claude
      }
    })
    const s = new Session(gh, inputs, ctx, route.issue, baseBranch, secrets, engine)
    session = s
    // Issue commands all read the issue's comments: fetch them while the permission is checked.
    const prefetch =
      route.kind === 'fix' || route.kind === 'checks'
        ? Promise.resolve()
        : s.issueComments().then(
            () => undefined,
            () => undefined
          )
    // Failed checks are nobody's command: which pull requests qualify is decided by the flow (check-fix-rules.ts).
    const allowed = route.kind === 'checks' || (await canWrite(gh, ctx.repository, route.actor))
    await prefetch
    if (!allowed) {
      out = await refuse(
        s,
        `Sorry, only people with write access to this repository can ${route.kind === 'start' ? 'start the orchestrator' : `use /${route.kind}`}. Ask a maintainer to do it.`
      )
    } else {
      if (route.trigger.type === 'comment') {
        // 👀 says "seen"; a failed reaction is cosmetic.
        await reactToComment(gh, ctx.repository, route.trigger.id, 'eyes').catch((err: unknown) =>
          core.warning(`Could not react to the comment: ${(err as Error).message}`)
        )
      }
      accepted = true
      await assertCheckout(ctx.workspace)
      assertNoCredentialFiles(ctx.workspace, process.env)
      out = await withoutPersistedCredentials(ctx.workspace, () =>
        dispatch(s, route as Exclude<Route, { kind: 'ignored' | 'closed' }>)
      )
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    core.error(err instanceof Error && err.stack ? err.stack : message)
    // A flow that got as far as its status comment closes it itself (underStatus): what reaches
    // here broke before that. Someone who sent an accepted command still hears why.
    out = session && accepted ? await failBeforeStart(session, message) : { status: 'failed', reason: message }
  }
  setOutputs(out, ctx)
  await writeSummary(out, route).catch((err: unknown) =>
    core.warning(`Could not write the job summary: ${(err as Error).message}`)
  )
  await recordActionRun(session, route, out, startedAt)
  if (out.status === 'failed') core.setFailed(`Orchestrator failed: ${out.reason ?? 'unknown error'}`)
  else core.info(`Outcome: ${out.status}${out.reason ? ` (${out.reason})` : ''}`)
}
