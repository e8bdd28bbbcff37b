/**
 * The flows in process: a real Session against the fake GitHub server, real
 * git against a bare origin, and a scripted engine in place of Claude Code.
 * The engine writes the documents and source changes a phase would and
 * returns the result it would; which phase fails and how is up to the test.
 * What Claude does is proved end to end (test/*.e2e.test.ts); these tests
 * prove what the flows do with it.
 */
import { afterEach, beforeEach, expect, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineRequest } from '../../src/action/claude-engine.js'
import type { Inputs, RunnerContext } from '../../src/action/inputs.js'
import { SecretRegistry } from '../../src/action/secrets.js'
import { Session } from '../../src/action/session.js'
import { decodePlanMarker, encodePlanMarker, encodePrMarker, type PlanState } from '../../src/action/markers.js'
import { taskHash } from '../../src/action/untrusted.js'
import { artifactPath } from '../../src/engine/artifacts.js'
import { emptyPhase, sumTotals } from '../../src/engine/results.js'
import { PHASES, type Finding, type PhaseName, type PhaseResult, type RunResult } from '../../src/engine/types.js'
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js'
import { useRepoTemplate } from './repo-template.js'
import { startFakeGitHub, type FakeComment, type FakeGitHub, type FakeIssue } from './github-server.js'

export const REPO = { owner: 'acme', repo: 'widgets' }
export const BOT = 'github-actions[bot]'
/** A collaborator with write access; anyone else only reads. */
export const MAINTAINER = 'maintainer-mia'
export const OUTSIDER = 'drive-by-dan'
export const BOT_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com'
export const TOKEN = 'ghs_flowTestToken0123'
export const BODY = 'Limit each client to 100 requests per minute.\n\n- [ ] per API key\n'

/** What the scripted engine does this time. */
export interface Script {
  /** The phase that fails, and the error it reports (the engine prefixes the phase's name). */
  fail?: { phase: PhaseName; error: string }
  findings?: Finding[]
  /** The phase that asks the maintainer (questions: maintainer) unless the request carries an answer for it. */
  ask?: { phase: PhaseName; question: string; options: string[] }
}

/** Stands in for Claude Code: writes what each phase would and returns the engine's result. */
export class ScriptedEngine {
  readonly requests: EngineRequest[] = []
  /** Where the checkout was when each request came: the branch and the commit the phases start from. */
  readonly startedAt: Array<{ branch: string; sha: string }> = []
  script: Script = {}
  private edits = 0

  constructor(private readonly workspace: () => string) {}

  readonly engine: Engine = req => {
    this.requests.push(req)
    const repo = this.workspace()
    this.startedAt.push({ branch: git(repo, 'rev-parse', '--abbrev-ref', 'HEAD'), sha: git(repo, 'rev-parse', 'HEAD') })
    const requested = PHASES.filter(p => req.phases.includes(p))
    const phases: PhaseResult[] = []
    let failed: PhaseResult | undefined
    let waiting: RunResult['waiting']
    const changed: string[] = []
    for (const [i, name] of requested.entries()) {
      if (failed) {
        phases.push(emptyPhase(name, 'skipped'))
        continue
      }
      req.status.onProgress({ type: 'phase-start', phase: name, position: i + 1, total: requested.length })
      const result: PhaseResult = { ...emptyPhase(name, 'succeeded'), durationMs: 1200, costUsd: 0.01, turns: 3 }
      const reused = req.reuse?.[name]
      if (reused) Object.assign(result, { artifacts: reused, reused: true, costUsd: 0 })
      else if (this.script.ask?.phase === name && !req.answered?.some(a => a.phase === name)) {
        const { question, options } = this.script.ask
        Object.assign(result, { status: 'waiting' })
        waiting = { phase: name, questions: [{ question, options: options.map(label => ({ label })) }] }
        failed = result
      } else if (this.script.fail?.phase === name) {
        Object.assign(result, { status: 'failed', error: this.script.fail.error })
        failed = result
      } else if (name === 'implement') {
        const file = `src/feature-${++this.edits}.ts`
        fs.mkdirSync(path.join(repo, 'src'), { recursive: true })
        fs.writeFileSync(path.join(repo, file), `export const step = ${this.edits}\n`)
        changed.push(file)
      } else {
        const rel = artifactPath('thoughts/shared', name, req.date, req.slug, repo)
        fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true })
        fs.writeFileSync(path.join(repo, rel), `# ${name} for ${req.task.title}\n\n1. Add a limiter.\n`)
        result.artifacts = [rel]
      }
      phases.push(result)
      req.status.onProgress({ type: 'phase-end', phase: name, result })
    }
    const totals = sumTotals(...phases)
    const doc = (phase: PhaseName) => phases.find(p => p.name === phase && p.status === 'succeeded')?.artifacts[0]
    const run: RunResult = {
      task: `Issue #${req.task.number}: ${req.task.title}`,
      status: waiting
        ? 'awaiting-answer'
        : failed
          ? 'failed'
          : requested.includes('implement')
            ? 'completed'
            : 'planned',
      phases,
      planPath: doc('plan') ?? null,
      reviewPath: doc('review') ?? null,
      findings: requested.includes('review') && !failed ? (this.script.findings ?? []) : [],
      changedFiles: changed,
      totals,
      ...(waiting
        ? { waiting }
        : failed
          ? { failedPhase: failed.name, error: `${failed.name} failed: ${failed.error}` }
          : {})
    }
    return Promise.resolve(run)
  }
}

export interface FlowWorld {
  server: FakeGitHub
  gh: GitHubClient
  root: string
  origin: string
  workspace: string
  issue: FakeIssue
  /** The base branch's commit on origin. */
  main: string
  claude: ScriptedEngine
  /** What the run wrote to the log (@actions/core writes to stdout), line by line. */
  log: string[]
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

/** Sets up a fresh world before each test of the file (and checks every GitHub call was a real endpoint after). */
export function useFlowWorld(): FlowWorld {
  const w = {} as FlowWorld
  let main = ''
  // origin.git with one commit on main, and workspace, its clone.
  const repos = useRepoTemplate(dir => {
    const origin = path.join(dir, 'origin.git')
    git(dir, 'init', '-q', '--bare', '-b', 'main', origin)
    const seed = path.join(dir, 'seed')
    git(dir, 'init', '-q', '-b', 'main', seed)
    fs.writeFileSync(path.join(seed, 'README.md'), '# widgets\n')
    git(seed, 'add', '-A')
    git(seed, '-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'commit', '-q', '-m', 'initial')
    git(seed, 'push', '-q', origin, 'main')
    main = git(seed, 'rev-parse', 'HEAD')
    fs.rmSync(seed, { recursive: true, force: true })
    git(dir, 'clone', '-q', origin, path.join(dir, 'workspace'))
  })
  beforeEach(async () => {
    w.log = []
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      w.log.push(...String(chunk).split('\n').filter(Boolean))
      return true
    })
    w.server = await startFakeGitHub(REPO)
    w.gh = createGitHubClient(TOKEN, w.server.url)
    w.server.state.permissions[MAINTAINER] = 'write'
    w.issue = w.server.state.addIssue({ title: 'Add rate limiting', body: BODY, user: MAINTAINER })
    w.root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'flows-')))
    repos.copyTo(w.root)
    w.origin = path.join(w.root, 'origin.git')
    w.workspace = path.join(w.root, 'workspace')
    w.server.state.gitDir = w.origin
    w.main = main
    w.claude = new ScriptedEngine(() => w.workspace)
  })
  afterEach(async () => {
    jest.restoreAllMocks()
    await w.server.close()
    expect(w.server.unknown()).toEqual([])
    expect(w.server.problems()).toEqual([])
    fs.rmSync(w.root, { recursive: true, force: true })
  })
  return w
}

export const branchOf = (w: FlowWorld, n = w.issue.number) => `orchestrator/issue-${n}`

export function originHead(w: FlowWorld, name: string): string | null {
  try {
    return git(w.origin, 'rev-parse', '--verify', '-q', `refs/heads/${name}`)
  } catch {
    return null
  }
}

/** Subjects of a branch's commits on origin, newest first. */
export const originLog = (w: FlowWorld, name: string): string[] =>
  git(w.origin, 'log', '--format=%s', `refs/heads/${name}`).split('\n')

/** Pushes a commit on top of `from` to `to` on origin, by `author` (the bot's own e-mail unless told). */
export function pushCommit(
  w: FlowWorld,
  from: string,
  to: string,
  subject: string,
  author = { name: BOT, email: BOT_EMAIL }
): string {
  // One fast-import straight into origin: a commit adding one file on top of `from`.
  const file = `${subject.replace(/\W+/g, '-')}.md`
  const content = `${subject}\n`
  const when = `${Math.floor(Date.now() / 1000)} +0000`
  const stream = [
    `commit refs/heads/${to}`,
    `author ${author.name} <${author.email}> ${when}`,
    `committer ${author.name} <${author.email}> ${when}`,
    `data ${Buffer.byteLength(subject)}`,
    subject,
    `from ${from}`,
    `M 100644 inline ${file}`,
    `data ${Buffer.byteLength(content)}`,
    content,
    ''
  ].join('\n')
  execFileSync('git', ['fast-import', '--quiet'], { cwd: w.origin, input: stream })
  return git(w.origin, 'rev-parse', `refs/heads/${to}`)
}

/** The bot's plan comment on the issue, as an earlier run left it. */
export function planComment(w: FlowWorld, state: Partial<PlanState> & Pick<PlanState, 'planSha'>): PlanState {
  const full: PlanState = {
    v: 1,
    issue: w.issue.number,
    branch: branchOf(w),
    base: 'main',
    headSha: state.planSha,
    pushed: [state.planSha],
    planPath: 'thoughts/shared/plans/plan.md',
    artifacts: {},
    state: 'pending',
    taskHash: taskHash({ number: w.issue.number, title: w.issue.title, body: BODY }),
    ...state
  }
  w.server.state.addComment({
    issue_number: w.issue.number,
    body: `${encodePlanMarker(full)}\n\n## 📋 Plan`,
    user: { login: BOT, type: 'Bot' }
  })
  return full
}

/** The bot's pull request for the world's issue with its marker, and the plan comment an approved run leaves (`planState`). */
export function botPull(w: FlowWorld, planState: Partial<PlanState> & Pick<PlanState, 'planSha'>): On {
  const body = encodePrMarker({
    v: 1,
    issue: w.issue.number,
    branch: branchOf(w),
    planPath: 'thoughts/shared/plans/plan.md',
    taskHash: taskHash({ number: w.issue.number, title: w.issue.title, body: BODY }),
    handled: []
  })
  const pr = w.server.state.addPull({
    head: branchOf(w),
    base: 'main',
    title: 'Add rate limiting (#1)',
    body,
    user: BOT
  })
  planComment(w, { state: 'approved', pr: pr.number, ...planState })
  return { number: pr.number, title: pr.title, body, isPullRequest: true }
}

export function flowInputs(overrides: Partial<Inputs> = {}): Inputs {
  return {
    githubToken: TOKEN,
    providerEnv: { ANTHROPIC_API_KEY: 'sk-ant-flowTestKey0123' },
    answerer: null,
    triggerLabel: 'orchestrator',
    requireApproval: true,
    branchPrefix: 'orchestrator/issue-',
    phaseTimeoutMinutes: 1,
    claudeArgs: [],
    draftPr: false,
    artifactsDir: 'thoughts/shared',
    reuseIndex: false,
    botLogin: BOT,
    commitAuthorName: BOT,
    questions: 'model',
    verifyRounds: 2,
    fixFailingChecks: false,
    maxAutoFixes: 2,
    ledger: false,
    ledgerReport: false,
    requireGreen: false,
    sandbox: 'off',
    allowedDomains: [],
    commitAuthorEmail: BOT_EMAIL,
    ...overrides
  }
}

export type On = { number: number; title: string; body: string | null; isPullRequest?: boolean; labels?: string[] }

/** A Session on the issue (or `on`, a pull request or the issue as an event carries it), with the scripted engine. */
export function session(
  w: FlowWorld,
  on: On = w.issue,
  inputs: Partial<Inputs> = {},
  engine: Engine = w.claude.engine
): Session {
  const ctx: RunnerContext = {
    eventName: 'issue_comment',
    eventPath: '',
    repository: REPO,
    apiUrl: w.server.url,
    serverUrl: 'https://github.com',
    runId: '1',
    workspace: w.workspace,
    env: {}
  }
  const ref = {
    number: on.number,
    title: on.title,
    body: on.body ?? '',
    labels: on.labels ?? w.server.state.issues.get(on.number)?.labels ?? [],
    isPullRequest: on.isPullRequest ?? false
  }
  return new Session(w.gh, flowInputs(inputs), ctx, ref, 'main', new SecretRegistry(), engine)
}

/** The bot's comments on an issue or pull request, as a reader sees them (without the hidden idempotency key). */
export const botComments = (w: FlowWorld, n = w.issue.number): FakeComment[] =>
  w.server.state
    .commentsOn(n)
    .filter(c => c.user.login === BOT)
    .map(c => ({ ...c, body: c.body.replace(/\n<!-- orchestrator:write [\w-]+ -->$/, '') }))

export const lastReply = (w: FlowWorld, n = w.issue.number): string => botComments(w, n).at(-1)?.body ?? ''

export const planComments = (w: FlowWorld): FakeComment[] => botComments(w).filter(c => decodePlanMarker(c.body))

export const statusComments = (w: FlowWorld, n = w.issue.number): FakeComment[] =>
  botComments(w, n).filter(c => c.body.includes('<!-- orchestrator:status -->'))

export const stateLabels = (w: FlowWorld, n = w.issue.number): string[] =>
  (w.server.state.issues.get(n)?.labels ?? w.server.state.pulls.get(n)?.labels ?? []).filter(l =>
    l.startsWith('orchestrator:')
  )

/** The issue as it is on the fake server now (after edits), for a Session of a later event. */
export const current = (w: FlowWorld): On => w.server.state.issues.get(w.issue.number) as FakeIssue

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/webhooks', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >

export interface WebhookEvent {
  name: string
  payload: Record<string, unknown>
}

function eventParts(w: FlowWorld, p: Record<string, unknown>) {
  const repo = p.repository as Record<string, unknown>
  const issue = w.server.state.issues.get(w.issue.number) as FakeIssue
  return {
    repository: {
      ...repo,
      name: REPO.repo,
      full_name: `${REPO.owner}/${REPO.repo}`,
      default_branch: 'main',
      owner: { ...(repo.owner as Record<string, unknown>), login: REPO.owner }
    },
    issue: {
      ...(p.issue as Record<string, unknown>),
      number: issue.number,
      title: issue.title,
      body: issue.body,
      labels: issue.labels.map(name => ({ name, color: 'ededed' }))
    }
  }
}

/** GitHub's `issues` `labeled` webhook for the world's issue (the label is added on the fake server too). */
export function labeledEvent(w: FlowWorld, label: string, sender = MAINTAINER): WebhookEvent {
  const p = fixture('issues.labeled')
  const labels = w.server.state.issues.get(w.issue.number)?.labels ?? []
  if (!labels.includes(label)) labels.push(label)
  return {
    name: 'issues',
    payload: {
      ...p,
      ...eventParts(w, p),
      label: { ...(p.label as Record<string, unknown>), name: label },
      sender: { ...(p.sender as Record<string, unknown>), login: sender, type: 'User' }
    }
  }
}

/** GitHub's `issue_comment` webhook for a new comment on the world's issue (posted on the fake server too). */
export function commentEvent(
  w: FlowWorld,
  body: string,
  user = MAINTAINER,
  o: { type?: 'User' | 'Bot'; action?: string } = {}
): WebhookEvent {
  const p = fixture(o.action === 'edited' ? 'issue_comment.edited' : 'issue_comment.created')
  const stored = w.server.state.addComment({
    issue_number: w.issue.number,
    body,
    user: { login: user, type: o.type ?? 'User' }
  })
  const comment = p.comment as Record<string, unknown>
  return {
    name: 'issue_comment',
    payload: {
      ...p,
      ...eventParts(w, p),
      comment: {
        ...comment,
        id: stored.id,
        body,
        created_at: stored.created_at,
        updated_at: stored.updated_at,
        user: { ...(comment.user as Record<string, unknown>), login: user, type: o.type ?? 'User' }
      },
      sender: { ...(p.sender as Record<string, unknown>), login: user, type: o.type ?? 'User' }
    }
  }
}
