/**
 * `npm run demo` as a user runs it: `npx tsx scripts/demo.ts` in a child
 * process, then what they would read in the terminal and in the HTML page.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execa } from 'execa'
import { REPO_ROOT } from './support/sandbox.js'

let exitCode: number
let stdout: string
let stderr: string
/** stdout without styling and with every run of whitespace as one space: wrapping does not matter. */
let flat: string
let htmlPath: string | null = null

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '')

beforeAll(async () => {
  const r = await execa('npx', ['tsx', 'scripts/demo.ts'], {
    cwd: REPO_ROOT,
    reject: false,
    env: { FORCE_COLOR: '0', COLUMNS: '100' }
  })
  exitCode = r.exitCode ?? -1
  stdout = plain(String(r.stdout))
  stderr = plain(String(r.stderr))
  flat = stdout.replace(/\s+/g, ' ')
  htmlPath = stdout.match(/(\S*orchestrator-demo-[^\s/]+\/index\.html)/)?.[1] ?? null
}, 300000)

afterAll(() => {
  if (htmlPath) fs.rmSync(path.dirname(htmlPath), { recursive: true, force: true })
})

describe('npm run demo', () => {
  it('exits 0', () => {
    if (exitCode !== 0) throw new Error(`the demo exited with ${exitCode}:\n${stderr}\n${stdout.slice(-3000)}`)
    expect(stdout).toContain('Played in')
  })

  it('shows the issue and the plan comment, with the question Claude asked and its answer', () => {
    expect(stdout).toContain('Issue #1 · Add rate limiting to the API endpoints')
    expect(flat).toContain('Please limit each client to 100 requests per minute on the `/api` routes')
    expect(stdout).toContain('📋 Plan for #1: Add rate limiting to the API endpoints')
    expect(stdout).toContain('▸ Research summary')
    expect(stdout).toContain('▸ Questions Claude asked (1)')
    expect(flat).toContain('Should the limit apply per client IP address or per API key?')
    expect(flat).toContain('Answered by openai: Per client IP address.')
    expect(stdout).toMatch(/── maintainer-mia commented · .*\n\s+\/approve Looks right to me\./)
  })

  it('shows the status comments and the pull request link, without the hidden state markers', () => {
    expect(stdout).toContain('🤖 Orchestrator: planning for #1')
    expect(stdout).toContain('🤖 Orchestrator: implementing #1')
    expect(stdout).toMatch(/🚀 Pull request #2 opened: https:\/\/github\.com\/acme\/widgets\/pull\/2/)
    expect(stdout).not.toContain('<!--')
    expect(stdout).not.toContain('orchestrator:plan ')
    expect(stdout).not.toContain('orchestrator:status')
  })

  it('ran the implementation for real: npm test passed inside Claude Code and the diff holds the limiter', () => {
    expect(stdout).toMatch(/Claude ran npm test in the checkout: (\d+) tests, \1 pass, 0 fail/)
    expect(stdout).toContain('Pull request #2 · Add rate limiting to the API endpoints (#1)')
    expect(stdout).toContain('git diff main...orchestrator/issue-1')
    expect(stdout).toContain('+export function createRateLimiter(')
    expect(stdout).toContain("+import { clientKey, createRateLimiter } from './rate-limit.js'")
    expect(stdout).toMatch(/\+\d+ +-0 {2}test\/rate-limit\.test\.js/)
  })

  it('shows the review findings grouped by severity, each tagged with its lens', () => {
    const major = flat.indexOf('🟠 Major (1) • F1 Expired windows are never evicted')
    const minor = flat.indexOf('🟡 Minor (1) • F2 Nothing checks that /health stays unlimited')
    const nits = flat.indexOf('⚪ Nits (1) • F3 Requests without a remote address')
    expect([major, minor, nits].every(i => i > 0)).toBe(true)
    expect(major).toBeLessThan(minor)
    expect(minor).toBeLessThan(nits)
    expect(flat).toMatch(/Expired windows are never evicted `src\/rate-limit\.js:\d+` \(correctness\)/)
    expect(flat).toMatch(/Nothing checks that \/health stays unlimited `test\/rate-limit\.test\.js:\d+` \(tests\)/)
    expect(flat).toMatch(/'unknown' bucket `src\/rate-limit\.js:\d+` \(correctness\)/)
  })

  it('writes a self-contained HTML page with the thread and the pull request body', () => {
    expect(htmlPath).not.toBeNull()
    const html = fs.readFileSync(htmlPath as string, 'utf8')
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).not.toMatch(/<(script|link)\b/)
    expect(html).toContain('<h2>📋 Plan for #1: Add rate limiting to the API endpoints</h2>')
    expect(html).toContain('<details><summary>Questions Claude asked (1)</summary>')
    // The pull request body, rendered.
    expect(html).toContain('Closes #1')
    expect(html).toContain('<h3>Review findings</h3>')
    expect(html).toContain('<h4>🟠 Major (1)</h4>')
    expect(html).toMatch(
      /<strong>Expired windows are never evicted<\/strong> <a href="https:\/\/github\.com\/acme\/widgets\/blob\/[0-9a-f]{40}\/src\/rate-limit\.js#L\d+"><code>src\/rate-limit\.js:\d+<\/code><\/a> <em>\(correctness\)<\/em>/
    )
    expect(html).toContain('<td>✅ implement</td>')
    // The diff, and no hidden markers.
    expect(html).toContain('<span class="add">+export function createRateLimiter(')
    expect(html).not.toContain('<!--')
  })
})
