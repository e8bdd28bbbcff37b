/**
 * `npm run bench` (second part): what the sandbox costs, as ratios within one
 * run on the same machine. The real Claude Code CLI against the scripted model:
 *  - starting a phase: one trivial `claude -p` session, unconfined vs in the sandbox;
 *  - starting the sandbox for a run (runtime, proxies, the probe), once per run;
 *  - the credential path: one model request straight to the server vs through the proxy.
 *
 *   npm run bench -- --write docs/benchmarks.md   (replaces the sandbox section only)
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { buildClaudeEnv } from '../src/claude/env.js'
import { CLI_HINTS, resolveProvider } from '../src/claude/providers.js'
import { runClaude } from '../src/claude/runner.js'
import { startCredentialProxy } from '../src/sandbox/credential-proxy.js'
import { startClaudeHost } from '../src/sandbox/claude-host.js'
import { DEFAULT_ALLOWED_DOMAINS } from '../src/sandbox/policy.js'
import { median as medianOf } from '../src/report/aggregate.js'
import { findRuntimePackage } from '../src/sandbox/runtime.js'
import { CLAUDE_BIN, createSandbox, REPO_ROOT } from '../test/support/sandbox.js'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, write: { type: 'string' } } })
const RUNS = Math.max(3, Number(values.runs) || 10)

/** Every list here has RUNS ≥ 3 values. */
const median = (xs: number[]): number => medianOf(xs) as number
const fmt = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`

const sb = await createSandbox({ rules: [{ name: 'any', match: () => true, replies: () => ({ text: 'ok' }) }] })
const provider = resolveProvider(sb.env(), { requireCredential: true, hints: CLI_HINTS })
const bareEnv = buildClaudeEnv({ ...sb.env(), CLAUDE_CODE_MAX_RETRIES: '1' })
const baseEnv = { ...bareEnv, ...provider.direct }
const args = ['--permission-mode', 'dontAsk', '--tools', 'Read']

async function phase(host?: Awaited<ReturnType<typeof startClaudeHost>>): Promise<number> {
  const t0 = performance.now()
  const out = await runClaude({
    claudePath: CLAUDE_BIN,
    cwd: sb.repoDir,
    prompt: 'hello',
    args,
    env: host?.env ?? baseEnv,
    timeoutMs: 60000,
    host
  })
  if (!out.ok) throw new Error(`claude failed: ${out.error}`)
  return performance.now() - t0
}

// Warm both paths once (file cache, the runtime's first import).
await phase()
const hostStarts: number[] = []
const startHost = async () => {
  const t0 = performance.now()
  const host = await startClaudeHost({
    mode: 'required',
    runtimeDir: findRuntimePackage([REPO_ROOT]),
    workspace: sb.repoDir,
    claudePath: CLAUDE_BIN,
    env: bareEnv,
    provider,
    allowedDomains: DEFAULT_ALLOWED_DOMAINS,
    denyRead: []
  })
  hostStarts.push(performance.now() - t0)
  return host
}
const warm = await startHost()
await phase(warm)
await warm.close()
hostStarts.length = 0

const plain: number[] = []
const boxed: number[] = []
for (let i = 0; i < RUNS; i++) {
  plain.push(await phase())
  const host = await startHost()
  boxed.push(await phase(host))
  await host.close()
}

// The credential path: the same POST, direct and through the proxy, interleaved.
function post(url: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const req = http.request(
      `${url}/v1/messages/count_tokens`,
      { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', connection: 'close' } },
      res => {
        res.resume()
        res.on('end', () => resolve(performance.now() - t0))
      }
    )
    req.on('error', reject)
    req.end('{"model":"claude","messages":[]}')
  })
}
const proxy = await startCredentialProxy({
  upstream: sb.model.url,
  credential: { kind: 'api-key', value: 'real-key' },
  host: '127.0.0.2'
})
const direct: number[] = []
const proxied: number[] = []
for (let i = 0; i < 20; i++) await post(proxy.url, proxy.dummy)
for (let i = 0; i < 200; i++) {
  direct.push(await post(sb.model.url, 'real-key'))
  proxied.push(await post(proxy.url, proxy.dummy))
}
await proxy.close()
await sb.cleanup()

const phasePlain = median(plain)
const phaseBoxed = median(boxed)
const rows = [
  [
    'start a phase (one trivial `claude -p` session)',
    fmt(phasePlain),
    fmt(phaseBoxed),
    `+${fmt(phaseBoxed - phasePlain)} (×${(phaseBoxed / phasePlain).toFixed(2)})`,
    '≤ +150 ms'
  ],
  [
    'start the sandbox for a run (runtime, proxies, probe)',
    '—',
    fmt(median(hostStarts)),
    `+${fmt(median(hostStarts))} once per run`,
    ''
  ],
  [
    'one model request (credential path)',
    fmt(median(direct)),
    fmt(median(proxied)),
    `+${fmt(median(proxied) - median(direct))}`,
    '≤ +5 ms'
  ]
]
const table = [
  `<!-- sandbox-bench -->`,
  `## The sandbox's cost`,
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench\` (scripts/bench-sandbox.ts): Claude Code 2.1.197 and the scripted model on this machine, ${RUNS} phases each way and 200 requests each way, interleaved; medians.`,
  '',
  '| what | unconfined | in the sandbox | added | target |',
  '|---|---:|---:|---:|---|',
  ...rows.map(r => `| ${r.join(' | ')} |`),
  `<!-- /sandbox-bench -->`
].join('\n')
console.log(table)
if (values.write) {
  const file = path.resolve(values.write)
  const doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
  const re = /<!-- sandbox-bench -->[\s\S]*<!-- \/sandbox-bench -->/
  fs.writeFileSync(file, re.test(doc) ? doc.replace(re, table) : `${doc.trimEnd()}\n\n${table}\n`)
}
