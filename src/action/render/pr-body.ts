/** The pull request description: what was done, the review findings, the costs. */
import { renderBySeverity } from '../../engine/findings.js'
import type { EarlierFinding, Finding, RunResult } from '../../engine/types.js'
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

const FINDINGS_START = '<!-- orchestrator:findings -->'
const FINDINGS_END = '<!-- /orchestrator:findings -->'

function findingLine(f: Finding, view: PrBodyView, stillOpen: Set<string>): string {
  const where = f.line ? `${f.file}:${f.line}` : f.file
  const link = f.file
    ? `[\`${neutralize(where)}\`](${blobUrl(view.serverUrl, view.repo, view.headSha, f.file, f.line)})`
    : ''
  const lens = f.lens ? ` _(${neutralize(f.lens)})_` : ''
  const id = f.id ? `**${f.id}** ` : ''
  const open = stillOpen.has(f.id ?? '') ? ' · _still open_' : ''
  return `- ${id}**${neutralize(f.title)}** ${link}${lens}${open}\n  ${neutralize(f.detail).replace(/\n/g, '\n  ')}`
}

/** What this round's review said of the previous round's findings. */
function renderEarlier(earlier: EarlierFinding[] | undefined): string {
  if (!earlier?.length) return ''
  const lines = earlier.map(e =>
    e.status === 'fixed'
      ? `- ✅ **${e.id}** fixed: ${neutralize(e.title)}`
      : `- ⏳ **${e.id}** still open: ${neutralize(e.title)}`
  )
  return `#### Findings of the previous round\n${lines.join('\n')}`
}

export function renderFindings(findings: Finding[], view: PrBodyView, earlier?: EarlierFinding[]): string {
  const stillOpen = new Set((earlier ?? []).filter(e => e.status === 'open').map(e => e.id))
  const ids = findings.flatMap(f => (f.id ? [f.id] : [])).slice(0, 2)
  const hint = ids.length
    ? `_To have chosen findings fixed, comment \`/fix ${ids.join(' ')}\` (words after the ids go along)._`
    : ''
  const list = findings.length
    ? renderBySeverity(findings, { level: '####', item: f => findingLine(f, view, stillOpen) })
    : '_The review found nothing to report._'
  return [renderEarlier(earlier), list, hint].filter(Boolean).join('\n\n')
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
  const text = truncate(
    renderFindings(findings, view, view.result.earlierFindings),
    room,
    'see the review document for every finding'
  )
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
