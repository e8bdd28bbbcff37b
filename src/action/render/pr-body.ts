/** The pull request description: what was done, the review findings, the costs. */
import type { Finding, RunResult, Severity } from '../../engine/types.js'
import { SEVERITIES } from '../../engine/types.js'
import { encodePrMarker, type PrState } from '../markers.js'
import {
  blobUrl,
  containmentSection,
  GITHUB_BODY_LIMIT,
  neutralize,
  phaseTable,
  questionsSection,
  truncate,
  verifySection
} from './markdown.js'

export interface PrBodyView {
  /** The bot's memory of this PR, embedded as a hidden marker. */
  state: PrState
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

const FINDINGS_START = '<!-- orchestrator:findings -->'
const FINDINGS_END = '<!-- /orchestrator:findings -->'

function findingLine(f: Finding, view: PrBodyView): string {
  const where = f.line ? `${f.file}:${f.line}` : f.file
  const link = f.file
    ? `[\`${neutralize(where)}\`](${blobUrl(view.serverUrl, view.repo, view.headSha, f.file, f.line)})`
    : ''
  const lens = f.lens ? ` _(${neutralize(f.lens)})_` : ''
  return `- **${neutralize(f.title)}** ${link}${lens}\n  ${neutralize(f.detail).replace(/\n/g, '\n  ')}`
}

export function renderFindings(findings: Finding[], view: PrBodyView): string {
  if (!findings.length) return '_The review found nothing to report._'
  return SEVERITIES.filter(s => findings.some(f => f.severity === s))
    .map(s => {
      const group = findings.filter(f => f.severity === s)
      return `#### ${SEVERITY_TITLES[s]} (${group.length})\n${group.map(f => findingLine(f, view)).join('\n')}`
    })
    .join('\n\n')
}

export function renderPrBody(view: PrBodyView): string {
  const r = view.result
  const planUrl = blobUrl(view.serverUrl, view.repo, view.headSha, view.planPath)
  const reviewLink = r.reviewPath
    ? ` · [review document](${blobUrl(view.serverUrl, view.repo, view.headSha, r.reviewPath)})`
    : ''
  const intro = [
    encodePrMarker(view.state),
    `Implements the plan for #${view.issue}: ${neutralize(view.issueTitle)}.`,
    '',
    `Closes #${view.issue}`,
    '',
    `[Plan](${planUrl})${view.planCommentUrl ? ` ([as approved](${view.planCommentUrl}))` : ''}${reviewLink} · [workflow run](${view.runUrl})`
  ].join('\n')
  const changed = r.changedFiles.length
    ? `### Changed files\n${r.changedFiles.map(f => `- \`${neutralize(f)}\``).join('\n')}`
    : '### Changed files\n_None._'
  const tail = [questionsSection(r.phases), `### Phases\n${phaseTable(r.phases)}`].filter(Boolean).join('\n\n')
  const containment = truncate(containmentSection(r), 3000, 'see the run log')
  const verify = verifySection(r)
  const head = [
    intro,
    verify.top,
    containment,
    truncate(changed, 4000, 'see the commit'),
    truncate(verify.section, 6000, 'see the run log')
  ]
    .filter(Boolean)
    .join('\n\n')
  const room = GITHUB_BODY_LIMIT - head.length - tail.length - 600
  return `${head}\n\n${findingsSection(r.findings, view, room)}\n\n${tail}`
}

function findingsSection(findings: Finding[], view: PrBodyView, room: number): string {
  const text = truncate(renderFindings(findings, view), room, 'see the review document for every finding')
  return `${FINDINGS_START}\n### Review findings\n${text}\n${FINDINGS_END}`
}

/**
 * The PR body with its findings section replaced by new findings (after /fix).
 * A body whose section was edited away gets the new section appended.
 */
export function replaceFindings(body: string, findings: Finding[], view: PrBodyView, note: string): string {
  const start = body.indexOf(FINDINGS_START)
  const end = body.indexOf(FINDINGS_END)
  const room = Math.max(1000, GITHUB_BODY_LIMIT - body.length + (end > start && start >= 0 ? end - start : 0) - 600)
  const section = findingsSection(findings, view, room).replace(
    '### Review findings\n',
    `### Review findings\n_${neutralize(note)}_\n\n`
  )
  if (start >= 0 && end > start) return `${body.slice(0, start)}${section}${body.slice(end + FINDINGS_END.length)}`
  return truncate(`${body}\n\n${section}`, GITHUB_BODY_LIMIT, 'see the review document')
}
