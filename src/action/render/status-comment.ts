/** The one status comment per run: a checklist of phases, edited as they progress. */
import type { PhaseName, PhaseResult } from '../../engine/types.js'
import { STATUS_MARKER } from '../state.js'
import { duration, neutralize, restoredFiles, usd } from './markdown.js'

export type PhaseState = 'pending' | 'running' | 'done' | 'failed' | 'skipped'

export interface StatusView {
  title: string
  runUrl: string
  phases: Array<{ name: PhaseName; state: PhaseState; result?: PhaseResult; note?: string }>
  /** Set on the final edit. */
  outcome?: { ok: boolean; text: string }
}

const ICONS: Record<PhaseState, string> = { pending: '⬜', running: '⏳', done: '✅', failed: '❌', skipped: '⏭️' }

export function renderStatusComment(view: StatusView): string {
  const lines = view.phases.map((p) => {
    const stats = p.result?.reused
      ? ' — reused from an earlier run'
      : p.result && p.state !== 'skipped'
        ? ` — ${duration(p.result.durationMs)}, ${usd(p.result.costUsd)}`
        : ''
    const restored = p.result?.restored?.length ? ` — ⚠️ put back git setup it changed: ${restoredFiles(p.result)}` : ''
    const note = `${p.note ? ` — ${neutralize(p.note)}` : ''}${restored}`
    return `- ${ICONS[p.state]} **${p.name}**${p.state === 'running' ? ' (running)' : ''}${stats}${note}`
  })
  const cost = view.phases.reduce((s, p) => s + (p.result?.costUsd ?? 0), 0)
  const parts = [STATUS_MARKER, `### 🤖 ${neutralize(view.title)}`, lines.join('\n'), `Cost so far: ${usd(cost)} · [Workflow run](${view.runUrl})`]
  if (view.outcome) parts.push(`${view.outcome.ok ? '✅' : '❌'} ${neutralize(view.outcome.text)}`)
  return parts.join('\n\n')
}
