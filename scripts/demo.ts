/**
 * `npm run demo`: the whole story, locally, with no accounts.
 *
 * A maintainer labels an issue, the action plans (asking one question that the
 * answerer settles), the maintainer comments `/approve`, and the action
 * implements, reviews and opens a pull request. It is the bundled action
 * (`dist/index.js` on Node 24) driving the real Claude Code CLI, against the
 * test suite's fake GitHub, scripted Anthropic model, fake OpenAI and a bare
 * git origin. The result is printed as a maintainer would read it on GitHub,
 * and written as an HTML page.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  BOT,
  createWorld,
  MAINTAINER,
  node24Path,
  OWNER,
  REPO,
  type ActionRun,
  type World
} from '../test/support/action-harness.js'
import type { FakeComment } from '../test/support/github-server.js'
import { gitIn, REPO_ROOT } from '../test/support/sandbox.js'
import {
  colorDiffLine,
  makeStyles,
  markdownToTerminal,
  renderPage,
  stripAnsi,
  terminalInline,
  visibleWidth,
  type PageEntry
} from './demo/render.js'
import { ANSWER, APPROVE_COMMENT, ISSUE, SAMPLE_REPO, storyRules, testSummary } from './demo/story.js'

class DemoError extends Error {}

const useColor = process.env.FORCE_COLOR
  ? process.env.FORCE_COLOR !== '0'
  : Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
const st = makeStyles(useColor)
const WIDTH = Math.min(process.stdout.columns || 100, 100)
const ARTIFACTS = 'thoughts/shared'

const say = (line = '') => process.stdout.write(`${line}\n`)
const indent = (text: string, by = '  ') =>
  text
    .split('\n')
    .map(l => (l ? by + l : l))
    .join('\n')
const clock = (iso: string) => new Date(iso).toTimeString().slice(0, 8)
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`

function banner(title: string): void {
  const text = ` ${title} `
  say()
  say(st.bold(st.blue(`━━${text}${'━'.repeat(Math.max(3, WIDTH - visibleWidth(text) - 2))}`)))
}

function rule(title: string): void {
  const text = ` ${title} `
  say()
  say(`${st.dim('──')}${st.bold(text)}${st.dim('─'.repeat(Math.max(3, WIDTH - visibleWidth(stripAnsi(text)) - 2)))}`)
}

function preflight(): void {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'index.js'))) {
    throw new DemoError('dist/index.js is missing. The demo runs the bundled action: run `npm run bundle` first.')
  }
  if (!fs.existsSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'claude'))) {
    throw new DemoError('Claude Code (node_modules/.bin/claude) is not installed: run `npm ci` first.')
  }
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' })
  } catch {
    throw new DemoError('git is not on PATH; the demo needs it for the sample repository.')
  }
  try {
    node24Path()
  } catch (err) {
    throw new DemoError(
      'Could not get Node 24 with `npx -p node@24` (the action runs on Node 24, as on GitHub; npx fetches it ' +
        `once from the npm registry and caches it): ${(err as Error).message.split('\n')[0]}`
    )
  }
}

/** The lines of the action's log that say what Claude did (the engine's progress lines). */
function logExcerpt(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter(l => /^(▶ |✔ |✖ | {2}[·?↳] )/.test(l))
    .map(l => (l.length > WIDTH - 4 ? `${l.slice(0, WIDTH - 5)}…` : l))
}

async function runAction(
  w: World,
  label: string,
  event: ReturnType<World['labeledEvent']>,
  expected: string
): Promise<ActionRun> {
  say()
  say(`${st.bold('▶')} ${label}`)
  say(st.dim(`  running dist/index.js on Node 24, as the GitHub runner would (event: ${event.name})`))
  const started = Date.now()
  const run = await w.run(event)
  for (const line of logExcerpt(run)) say(st.dim(`    ${line}`))
  if (run.exitCode !== 0 || run.outputs.status !== expected) {
    const tail = `${run.stdout}\n${run.stderr}`
      .trim()
      .split('\n')
      .filter(l => !l.startsWith('::add-mask::'))
      .slice(-40)
      .join('\n')
    throw new DemoError(
      `the action ended with exit code ${run.exitCode} and status "${run.outputs.status ?? '(none)'}"; expected "${expected}".\n` +
        `Last lines of its log:\n${indent(tail, '  | ')}`
    )
  }
  const extra = run.outputs.pr_url ? ` · ${run.outputs.pr_url}` : ''
  say(
    `  ${st.green('✓')} status=${st.bold(run.outputs.status ?? '')} in ${seconds(Date.now() - started)} · cost $${Number(run.outputs.cost_usd ?? 0).toFixed(4)}${extra}`
  )
  return run
}

/** What `npm test` printed inside Claude's Bash tool during implement, from the model's side of the conversation. */
function claudesTestRun(w: World): { tests: number; pass: number; fail: number } {
  const results = w.sb.model.requests.filter(r => r.rule === 'implement').map(r => testSummary(r.lastUserText))
  const summary = results.find(r => r !== null)
  if (!summary)
    throw new DemoError("the implement phase did not get an `npm test` result back from Claude Code's Bash tool.")
  if (summary.fail > 0 || summary.pass === 0) {
    throw new DemoError(
      `\`npm test\` did not pass inside the implement phase: ${summary.pass} pass, ${summary.fail} fail.`
    )
  }
  return summary
}

function reactionsOf(c: FakeComment): string[] {
  const counts = new Map<string, number>()
  const emoji: Record<string, string> = {
    '+1': '👍',
    '-1': '👎',
    laugh: '😄',
    confused: '😕',
    heart: '❤️',
    hooray: '🎉',
    rocket: '🚀',
    eyes: '👀'
  }
  for (const r of c.reactions)
    counts.set(emoji[r.content] ?? r.content, (counts.get(emoji[r.content] ?? r.content) ?? 0) + 1)
  return [...counts].map(([e, n]) => `${e} ${n}`)
}

async function main(): Promise<void> {
  const started = Date.now()
  preflight()

  banner('orchestrator demo')
  say('A maintainer labels an issue, reads the plan, comments /approve and gets a reviewed pull request.')
  say(st.dim('Everything runs locally: the bundled action (dist/index.js) drives the real Claude Code CLI against a'))
  say(st.dim('scripted model server; GitHub, OpenAI and the git origin are local fakes. No accounts, no network.'))

  let world: World | null = null
  const interrupt = () => {
    void (world?.close() ?? Promise.resolve()).finally(() => process.exit(130))
  }
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)
  try {
    const w = await createWorld({ issueTitle: ISSUE.title, issueBody: ISSUE.body, files: SAMPLE_REPO })
    world = w
    w.sb.model.setRules(storyRules(w.workspace))
    w.openai.respondWith({ answer: ANSWER })
    const repo = `${OWNER}/${REPO}`
    const branch = `orchestrator/issue-${w.issue.number}`

    say()
    say(`${st.bold('▶')} ${repo}: a small Node HTTP API, pushed to a local bare origin as ${st.bold('main')}`)
    say(st.dim(`    ${Object.keys(SAMPLE_REPO).sort().join('  ')}`))
    say(`${st.bold('▶')} ${MAINTAINER} opens issue #${w.issue.number}: ${st.bold(ISSUE.title)}`)

    const timeline: Array<PageEntry & { seq: number }> = []
    const labelAt = new Date().toISOString()
    await runAction(
      w,
      `${MAINTAINER} adds the label ${st.bold('orchestrator')}`,
      w.labeledEvent('orchestrator'),
      'awaiting-approval'
    )
    timeline.push({
      kind: 'event',
      author: MAINTAINER,
      bot: false,
      at: labelAt,
      body: 'added the `orchestrator` label',
      seq: 0
    })

    await runAction(
      w,
      `${MAINTAINER} reads the plan and comments ${st.bold(APPROVE_COMMENT)}`,
      w.commentEvent(APPROVE_COMMENT),
      'pr-opened'
    )
    const tests = claudesTestRun(w)
    say(
      `  ${st.green('✓')} Claude ran ${st.bold('npm test')} in the checkout: ${tests.tests} tests, ${tests.pass} pass, ${tests.fail} fail`
    )
    if (w.openai.requests.length === 0)
      throw new DemoError("the plan phase's question never reached the answerer (fake OpenAI).")

    const pr = [...w.gh.state.pulls.values()][0]
    if (!pr) throw new DemoError('no pull request was opened.')
    const issue = w.gh.state.issues.get(w.issue.number)!

    // ------------------------------------------------------------ the issue thread
    const comments = w.gh.state.commentsOn(issue.number)
    comments.forEach((c, i) =>
      timeline.push({
        kind: 'comment',
        anchor: `issuecomment-${c.id}`,
        author: c.user.login,
        bot: c.user.type === 'Bot' || c.user.login === BOT,
        at: c.created_at,
        edited: c.updated_at !== c.created_at,
        body: c.body,
        reactions: reactionsOf(c),
        seq: i + 1
      })
    )
    // Opened just before the comment that links it (timestamps have whole seconds).
    const linkedAt = comments.findIndex(
      c => c.body.includes(`Pull request #${pr.number} opened`) && !c.body.includes('<!--')
    )
    const prSeq = linkedAt >= 0 ? linkedAt + 0.5 : comments.length + 1
    timeline.push({
      kind: 'event',
      author: pr.user.login,
      bot: true,
      at: pr.created_at,
      body: `opened pull request #${pr.number}`,
      seq: prSeq
    })
    timeline.sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq)

    banner(`Issue #${issue.number} · ${issue.title}`)
    say(
      `${st.green('● Open')} · ${st.bold(issue.user.login)} opened this issue · labels: ${issue.labels.map(l => st.yellow(l)).join(', ')}`
    )
    say()
    say(indent(markdownToTerminal(issue.body ?? '', st, WIDTH - 2)))
    for (const e of timeline) {
      if (e.kind === 'event') {
        say()
        say(`${st.dim('  ◦')} ${st.bold(e.author)} ${terminalInline(e.body, st)} ${st.dim(`· ${clock(e.at)}`)}`)
        continue
      }
      rule(`${e.author} commented · ${clock(e.at)}${e.edited ? ' · edited' : ''}`)
      say(indent(markdownToTerminal(e.body, st, WIDTH - 2)))
      if (e.reactions?.length) say(`  ${st.dim(e.reactions.join('  '))}`)
    }

    // ------------------------------------------------------------ the pull request
    const range = `main...${branch}`
    const files = gitIn(w.origin, ['diff', '--numstat', range])
      .split('\n')
      .map(l => l.split('\t'))
      .map(([added = '', deleted = '', file = '']) => ({ added, deleted, file }))
    const statLine = (f: (typeof files)[number], color: boolean) =>
      `${(color ? st.green : String)(`+${f.added}`.padStart(5))} ${(color ? st.red : String)(`-${f.deleted}`.padStart(4))}  ${f.file}`
    const total = `${files.length} files changed, ${files.reduce((n, f) => n + Number(f.added), 0)} insertions(+), ${files.reduce((n, f) => n + Number(f.deleted), 0)} deletions(-)`
    const diffStat = [...files.map(f => statLine(f, false)), total].join('\n')
    const fullDiff = gitIn(w.origin, ['diff', range])
    const codeDiff = gitIn(w.origin, ['diff', range, '--', '.', `:(exclude)${ARTIFACTS}`])

    banner(`Pull request #${pr.number} · ${pr.title}`)
    say(
      `${st.magenta('● Open')} · ${st.bold(pr.user.login)} wants to merge ${st.cyan(pr.head)} into ${st.cyan(pr.base)} · ${pr.html_url}`
    )
    say()
    say(indent(markdownToTerminal(pr.body ?? '', st, WIDTH - 2)))
    rule(`Files changed · git diff ${range}`)
    say(indent([...files.map(f => statLine(f, true)), st.dim(total)].join('\n')))
    say()
    say(
      indent(
        codeDiff
          .split('\n')
          .map(l => colorDiffLine(l, st))
          .join('\n')
      )
    )
    say()
    say(st.dim(`  The phase documents under ${ARTIFACTS}/ are in the stat above; the HTML page shows them in full.`))

    // ------------------------------------------------------------ the HTML page
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orchestrator-demo-'))
    const page = path.join(outDir, 'index.html')
    const issueUrl = `https://github.com/${repo}/issues/${issue.number}`
    const html = renderPage({
      repo,
      generatedAt: new Date().toLocaleString(),
      intro:
        '**orchestrator demo** — played locally by `npm run demo`: the bundled action drove the real Claude Code CLI ' +
        'against a scripted model; GitHub, OpenAI and the git origin were local fakes, so links to ' +
        `github.com/${repo} lead nowhere.`,
      issue: {
        number: issue.number,
        title: issue.title,
        author: issue.user.login,
        body: issue.body ?? '',
        labels: issue.labels,
        state: 'Open'
      },
      timeline,
      pr: {
        number: pr.number,
        title: pr.title,
        author: pr.user.login,
        head: pr.head,
        base: pr.base,
        body: pr.body ?? '',
        url: pr.html_url,
        diffStat,
        diff: fullDiff
      }
    })
    // Links to this thread and this pull request stay on the page.
    fs.writeFileSync(
      page,
      html
        .replaceAll(`href="${issueUrl}#issuecomment-`, 'href="#issuecomment-')
        .replaceAll(`href="${pr.html_url}"`, 'href="#pull-request"')
    )

    banner('Done')
    say(`Played in ${seconds(Date.now() - started)}. The same thread and pull request as a web page:`)
    say(`  ${st.bold(page)}`)
    say(st.dim(`  file://${page}`))
  } finally {
    process.removeListener('SIGINT', interrupt)
    process.removeListener('SIGTERM', interrupt)
    await (world as World | null)?.close()
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const message =
      err instanceof DemoError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)
    process.stderr.write(`\n${st.red(st.bold('✖ The demo failed:'))} ${message}\n`)
    process.exit(1)
  }
)
