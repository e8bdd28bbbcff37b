/** How a run ends when it does not succeed: a refusal (nothing ran) or a failure (something broke). */
import * as core from '@actions/core'
import type { RunResult } from '../../engine/types.js'
import { neutralize, shortReason } from '../render/markdown.js'
import type { Outputs, Session } from '../session.js'
import type { StatusComment } from '../status.js'

/** A request the bot declines: one short reply, no labels touched, nothing run. */
export async function refuse(s: Session, message: string): Promise<Outputs> {
  core.info(`Refused: ${message}`)
  await s.reply(message)
  return { status: 'refused', reason: message }
}

/** A run that broke: the status comment and a final comment say why, the label says failed. */
export async function failRun(
  s: Session,
  status: StatusComment,
  error: string,
  result: RunResult | undefined,
  branch: string,
  /** What the run kept and how to go on, when it kept something (a checkpoint). */
  kept?: string
): Promise<Outputs> {
  // The log's error annotation is main's one setFailed: this only finishes the run on the issue.
  const reason = shortReason(error)
  const text = `Failed: ${reason}`
  const pushed = kept
    ? kept
    : s.pushed
      ? `The branch \`${branch}\` was pushed (${s.pushed.slice(0, 7)}) before this failed; the same command continues from there once the cause is fixed.`
      : 'Nothing was pushed from the failed step.'
  await status.finish(false, text)
  await s.labels.set('orchestrator:failed')
  await s.reply(
    `❌ The orchestrator run failed: ${neutralize(reason)}\n\n${pushed} See [the workflow run](${s.runUrl}) for the log.`
  )
  return { status: 'failed', branch, reason: error, result, costUsd: result?.totals.costUsd }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/**
 * The run's outcome when even the failure could not be posted (a locked issue,
 * lost write access): the log and the job summary say it, and no state label
 * is left claiming the run is still going.
 */
export async function notPosted(s: Session, message: string, postErr: unknown): Promise<Outputs> {
  core.warning(`Could not report the failure on the issue: ${messageOf(postErr)}`)
  await s.labels
    .set(null)
    .catch((labelErr: unknown) => core.warning(`Could not clear the state labels: ${messageOf(labelErr)}`))
  return { status: 'failed', reason: `${message} (not posted on the issue: ${messageOf(postErr)})` }
}

/**
 * Runs the part of a flow that follows its status comment: anything unexpected
 * closes that comment and says what broke, and becomes the run's outcome.
 */
export async function underStatus(
  s: Session,
  status: StatusComment,
  branch: string,
  body: () => Promise<Outputs>
): Promise<Outputs> {
  try {
    return await body()
  } catch (err) {
    const message = messageOf(err)
    // Where it broke, for the log; the failure itself is reported once, by main.
    if (err instanceof Error && err.stack) core.info(err.stack)
    return failRun(s, status, message, undefined, branch).catch((postErr: unknown) => notPosted(s, message, postErr))
  }
}

/** A command that was accepted but broke before any status comment: the person who sent it hears why. */
export async function failBeforeStart(s: Session, message: string): Promise<Outputs> {
  return s
    .reply(
      `❌ The orchestrator could not start: ${neutralize(shortReason(message))}\n\nSee [the workflow run](${s.runUrl}) for the log.`
    )
    .then(
      (): Outputs => ({ status: 'failed', reason: message }),
      (postErr: unknown) => notPosted(s, message, postErr)
    )
}
