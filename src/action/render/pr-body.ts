/** The pull request description: what was done, the review findings, the costs. */
import type { Finding, RunResult, Severity } from '../../engine/types.js'
import { SEVERITIES } from '../../engine/types.js'
import { blobUrl, GITHUB_BODY_LIMIT, neutralize, phaseTable, questionsSection, truncate } from './markdown.js'

export interface PrBodyView {
  issue: number
  issueTitle: string
  branch: string
  headSha: string
  planPath: string
  planCommentUrl?: string
  result: RunResult
  serverUrl: string
  repo: { owner: string; repo: string }
  runUrl: string
}

const SEVERITY_TITLES: Record<Severity, string> = {
  blocker: '🛑 Blockers',
  major: '🟠 Major',
  minor: '🟡 Minor',
  nit: '⚪ Nits'
}

export const PR_MARKER = '<!-- orchestrator:pr -->'

function findingLine(f: Finding, view: PrBodyView): string {
  const where = f.line ? `${f.file}:${f.line}` : f.file
  const link = f.file ? `[\`${neutralize(where)}\`](${blobUrl(view.serverUrl, view.repo, view.headSha, f.file, f.line)})` : ''
  const lens = f.lens ? ` _(${neutralize(f.lens)})_` : ''
  return `- **${neutralize(f.title)}** ${link}${lens}\n  ${neutralize(f.detail).replace(/\n/g, '\n  ')}`
}

export function renderFindings(findings: Finding[], view: PrBodyView): string {
  if (!findings.length) return '_The review found nothing to report._'
  return SEVERITIES.filter((s) => findings.some((f) => f.severity === s))
    .map((s) => {
      const group = findings.filter((f) => f.severity === s)
      return `#### ${SEVERITY_TITLES[s]} (${group.length})\n${group.map((f) => findingLine(f, view)).join('\n')}`
    })
    .join('\n\n')
}

export function renderPrBody(view: PrBodyView): string {
  const r = view.result
  const planUrl = blobUrl(view.serverUrl, view.repo, view.headSha, view.planPath)
  const reviewLink = r.reviewPath ? ` · [review document](${blobUrl(view.serverUrl, view.repo, view.headSha, r.reviewPath)})` : ''
  const intro = [
    PR_MARKER,
    `Implements the plan for #${view.issue}: ${neutralize(view.issueTitle)}.`,
    '',
    `Closes #${view.issue}`,
    '',
    `[Plan](${planUrl})${view.planCommentUrl ? ` ([as approved](${view.planCommentUrl}))` : ''}${reviewLink} · [workflow run](${view.runUrl})`
  ].join('\n')
  const changed = r.changedFiles.length
    ? `### Changed files\n${r.changedFiles.map((f) => `- \`${neutralize(f)}\``).join('\n')}`
    : '### Changed files\n_None._'
  const tail = [questionsSection(r.phases), `### Phases\n${phaseTable(r.phases)}`].filter(Boolean).join('\n\n')
  const head = `${intro}\n\n${truncate(changed, 4000, 'see the commit')}`
  const room = GITHUB_BODY_LIMIT - head.length - tail.length - 600
  const findings = truncate(renderFindings(r.findings, view), room, 'see the review document for every finding')
  return `${head}\n\n### Review findings\n${findings}\n\n${tail}`
}
