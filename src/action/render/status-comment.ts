/** The one status comment per run: a checklist of phases, edited as they progress. */
import type { PhaseName, PhaseResult } from '../../engine/types.js'
import { STATUS_MARKER } from '../markers.js'
import { GITHUB_BODY_LIMIT, neutralize, restoredFiles, sandboxRefusals, shortReason, truncate } from './markdown.js'
import { sumTotals } from '../../engine/results.js'
import { duration, usd } from '../../util/format.js'

export type PhaseState = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'waiting'

export interface StatusView {
  title: string
  runUrl: string
  phases: Array<{ name: PhaseName; state: PhaseState; result?: PhaseResult; note?: string }>
  /** The project's check, one line per round so far. */
  verify?: string[]
  /** Shown under the title: Claude runs without the sandbox, and why. */
  unconfined?: string
  /** Set on the final edit. */
  outcome?: { ok: boolean; text: string }
}

const ICONS: Record<PhaseState, string> = {
  pending: '⬜',
  running: '⏳',
  done: '✅',
  failed: '❌',
  skipped: '⏭️',
  waiting: '❓'
}

export function renderStatusComment(view: StatusView): string {
  const lines = view.phases.map(p => {
    const stats = p.result?.reused
      ? ' — reused from an earlier run'
      : p.result && p.state !== 'skipped'
        ? ` — ${duration(p.result.durationMs)}, ${usd(p.result.costUsd)}`
        : ''
    const refused = p.result ? sandboxRefusals(p.result) : ''
    const restored = p.result?.restored?.length ? `⚠️ put back git setup it changed: ${restoredFiles(p.result)}` : ''
    const note = [p.note && shortReason(p.note, 300), refused, restored]
      .filter(Boolean)
      .map(n => ` — ${neutralize(n as string)}`)
      .join('')
    return `- ${ICONS[p.state]} **${p.name}**${p.state === 'running' ? ' (running)' : ''}${stats}${note}`
  })
  const cost = sumTotals(...view.phases.flatMap(p => (p.result ? [p.result] : []))).costUsd
  const parts = [STATUS_MARKER, `### 🤖 ${neutralize(view.title)}`]
  if (view.unconfined)
    parts.push(`> [!WARNING]\n> Claude Code runs **without the sandbox**: ${neutralize(view.unconfined)}.`)
  parts.push(
    [...lines, ...(view.verify ?? []).map(l => `- ${neutralize(l)}`)].join('\n'),
    `Cost so far: ${usd(cost)} · [Workflow run](${view.runUrl})`
  )
  if (view.outcome) parts.push(`${view.outcome.ok ? '✅' : '❌'} ${neutralize(shortReason(view.outcome.text))}`)
  // An edit GitHub would reject leaves the comment at "running" forever: never send one.
  return truncate(parts.join('\n\n'), GITHUB_BODY_LIMIT - 200, 'see the workflow run')
}
