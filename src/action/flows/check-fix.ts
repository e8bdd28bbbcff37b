/**
 * Red CI on a pull request the bot opened (fix_failing_checks): the failed
 * jobs' names, conclusions and log excerpts become the feedback of a /fix run,
 * at most `max_auto_fixes` times per pull request and once per head commit.
 * Nobody asked for this run, so what does not qualify ends quietly in the log;
 * a spent budget is said once on the pull request.
 */
import * as core from '@actions/core'
import { failedChecks } from '../../github/checks.js'
import { getPull } from '../../github/pulls.js'
import { countBySeverity } from '../../engine/findings.js'
import { checksFeedback } from '../ci-feedback.js'
import { decideCheckFix } from '../check-fix-rules.js'
import { neutralize } from '../render/markdown.js'
import type { Outputs, Session } from '../session.js'
import { decodePrMarker, replacePrMarker, type PrState } from '../markers.js'
import { carryOutFix, earlierSummary, prepareFix } from './fix.js'

export interface CheckFixRequest {
  /** The commit the checks failed on. */
  headSha: string
  /** The workflow's or the check suite's app's name, for the log. */
  name: string
}

function ignore(reason: string): Outputs {
  core.info(`Nothing to do for the failed checks: ${reason}`)
  return { status: 'ignored', reason }
}

export async function fixFailedChecks(s: Session, req: CheckFixRequest): Promise<Outputs> {
  const max = s.inputs.maxAutoFixes
  const pr = await getPull(s.gh, s.repo, s.issue.number)
  const found = decodePrMarker(pr.body)
  const decision = decideCheckFix({
    pr,
    state: found,
    headSha: req.headSha,
    botLogin: s.inputs.botLogin,
    branchPrefix: s.inputs.branchPrefix,
    maxAutoFixes: max
  })
  if (decision.kind === 'skip') return ignore(decision.reason)
  const state = found as PrState
  const sha = req.headSha.slice(0, 7)

  if (decision.kind === 'stop') {
    // Written first: a re-run of this job finds it and stays silent.
    const body = replacePrMarker(pr.body, { ...state, checkFixesStopped: req.headSha })
    await s.gh.rest.pulls.update({ ...s.repo, pull_number: pr.number, body })
    const reason = `the checks failed on ${sha} and the ${max} automatic fix(es) for this pull request are spent`
    await s.reply(
      `🛑 The checks failed again on ${sha} (${neutralize(req.name)}). I have tried to fix failed checks on this pull request ${decision.attempts} time${decision.attempts === 1 ? '' : 's'} (\`max_auto_fixes: ${max}\`), so I am stopping: I won't try again on my own.\n\nComment \`/fix <what should change>\` to have me work on it with your guidance.`
    )
    core.info(`Stopped: ${reason}`)
    return { status: 'refused', reason, prNumber: pr.number, prUrl: pr.htmlUrl, branch: state.branch }
  }

  const failures = await failedChecks(s.gh, s.repo, req.headSha)
  if (!failures.length) return ignore(`no failed check run or job was found for ${sha}`)
  const base = await prepareFix(s, pr, state)
  if ('problem' in base) return ignore(base.problem)

  // The attempt counts from here, before Claude starts: a crash or a re-run never gets a second go at this commit.
  const counted: PrState = { ...state, checkFixes: [...(state.checkFixes ?? []), req.headSha] }
  const body = replacePrMarker(pr.body, counted)
  await s.gh.rest.pulls.update({ ...s.repo, pull_number: pr.number, body })
  const names = failures.map(f => f.name)
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '')
  core.info(`Fixing failed checks on ${sha} (attempt ${decision.attempt} of ${max}): ${shown}`)
  return carryOutFix(
    s,
    { ...base, pr: { ...pr, body }, state: counted },
    {
      guidance: checksFeedback(failures, { headSha: req.headSha, redact: text => s.secrets.redact(text) }),
      commitMessage: `orchestrator: fix failing checks on #${pr.number}\n\nFailed on ${sha}: ${shown}`,
      note: fixed => `Updated in ${fixed.slice(0, 7)} after checks failed on ${sha}.`,
      mark: st => st,
      reply: (fixed, changed, result) =>
        `🔧 The checks failed on ${sha}: ${neutralize(shown)}. Pushed ${fixed.slice(0, 7)} to fix them (automatic fix ${decision.attempt} of ${max}). Changed: ${changed}.\n\nReview of the new state: ${countBySeverity(result.findings, 'no findings')} (details in the description).${earlierSummary(result)}`
    }
  )
}
