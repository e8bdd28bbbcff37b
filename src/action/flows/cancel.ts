/** Cancel: the pending plan stops waiting; its comment and the labels say so. */
import { updateComment } from '../../github/comments.js'
import { markPlanComment } from '../render/plan-comment.js'
import type { Outputs, Session } from '../session.js'
import { replacePlanMarker } from '../markers.js'
import { refuse } from './outcome.js'

export async function cancelPlan(s: Session, actor: string): Promise<Outputs> {
  const plan = await s.latestPlan()
  if (plan?.state.state !== 'pending')
    return refuse(s, 'There is no plan awaiting approval on this issue, so there is nothing to cancel.')
  const body = replacePlanMarker(plan.comment.body, { ...plan.state, state: 'cancelled' })
  await updateComment(s.gh, s.repo, plan.comment.id, markPlanComment(body, `Cancelled by ${actor}.`))
  await s.labels.set(null)
  await s.reply(
    `🛑 Cancelled: the plan will not be implemented. The branch \`${plan.state.branch}\` is left as it is. Comment \`/plan\` to start over.`
  )
  return { status: 'cancelled', branch: plan.state.branch }
}
