/**
 * /fix on a pull request the bot opened: implement the feedback (the comment's
 * text, the review findings it names and the inline review comments) on top
 * of the branch, review again, push, replace the findings in the PR body, and
 * reply on the PR. The same machinery fixes failed checks (check-fix.ts).
 */
import { listComments } from '../../github/comments.js'
import { canWrite } from '../../github/permissions.js'
import { getPull, inlineComments, type InlineComment, type PullDetail } from '../../github/pulls.js'
import { countBySeverity } from '../../engine/findings.js'
import type { Finding, RunResult } from '../../engine/types.js'
import type { WorkBranch } from '../branch.js'
import { isBotPull } from '../check-fix-rules.js'
import { parseFixArgument } from '../commands.js'
import { latestPlanIn, recordPush, type FoundPlan } from '../plan-record.js'
import { neutralize } from '../render/markdown.js'
import { replaceFindings } from '../render/pr-body.js'
import type { Outputs, Session } from '../session.js'
import type { StatusComment } from '../status.js'
import { decodePrMarker, replacePrMarker, withFindings, type PrState } from '../markers.js'
import { sameTask } from '../untrusted.js'
import { failRun, refuse, underStatus } from './outcome.js'
import { resumeBranch, startOverHint } from './resume-branch.js'

export interface FixRequest {
  feedback: string
  source: { type: 'comment' | 'review'; id: number }
}

/** One finding as implement gets it: id, severity, lens, place, title and detail. */
function findingText(f: Finding): string {
  const where = f.line ? `${f.file}:${f.line}` : f.file
  return `- ${f.id ?? '?'} [${f.severity}${f.lens ? `, ${f.lens}` : ''}] ${where}: ${f.title}\n  ${f.detail.replace(/\s+/g, ' ').trim()}`
}

/** The guidance implement gets: the maintainer's words, the findings they chose, each inline comment with its place. */
export function fixGuidance(feedback: string, comments: InlineComment[], findings: Finding[] = []): string {
  const parts = [
    findings.length
      ? `A maintainer asked for exactly these review findings to be fixed${feedback ? ', with a note' : ''}. Fix them and nothing else.`
      : 'A maintainer reviewed the pull request and asked for changes. Address all of it.'
  ]
  if (findings.length) parts.push(`Review findings to fix:\n${findings.map(findingText).join('\n')}`)
  if (feedback) parts.push(`${findings.length ? 'Their note' : 'Their request'}:\n${feedback}`)
  if (comments.length) {
    parts.push(
      `Inline review comments:\n${comments.map(c => `- ${c.path}${c.line ? `:${c.line}` : ''} (${c.author}): ${c.body.replace(/\s+/g, ' ').trim()}`).join('\n')}`
    )
  }
  return parts.join('\n\n')
}

/** Everything a fix builds on, checked: the bot's pull request, its issue and plan, the branch at a recorded head. */
export interface FixBase {
  pr: PullDetail
  state: PrState
  issue: { number: number; title: string; body: string }
  plan: FoundPlan
  wb: WorkBranch
  head: string
}

const NOT_OURS =
  '`/fix` works on pull requests the orchestrator opened; this one was not opened by it, so I left it alone.'

/**
 * The issue, plan and branch behind the bot's pull request, or why the bot
 * won't change it (in a sentence for the PR).
 */
export async function prepareFix(s: Session, pr: PullDetail, state: PrState): Promise<FixBase | { problem: string }> {
  const { data: issueData } = await s.gh.rest.issues.get({ ...s.repo, issue_number: state.issue })
  const issue = { number: issueData.number, title: issueData.title, body: issueData.body ?? '' }
  if (!sameTask(state.taskHash, issue)) {
    return {
      problem: `Issue #${issue.number} was edited after its plan was approved. Comment \`/revise\` on the issue for a plan that matches it; I won't change this pull request against a plan for other text.`
    }
  }
  // The issue's plan comment records what the bot pushed to this branch.
  const plan = latestPlanIn(await listComments(s.gh, s.repo, issue.number), s.inputs.botLogin, issue.number)
  if (plan?.state.branch !== state.branch) {
    return {
      problem: `I can't find the plan this pull request was built from on issue #${issue.number}. Comment \`/plan\` there to start again.`
    }
  }
  if (plan.state.state === 'pending') {
    return {
      problem: `A revised plan for issue #${issue.number} awaits approval: comment \`/approve\` there to build it on this pull request.`
    }
  }
  const wb = await s.workBranch(state.branch)
  const resumed = await resumeBranch(wb, plan.state)
  if ('problem' in resumed) {
    return {
      problem: `I won't change this pull request: ${resumed.problem}. I only build on commits I pushed myself. ${startOverHint(wb.branch, ` on issue #${issue.number}`)}`
    }
  }
  return { pr, state, issue, plan, wb, head: resumed.sha }
}

/** What one fix does differently: what implement is told, the commit, the marker, the reply. */
export interface FixWork {
  guidance: string
  commitMessage: string
  /** The line above the new findings in the PR body. */
  note: (sha: string) => string
  /** The marker after the push. */
  mark: (state: PrState) => PrState
  reply: (sha: string, changed: string, result: RunResult) => string
}

/** Implement → review on top of the branch, commit, push, record, new findings in the body, a reply. */
export async function carryOutFix(s: Session, base: FixBase, work: FixWork): Promise<Outputs> {
  const status = await s.openStatus(`Orchestrator: fixing #${base.pr.number}`, ['implement', 'review'])
  return underStatus(s, status, base.wb.branch, () => fixOnBranch(s, base, work, status))
}

/** The fix once its status comment is up, on the pull request's branch (`base.wb`). */
async function fixOnBranch(s: Session, base: FixBase, work: FixWork, status: StatusComment): Promise<Outputs> {
  const { pr, state, issue, plan, wb, head } = base
  const result = await s.runEngine({
    phases: ['implement', 'review'],
    inputs: { plan: [state.planPath] },
    guidance: { implement: work.guidance },
    // The review looks at the whole pull request, not only this fix.
    reviewBase: await wb.forkPoint(pr.baseRef),
    status,
    task: issue,
    earlierFindings: state.findings,
    nextFindingId: state.nextFinding
  })
  if (result.status === 'failed') return failRun(s, status, result.error ?? 'the fix failed', result, wb.branch)

  await wb.uncommitTo(head)
  const sha = await s.commit(wb, work.commitMessage)
  if (!sha) return failRun(s, status, 'the implement phase changed nothing for this feedback', result, wb.branch)
  const pushError = await s.push(wb, sha)
  if (pushError) return failRun(s, status, pushError, result, wb.branch)
  await recordPush(s.gh, s.repo, plan, sha)

  const next = withFindings(work.mark(state), result.findings)
  const view = {
    state: next,
    issue: state.issue,
    issueTitle: issue.title,
    branch: wb.branch,
    headSha: sha,
    planPath: state.planPath,
    result,
    serverUrl: s.ctx.serverUrl,
    repo: s.repo,
    runUrl: s.runUrl
  }
  const body = replacePrMarker(replaceFindings(pr.body, result.findings, view, work.note(sha)), next)
  await s.gh.rest.pulls.update({ ...s.repo, pull_number: pr.number, body })
  const changed = result.changedFiles.length
    ? result.changedFiles.map(f => `\`${neutralize(f)}\``).join(', ')
    : 'no source files'
  await Promise.all([
    s.reply(work.reply(sha, changed, result)),
    status.finish(true, `Pushed ${sha.slice(0, 7)}`),
    // A failure label from an earlier attempt no longer applies.
    s.labels.set(null)
  ])
  return {
    status: 'pr-updated',
    branch: wb.branch,
    prNumber: pr.number,
    prUrl: pr.htmlUrl,
    costUsd: result.totals.costUsd,
    result
  }
}

/** "F1 fixed, F2 still open" for the reply, when the review marked earlier findings. */
export function earlierSummary(result: RunResult): string {
  const marks = result.earlierFindings ?? []
  if (!marks.length) return ''
  return ` Earlier findings: ${marks.map(m => `${m.id} ${m.status === 'fixed' ? 'fixed' : 'still open'}`).join(', ')}.`
}

export async function fixPullRequest(s: Session, req: FixRequest): Promise<Outputs> {
  const pr = await getPull(s.gh, s.repo, s.issue.number)
  const state = decodePrMarker(pr.body)
  if (!isBotPull(pr, state, s.inputs)) return refuse(s, NOT_OURS)
  if (!pr.open) return refuse(s, 'This pull request is closed, so there is nothing to fix. Reopen it first.')
  const key = `${req.source.type}:${req.source.id}`
  if (state.handled.includes(key)) return refuse(s, 'This feedback was already handled; see the commits on the branch.')
  const { findings: ids, words } = parseFixArgument(req.feedback)
  const known = state.findings ?? []
  const unknown = ids.filter(id => !known.some(f => f.id === id))
  if (unknown.length) {
    return refuse(
      s,
      known.length
        ? `This pull request has no finding ${unknown.join(', ')}; its findings are ${known.map(f => f.id).join(', ')} (see the description).`
        : `This pull request has no numbered review findings, so there is no ${unknown.join(', ')}. Say what to change: \`/fix <what should change>\`.`
    )
  }
  const chosen = ids.map(id => known.find(f => f.id === id) as Finding)
  // Anyone can comment on a public pull request; only maintainers' comments become instructions.
  // Named findings are the whole request, unless a review carries them with its own comments.
  const all =
    chosen.length && req.source.type === 'comment'
      ? []
      : await inlineComments(s.gh, s.repo, pr.number, req.source.type === 'review' ? req.source.id : undefined)
  const writers = new Map<string, Promise<boolean>>()
  const allowed = await Promise.all(
    all.map(c => {
      if (!writers.has(c.author)) writers.set(c.author, canWrite(s.gh, s.repo, c.author))
      return writers.get(c.author) as Promise<boolean>
    })
  )
  const comments = all.filter((_, i) => allowed[i])
  if (!words && !comments.length && !chosen.length) {
    return refuse(s, 'Say what to change: `/fix <what should change>`, or leave inline review comments first.')
  }

  const base = await prepareFix(s, pr, state)
  if ('problem' in base) return refuse(s, base.problem)
  const what = chosen.length ? ` (${ids.join(', ')})` : ''
  return carryOutFix(s, base, {
    guidance: fixGuidance(words, comments, chosen),
    commitMessage:
      `orchestrator: address review feedback on #${pr.number}${what}\n\n${words.split('\n')[0] ?? ''}`.trim(),
    note: sha => `Updated after review feedback in ${sha.slice(0, 7)}.`,
    mark: st => ({ ...st, handled: [...st.handled, key] }),
    reply: (sha, changed, result) =>
      `🔧 Pushed ${sha.slice(0, 7)} for this feedback${what}. Changed: ${changed}.\n\nReview of the new state: ${countBySeverity(result.findings, 'no findings')} (details in the description).${earlierSummary(result)}`
  })
}
