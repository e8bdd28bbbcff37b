import { describe, expect, it } from '@jest/globals'
import { renderStatusComment, type StatusView } from '../../../src/action/render/status-comment.js'
import { STATUS_MARKER } from '../../../src/action/markers.js'
import { phase } from './support.js'

const RUN = 'https://github.com/acme/widgets/actions/runs/123'

const inProgress: StatusView = {
  title: 'Orchestrator: planning for #42',
  runUrl: RUN,
  phases: [
    { name: 'index', state: 'done', result: phase('index', { durationMs: 20_000, costUsd: 0.02 }) },
    { name: 'research', state: 'running' },
    { name: 'plan', state: 'pending' }
  ]
}

describe('renderStatusComment', () => {
  it('renders the whole checklist', () => {
    expect(renderStatusComment(inProgress)).toBe(
      [
        STATUS_MARKER,
        '',
        '### 🤖 Orchestrator: planning for #42',
        '',
        '- ✅ **index** — 20.0s, $0.0200',
        '- ⏳ **research** (running)',
        '- ⬜ **plan**',
        '',
        'Cost so far: $0.0200 · [Workflow run](https://github.com/acme/widgets/actions/runs/123)'
      ].join('\n')
    )
  })

  it('starts with the status marker so the bot finds its own comment again', () => {
    expect(renderStatusComment(inProgress).startsWith('<!-- orchestrator:status -->')).toBe(true)
  })

  it('shows a failure, a skipped phase and the final outcome', () => {
    const body = renderStatusComment({
      title: 'Orchestrator: implementing #42',
      runUrl: RUN,
      phases: [
        {
          name: 'index',
          state: 'skipped',
          result: phase('index', { status: 'skipped', costUsd: 0 }),
          note: 'reused from the plan'
        },
        { name: 'implement', state: 'done', result: phase('implement', { durationMs: 185_000, costUsd: 1.25 }) },
        {
          name: 'review',
          state: 'failed',
          result: phase('review', { status: 'failed', durationMs: 3_000, costUsd: 0.05 }),
          note: 'the reviewer gave no verdict'
        }
      ],
      outcome: { ok: false, text: 'The review failed: the reviewer gave no verdict.' }
    })
    expect(body).toContain('- ⏭️ **index** — reused from the plan')
    expect(body).toContain('- ✅ **implement** — 3m 5s, $1.25')
    expect(body).toContain('- ❌ **review** — 3.0s, $0.0500 — the reviewer gave no verdict')
    expect(body).toContain('Cost so far: $1.30 · [Workflow run](https://github.com/acme/widgets/actions/runs/123)')
    expect(body.endsWith('❌ The review failed: the reviewer gave no verdict.')).toBe(true)
  })

  it("warns on a phase that changed git's own setup, naming what was put back", () => {
    const body = renderStatusComment({
      ...inProgress,
      phases: [
        {
          name: 'implement',
          state: 'done',
          result: phase('implement', {
            durationMs: 185_000,
            costUsd: 1.25,
            restored: ['.git/config', '.git/hooks/pre-commit']
          })
        }
      ]
    })
    expect(body).toContain(
      '- ✅ **implement** — 3m 5s, $1.25 — ⚠️ put back git setup it changed: `.git/config`, `.git/hooks/pre-commit`'
    )
  })

  it('marks a successful outcome', () => {
    const body = renderStatusComment({ ...inProgress, outcome: { ok: true, text: 'Opened #43.' } })
    expect(body.endsWith('\n\n✅ Opened #43.')).toBe(true)
  })

  it('neutralizes the title, notes and outcome', () => {
    const body = renderStatusComment({
      title: 'Fix @alice bug <!-- x',
      runUrl: RUN,
      phases: [{ name: 'plan', state: 'failed', note: 'error: --> @bob' }],
      outcome: { ok: false, text: 'ping @carol' }
    })
    expect(body).not.toMatch(/@(alice|bob|carol)/)
    expect(body.match(/<!--/g)).toHaveLength(1)
    expect(body.match(/-->/g)).toHaveLength(1)
  })
})
