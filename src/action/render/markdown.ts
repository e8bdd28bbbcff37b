/** Building blocks for everything the bot writes on GitHub. */
import type { PhaseResult, QuestionRecord, RunResult } from '../../engine/types.js'
import { sumTotals } from '../../engine/results.js'
import { duration, usd } from '../../util/format.js'

/** GitHub rejects comment and pull request bodies longer than this. */
export const GITHUB_BODY_LIMIT = 65536

/**
 * Text from a model or a user, made safe to embed in a bot comment: it cannot
 * open or close an HTML comment (and so cannot hide text or forge a state
 * marker), and `@name` does not notify anyone.
 */
export function neutralize(text: string): string {
  const safe = text.replace(/<!--/g, '&lt;!--').replace(/--!?>/g, '--&gt;')
  // Code spans and fences never notify anyone, and copied code must stay intact: only prose is touched.
  return safe
    .split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/(^|[^\w/.@-])@(?=[A-Za-z0-9])/g, '$1@\u200b')))
    .join('')
}

/** Cuts text to `max` characters at a line break, saying where the rest is. */
export function truncate(text: string, max: number, rest: string): string {
  if (text.length <= max) return text
  const note = `\n\n… _truncated: ${rest}_`
  const closer = '\n```'
  const cut = text.slice(0, Math.max(0, max - note.length - closer.length))
  const atLine = cut.lastIndexOf('\n')
  const kept = atLine > max / 2 ? cut.slice(0, atLine) : cut
  // A cut inside a code block would swallow everything after it into the block.
  const openFence = (kept.match(/^\s*```/gm) ?? []).length % 2 === 1
  return `${kept}${openFence ? closer : ''}${note}`
}

/**
 * Phases that changed git's own setup (hooks, .git/config…), which the engine
 * put back: worth a maintainer's look, since a model that tries that may have
 * tried more. '' when no phase did.
 */
export function restoredNotes(phases: PhaseResult[]): string {
  return phases
    .filter(p => p.restored?.length)
    .map(p => `> ⚠️ **${p.name}** changed git's own setup; it was put back: ${restoredFiles(p)}`)
    .join('\n>\n')
}

/** A phase's `restored` paths as code spans (the first 20). */
export function restoredFiles(p: PhaseResult): string {
  const paths = p.restored ?? []
  const shown = paths
    .slice(0, 20)
    .map(f => `\`${neutralize(f)}\``)
    .join(', ')
  return paths.length > 20 ? `${shown} and ${paths.length - 20} more` : shown
}

export function phaseTable(phases: PhaseResult[]): string {
  const rows = phases.map(p => {
    const mark = { succeeded: '✅', failed: '❌', skipped: '⏭️', waiting: '❓' }[p.status]
    return `| ${mark} ${p.name}${p.reused ? ' (reused)' : ''} | ${duration(p.durationMs)} | ${p.inputTokens} | ${p.outputTokens} | ${usd(p.costUsd)} |`
  })
  const total = sumTotals(...phases)
  const table = [
    '| Phase | Time | Input tokens | Output tokens | Cost |',
    '|---|---:|---:|---:|---:|',
    ...rows,
    `| **Total** | ${duration(total.durationMs)} | ${total.inputTokens} | ${total.outputTokens} | ${usd(total.costUsd)} |`
  ].join('\n')
  const notes = restoredNotes(phases)
  return notes ? `${table}\n\n${notes}` : table
}

/**
 * A failure as a maintainer reads it on the issue: the reason in at most three
 * lines; the full text (a command line, a stack) belongs in the log.
 */
export function shortReason(error: string, maxChars = 600): string {
  const lines = error
    .trim()
    .split('\n')
    .map(l => l.trimEnd())
    .filter(Boolean)
  const text = lines.slice(0, 3).join('\n')
  const cut = text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text
  return lines.length > 3 || text.length > maxChars ? `${cut} (full text in the log)` : cut
}

const FENCE = '```'

/** The project's check: a warning on top when it still fails, then each round with its time and a collapsed tail. */
export function verifySection(result: Pick<RunResult, 'verify' | 'phases'>): { top: string; section: string } {
  const v = result.verify
  if (!v) {
    const implemented = result.phases.some(p => p.name === 'implement' && p.status === 'succeeded')
    return {
      top: '',
      section: implemented
        ? '### Verify\n_No check ran: set `verify_command`, or `"verify"` in `.claude/orchestrator.json`._'
        : ''
    }
  }
  const last = v.rounds[v.rounds.length - 1]
  const rows = v.rounds.map(
    r =>
      `| ${r.round} | ${r.passed ? '✅ passed' : r.timedOut ? '❌ timed out' : `❌ exit ${r.exitCode}`} | ${duration(r.durationMs)} |`
  )
  const tail = last
    ? `<details><summary>Output of round ${last.round} (last lines)</summary>\n\n\`\`\`\n${neutralize(last.tail).replaceAll(FENCE, "'''")}\n\`\`\`\n\n</details>`
    : ''
  const section = [
    `### Verify: \`${neutralize(v.command)}\``,
    '| Round | Result | Time |',
    '|---:|---|---:|',
    ...rows,
    '',
    tail
  ].join('\n')
  const top = v.passed
    ? ''
    : `> [!CAUTION]\n> The project's check \`${neutralize(v.command)}\` still fails after ${v.rounds.length} round${v.rounds.length === 1 ? '' : 's'}: this pull request is a draft. See *Verify* below.`
  return { top, section }
}

/** What the sandbox refused in one phase, in one line; empty when it refused nothing. */
export function sandboxRefusals(p: PhaseResult): string {
  const parts: string[] = []
  if (p.blockedConnections?.length) {
    parts.push(
      `blocked ${p.blockedConnections.length} connection${p.blockedConnections.length === 1 ? '' : 's'}: ${p.blockedConnections.slice(0, 5).join(', ')}`
    )
  }
  if (p.deniedPaths?.length) {
    parts.push(
      `refused ${p.deniedPaths.length} write${p.deniedPaths.length === 1 ? '' : 's'}: ${p.deniedPaths.slice(0, 3).join(', ')}${p.deniedPaths.length > 3 ? ', …' : ''}`
    )
  }
  return parts.length ? `Sandbox ${parts.join('; ')}` : ''
}

/** How Claude was contained: a warning when it ran unconfined, and what the sandbox refused per phase. */
export function containmentSection(result: Pick<RunResult, 'phases' | 'sandbox'>): string {
  const lines: string[] = []
  if (result.sandbox && !result.sandbox.sandboxed) {
    lines.push(
      `> [!WARNING]\n> Claude Code ran **without the sandbox**: ${neutralize(result.sandbox.reason ?? 'sandbox: off')}. It could read this job's secrets.`
    )
  }
  for (const p of result.phases) {
    const refused = sandboxRefusals(p)
    if (refused) lines.push(`🛡️ **${p.name}**: ${neutralize(refused)}`)
  }
  return lines.join('\n\n')
}

export function questionsSection(phases: PhaseResult[], maxChars = 8000): string {
  const qa: Array<QuestionRecord & { phase: string }> = phases.flatMap(p =>
    p.questions.map(q => ({ ...q, phase: p.name }))
  )
  if (!qa.length) return ''
  const body = qa
    .map(
      q =>
        `**${q.phase}** asked:\n> ${neutralize(q.question).replace(/\n/g, '\n> ')}\n\nAnswered by ${q.answeredBy}: ${neutralize(q.answer)}`
    )
    .join('\n\n')
  return `<details><summary>Questions Claude asked (${qa.length})</summary>\n\n${truncate(body, maxChars, 'see the run log')}\n\n</details>`
}

export function blobUrl(
  serverUrl: string,
  repo: { owner: string; repo: string },
  ref: string,
  file: string,
  line?: number | null
): string {
  const encoded = file
    .split('/')
    .map(part => encodeURIComponent(part).replace(/\(/g, '%28').replace(/\)/g, '%29'))
    .join('/')
  return `${serverUrl}/${repo.owner}/${repo.repo}/blob/${ref}/${encoded}${line ? `#L${line}` : ''}`
}
