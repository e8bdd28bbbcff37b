/**
 * Runs the bundled action (`dist/index.js`) in a child process exactly as the
 * runner does: INPUT_* variables with action.yml's defaults, the GITHUB_*
 * environment, an event payload file derived from real webhook examples, a
 * fresh checkout of a local bare `origin`, Node 24.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'
import { PINNED_SANDBOX_RUNTIME_VERSION } from '../../src/action/claude-install.js'
import { startFakeGitHub, type FakeGitHub, type FakeIssue, type RouteLogEntry } from './github-server.js'
import { startFakeOpenAI, type FakeOpenAI } from './openai-server.js'
import { createSandbox, gitIn, REPO_ROOT, SAMPLE_FILES, writeFiles, type Sandbox } from './sandbox.js'

export const OWNER = 'acme'
export const REPO = 'widgets'
export const BOT = 'github-actions[bot]'
export const MAINTAINER = 'maintainer-mia'
export const OUTSIDER = 'drive-by-dan'
export const GITHUB_TOKEN = 'ghs_fakeGitHubToken0123456789'
export const ANTHROPIC_KEY = 'sk-ant-fakeAnthropicKey0123456789'
export const OPENAI_KEY = 'sk-fakeOpenAIKey0123456789'

let node24: string | null = null

/** The Node 24 binary the action runs on (`runs.using: node24`), from the `node` npm package. */
export function node24Path(): string {
  // Resolved once per Jest run by the e2e project's globalSetup (test/support/node24-setup.js).
  node24 ??=
    process.env.ORCHESTRATOR_TEST_NODE24 ??
    execFileSync('npx', ['-y', '-p', 'node@24', 'node', '-p', 'process.execPath'], { encoding: 'utf8' }).trim()
  return node24
}

/** action.yml's input defaults, as the runner would fill them in. */
export function actionDefaults(): Record<string, string> {
  const yml = fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')
  const section = yml.split(/^outputs:/m)[0]?.split(/^inputs:/m)[1] ?? ''
  const defaults: Record<string, string> = {}
  let current: string | null = null
  for (const line of section.split('\n')) {
    const name = line.match(/^ {2}([a-z_]+):\s*$/)
    if (name) {
      current = name[1] as string
      continue
    }
    const def = line.match(/^ {4}default:\s*(.*)$/)
    if (def && current) defaults[current] = (def[1] as string).replace(/^'(.*)'$/, '$1')
  }
  return defaults
}

/** A real webhook payload from test/fixtures/webhooks (copied from @octokit/webhooks-examples and validated). */
export function webhookFixture(name: string): Record<string, unknown> {
  return JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'webhooks', `${name}.json`), 'utf8')
  ) as Record<string, unknown>
}

/** The payload's repository, made this world's (acme/widgets, default branch main). */
export function payloadRepository(p: Record<string, unknown>): Record<string, unknown> {
  const repo = p.repository as Record<string, unknown>
  return {
    ...repo,
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    default_branch: 'main',
    owner: { ...(repo.owner as Record<string, unknown>), login: OWNER }
  }
}

/** Fails the test with the action's whole output when it exited non-zero. */
export function expectOk(run: ActionRun): void {
  if (run.exitCode !== 0) throw new Error(`action failed (${run.exitCode}):\n${run.stdout}\n${run.stderr}`)
}

export interface ActionRun {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** When the action process was spawned (ms since the epoch), after the checkout was prepared. */
  spawnedAt: number
}

export interface RunOptions {
  /**
   * Leave this token in the checkout's .git/config the way actions/checkout does
   * by default (persist-credentials: an http.<server>/.extraheader entry).
   */
  persistedToken?: string
  /** Runs after the checkout is prepared, just before the action starts (to break things on purpose). */
  beforeSpawn?: () => void
  /** Check out into this folder instead of the world's workspace: two runs at once need two runners. */
  checkout?: string
}

/** The .git/config entry actions/checkout writes for `token` (persist-credentials). */
export function checkoutExtraheader(token: string): { key: string; value: string } {
  return {
    key: 'http.https://github.com/.extraheader',
    value: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')}`
  }
}

export interface World {
  sb: Sandbox
  gh: FakeGitHub
  openai: FakeOpenAI
  origin: string
  workspace: string
  issue: FakeIssue
  labeledEvent(label: string, sender?: string): { name: string; payload: Record<string, unknown> }
  commentEvent(
    body: string,
    user?: string,
    opts?: { type?: 'User' | 'Bot'; action?: string }
  ): { name: string; payload: Record<string, unknown> }
  run(
    event: { name: string; payload: Record<string, unknown> },
    inputs?: Record<string, string>,
    env?: Record<string, string>,
    opts?: RunOptions
  ): Promise<ActionRun>
  /** The commits on a branch of origin, newest first (subject lines). */
  originLog(branch: string): string[]
  originHead(branch: string): string | null
  close(): Promise<void>
}

function parseOutputs(file: string): Record<string, string> {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
  const out: Record<string, string> = {}
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const m of text.matchAll(re)) out[m[1] as string] = m[3] as string
  return out
}

/** `files` replaces the sample project pushed to origin (default SAMPLE_FILES). */
export async function createWorld(
  opts: { issueTitle?: string; issueBody?: string; files?: Record<string, string> } = {}
): Promise<World> {
  const sb = await createSandbox({ files: opts.files })
  const gh = await startFakeGitHub({ owner: OWNER, repo: REPO, defaultBranch: 'main' })
  const openai = await startFakeOpenAI()
  gh.state.permissions[MAINTAINER] = 'write'
  gh.state.addBranch('main')

  // origin: a bare repository seeded with the sample project.
  const origin = path.join(sb.root, 'origin.git')
  gitIn(sb.root, ['init', '-q', '--bare', '-b', 'main', origin])
  gitIn(sb.repoDir, ['remote', 'add', 'origin', origin])
  gitIn(sb.repoDir, ['push', '-q', 'origin', 'main'])
  const workspace = path.join(sb.root, 'workspace')
  const toolCache = path.join(sb.root, 'toolcache')
  preinstallSandboxRuntime(toolCache)

  const issue = gh.state.addIssue({
    title: opts.issueTitle ?? 'Add rate limiting to the API endpoints',
    body: opts.issueBody ?? 'Clients can hammer /api. Limit each client to 100 requests per minute.',
    user: MAINTAINER
  })

  const issuePayload = (base: Record<string, unknown>) => {
    const current = gh.state.issues.get(issue.number) as FakeIssue
    return {
      ...base,
      number: current.number,
      title: current.title,
      body: current.body,
      labels: current.labels.map(name => ({ name, color: 'ededed' }))
    }
  }

  let runCount = 0
  const world: World = {
    sb,
    gh,
    openai,
    origin,
    workspace,
    issue,
    labeledEvent(label, sender = MAINTAINER) {
      const p = webhookFixture('issues.labeled')
      const issueLabels = gh.state.issues.get(issue.number)?.labels ?? []
      if (!issueLabels.includes(label)) issueLabels.push(label)
      return {
        name: 'issues',
        payload: {
          ...p,
          issue: issuePayload(p.issue as Record<string, unknown>),
          label: { ...(p.label as Record<string, unknown>), name: label },
          repository: payloadRepository(p),
          sender: { ...(p.sender as Record<string, unknown>), login: sender, type: 'User' }
        }
      }
    },
    commentEvent(body, user = MAINTAINER, o = {}) {
      const p = webhookFixture(o.action === 'edited' ? 'issue_comment.edited' : 'issue_comment.created')
      const stored = gh.state.addComment({
        issue_number: issue.number,
        body,
        user: { login: user, type: o.type ?? 'User' }
      })
      const comment = p.comment as Record<string, unknown>
      return {
        name: 'issue_comment',
        payload: {
          ...p,
          issue: issuePayload(p.issue as Record<string, unknown>),
          comment: {
            ...comment,
            id: stored.id,
            body,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
            user: { ...(comment.user as Record<string, unknown>), login: user, type: o.type ?? 'User' }
          },
          repository: payloadRepository(p),
          sender: { ...(p.sender as Record<string, unknown>), login: user, type: o.type ?? 'User' }
        }
      }
    },
    async run(event, inputs = {}, env = {}, runOpts = {}) {
      runCount++
      const checkout = runOpts.checkout ?? workspace
      // Every run gets a fresh checkout, as actions/checkout with fetch-depth: 0 gives it.
      fs.rmSync(checkout, { recursive: true, force: true })
      gitIn(sb.root, ['clone', '-q', origin, checkout])
      if (runOpts.persistedToken) {
        const header = checkoutExtraheader(runOpts.persistedToken)
        gitIn(checkout, ['config', '--local', header.key, header.value])
      }
      const runDir = path.join(sb.root, `run-${runCount}`)
      fs.mkdirSync(runDir)
      const eventPath = path.join(runDir, 'event.json')
      fs.writeFileSync(eventPath, JSON.stringify(event.payload))
      const outputFile = path.join(runDir, 'output')
      const summaryFile = path.join(runDir, 'summary.md')
      fs.writeFileSync(outputFile, '')
      fs.writeFileSync(summaryFile, '')
      const allInputs: Record<string, string> = {
        ...actionDefaults(),
        github_token: GITHUB_TOKEN,
        anthropic_api_key: ANTHROPIC_KEY,
        openai_api_key: OPENAI_KEY,
        openai_base_url: `${openai.url}/v1`,
        claude_path: path.join(REPO_ROOT, 'node_modules', '.bin', 'claude'),
        ...inputs
      }
      const inputEnv = Object.fromEntries(Object.entries(allInputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]))
      const node = node24Path()
      runOpts.beforeSpawn?.()
      const spawnedAt = Date.now()
      const r = await execa(node, [path.join(REPO_ROOT, 'dist', 'index.js')], {
        cwd: checkout,
        extendEnv: false,
        reject: false,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: sb.home,
          ANTHROPIC_BASE_URL: sb.model.url,
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          GITHUB_ACTIONS: 'true',
          GITHUB_EVENT_NAME: event.name,
          GITHUB_EVENT_PATH: eventPath,
          GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
          GITHUB_API_URL: gh.url,
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_RUN_ID: String(1000 + runCount),
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: summaryFile,
          GITHUB_WORKSPACE: checkout,
          RUNNER_TEMP: runDir,
          RUNNER_TOOL_CACHE: toolCache,
          ...inputEnv,
          ...env
        }
      })
      return {
        exitCode: r.exitCode ?? -1,
        stdout: String(r.stdout),
        stderr: String(r.stderr),
        outputs: parseOutputs(outputFile),
        summary: fs.readFileSync(summaryFile, 'utf8'),
        spawnedAt
      }
    },
    originLog(branch) {
      try {
        return gitIn(origin, ['log', '--format=%s', branch]).split('\n').filter(Boolean)
      } catch {
        return []
      }
    },
    originHead(branch) {
      try {
        return gitIn(origin, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`])
      } catch {
        return null
      }
    },
    async close() {
      await gh.close()
      await openai.close()
      await sb.cleanup()
    }
  }
  return world
}

export { SAMPLE_FILES, writeFiles }

/**
 * The runner's tool cache as the action leaves it after its first install of
 * the pinned sandbox runtime: the tests use this checkout's copy instead of
 * fetching it from the registry.
 */
export function preinstallSandboxRuntime(toolCache: string): void {
  const target = path.join(
    toolCache,
    'orchestrator-sandbox-runtime',
    PINNED_SANDBOX_RUNTIME_VERSION,
    'node_modules',
    '@anthropic-ai'
  )
  fs.mkdirSync(target, { recursive: true })
  fs.symlinkSync(
    path.join(REPO_ROOT, 'node_modules', '@anthropic-ai', 'sandbox-runtime'),
    path.join(target, 'sandbox-runtime')
  )
}

/**
 * Requests the action should never make: routes outside GitHub's OpenAPI
 * description, and bodies GitHub would reject (422). Every suite expects none.
 */
export function githubProblems(w: World): RouteLogEntry[] {
  return [...w.gh.unknown(), ...w.gh.log.filter(e => e.status === 422)]
}
