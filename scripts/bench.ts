/**
 * `npm run bench`: the whole issue flow (label → plan → /approve → PR) with the
 * bundled action on Node 24, the fake GitHub server, the real Claude Code CLI
 * and the scripted model, several times. Prints a table of medians and ranges.
 *
 *   npm run bench -- --runs 5 --write docs/benchmarks.md
 *
 * Everything is measured from outside the action: a shim around `claude`
 * records each process's start and end, the fake GitHub server timestamps
 * each request, the scripted model server records each model request.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { execa } from 'execa'
import { median } from '../src/report/aggregate.js'
import { createWorld, node24Path, type World } from '../test/support/action-harness.js'
import { implementStoppedByBudget, standardRules } from '../test/support/phase-scripts.js'
import { REPO_ROOT } from '../test/support/sandbox.js'

interface RunMeasure {
  coldStartMs: number
  wallMs: number
  claudeMs: number
  overheadMs: number
  restRequests: number
  byEndpoint: Record<string, number>
  /** Per phase: model requests, request bytes, and prompt bytes the orchestrator added beyond the task. */
  phases: Record<
    string,
    { requests: number; requestBytes: number; addedPromptBytes: number; inputTokens: number; outputTokens: number }
  >
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, write: { type: 'string' } } })
const RUNS = Number(values.runs)
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error('--runs must be a positive whole number')
  process.exit(2)
}
if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run bundle` first')
  process.exit(1)
}

function shim(dir: string, real: string, log: string): string {
  const file = path.join(dir, 'claude-timed')
  fs.writeFileSync(
    file,
    `#!/bin/sh\nstart=$(date +%s%N)\n"${real}" "$@"\nrc=$?\necho "$start $(date +%s%N)" >> "${log}"\nexit $rc\n`
  )
  fs.chmodSync(file, 0o755)
  return file
}

function claudeMsSince(log: string, fromLine: number): { ms: number; lines: number } {
  const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []
  const ms = lines.slice(fromLine).reduce((sum, l) => {
    const [a, b] = l.split(' ').map(n => BigInt(n))
    return sum + Number(((b as bigint) - (a as bigint)) / 1000000n)
  }, 0)
  return { ms, lines: lines.length }
}

/** Our `-p` prompt is the last text block of the session's first user message. */
function ownPrompt(req: World['sb']['model']['requests'][number]): string {
  const first = req.messages.find(m => m.role === 'user')
  const blocks = Array.isArray(first?.content) ? (first.content as Array<{ type: string; text?: string }>) : []
  const texts = blocks.filter(b => b.type === 'text').map(b => b.text ?? '')
  return texts[texts.length - 1] ?? ''
}

async function measure(
  w: World,
  run: () => ReturnType<World['run']>,
  task: string,
  log: string,
  /** The run is meant to fail (a budget stop, to be resumed). */
  fails = false
): Promise<RunMeasure> {
  const logStart = w.gh.log.length
  const modelStart = w.sb.model.requests.length
  const claudeStart = claudeMsSince(log, 0).lines
  const result = await run()
  const t0 = result.spawnedAt
  const wallMs = Date.now() - t0
  if ((result.exitCode !== 0) !== fails)
    throw new Error(`the action ${fails ? 'did not fail' : 'failed'}:\n${result.stdout}\n${result.stderr}`)
  const entries = w.gh.log.slice(logStart)
  const byEndpoint: Record<string, number> = {}
  for (const e of entries) byEndpoint[e.operation] = (byEndpoint[e.operation] ?? 0) + 1
  const claudeMs = claudeMsSince(log, claudeStart).ms
  const phases: RunMeasure['phases'] = {}
  const resultJson = result.outputs.result_file
    ? JSON.parse(fs.readFileSync(result.outputs.result_file, 'utf8'))
    : { phases: [] }
  for (const req of w.sb.model.requests.slice(modelStart)) {
    const name = req.rule ?? 'unmatched'
    const p = (phases[name] ??= { requests: 0, requestBytes: 0, addedPromptBytes: 0, inputTokens: 0, outputTokens: 0 })
    p.requests++
    p.requestBytes += Buffer.byteLength(JSON.stringify(req.raw))
    if (req.turn === 0 && p.addedPromptBytes === 0)
      p.addedPromptBytes = Buffer.byteLength(ownPrompt(req)) - Buffer.byteLength(task)
  }
  for (const ph of resultJson.phases as Array<{ name: string; inputTokens: number; outputTokens: number }>) {
    if (phases[ph.name]) {
      phases[ph.name]!.inputTokens = ph.inputTokens
      phases[ph.name]!.outputTokens = ph.outputTokens
    }
  }
  return {
    coldStartMs: (entries[0]?.at ?? t0) - t0,
    wallMs,
    claudeMs,
    overheadMs: wallMs - claudeMs,
    restRequests: entries.length,
    byEndpoint,
    phases
  }
}

function stats(values: number[]): { median: number; min: number; max: number } {
  return { median: median(values) as number, min: Math.min(...values), max: Math.max(...values) }
}

const fmt = (s: { median: number; min: number; max: number }, unit = '') => `${s.median}${unit} (${s.min}–${s.max})`

/** Two runs' model traffic as one (a fresh run is its plan run and its approve run). */
function merge(a: RunMeasure, b: RunMeasure): RunMeasure {
  return { ...a, phases: { ...a.phases, ...b.phases } }
}

function resumeRows(fresh: RunMeasure[], stopped: RunMeasure[], resumed: RunMeasure[]): string[] {
  const requests = (ms: RunMeasure[], phase: string) => stats(ms.map(m => m.phases[phase]?.requests ?? 0)).median
  return ['index', 'research', 'plan', 'implement', 'review'].map(
    p => `| ${p} | ${requests(fresh, p)} | ${requests(stopped, p)} | ${requests(resumed, p)} |`
  )
}

async function main(): Promise<void> {
  node24Path()
  const plan: RunMeasure[] = []
  const approve: RunMeasure[] = []
  const reuse: RunMeasure[] = []
  /** The same issue, its /approve stopped by the budget mid-implement, then /resume. */
  const stopped: RunMeasure[] = []
  const resumed: RunMeasure[] = []
  for (let i = 0; i < RUNS; i++) {
    const w = await createWorld()
    try {
      w.sb.model.setRules(standardRules(w.workspace))
      const log = path.join(w.sb.root, 'claude-times.log')
      const claude = shim(w.sb.root, path.join(REPO_ROOT, 'node_modules', '.bin', 'claude'), log)
      // The timing shim must run outside the sandbox to write its log: this table measures the
      // orchestration unconfined; what the sandbox adds is measured as ratios by bench-sandbox.ts.
      const inputs = { claude_path: claude, sandbox: 'off' }
      const issue = w.gh.state.issues.get(w.issue.number)!
      const task = `Issue #${issue.number}: ${issue.title}\n\n${issue.body}`
      plan.push(await measure(w, () => w.run(w.labeledEvent('orchestrator'), inputs), task, log))
      approve.push(await measure(w, () => w.run(w.commentEvent('/approve'), inputs), task, log))
      // A second issue on the same commit: the index is reused.
      const second = w.gh.state.addIssue({ title: 'Log slow requests', body: 'Log any request slower than 1s.' })
      const event = w.labeledEvent('orchestrator')
      event.payload.issue = {
        ...(event.payload.issue as object),
        number: second.number,
        title: second.title,
        body: second.body,
        labels: []
      }
      reuse.push(
        await measure(w, () => w.run(event, inputs), `Issue #${second.number}: ${second.title}\n\n${second.body}`, log)
      )
    } finally {
      await w.close()
    }
    const r = await createWorld()
    try {
      r.sb.model.setRules(standardRules(r.workspace, { implement: implementStoppedByBudget(r.workspace) }))
      const log = path.join(r.sb.root, 'claude-times.log')
      const claude = shim(r.sb.root, path.join(REPO_ROOT, 'node_modules', '.bin', 'claude'), log)
      const inputs = { claude_path: claude, sandbox: 'off' }
      const issue = r.gh.state.issues.get(r.issue.number)!
      const task = `Issue #${issue.number}: ${issue.title}\n\n${issue.body}`
      await measure(r, () => r.run(r.labeledEvent('orchestrator'), inputs), task, log)
      stopped.push(
        await measure(r, () => r.run(r.commentEvent('/approve'), { ...inputs, max_budget_usd: '0.5' }), task, log, true)
      )
      resumed.push(await measure(r, () => r.run(r.commentEvent('/resume'), inputs), task, log))
    } finally {
      await r.close()
    }
    process.stderr.write(`run ${i + 1}/${RUNS} done\n`)
  }

  const rows: string[] = []
  const row = (name: string, f: (m: RunMeasure) => number, unit: string, target = '') =>
    rows.push(
      `| ${name} | ${fmt(stats(plan.map(f)), unit)} | ${fmt(stats(approve.map(f)), unit)} | ${fmt(stats(reuse.map(f)), unit)} | ${target} |`
    )
  row('cold start to first API request', m => m.coldStartMs, ' ms', '≤ 300 ms')
  row('wall time of the run', m => m.wallMs, ' ms')
  row('time inside claude processes', m => m.claudeMs, ' ms')
  row('orchestration overhead (wall − claude)', m => m.overheadMs, ' ms', '≤ 1000 ms')
  row('GitHub REST requests', m => m.restRequests, '', '≤ 15')

  const endpoints = (ms: RunMeasure[]) => {
    const all = new Set(ms.flatMap(m => Object.keys(m.byEndpoint)))
    return [...all].sort().map(op => `| ${op} | ${stats(ms.map(m => m.byEndpoint[op] ?? 0)).median} |`)
  }
  const phaseRows = (ms: RunMeasure[]) => {
    const names = [...new Set(ms.flatMap(m => Object.keys(m.phases)))]
    return names.map(n => {
      const g = (f: (p: RunMeasure['phases'][string]) => number) =>
        stats(ms.map(m => (m.phases[n] ? f(m.phases[n]!) : 0))).median
      return `| ${n} | ${g(p => p.requests)} | ${g(p => p.requestBytes)} | ${g(p => p.addedPromptBytes)} | ${g(p => p.inputTokens)} / ${g(p => p.outputTokens)} |`
    })
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const report = [
    `# Benchmarks`,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; action on Node ${process.env.BENCH_NODE ?? '24'} (npx -p node@24), Claude Code 2.1.197 against the scripted model server; ${RUNS} runs, median (min–max).`,
    '',
    'Reproduce: `npm ci && npm run bundle && npm run bench -- --runs 5`.',
    '',
    '| metric | plan run (label) | approve run | plan run, index reused | target |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '## GitHub REST requests by endpoint (median)',
    '',
    '### Plan run',
    '| endpoint | requests |',
    '|---|---:|',
    ...endpoints(plan),
    '',
    '### Approve run',
    '| endpoint | requests |',
    '|---|---:|',
    ...endpoints(approve),
    '',
    '## Model traffic per phase (median)',
    '',
    'Requests and bytes as the scripted model server received them; "added prompt bytes" is what the',
    "orchestrator's phase prompt adds beyond the task text itself; tokens as Claude Code reported them.",
    '',
    '### Plan run',
    '| phase | model requests | request bytes | added prompt bytes | input / output tokens |',
    '|---|---:|---:|---:|---|',
    ...phaseRows(plan),
    '',
    '### Approve run',
    '| phase | model requests | request bytes | added prompt bytes | input / output tokens |',
    '|---|---:|---:|---:|---|',
    ...phaseRows(approve),
    '',
    '### Plan run with the index reused',
    '| phase | model requests | request bytes | added prompt bytes | input / output tokens |',
    '|---|---:|---:|---:|---|',
    ...phaseRows(reuse),
    '',
    '## A resumed run pays only for what was left (median model requests per phase)',
    '',
    "A fresh run is the label's plan run and `/approve`. In the resumed one, the same issue's `/approve`",
    'is stopped by `max_budget_usd` in implement after it edited a file (the unfinished work is committed',
    'and pushed), then `/resume` continues it: a new implement session told what is done, and the review.',
    '',
    '| phase | fresh run | stopped `/approve` | `/resume` |',
    '|---|---:|---:|---:|',
    ...resumeRows([...plan.map((m, i) => merge(m, approve[i] as RunMeasure))], stopped, resumed)
  ].join('\n')
  process.stdout.write(`${report}\n`)
  if (values.write) {
    // Keep the sections others write (`<!-- name -->…<!-- /name -->`): the sandbox's cost
    // (scripts/bench-sandbox.ts writes it after this) and the test tiers' times.
    const old = fs.existsSync(values.write) ? fs.readFileSync(values.write, 'utf8') : ''
    const kept = [...old.matchAll(/<!-- ([\w-]+) -->[\s\S]*?<!-- \/\1 -->/g)].map(m => `\n${m[0]}\n`)
    fs.writeFileSync(values.write, `${report}\n${kept.join('')}`)
  }
}

main()
  .then(async () => {
    // The sandbox's own cost, as ratios in the same run (scripts/bench-sandbox.ts).
    await execa(
      'npx',
      ['tsx', path.join(REPO_ROOT, 'scripts', 'bench-sandbox.ts'), ...(values.write ? ['--write', values.write] : [])],
      { stdio: 'inherit' }
    )
  })
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err)
    process.exit(1)
  })
