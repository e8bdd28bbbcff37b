/**
 * The demo's story: a small Node HTTP API, an issue asking for rate limiting,
 * and what the scripted model does in each phase. The sample repository and
 * the code Claude writes are real files next to this one (`sample/`,
 * `change/`), so the implement phase's `npm test` runs real tests.
 */
import fs from 'node:fs'
import path from 'node:path'
import { isPhase, outputPathOf, write, type Replies, type Reply } from '../../test/support/phase-scripts.js'
import type { ModelRequest, Rule } from '../../test/support/model-server.js'

const HERE = path.dirname(new URL(import.meta.url).pathname)

function readTree(dir: string, prefix = '', files: Record<string, string> = {}): Record<string, string> {
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name
    if (entry.isDirectory()) readTree(dir, rel, files)
    else if (entry.isFile()) files[rel] = fs.readFileSync(path.join(dir, rel), 'utf8')
  }
  return files
}

/** The repository the action works on: pushed to the fake origin as `main`. */
export const SAMPLE_REPO = readTree(path.join(HERE, 'sample'))
/** What Claude writes in the implement phase (new and changed files). */
export const CHANGE = readTree(path.join(HERE, 'change'))

export const ISSUE = {
  title: 'Add rate limiting to the API endpoints',
  body: [
    'Clients can hammer `/api/*` with no limit at all. Last Tuesday one misbehaving sync script sent',
    '~40k requests in ten minutes and the instance fell over.',
    '',
    'Please limit each client to **100 requests per minute** on the `/api` routes and answer',
    '`429 Too Many Requests` with a `Retry-After` header when a client goes over.',
    '',
    '- `/health` must stay unlimited: the load balancer polls it every 5 s.',
    '- No new dependencies, please.'
  ].join('\n')
}

export const QUESTION =
  'Should the limit apply per client IP address or per API key? The API has no authentication today ' +
  '(src/app.js), so per-IP works right away; per-key would first need an `X-Api-Key` header.'

export const ANSWER =
  'Per client IP address. There are no API keys yet and adding them is out of scope for this issue. ' +
  'Keep the key function separate so it can switch to API keys later, and do not trust X-Forwarded-For: ' +
  'the service is not behind a proxy that sets it.'

export const APPROVE_COMMENT = '/approve Looks right to me. Keep the limiter dependency-free.'

/** 1-based line of the first line of `file` that contains `needle`. */
function lineOf(files: Record<string, string>, file: string, needle: string): number {
  const index = (files[file] ?? '').split('\n').findIndex(l => l.includes(needle))
  if (index < 0) throw new Error(`demo story: "${needle}" is not in ${file}`)
  return index + 1
}
const at = (file: string, needle: string): string => `${file}:${lineOf(SAMPLE_REPO, file, needle)}`
const changedAt = (file: string, needle: string): number => lineOf(CHANGE, file, needle)

const INDEX_DOC = `# Index: widgets-api

A dependency-free Node HTTP API (\`package.json\`: \`"type": "module"\`, Node ≥ 20).

## Layout
- \`src/server.js\` — entry point: \`http.createServer(createApp(...))\` on \`$PORT\` (default 3000)
- \`src/app.js\` — \`createApp({ store })\` returns the request handler; all routing lives here
- \`src/http.js\` — \`sendJson\`, \`readJson\` (64 KiB body limit), \`HttpError\`
- \`src/store.js\` — in-memory widget store, one per process
- \`test/app.test.js\` — endpoint tests with \`node:test\` against a server on port 0

## Commands
- test: \`npm test\` (\`node --test\`, no build step)
- start: \`npm start\`
- no linter is configured

## Conventions
- ES modules, 2-space indent, no semicolons, no runtime dependencies
- Routes return \`sendJson(...)\`; errors carry \`status\` and \`expose\`

## Most relevant to the task
- \`src/app.js\` — the one place every request passes
- \`README.md\` — \`/health\` is polled by the load balancer
`

const RESEARCH_DOC = `# Research: how a request is handled today

## Request path
1. \`${at('src/server.js', 'createServer')}\` creates the server with \`createApp({ store: createStore() })\`.
2. \`${at('src/app.js', 'return async function handle')}\` — \`handle(req, res)\` parses the URL and matches routes in order:
   - \`GET /health\` at \`${at('src/app.js', "'/health'")}\`
   - \`GET /api/widgets\` at \`${at('src/app.js', "url.pathname === '/api/widgets') return")}\`
   - \`GET /api/widgets/:id\` at \`${at('src/app.js', 'const match')}\`
   - \`POST /api/widgets\` at \`${at('src/app.js', "req.method === 'POST'")}\`
   - anything else: 404 at \`${at('src/app.js', "return sendJson(res, 404, { error: 'not found' })")}\`
3. Errors thrown by a route become JSON in the \`catch\` at \`${at('src/app.js', 'catch (err)')}\`.

## What identifies a client
There is no authentication and no API key. The only identifier available is the socket's
address (\`req.socket.remoteAddress\`); no proxy headers are read anywhere.

## Responses
\`sendJson\` (\`${at('src/http.js', 'export function sendJson')}\`) calls \`res.writeHead\`, which merges headers
set earlier with \`res.setHeader\` — a limiter can add headers before any route answers.

## State and deployment
Everything is in memory (\`${at('src/store.js', 'export function createStore')}\`); one instance runs behind the
load balancer (README), so a per-process limit is a per-service limit today.

## Tests
\`test/app.test.js\` starts the app on port 0 and covers each route (5 tests). Nothing covers
request volume, and \`createApp\` takes its collaborators as options, so a test can inject them.

## Constraints and risks
- \`/health\` must keep answering however busy a client is (issue, README).
- A limiter keeps state per client; the instance already has memory trouble under load.
`

const PLAN_DOC = `# Plan: rate limiting for the API endpoints

## Goal
Each client may make **100 requests per minute** to \`/api/*\`. Over the limit the API answers
\`429 Too Many Requests\` with \`Retry-After\`. \`/health\` stays unlimited.

## Decisions
- **Who is a client:** the IP address (\`req.socket.remoteAddress\`) — answered during planning.
  The key function stays separate (\`clientKey\`) so API keys can replace it later.
  \`X-Forwarded-For\` is not trusted.
- **Algorithm:** a fixed 60-second window per client, in memory, in this process. No dependencies.

## Out of scope
- Limits shared by several instances (would need Redis or similar)
- Different limits per route or per customer

## Changes
| Step | File | Change |
|---|---|---|
| 1 | \`src/rate-limit.js\` (new) | \`createRateLimiter({ limit, windowMs, now })\` with \`hit(key)\` → \`{ allowed, limit, remaining, retryAfterSeconds }\`; \`clientKey(req)\` |
| 2 | \`src/app.js\` | optional \`limiter\` option; count every \`/api/\` request after \`/health\` and before routing; set \`RateLimit-Limit\` and \`RateLimit-Remaining\`; answer 429 with \`Retry-After\` |
| 3 | \`test/rate-limit.test.js\` (new) | unit tests with an injected clock, one HTTP test through \`createApp\` |

## Tests
1. With \`limit: 3\`, three requests pass and the fourth is refused; another client is counted separately.
2. The window resets exactly at \`windowMs\`: refused at 59 999 ms, allowed at 60 000 ms.
3. \`remaining\` counts down and \`retryAfterSeconds\` rounds up.
4. Over HTTP with \`limit: 2\`: statuses \`200, 200, 429\`, and the 429 carries \`Retry-After\`.

## Verify
\`\`\`sh
npm test
\`\`\`

## Risks
- Memory grows with the number of distinct clients.
- Clients behind one NAT share a budget.
`

/** The review's verdict, returned through StructuredOutput: two lenses, three severities. */
export const REVIEW_VERDICT = {
  summary:
    'The limiter follows the plan and is tested through HTTP as well as directly. One thing should be fixed ' +
    'before merging: the per-client map never shrinks.',
  findings: [
    {
      severity: 'major',
      lens: 'correctness',
      file: 'src/rate-limit.js',
      line: changedAt('src/rate-limit.js', 'windows.set(key, window)'),
      title: 'Expired windows are never evicted',
      detail:
        '`windows` keeps one entry per client address for the life of the process, so a scan from many ' +
        'addresses grows it without bound — the memory trouble the issue describes, moved into the limiter. ' +
        'Drop expired entries, e.g. sweep them on an unref()ed interval.'
    },
    {
      severity: 'minor',
      lens: 'tests',
      file: 'test/rate-limit.test.js',
      line: changedAt('test/rate-limit.test.js', "test('the API answers 429"),
      title: 'Nothing checks that /health stays unlimited',
      detail:
        'The issue requires the load balancer probe to be exempt. `src/app.js` answers `/health` before the ' +
        'limiter, but no test would fail if that order changed: request `/health` once the client is limited.'
    },
    {
      severity: 'nit',
      lens: 'correctness',
      file: 'src/rate-limit.js',
      line: changedAt('src/rate-limit.js', "?? 'unknown'"),
      title: "Requests without a remote address share one 'unknown' bucket",
      detail: 'Harmless today (it only happens once a socket is gone), but worth a comment.'
    }
  ]
}

const REVIEW_DOC = `# Review: rate limiting for the API endpoints

${REVIEW_VERDICT.summary}

${REVIEW_VERDICT.findings.map(f => `- **${f.severity}** (${f.lens}) \`${f.file}${f.line ? `:${f.line}` : ''}\` — ${f.title}. ${f.detail}`).join('\n')}
`

/** A read-only phase: look at some files, write the document, name it. */
function documentPhase(repoDir: string, reads: string[], content: string, question?: string): Replies {
  return (req: ModelRequest) => {
    const out = outputPathOf(req)
    const steps: Reply[] = [
      {
        text: 'Reading the code first.',
        tools: reads.map(f => ({ name: 'Read', input: { file_path: path.join(repoDir, f) } }))
      },
      ...(question
        ? [{ text: `I have what I need except one decision that changes the design.\n\nQUESTION: ${question}` }]
        : []),
      { text: 'Writing the document.', tools: [write(repoDir, out, content)] },
      { text: `Done.\n\nDOCUMENT: ${out}` }
    ]
    return steps[Math.min(req.turn, steps.length - 1)] as Reply
  }
}

/** The smallest unique `old_string`/`new_string` pair that turns `before` into `after`. */
export function editFor(before: string, after: string): { old_string: string; new_string: string } {
  const a = before.split('\n')
  const b = after.split('\n')
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let end = 0
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++
  for (let context = 1; ; context++) {
    const from = Math.max(0, start - context)
    const old = a.slice(from, a.length - end + context).join('\n')
    if (before.split(old).length === 2 || from === 0) {
      return { old_string: old, new_string: b.slice(from, b.length - end + context).join('\n') }
    }
  }
}

/** The `npm test` summary in a tool result (TAP `# pass 8` or spec `ℹ pass 8`). */
export function testSummary(output: string): { tests: number; pass: number; fail: number } | null {
  const count = (name: string) => Number(output.match(new RegExp(`^\\s*[#ℹ] ${name} (\\d+)`, 'm'))?.[1] ?? NaN)
  const summary = { tests: count('tests'), pass: count('pass'), fail: count('fail') }
  return Object.values(summary).some(Number.isNaN) ? null : summary
}

function implementPhase(repoDir: string): Replies {
  const abs = (rel: string) => path.join(repoDir, rel)
  return (req: ModelRequest) => {
    const plan = req.firstUserText.match(/^- plan: (\S+)$/m)?.[1]
    switch (req.turn) {
      case 0:
        return {
          text: 'Reading the plan and the handler I am about to change.',
          tools: [...(plan ? [plan] : []), 'src/app.js'].map(f => ({ name: 'Read', input: { file_path: abs(f) } }))
        }
      case 1:
        return {
          text: 'Adding the limiter, wiring it into the handler after /health, and its tests.',
          tools: [
            write(repoDir, 'src/rate-limit.js', CHANGE['src/rate-limit.js'] as string),
            {
              name: 'Edit',
              input: {
                file_path: abs('src/app.js'),
                ...editFor(SAMPLE_REPO['src/app.js'] as string, CHANGE['src/app.js'] as string)
              }
            },
            write(repoDir, 'test/rate-limit.test.js', CHANGE['test/rate-limit.test.js'] as string)
          ]
        }
      case 2:
        return {
          text: 'Running the test suite.',
          tools: [{ name: 'Bash', input: { command: 'npm test', description: 'Run the tests' } }]
        }
      default: {
        const s = testSummary(req.lastUserText)
        const verified = s
          ? `\`npm test\`: ${s.tests} tests, ${s.pass} pass, ${s.fail} fail.`
          : '`npm test` gave no summary I could read.'
        return {
          text: [
            'Implemented the plan:',
            '- `src/rate-limit.js`: fixed-window limiter with an injectable clock, and `clientKey` (client IP).',
            '- `src/app.js`: every `/api/` request is counted after `/health`; 429 with `Retry-After` over the limit.',
            '- `test/rate-limit.test.js`: window, reset, remaining/retry-after, and 429 over HTTP.',
            '',
            `Verified with ${verified}`
          ].join('\n')
        }
      }
    }
  }
}

function reviewPhase(repoDir: string): Replies {
  return (req: ModelRequest) => {
    const out = outputPathOf(req)
    if (req.turn === 0) {
      return {
        text: 'Reading the new limiter and its tests.',
        tools: ['src/rate-limit.js', 'test/rate-limit.test.js'].map(f => ({
          name: 'Read',
          input: { file_path: path.join(repoDir, f) }
        }))
      }
    }
    if (req.turn === 1) return { text: 'Writing the review.', tools: [write(repoDir, out, REVIEW_DOC)] }
    if (req.turn === 2) return { tools: [{ name: 'StructuredOutput', input: REVIEW_VERDICT }] }
    return { text: `Review written to ${out}.` }
  }
}

/** The scripted model for every phase; `repoDir` is the action's checkout. */
export function storyRules(repoDir: string): Rule[] {
  const replies: Record<string, Replies> = {
    index: documentPhase(repoDir, ['package.json', 'README.md', 'src/app.js'], INDEX_DOC),
    research: documentPhase(repoDir, ['src/app.js', 'src/http.js', 'test/app.test.js'], RESEARCH_DOC),
    plan: documentPhase(repoDir, ['src/app.js'], PLAN_DOC, QUESTION),
    implement: implementPhase(repoDir),
    review: reviewPhase(repoDir)
  }
  return (['index', 'research', 'plan', 'implement', 'review'] as const).map(phase => ({
    name: phase,
    match: isPhase(phase),
    replies: replies[phase] as Replies
  }))
}
