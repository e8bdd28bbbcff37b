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
  result?: RunResult,
  branch = s.branchName,
  /** What the run kept and how to go on, when it kept something (a checkpoint). */
  kept?: string
): Promise<Outputs> {
  core.error(`Run failed: ${error}`)
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
