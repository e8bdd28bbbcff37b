/** The plan comment: what the maintainer reads and approves. */
import type { PhaseResult } from '../../engine/types.js'
import { encodePlanMarker, type PlanState } from '../markers.js'
import { blobUrl, GITHUB_BODY_LIMIT, neutralize, questionsSection, restoredNotes, truncate } from './markdown.js'
import { sumTotals } from '../../engine/results.js'
import { duration, usd } from '../../util/format.js'

export interface PlanCommentView {
  state: PlanState
  issueTitle: string
  planText: string
  researchText?: string
  phases: PhaseResult[]
  serverUrl: string
  repo: { owner: string; repo: string }
  runUrl: string
  /** Set when this plan replaces an earlier one (`/revise`). */
  revisionOf?: string
  /** Why this plan is on a fresh branch, when it is. */
  note?: string
  requireApproval: boolean
}

const RESEARCH_CHARS = 6000

export function renderPlanComment(view: PlanCommentView): string {
  const planUrl = blobUrl(view.serverUrl, view.repo, view.state.planSha, view.state.planPath)
  const { costUsd: cost, durationMs: time } = sumTotals(...view.phases)
  const head = [
    encodePlanMarker(view.state),
    `## 📋 Plan for #${view.state.issue}: ${neutralize(view.issueTitle)}`,
    view.revisionOf ? `_Revised plan, replacing [the previous one](${view.revisionOf})._` : '',
    view.note ? `_${view.note}_` : ''
  ]
  const research = view.researchText
    ? `<details><summary>Research summary</summary>\n\n${truncate(neutralize(view.researchText), RESEARCH_CHARS, `the full research is on the branch \`${view.state.branch}\``)}\n\n</details>`
    : ''
  const footer = [
    `Branch \`${view.state.branch}\` · [plan file](${planUrl}) · ${usd(cost)} · ${duration(time)} · [workflow run](${view.runUrl})`,
    view.requireApproval
      ? [
          '**What next?** Anyone with write access can reply with:',
          '- `/approve` to implement this plan and open a pull request',
          '- `/approve <extra guidance>` to implement it with your guidance',
          '- `/revise <feedback>` to get a new plan that takes your feedback into account',
          '- `/cancel` to stop here'
        ].join('\n')
      : '_Approval is not required in this repository: implementation starts right away._'
  ]
  const rest = [research, questionsSection(view.phases), restoredNotes(view.phases), ...footer]
    .filter(Boolean)
    .join('\n\n')
  const fixed = [...head.filter(Boolean), '', rest].join('\n\n').length
  // The plan gets whatever room the rest leaves, with margin for the truncation note.
  const room = GITHUB_BODY_LIMIT - fixed - 500
  const plan = truncate(neutralize(view.planText), room, `read the whole plan in [the plan file](${planUrl})`)
  return [...head.filter(Boolean), plan, rest].join('\n\n')
}

/** The banner put on a plan comment that no longer counts. */
export function markPlanComment(body: string, note: string): string {
  const end = body.indexOf('-->')
  if (end < 0) return `> [!NOTE]\n> ${note}\n\n${body}`
  const markerEnd = end + 3
  return `${body.slice(0, markerEnd)}\n\n> [!NOTE]\n> ${note}\n${body.slice(markerEnd)}`
}
