/**
 * A stateful fake of the GitHub REST API on 127.0.0.1, for driving the
 * orchestrator (through Octokit) offline.
 *
 * Every request is first matched against test/fixtures/github-openapi-subset.json,
 * cut from GitHub's own OpenAPI description by scripts/gen-github-openapi-subset.mjs:
 * - a method + path that is not in it gets 404 with a body saying so (and the
 *   log entry has `unknown: true`), so code calling an endpoint that does not
 *   exist, or one this fake does not model, fails loudly;
 * - a JSON body that does not validate against the operation's request body
 *   schema gets 422 with the ajv errors.
 * Then the request is served from `state`, which tests may read and change.
 * The fake's own answers are checked against the operation's documented
 * response schema (`checkResponses`, on by default): a mismatch is recorded
 * as `responseErrors` on the log entry (see `FakeGitHub.problems()`), so the
 * shapes our code reads are GitHub's, not invented ones.
 *
 * Choices where GitHub's behaviour has options:
 * - Collaborator permission: a login in `state.permissions` gets that role;
 *   `permission` is the legacy base role (maintain -> write, triage -> read),
 *   `role_name` the role itself, like GitHub. A login not in the map gets
 *   200 with `read` on a public repository (GitHub's behaviour: anyone can
 *   read) and `none` when the fake was started with `private: true`.
 * - Pull requests: creating one while an open one exists for the same head
 *   and base gives GitHub's 422 "A pull request already exists for
 *   OWNER:BRANCH.". The base branch must exist in `state.branches` (the
 *   default branch always does); an unknown head branch is registered on the
 *   fly unless `requireHeadBranch` is set, since tests push with git to a
 *   remote this fake does not see. Listing with `head` only filters when it
 *   has GitHub's `OWNER:BRANCH` form; a bare branch name is ignored, as on
 *   GitHub.
 * - Reactions: the same user adding the same reaction twice gets 200 and the
 *   existing reaction (GitHub's behaviour); a new one gets 201.
 * - A pull request's commits are read with git from `state.gitDir` (the bare
 *   origin the tests push to): the commits on the head branch that the base
 *   branch did not have when the pull request was opened, oldest first, as
 *   GitHub lists them (also after a merge). Without `gitDir` the route
 *   answers 500, so a test cannot get an invented list by accident.
 * - Checks and Actions: a workflow job is also a check run with the same id
 *   (GitHub's check_run_url of a job points at it), added together by
 *   `state.addJob`; `state.addCheckRun` adds one of another app (a third-party
 *   CI). A job's log is downloaded as GitHub does it: the API answers 302 with
 *   a Location on another origin (`logsUrl`, no authentication, like GitHub's
 *   signed blob URLs); a job whose log is gone (`log: null`) answers 410.
 */
import http from 'node:http'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import type { AddressInfo } from 'node:net'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

// ---------------------------------------------------------------- types

/** GitHub rejects comment and pull request bodies longer than this. */
export const GITHUB_BODY_LIMIT = 65536

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none'
export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes'

export interface FakeUser {
  login: string
  type: 'User' | 'Bot' | 'Organization'
}

/** A user given to a helper: a login (type User) or a user object. */
export type UserInput = string | { login: string; type?: FakeUser['type'] }

export interface FakeReaction {
  id: number
  content: ReactionContent
  user: FakeUser
  created_at: string
}

export interface FakeIssue {
  number: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  /** Label names; rendered as label objects from `state.labels`. */
  labels: string[]
  user: FakeUser
  created_at: string
  updated_at: string
  closed_at: string | null
  reactions: FakeReaction[]
}

export interface FakeComment {
  id: number
  /** Issue or pull request number. */
  issue_number: number
  body: string
  user: FakeUser
  created_at: string
  updated_at: string
  html_url: string
  reactions: FakeReaction[]
}

export interface FakeLabel {
  id: number
  name: string
  color: string
  description: string | null
  default: boolean
}

export interface FakePull {
  number: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  draft: boolean
  /** Head branch name (ref, without owner). */
  head: string
  /** Base branch name. */
  base: string
  html_url: string
  user: FakeUser
  labels: string[]
  merged: boolean
  created_at: string
  updated_at: string
  closed_at: string | null
  reactions: FakeReaction[]
  /** The base branch's commit in `state.gitDir` when the pull request was opened. */
  base_sha?: string
}

export interface FakeReview {
  id: number
  pull_number: number
  user: FakeUser
  body: string
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING'
  submitted_at: string
  commit_id: string
  html_url: string
}

export interface FakeReviewComment {
  id: number
  pull_number: number
  review_id: number
  body: string
  path: string
  line: number | null
  side: 'LEFT' | 'RIGHT'
  user: FakeUser
  in_reply_to_id: number | null
  commit_id: string
  diff_hunk: string
  created_at: string
  updated_at: string
  html_url: string
}

export interface FakeBranch {
  name: string
  sha: string
  protected: boolean
}

export interface FakeRun {
  id: number
  name: string
  run_number: number
  run_attempt: number
  event: string
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending'
  conclusion: string | null
  head_branch: string
  head_sha: string
  html_url: string
  created_at: string
  updated_at: string
}

export interface FakeAnnotation {
  path: string
  start_line: number
  end_line: number
  annotation_level: 'notice' | 'warning' | 'failure'
  title: string | null
  message: string
  raw_details: string | null
}

export interface FakeCheckRun {
  id: number
  name: string
  head_sha: string
  status: 'queued' | 'in_progress' | 'completed'
  conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | null
  /** The app's slug: `github-actions` for a workflow job, anything else for a third-party CI. */
  app: string
  output: { title: string | null; summary: string | null; text: string | null }
  annotations: FakeAnnotation[]
  details_url: string | null
  check_suite_id: number
  started_at: string
  completed_at: string | null
}

export interface FakeJob {
  id: number
  run_id: number
  name: string
  workflow_name: string
  head_sha: string
  head_branch: string
  status: 'queued' | 'in_progress' | 'completed'
  conclusion: FakeCheckRun['conclusion']
  steps: Array<{ name: string; status: 'completed'; conclusion: string; number: number }>
  /** The job's log as the runner wrote it; null once it expired (the download answers 410). */
  log: string | null
  created_at: string
}

export interface AddJobInput {
  name: string
  conclusion?: FakeCheckRun['conclusion']
  log?: string | null
  steps?: Array<{ name: string; conclusion: string }>
  annotations?: FakeAnnotation[]
  output?: Partial<FakeCheckRun['output']>
}

export interface AddIssueInput {
  title: string
  body?: string | null
  labels?: string[]
  user?: UserInput
  state?: 'open' | 'closed'
  number?: number
}

export interface AddCommentInput {
  issue_number: number
  body: string
  /** Defaults to `state.actor` (the identity the app writes as). */
  user?: UserInput
}

export interface AddPullInput {
  head: string
  base?: string
  title?: string
  body?: string | null
  draft?: boolean
  state?: 'open' | 'closed'
  user?: UserInput
  labels?: string[]
  number?: number
}

export interface AddReviewInput {
  body?: string
  state?: FakeReview['state']
  user?: UserInput
  comments?: Array<{
    path: string
    line?: number | null
    body: string
    side?: 'LEFT' | 'RIGHT'
    in_reply_to_id?: number
    user?: UserInput
  }>
}

export interface FakeGitHubState {
  readonly owner: string
  readonly repo: string
  defaultBranch: string
  private: boolean
  /** The identity behind the token: author of comments and reactions the app creates. */
  actor: FakeUser
  /** Collaborator roles by login (see the header for logins not listed). */
  permissions: Record<string, Permission>
  issues: Map<number, FakeIssue>
  /** Issue and pull request comments by comment id. */
  comments: Map<number, FakeComment>
  /** Repository labels by name (looked up case-insensitively, like GitHub). */
  labels: Map<string, FakeLabel>
  pulls: Map<number, FakePull>
  /** Reviews per pull request number. */
  reviews: Map<number, FakeReview[]>
  /** Review (diff) comments per pull request number. */
  reviewComments: Map<number, FakeReviewComment[]>
  branches: Map<string, FakeBranch>
  runs: Map<number, FakeRun>
  /** Check runs by id (a workflow job's has the job's id). */
  checkRuns: Map<number, FakeCheckRun>
  /** Workflow jobs by id. */
  jobs: Map<number, FakeJob>
  /** A git repository holding the branches (the tests' bare origin): where pull request commits come from. */
  gitDir: string | null

  addIssue(input: AddIssueInput): FakeIssue
  addComment(input: AddCommentInput): FakeComment
  addPull(input: AddPullInput): FakePull
  addLabel(input: { name: string; color?: string; description?: string | null }): FakeLabel
  addReview(pullNumber: number, input?: AddReviewInput): { review: FakeReview; comments: FakeReviewComment[] }
  addBranch(name: string, sha?: string): FakeBranch
  addRun(input?: Partial<FakeRun>): FakeRun
  /** A job of workflow run `runId` (completed, failed unless told), with its check run. */
  addJob(runId: number, input: AddJobInput): FakeJob
  /** A check run of another app than GitHub Actions (a third-party CI), completed. */
  addCheckRun(input: Partial<FakeCheckRun> & { name: string; head_sha: string }): FakeCheckRun
  /** Comments on an issue or pull request, oldest first. */
  commentsOn(issueNumber: number): FakeComment[]
  /** Case-insensitive repository label lookup. */
  findLabel(name: string): FakeLabel | undefined
}

export interface FakeGitHubOptions {
  owner: string
  repo: string
  /** Default 'main'. */
  defaultBranch?: string
  /** Repository visibility; affects the permission of non-collaborators. Default false. */
  private?: boolean
  /** If set, only this token is accepted (others get 401 Bad credentials). */
  token?: string
  /** Base of html_url fields. Default 'https://github.com'. */
  htmlBaseUrl?: string
  /** POST /pulls 422s for a head branch not in `state.branches` (GitHub's behaviour). Default false. */
  requireHeadBranch?: boolean
  /** Clock for created_at/updated_at. Default `() => new Date()`. */
  now?: () => Date
  /** Validate the fake's own 2xx/documented answers against GitHub's response schemas. Default true. */
  checkResponses?: boolean
}

export interface RouteLogEntry {
  method: string
  /** Request path without the query string. */
  path: string
  status: number
  /** Parsed JSON request body, when there was one. */
  body?: unknown
  /** 'METHOD /template' of the matched OpenAPI operation, or 'METHOD /raw/path' when none matched. */
  operation: string
  query?: Record<string, string>
  /** True when the method + path is not in the OpenAPI subset. */
  unknown?: boolean
  /** When the request arrived (ms since the epoch). */
  at?: number
  /** True when the answer came from `injectFault`. */
  injected?: boolean
  /** Message of an error answer (4xx/5xx). */
  error?: string
  /** Where the fake's answer does not match GitHub's documented response schema (a bug in the fake). */
  responseErrors?: string[]
}

export interface FaultSpec {
  method: string
  /** Path template, with or without the leading method: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'. */
  operation: string
  status: number
  /** How many matching requests fail. Default 1. */
  times?: number
  /** Carry out the request, then answer with the fault: a response lost after GitHub did the write. */
  afterWrite?: boolean
  headers?: Record<string, string>
  body?: unknown
}

export interface FakeGitHub {
  /** http://127.0.0.1:PORT — use as GITHUB_API_URL / Octokit baseUrl. */
  url: string
  /** Every request, in arrival order. */
  log: RouteLogEntry[]
  /** Requests whose method is not GET/HEAD. */
  writes(): RouteLogEntry[]
  /** Requests whose method + path is not in the OpenAPI subset. */
  unknown(): RouteLogEntry[]
  /** Answers of the fake that do not match GitHub's response schemas (should always be empty). */
  problems(): RouteLogEntry[]
  state: FakeGitHubState
  /** Requests to the job logs' host (where a log download's 302 points), with the Authorization they carried. */
  logRequests: Array<{ path: string; authorization: string | null }>
  /** Fail the next `times` requests matching method+operation with this status (and optional headers, e.g. retry-after). */
  injectFault(f: FaultSpec): void
  close(): Promise<void>
}

// ---------------------------------------------------------------- OpenAPI subset

interface SubsetOperation {
  method: string
  path: string
  operationId: string
  pathParams: Array<{ name: string; schema: { type?: string } }>
  queryParams: Array<{ name: string; required: boolean; schema: unknown }>
  requestBody: { required: boolean; contentType: string; schema: Record<string, unknown> } | null
  /** Documented statuses; `schema` refers into `components` with '#/components/schemas/NAME'. */
  responses: Record<string, { schema?: Record<string, unknown> }>
}

interface Subset {
  source: string
  operations: SubsetOperation[]
  components: { schemas: Record<string, unknown> }
  allOperations: string[]
}

interface CompiledOperation extends SubsetOperation {
  key: string
  segments: string[]
  literalCount: number
  validate: ValidateFunction | null
  responseValidators: Map<string, ValidateFunction | null>
}

const SUBSET_FILE = new URL('../fixtures/github-openapi-subset.json', import.meta.url)
const DOCS = 'https://docs.github.com/rest'

const COMPONENTS_ID = 'github-openapi-subset'

let compiled:
  | { subset: Subset; ajv: Ajv; operations: CompiledOperation[]; all: Array<{ method: string; segments: string[] }> }
  | undefined

function collectFormats(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectFormats(n, out)
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'format' && typeof v === 'string') out.add(v)
      else collectFormats(v, out)
    }
  }
}

function loadSubset(): NonNullable<typeof compiled> {
  if (compiled) return compiled
  const subset = JSON.parse(fs.readFileSync(SUBSET_FILE, 'utf8')) as Subset
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormatsModule.default(ajv)
  const formats = new Set<string>()
  collectFormats(subset, formats)
  // GitHub-specific formats such as 'repo.nwo' are accepted as any string.
  for (const f of formats) if (!ajv.formats[f]) ajv.addFormat(f, true)
  ajv.addSchema({ $id: COMPONENTS_ID, components: subset.components })
  const operations = subset.operations.map(op => {
    const segments = op.path.split('/').slice(1)
    return {
      ...op,
      key: `${op.method} ${op.path}`,
      segments,
      literalCount: segments.filter(s => !s.startsWith('{')).length,
      validate: op.requestBody ? ajv.compile(op.requestBody.schema) : null,
      responseValidators: new Map<string, ValidateFunction | null>()
    }
  })
  // Most literal segments first, so '/issues/comments/{id}' wins over '/issues/{n}/...'.
  operations.sort((a, b) => b.literalCount - a.literalCount)
  const all = subset.allOperations.map(s => {
    const [method = '', p = ''] = s.split(' ')
    return { method, segments: p.split('/').slice(1) }
  })
  compiled = { subset, ajv, operations, all }
  return compiled
}

/** Errors of `body` against the documented response schema of `op` for `status` (compiled on first use). */
function responseErrors(op: CompiledOperation, status: number, body: unknown): string[] {
  const doc = op.responses[String(status)]
  if (!doc) return status < 300 ? [`status ${status} is not documented for ${op.key}`] : []
  if (!doc.schema) return []
  let v = op.responseValidators.get(String(status))
  if (v === undefined) {
    const { ajv } = loadSubset()
    const schema = JSON.parse(
      JSON.stringify(doc.schema).replaceAll('"#/components/', `"${COMPONENTS_ID}#/components/`)
    ) as object
    v = ajv.compile(schema)
    op.responseValidators.set(String(status), v)
  }
  if (!v || v(body)) return []
  const seen = new Set<string>()
  for (const e of v.errors ?? [])
    seen.add(`${e.instancePath || '(body)'} ${e.message ?? ''}${e.params ? ' ' + JSON.stringify(e.params) : ''}`)
  return [...seen].slice(0, 20)
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | null {
  if (template.length !== actual.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string
    const a = actual[i] as string
    if (t.startsWith('{') && t.endsWith('}')) {
      if (a === '') return null
      params[t.slice(1, -1)] = a
    } else if (t !== a) {
      return null
    }
  }
  return params
}

// ---------------------------------------------------------------- HTTP helpers

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

const notFound = (message = 'Not Found') => new HttpError(404, message)

function validationFailed(errors: Array<Record<string, unknown>>, message = 'Validation Failed'): HttpError {
  return new HttpError(422, message, { errors })
}

interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

const REACTION_CONTENTS: ReactionContent[] = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes']

function toUser(u: UserInput | undefined, fallback: FakeUser): FakeUser {
  if (u === undefined) return { ...fallback }
  if (typeof u === 'string') return { login: u, type: u.endsWith('[bot]') ? 'Bot' : 'User' }
  return { login: u.login, type: u.type ?? (u.login.endsWith('[bot]') ? 'Bot' : 'User') }
}

/** A stable fake numeric id for a login. */
function userId(login: string): number {
  let h = 0
  for (const ch of login) h = (h * 31 + ch.charCodeAt(0)) % 90_000_000
  return 10_000_000 + h
}

function fakeSha(seed: string): string {
  let out = ''
  let h = 2166136261
  for (let i = 0; out.length < 40; i++) {
    h ^= seed.charCodeAt(i % Math.max(seed.length, 1)) + i
    h = Math.imul(h, 16777619) >>> 0
    out += h.toString(16).padStart(8, '0')
  }
  return out.slice(0, 40)
}

// ---------------------------------------------------------------- server

export async function startFakeGitHub(opts: FakeGitHubOptions): Promise<FakeGitHub> {
  const { operations, all } = loadSubset()
  const owner = opts.owner
  const repo = opts.repo
  const htmlBase = (opts.htmlBaseUrl ?? 'https://github.com').replace(/\/$/, '')
  const now = opts.now ?? (() => new Date())
  const stamp = () =>
    now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z')
  const repoHtml = `${htmlBase}/${owner}/${repo}`
  let api = '' // set once listening
  let logsBase = '' // the job logs' host, set once listening
  const repoApi = () => `${api}/repos/${owner}/${repo}`

  let nextCommentId = 1_000_001
  let nextReactionId = 5_000_001
  let nextLabelId = 7_000_001
  let nextReviewId = 8_000_001
  let nextReviewCommentId = 9_000_001
  let nextRunId = 6_000_001
  let nextJobId = 40_000_001

  const state: FakeGitHubState = {
    owner,
    repo,
    defaultBranch: opts.defaultBranch ?? 'main',
    private: opts.private ?? false,
    actor: { login: 'github-actions[bot]', type: 'Bot' },
    permissions: {},
    issues: new Map(),
    comments: new Map(),
    labels: new Map(),
    pulls: new Map(),
    reviews: new Map(),
    reviewComments: new Map(),
    branches: new Map(),
    runs: new Map(),
    checkRuns: new Map(),
    jobs: new Map(),
    gitDir: null,

    addIssue(input) {
      const number = input.number ?? nextNumber()
      if (state.issues.has(number) || state.pulls.has(number)) throw new Error(`#${number} already exists`)
      const t = stamp()
      const issue: FakeIssue = {
        number,
        title: input.title,
        body: input.body ?? null,
        state: input.state ?? 'open',
        labels: [],
        user: toUser(input.user, { login: 'octocat', type: 'User' }),
        created_at: t,
        updated_at: t,
        closed_at: input.state === 'closed' ? t : null,
        reactions: []
      }
      for (const l of input.labels ?? []) issue.labels.push(ensureLabel(l).name)
      state.issues.set(number, issue)
      return issue
    },

    addComment(input) {
      const target = issueLike(input.issue_number)
      if (!target) throw new Error(`no issue or pull request #${input.issue_number}`)
      const id = nextCommentId++
      const t = stamp()
      const c: FakeComment = {
        id,
        issue_number: input.issue_number,
        body: input.body,
        user: toUser(input.user, state.actor),
        created_at: t,
        updated_at: t,
        html_url: `${repoHtml}/${target.kind === 'pull' ? 'pull' : 'issues'}/${input.issue_number}#issuecomment-${id}`,
        reactions: []
      }
      state.comments.set(id, c)
      return c
    },

    addPull(input) {
      const number = input.number ?? nextNumber()
      if (state.issues.has(number) || state.pulls.has(number)) throw new Error(`#${number} already exists`)
      const head = stripOwner(input.head)
      if (!state.branches.has(head)) state.addBranch(head)
      const t = stamp()
      const pull: FakePull = {
        number,
        title: input.title ?? head,
        body: input.body ?? null,
        state: input.state ?? 'open',
        draft: input.draft ?? false,
        head,
        base: input.base ?? state.defaultBranch,
        html_url: `${repoHtml}/pull/${number}`,
        user: toUser(input.user, state.actor),
        labels: [],
        merged: false,
        created_at: t,
        updated_at: t,
        closed_at: input.state === 'closed' ? t : null,
        reactions: []
      }
      if (state.gitDir) pull.base_sha = gitRead(['rev-parse', '--verify', '-q', `refs/heads/${pull.base}`]) ?? undefined
      for (const l of input.labels ?? []) pull.labels.push(ensureLabel(l).name)
      state.pulls.set(number, pull)
      return pull
    },

    addLabel(input) {
      if (state.findLabel(input.name)) throw new Error(`label ${input.name} already exists`)
      const label: FakeLabel = {
        id: nextLabelId++,
        name: input.name,
        color: (input.color ?? 'ededed').replace(/^#/, ''),
        description: input.description ?? null,
        default: false
      }
      state.labels.set(label.name, label)
      return label
    },

    addReview(pullNumber, input = {}) {
      const pull = state.pulls.get(pullNumber)
      if (!pull) throw new Error(`no pull request #${pullNumber}`)
      const id = nextReviewId++
      const user = toUser(input.user, { login: 'octocat', type: 'User' })
      const commit = state.branches.get(pull.head)?.sha ?? fakeSha(pull.head)
      const t = stamp()
      const review: FakeReview = {
        id,
        pull_number: pullNumber,
        user,
        body: input.body ?? '',
        state: input.state ?? 'COMMENTED',
        submitted_at: t,
        commit_id: commit,
        html_url: `${repoHtml}/pull/${pullNumber}#pullrequestreview-${id}`
      }
      const reviews = state.reviews.get(pullNumber) ?? []
      reviews.push(review)
      state.reviews.set(pullNumber, reviews)
      const list = state.reviewComments.get(pullNumber) ?? []
      const created = (input.comments ?? []).map(c => {
        const cid = nextReviewCommentId++
        const rc: FakeReviewComment = {
          id: cid,
          pull_number: pullNumber,
          review_id: id,
          body: c.body,
          path: c.path,
          line: c.line ?? null,
          side: c.side ?? 'RIGHT',
          user: c.user === undefined ? user : toUser(c.user, user),
          in_reply_to_id: c.in_reply_to_id ?? null,
          commit_id: commit,
          diff_hunk: `@@ -1,1 +1,1 @@\n ${c.path}`,
          created_at: t,
          updated_at: t,
          html_url: `${repoHtml}/pull/${pullNumber}#discussion_r${cid}`
        }
        list.push(rc)
        return rc
      })
      state.reviewComments.set(pullNumber, list)
      return { review, comments: created }
    },

    addBranch(name, sha) {
      const b: FakeBranch = { name, sha: sha ?? fakeSha(name), protected: false }
      state.branches.set(name, b)
      return b
    },

    addJob(runId, input) {
      const run = state.runs.get(runId)
      if (!run) throw new Error(`no workflow run ${runId}`)
      const id = nextJobId++
      const t = stamp()
      const conclusion = input.conclusion === undefined ? 'failure' : input.conclusion
      const job: FakeJob = {
        id,
        run_id: runId,
        name: input.name,
        workflow_name: run.name,
        head_sha: run.head_sha,
        head_branch: run.head_branch,
        status: 'completed',
        conclusion,
        steps: (input.steps ?? [{ name: 'Run tests', conclusion: conclusion ?? 'success' }]).map((st, i) => ({
          name: st.name,
          status: 'completed' as const,
          conclusion: st.conclusion,
          number: i + 1
        })),
        log: input.log === undefined ? '' : input.log,
        created_at: t
      }
      state.jobs.set(id, job)
      state.addCheckRun({
        id,
        name: input.name,
        head_sha: run.head_sha,
        conclusion,
        app: 'github-actions',
        output: { title: null, summary: null, text: null, ...input.output },
        annotations: input.annotations ?? [],
        details_url: `${repoHtml}/actions/runs/${runId}/job/${id}`,
        check_suite_id: run.id + 1
      })
      return job
    },

    addCheckRun(input) {
      const id = input.id ?? nextJobId++
      const t = stamp()
      const run: FakeCheckRun = {
        status: 'completed',
        conclusion: 'failure',
        app: 'circleci-checks',
        output: { title: null, summary: null, text: null },
        annotations: [],
        details_url: null,
        check_suite_id: 3_000_001,
        started_at: t,
        completed_at: t,
        ...input,
        id
      }
      state.checkRuns.set(id, run)
      return run
    },

    addRun(input = {}) {
      const id = input.id ?? nextRunId++
      const t = stamp()
      const run: FakeRun = {
        id,
        name: 'orchestrator',
        run_number: 1,
        run_attempt: 1,
        event: 'issues',
        status: 'in_progress',
        conclusion: null,
        head_branch: state.defaultBranch,
        head_sha: state.branches.get(state.defaultBranch)?.sha ?? fakeSha(state.defaultBranch),
        html_url: `${repoHtml}/actions/runs/${id}`,
        created_at: t,
        updated_at: t,
        ...input
      }
      state.runs.set(id, run)
      return run
    },

    commentsOn(issueNumber) {
      return [...state.comments.values()].filter(c => c.issue_number === issueNumber).sort((a, b) => a.id - b.id)
    },

    findLabel(name) {
      const exact = state.labels.get(name)
      if (exact) return exact
      const lower = name.toLowerCase()
      for (const l of state.labels.values()) if (l.name.toLowerCase() === lower) return l
      return undefined
    }
  }
  state.addBranch(state.defaultBranch)

  function nextNumber(): number {
    let max = 0
    for (const n of state.issues.keys()) max = Math.max(max, n)
    for (const n of state.pulls.keys()) max = Math.max(max, n)
    return max + 1
  }

  function stripOwner(ref: string): string {
    const i = ref.indexOf(':')
    return i === -1 ? ref : ref.slice(i + 1)
  }

  function ensureLabel(name: string): FakeLabel {
    return state.findLabel(name) ?? state.addLabel({ name })
  }

  type IssueLike = { kind: 'issue'; item: FakeIssue } | { kind: 'pull'; item: FakePull }
  function issueLike(n: number): IssueLike | undefined {
    const issue = state.issues.get(n)
    if (issue) return { kind: 'issue', item: issue }
    const pull = state.pulls.get(n)
    if (pull) return { kind: 'pull', item: pull }
    return undefined
  }

  /** Output of a git command in `state.gitDir`, or null when it fails. */
  function gitRead(args: string[]): string | null {
    try {
      return execFileSync('git', args, {
        cwd: state.gitDir as string,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore']
      }).trim()
    } catch {
      return null
    }
  }

  /** The pull request's commits as GET /pulls/{n}/commits lists them, read from `state.gitDir`. */
  function pullCommitsJson(p: FakePull): Array<Record<string, unknown>> {
    if (!state.gitDir)
      throw new HttpError(500, 'github-server: set state.gitDir to the repository the pull request commits live in')
    const head = gitRead(['rev-parse', '--verify', '-q', `refs/heads/${p.head}`])
    if (!head) return []
    const base = p.base_sha ?? gitRead(['merge-base', `refs/heads/${p.base}`, head])
    const shas = (gitRead(['rev-list', '--reverse', base ? `${base}..${head}` : head]) ?? '')
      .split('\n')
      .filter(Boolean)
    return shas.map(sha => {
      const [
        authorName = '',
        authorEmail = '',
        authorDate = '',
        committerName = '',
        committerEmail = '',
        committerDate = '',
        parents = '',
        tree = '',
        ...message
      ] = (
        gitRead(['show', '-s', '--format=%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%P%x00%T%x00%B', sha]) ?? ''
      ).split('\0')
      const iso = (d: string) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z')
      return {
        url: `${repoApi()}/commits/${sha}`,
        sha,
        node_id: Buffer.from(`06:Commit${sha}`).toString('base64'),
        html_url: `${repoHtml}/commit/${sha}`,
        comments_url: `${repoApi()}/commits/${sha}/comments`,
        commit: {
          url: `${repoApi()}/git/commits/${sha}`,
          author: { name: authorName, email: authorEmail, date: iso(authorDate) },
          committer: { name: committerName, email: committerEmail, date: iso(committerDate) },
          message: message.join('\0').trim(),
          comment_count: 0,
          tree: { sha: tree, url: `${repoApi()}/git/trees/${tree}` },
          verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null }
        },
        // GitHub maps the email to an account when it knows one; this fake knows none.
        author: null,
        committer: null,
        parents: parents
          .split(' ')
          .filter(Boolean)
          .map(parent => ({
            sha: parent,
            url: `${repoApi()}/commits/${parent}`,
            html_url: `${repoHtml}/commit/${parent}`
          }))
      }
    })
  }

  // ------------------------------------------------ renderers

  function userJson(u: FakeUser) {
    const id = userId(u.login)
    const url = `${api}/users/${encodeURIComponent(u.login)}`
    return {
      login: u.login,
      id,
      node_id: Buffer.from(`04:User${id}`).toString('base64'),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url,
      html_url: u.type === 'Bot' ? `${htmlBase}/apps/${u.login.replace(/\[bot\]$/, '')}` : `${htmlBase}/${u.login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: u.type,
      user_view_type: 'public',
      site_admin: false
    }
  }

  function authorAssociation(u: FakeUser): string {
    if (u.login.toLowerCase() === owner.toLowerCase()) return 'OWNER'
    const p = state.permissions[u.login]
    if (p && p !== 'none' && p !== 'read') return 'COLLABORATOR'
    return 'NONE'
  }

  function reactionsJson(list: FakeReaction[], url: string) {
    const out: Record<string, unknown> = { url, total_count: list.length }
    for (const c of REACTION_CONTENTS) out[c] = list.filter(r => r.content === c).length
    return out
  }

  function labelJson(l: FakeLabel) {
    return {
      id: l.id,
      node_id: Buffer.from(`010:Label${l.id}`).toString('base64'),
      url: `${repoApi()}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      color: l.color,
      default: l.default,
      description: l.description
    }
  }

  function labelsJson(names: string[]) {
    return names.map(n => labelJson(ensureLabel(n)))
  }

  function repoJson() {
    const id = 100_000 + (userId(`${owner}/${repo}`) % 100_000)
    const r = repoApi()
    const t = '2020-01-01T00:00:00Z'
    const openCount =
      [...state.issues.values()].filter(i => i.state === 'open').length +
      [...state.pulls.values()].filter(p => p.state === 'open').length
    return {
      id,
      node_id: Buffer.from(`010:Repository${id}`).toString('base64'),
      name: repo,
      full_name: `${owner}/${repo}`,
      private: state.private,
      visibility: state.private ? 'private' : 'public',
      owner: userJson({ login: owner, type: 'User' }),
      html_url: repoHtml,
      description: null,
      fork: false,
      url: r,
      archive_url: `${r}/{archive_format}{/ref}`,
      assignees_url: `${r}/assignees{/user}`,
      blobs_url: `${r}/git/blobs{/sha}`,
      branches_url: `${r}/branches{/branch}`,
      collaborators_url: `${r}/collaborators{/collaborator}`,
      comments_url: `${r}/comments{/number}`,
      commits_url: `${r}/commits{/sha}`,
      compare_url: `${r}/compare/{base}...{head}`,
      contents_url: `${r}/contents/{+path}`,
      contributors_url: `${r}/contributors`,
      deployments_url: `${r}/deployments`,
      downloads_url: `${r}/downloads`,
      events_url: `${r}/events`,
      forks_url: `${r}/forks`,
      git_commits_url: `${r}/git/commits{/sha}`,
      git_refs_url: `${r}/git/refs{/sha}`,
      git_tags_url: `${r}/git/tags{/sha}`,
      hooks_url: `${r}/hooks`,
      issue_comment_url: `${r}/issues/comments{/number}`,
      issue_events_url: `${r}/issues/events{/number}`,
      issues_url: `${r}/issues{/number}`,
      keys_url: `${r}/keys{/key_id}`,
      labels_url: `${r}/labels{/name}`,
      languages_url: `${r}/languages`,
      merges_url: `${r}/merges`,
      milestones_url: `${r}/milestones{/number}`,
      notifications_url: `${r}/notifications{?since,all,participating}`,
      pulls_url: `${r}/pulls{/number}`,
      releases_url: `${r}/releases{/id}`,
      stargazers_url: `${r}/stargazers`,
      statuses_url: `${r}/statuses/{sha}`,
      subscribers_url: `${r}/subscribers`,
      subscription_url: `${r}/subscription`,
      tags_url: `${r}/tags`,
      teams_url: `${r}/teams`,
      trees_url: `${r}/git/trees{/sha}`,
      clone_url: `${repoHtml}.git`,
      git_url: `${repoHtml.replace(/^https?:/, 'git:')}.git`,
      ssh_url: `git@${new URL(htmlBase).host}:${owner}/${repo}.git`,
      svn_url: repoHtml,
      mirror_url: null,
      homepage: null,
      language: 'TypeScript',
      default_branch: state.defaultBranch,
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers: 0,
      watchers_count: 0,
      subscribers_count: 1,
      network_count: 0,
      size: 1,
      open_issues: openCount,
      open_issues_count: openCount,
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      is_template: false,
      topics: [],
      license: null,
      allow_forking: true,
      web_commit_signoff_required: false,
      pushed_at: t,
      created_at: t,
      updated_at: t,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true }
    }
  }

  function issueJson(n: number) {
    const found = issueLike(n)
    if (!found) throw notFound()
    const it = found.item
    const url = `${repoApi()}/issues/${n}`
    const comments = state.commentsOn(n).length
    const out: Record<string, unknown> = {
      id: 700_000_000 + n,
      node_id: Buffer.from(`05:Issue${700_000_000 + n}`).toString('base64'),
      url,
      repository_url: repoApi(),
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: found.kind === 'pull' ? found.item.html_url : `${repoHtml}/issues/${n}`,
      number: n,
      state: it.state,
      state_reason: it.state === 'closed' ? 'completed' : null,
      title: it.title,
      body: it.body,
      user: userJson(it.user),
      labels: labelsJson(it.labels),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments,
      created_at: it.created_at,
      updated_at: it.updated_at,
      closed_at: it.closed_at,
      author_association: authorAssociation(it.user),
      reactions: reactionsJson(it.reactions, `${url}/reactions`)
    }
    if (found.kind === 'pull') {
      out.draft = found.item.draft
      out.pull_request = {
        url: `${repoApi()}/pulls/${n}`,
        html_url: found.item.html_url,
        diff_url: `${found.item.html_url}.diff`,
        patch_url: `${found.item.html_url}.patch`,
        merged_at: null
      }
    }
    return out
  }

  function commentJson(c: FakeComment) {
    const url = `${repoApi()}/issues/comments/${c.id}`
    return {
      id: c.id,
      node_id: Buffer.from(`012:IssueComment${c.id}`).toString('base64'),
      url,
      html_url: c.html_url,
      body: c.body,
      user: userJson(c.user),
      created_at: c.created_at,
      updated_at: c.updated_at,
      issue_url: `${repoApi()}/issues/${c.issue_number}`,
      author_association: authorAssociation(c.user),
      performed_via_github_app: null,
      reactions: reactionsJson(c.reactions, `${url}/reactions`)
    }
  }

  function branchRefJson(ref: string) {
    const sha = state.branches.get(ref)?.sha ?? fakeSha(ref)
    const ownerUser = userJson({ login: owner, type: 'User' })
    return { label: `${owner}:${ref}`, ref, sha, user: ownerUser, repo: repoJson() }
  }

  function pullJson(p: FakePull, full: boolean) {
    const url = `${repoApi()}/pulls/${p.number}`
    const out: Record<string, unknown> = {
      id: 800_000_000 + p.number,
      node_id: Buffer.from(`011:PullRequest${800_000_000 + p.number}`).toString('base64'),
      url,
      html_url: p.html_url,
      diff_url: `${p.html_url}.diff`,
      patch_url: `${p.html_url}.patch`,
      issue_url: `${repoApi()}/issues/${p.number}`,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${repoApi()}/pulls/comments{/number}`,
      comments_url: `${repoApi()}/issues/${p.number}/comments`,
      statuses_url: `${repoApi()}/statuses/${state.branches.get(p.head)?.sha ?? fakeSha(p.head)}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: userJson(p.user),
      body: p.body,
      labels: labelsJson(p.labels),
      milestone: null,
      active_lock_reason: null,
      created_at: p.created_at,
      updated_at: p.updated_at,
      closed_at: p.closed_at,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: branchRefJson(p.head),
      base: branchRefJson(p.base),
      _links: {
        self: { href: url },
        html: { href: p.html_url },
        issue: { href: `${repoApi()}/issues/${p.number}` },
        comments: { href: `${repoApi()}/issues/${p.number}/comments` },
        review_comments: { href: `${url}/comments` },
        review_comment: { href: `${repoApi()}/pulls/comments{/number}` },
        commits: { href: `${url}/commits` },
        statuses: { href: `${repoApi()}/statuses/${branchRefJson(p.head).sha}` }
      },
      author_association: authorAssociation(p.user),
      auto_merge: null,
      draft: p.draft
    }
    if (full) {
      Object.assign(out, {
        merged: p.merged,
        mergeable: p.state === 'open' ? true : null,
        mergeable_state: 'clean',
        merged_by: null,
        comments: state.commentsOn(p.number).length,
        review_comments: (state.reviewComments.get(p.number) ?? []).length,
        maintainer_can_modify: false,
        commits: 1,
        additions: 1,
        deletions: 0,
        changed_files: 1
      })
    }
    return out
  }

  function reviewCommentJson(c: FakeReviewComment) {
    const url = `${repoApi()}/pulls/comments/${c.id}`
    const out: Record<string, unknown> = {
      id: c.id,
      node_id: Buffer.from(`024:PullRequestReviewComment${c.id}`).toString('base64'),
      url,
      pull_request_review_id: c.review_id,
      diff_hunk: c.diff_hunk,
      path: c.path,
      position: c.line,
      original_position: c.line,
      commit_id: c.commit_id,
      original_commit_id: c.commit_id,
      user: userJson(c.user),
      body: c.body,
      created_at: c.created_at,
      updated_at: c.updated_at,
      html_url: c.html_url,
      pull_request_url: `${repoApi()}/pulls/${c.pull_number}`,
      author_association: authorAssociation(c.user),
      _links: {
        self: { href: url },
        html: { href: c.html_url },
        pull_request: { href: `${repoApi()}/pulls/${c.pull_number}` }
      },
      line: c.line,
      original_line: c.line,
      side: c.side,
      start_line: null,
      original_start_line: null,
      start_side: null,
      subject_type: 'line',
      reactions: reactionsJson([], `${url}/reactions`)
    }
    if (c.in_reply_to_id !== null) out.in_reply_to_id = c.in_reply_to_id
    return out
  }

  function runJson(r: FakeRun) {
    return {
      id: r.id,
      name: r.name,
      node_id: Buffer.from(`011:WorkflowRun${r.id}`).toString('base64'),
      head_branch: r.head_branch,
      head_sha: r.head_sha,
      path: '.github/workflows/orchestrator.yml',
      run_number: r.run_number,
      run_attempt: r.run_attempt,
      event: r.event,
      status: r.status,
      conclusion: r.conclusion,
      display_title: r.name,
      workflow_id: 4_000_001,
      url: `${repoApi()}/actions/runs/${r.id}`,
      html_url: r.html_url,
      jobs_url: `${repoApi()}/actions/runs/${r.id}/jobs`,
      logs_url: `${repoApi()}/actions/runs/${r.id}/logs`,
      check_suite_url: `${repoApi()}/check-suites/${r.id + 1}`,
      artifacts_url: `${repoApi()}/actions/runs/${r.id}/artifacts`,
      cancel_url: `${repoApi()}/actions/runs/${r.id}/cancel`,
      rerun_url: `${repoApi()}/actions/runs/${r.id}/rerun`,
      workflow_url: `${repoApi()}/actions/workflows/4000001`,
      head_commit: {
        id: r.head_sha,
        tree_id: fakeSha(r.head_sha),
        message: 'commit',
        timestamp: r.created_at,
        author: { name: 'Fake Author', email: 'author@example.com' },
        committer: { name: 'Fake Author', email: 'author@example.com' }
      },
      pull_requests: [],
      created_at: r.created_at,
      updated_at: r.updated_at,
      run_started_at: r.created_at,
      actor: userJson({ login: owner, type: 'User' }),
      triggering_actor: userJson({ login: owner, type: 'User' }),
      repository: repoJson(),
      head_repository: repoJson()
    }
  }

  function appJson(slug: string) {
    const id = slug === 'github-actions' ? 15368 : 10_000 + (userId(slug) % 10_000)
    const name = slug === 'github-actions' ? 'GitHub Actions' : slug
    return {
      id,
      slug,
      node_id: Buffer.from(`03:Integration${id}`).toString('base64'),
      owner: userJson({ login: slug === 'github-actions' ? 'github' : slug, type: 'Organization' }),
      name,
      description: null,
      external_url: slug === 'github-actions' ? 'https://help.github.com/en/actions' : `https://${slug}.example`,
      html_url: `${htmlBase}/apps/${slug}`,
      created_at: '2018-07-30T09:30:17Z',
      updated_at: '2024-04-10T20:33:16Z',
      permissions: { checks: 'write', contents: 'read', metadata: 'read' },
      events: ['check_run', 'check_suite']
    }
  }

  function checkRunJson(c: FakeCheckRun) {
    return {
      id: c.id,
      node_id: Buffer.from(`08:CheckRun${c.id}`).toString('base64'),
      head_sha: c.head_sha,
      external_id: String(c.id),
      url: `${repoApi()}/check-runs/${c.id}`,
      html_url: `${repoHtml}/runs/${c.id}`,
      details_url: c.details_url,
      status: c.status,
      conclusion: c.conclusion,
      started_at: c.started_at,
      completed_at: c.completed_at,
      output: {
        ...c.output,
        annotations_count: c.annotations.length,
        annotations_url: `${repoApi()}/check-runs/${c.id}/annotations`
      },
      name: c.name,
      check_suite: { id: c.check_suite_id },
      app: appJson(c.app),
      pull_requests: []
    }
  }

  function jobJson(j: FakeJob) {
    return {
      id: j.id,
      run_id: j.run_id,
      run_url: `${repoApi()}/actions/runs/${j.run_id}`,
      run_attempt: 1,
      node_id: Buffer.from(`08:CheckRun${j.id}`).toString('base64'),
      head_sha: j.head_sha,
      url: `${repoApi()}/actions/jobs/${j.id}`,
      html_url: `${repoHtml}/actions/runs/${j.run_id}/job/${j.id}`,
      status: j.status,
      conclusion: j.conclusion,
      created_at: j.created_at,
      started_at: j.created_at,
      completed_at: j.created_at,
      name: j.name,
      steps: j.steps.map(st => ({ ...st, started_at: j.created_at, completed_at: j.created_at })),
      check_run_url: `${repoApi()}/check-runs/${j.id}`,
      labels: ['ubuntu-latest'],
      runner_id: 1,
      runner_name: 'GitHub Actions 1',
      runner_group_id: 1,
      runner_group_name: 'GitHub Actions',
      workflow_name: j.workflow_name,
      head_branch: j.head_branch
    }
  }

  // ------------------------------------------------ pagination

  function paginate<T>(items: T[], query: URLSearchParams, pathname: string): Reply & { body: T[] } {
    const perPage = Math.min(Math.max(Number.parseInt(query.get('per_page') ?? '30', 10) || 30, 1), 100)
    const page = Math.max(Number.parseInt(query.get('page') ?? '1', 10) || 1, 1)
    const last = Math.max(Math.ceil(items.length / perPage), 1)
    const slice = items.slice((page - 1) * perPage, page * perPage)
    const link = (p: number, rel: string) => {
      const q = new URLSearchParams(query)
      q.set('per_page', String(perPage))
      q.set('page', String(p))
      return `<${api}${pathname}?${q.toString()}>; rel="${rel}"`
    }
    const links: string[] = []
    if (page > 1) links.push(link(page - 1, 'prev'))
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    if (page > 1) links.push(link(1, 'first'))
    return { status: 200, body: slice, headers: links.length ? { link: links.join(', ') } : {} }
  }

  // ------------------------------------------------ reactions

  function react(list: FakeReaction[], content: ReactionContent): Reply {
    const existing = list.find(r => r.content === content && r.user.login === state.actor.login)
    const reaction = existing ?? { id: nextReactionId++, content, user: { ...state.actor }, created_at: stamp() }
    if (!existing) list.push(reaction)
    return {
      status: existing ? 200 : 201,
      body: {
        id: reaction.id,
        node_id: Buffer.from(`08:Reaction${reaction.id}`).toString('base64'),
        user: userJson(reaction.user),
        content: reaction.content,
        created_at: reaction.created_at
      }
    }
  }

  // ------------------------------------------------ labels on issues

  function labelNamesFromBody(body: unknown): string[] {
    const labels = (body as { labels?: unknown } | undefined)?.labels
    if (!Array.isArray(labels)) return []
    return labels.map((l: unknown) => (typeof l === 'string' ? l : String((l as { name: unknown }).name)))
  }

  function touch(it: { updated_at: string }) {
    it.updated_at = stamp()
  }

  // ------------------------------------------------ handlers

  type Ctx = { params: Record<string, string>; query: URLSearchParams; body: unknown; pathname: string }
  type Handler = (ctx: Ctx) => Reply

  const num = (ctx: Ctx, name: string) => Number(ctx.params[name])
  const bodyOf = <T>(ctx: Ctx) => (ctx.body ?? {}) as T

  const handlers: Record<string, Handler> = {
    'GET /repos/{owner}/{repo}': () => ({ status: 200, body: repoJson() }),

    'GET /repos/{owner}/{repo}/collaborators/{username}/permission': ctx => {
      const login = ctx.params.username as string
      const known = Object.keys(state.permissions).find(k => k.toLowerCase() === login.toLowerCase())
      const role: Permission = known ? (state.permissions[known] as Permission) : state.private ? 'none' : 'read'
      const legacy = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role
      const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(role)
      const user = {
        ...userJson({ login: known ?? login, type: login.endsWith('[bot]') ? 'Bot' : 'User' }),
        permissions: { admin: rank >= 5, maintain: rank >= 4, push: rank >= 3, triage: rank >= 2, pull: rank >= 1 },
        role_name: role
      }
      return { status: 200, body: { permission: legacy, role_name: role, user } }
    },

    'GET /repos/{owner}/{repo}/issues/{issue_number}': ctx => ({
      status: 200,
      body: issueJson(num(ctx, 'issue_number'))
    }),

    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': ctx => {
      const n = num(ctx, 'issue_number')
      if (!issueLike(n)) throw notFound()
      const since = ctx.query.get('since')
      let list = state.commentsOn(n)
      if (since) list = list.filter(c => Date.parse(c.updated_at) >= Date.parse(since))
      return paginate(list.map(commentJson), ctx.query, ctx.pathname)
    },

    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': ctx => {
      const n = num(ctx, 'issue_number')
      const target = issueLike(n)
      if (!target) throw notFound()
      const c = state.addComment({ issue_number: n, body: bodyOf<{ body: string }>(ctx).body })
      touch(target.item)
      return { status: 201, body: commentJson(c), headers: { location: `${repoApi()}/issues/comments/${c.id}` } }
    },

    'GET /repos/{owner}/{repo}/issues/comments/{comment_id}': ctx => {
      const c = state.comments.get(num(ctx, 'comment_id'))
      if (!c) throw notFound()
      return { status: 200, body: commentJson(c) }
    },

    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': ctx => {
      const c = state.comments.get(num(ctx, 'comment_id'))
      if (!c) throw notFound()
      c.body = bodyOf<{ body: string }>(ctx).body
      touch(c)
      return { status: 200, body: commentJson(c) }
    },

    'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}': ctx => {
      const id = num(ctx, 'comment_id')
      if (!state.comments.delete(id)) throw notFound()
      return { status: 204 }
    },

    'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions': ctx => {
      const c = state.comments.get(num(ctx, 'comment_id'))
      if (!c) throw notFound()
      return react(c.reactions, bodyOf<{ content: ReactionContent }>(ctx).content)
    },

    'POST /repos/{owner}/{repo}/issues/{issue_number}/reactions': ctx => {
      const target = issueLike(num(ctx, 'issue_number'))
      if (!target) throw notFound()
      return react(target.item.reactions, bodyOf<{ content: ReactionContent }>(ctx).content)
    },

    'GET /repos/{owner}/{repo}/issues/{issue_number}/labels': ctx => {
      const target = issueLike(num(ctx, 'issue_number'))
      if (!target) throw notFound()
      return paginate(labelsJson(target.item.labels), ctx.query, ctx.pathname)
    },

    'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': ctx => {
      const target = issueLike(num(ctx, 'issue_number'))
      if (!target) throw notFound()
      for (const name of labelNamesFromBody(ctx.body)) {
        const label = ensureLabel(name) // GitHub creates missing repository labels
        if (!target.item.labels.some(l => l.toLowerCase() === label.name.toLowerCase()))
          target.item.labels.push(label.name)
      }
      touch(target.item)
      return { status: 200, body: labelsJson(target.item.labels) }
    },

    'PUT /repos/{owner}/{repo}/issues/{issue_number}/labels': ctx => {
      const target = issueLike(num(ctx, 'issue_number'))
      if (!target) throw notFound()
      const names: string[] = []
      for (const name of labelNamesFromBody(ctx.body)) {
        const label = ensureLabel(name)
        if (!names.some(l => l.toLowerCase() === label.name.toLowerCase())) names.push(label.name)
      }
      target.item.labels = names
      touch(target.item)
      return { status: 200, body: labelsJson(target.item.labels) }
    },

    'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}': ctx => {
      const target = issueLike(num(ctx, 'issue_number'))
      if (!target) throw notFound()
      const name = (ctx.params.name as string).toLowerCase()
      const i = target.item.labels.findIndex(l => l.toLowerCase() === name)
      if (i === -1) throw notFound('Label does not exist')
      target.item.labels.splice(i, 1)
      touch(target.item)
      return { status: 200, body: labelsJson(target.item.labels) }
    },

    'GET /repos/{owner}/{repo}/labels': ctx =>
      paginate([...state.labels.values()].sort((a, b) => a.id - b.id).map(labelJson), ctx.query, ctx.pathname),

    'POST /repos/{owner}/{repo}/labels': ctx => {
      const b = bodyOf<{ name: string; color?: string; description?: string }>(ctx)
      if (state.findLabel(b.name))
        throw validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }])
      const color = (b.color ?? 'ededed').replace(/^#/, '')
      if (!/^[0-9a-fA-F]{6}$/.test(color))
        throw validationFailed([{ resource: 'Label', code: 'invalid', field: 'color' }])
      const label = state.addLabel({ name: b.name, color, description: b.description ?? null })
      return { status: 201, body: labelJson(label) }
    },

    'GET /repos/{owner}/{repo}/labels/{name}': ctx => {
      const label = state.findLabel(ctx.params.name as string)
      if (!label) throw notFound()
      return { status: 200, body: labelJson(label) }
    },

    'GET /repos/{owner}/{repo}/pulls': ctx => {
      const st = ctx.query.get('state') ?? 'open'
      const head = ctx.query.get('head')
      const base = ctx.query.get('base')
      let list = [...state.pulls.values()]
      if (st !== 'all') list = list.filter(p => p.state === st)
      // GitHub only filters on head in the OWNER:BRANCH form; a bare branch name is ignored.
      if (head && head.includes(':')) {
        const [headOwner = '', headRef = ''] = head.split(/:(.*)/s)
        list = headOwner.toLowerCase() === owner.toLowerCase() ? list.filter(p => p.head === headRef) : []
      }
      if (base) list = list.filter(p => p.base === base)
      // GitHub's defaults: sort=created, direction=desc for created, asc otherwise.
      const sort = ctx.query.get('sort') ?? 'created'
      const direction = ctx.query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc')
      const cmp = (a: FakePull, b: FakePull) =>
        (sort === 'updated' ? Date.parse(a.updated_at) - Date.parse(b.updated_at) : 0) || a.number - b.number
      list.sort((a, b) => (direction === 'asc' ? cmp(a, b) : cmp(b, a)))
      return paginate(
        list.map(p => pullJson(p, false)),
        ctx.query,
        ctx.pathname
      )
    },

    'POST /repos/{owner}/{repo}/pulls': ctx => {
      const b = bodyOf<{ title?: string; head: string; base: string; body?: string; draft?: boolean; issue?: number }>(
        ctx
      )
      if (b.issue !== undefined) {
        throw new HttpError(
          422,
          'The fake GitHub server does not support converting an issue to a pull request (`issue`)'
        )
      }
      if (b.title === undefined)
        throw validationFailed([{ resource: 'PullRequest', code: 'missing_field', field: 'title' }])
      let headRef = b.head
      if (b.head.includes(':')) {
        const [headOwner = '', ref = ''] = b.head.split(/:(.*)/s)
        if (headOwner.toLowerCase() !== owner.toLowerCase()) {
          throw validationFailed([{ resource: 'PullRequest', code: 'invalid', field: 'head' }])
        }
        headRef = ref
      }
      if (!state.branches.has(b.base))
        throw validationFailed([{ resource: 'PullRequest', code: 'invalid', field: 'base' }])
      if (!state.branches.has(headRef)) {
        if (opts.requireHeadBranch)
          throw validationFailed([{ resource: 'PullRequest', code: 'invalid', field: 'head' }])
        state.addBranch(headRef)
      }
      if (headRef === b.base) {
        throw validationFailed([
          { resource: 'PullRequest', code: 'custom', message: `No commits between ${b.base} and ${headRef}` }
        ])
      }
      const dup = [...state.pulls.values()].find(p => p.state === 'open' && p.head === headRef && p.base === b.base)
      if (dup) {
        throw validationFailed([
          { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${headRef}.` }
        ])
      }
      const pull = state.addPull({
        head: headRef,
        base: b.base,
        title: b.title,
        body: b.body ?? null,
        draft: b.draft ?? false
      })
      return { status: 201, body: pullJson(pull, true), headers: { location: `${repoApi()}/pulls/${pull.number}` } }
    },

    'GET /repos/{owner}/{repo}/pulls/{pull_number}': ctx => {
      const p = state.pulls.get(num(ctx, 'pull_number'))
      if (!p) throw notFound()
      return { status: 200, body: pullJson(p, true) }
    },

    'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': ctx => {
      const p = state.pulls.get(num(ctx, 'pull_number'))
      if (!p) throw notFound()
      const b = bodyOf<{ title?: string; body?: string; state?: 'open' | 'closed'; base?: string }>(ctx)
      if (b.base !== undefined && !state.branches.has(b.base)) {
        throw validationFailed([{ resource: 'PullRequest', code: 'invalid', field: 'base' }])
      }
      if (b.state === 'open' && p.state === 'closed') {
        const dup = [...state.pulls.values()].find(
          o => o !== p && o.state === 'open' && o.head === p.head && o.base === (b.base ?? p.base)
        )
        if (dup) {
          throw validationFailed([
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${owner}:${p.head}.`
            }
          ])
        }
      }
      if (b.title !== undefined) p.title = b.title
      if (b.body !== undefined) p.body = b.body
      if (b.base !== undefined) p.base = b.base
      if (b.state !== undefined && b.state !== p.state) {
        p.state = b.state
        p.closed_at = b.state === 'closed' ? stamp() : null
      }
      touch(p)
      return { status: 200, body: pullJson(p, true) }
    },

    'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments': ctx => {
      const n = num(ctx, 'pull_number')
      if (!state.pulls.has(n)) throw notFound()
      const list = [...(state.reviewComments.get(n) ?? [])].sort((a, b) => a.id - b.id)
      if (ctx.query.get('direction') === 'desc') list.reverse()
      return paginate(list.map(reviewCommentJson), ctx.query, ctx.pathname)
    },

    'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits': ctx => {
      const p = state.pulls.get(num(ctx, 'pull_number'))
      if (!p) throw notFound()
      return paginate(pullCommitsJson(p), ctx.query, ctx.pathname)
    },

    'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments': ctx => {
      const n = num(ctx, 'pull_number')
      const reviewId = num(ctx, 'review_id')
      if (!(state.reviews.get(n) ?? []).some(r => r.id === reviewId)) throw notFound()
      const list = (state.reviewComments.get(n) ?? []).filter(c => c.review_id === reviewId).sort((a, b) => a.id - b.id)
      return paginate(list.map(reviewCommentJson), ctx.query, ctx.pathname)
    },

    'GET /repos/{owner}/{repo}/branches/{branch}': ctx => {
      const b = state.branches.get(ctx.params.branch as string)
      if (!b) throw notFound('Branch not found')
      const url = `${repoApi()}/branches/${encodeURIComponent(b.name)}`
      return {
        status: 200,
        body: {
          name: b.name,
          commit: {
            sha: b.sha,
            node_id: Buffer.from(`06:Commit${b.sha}`).toString('base64'),
            url: `${repoApi()}/commits/${b.sha}`,
            html_url: `${repoHtml}/commit/${b.sha}`,
            comments_url: `${repoApi()}/commits/${b.sha}/comments`,
            commit: {
              url: `${repoApi()}/git/commits/${b.sha}`,
              author: { name: 'Fake Author', email: 'author@example.com', date: '2020-01-01T00:00:00Z' },
              committer: { name: 'Fake Author', email: 'author@example.com', date: '2020-01-01T00:00:00Z' },
              message: 'commit',
              comment_count: 0,
              tree: { sha: fakeSha(b.sha), url: `${repoApi()}/git/trees/${fakeSha(b.sha)}` }
            },
            author: null,
            committer: null,
            parents: []
          },
          _links: { self: url, html: `${repoHtml}/tree/${b.name}` },
          protected: b.protected,
          protection: {
            enabled: b.protected,
            required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] }
          },
          protection_url: `${url}/protection`
        }
      }
    },

    'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': ctx => {
      const ref = ctx.params.ref as string
      const sha = state.branches.get(ref)?.sha ?? ref
      const name = ctx.query.get('check_name')
      const status = ctx.query.get('status')
      let list = [...state.checkRuns.values()].filter(
        c => c.head_sha === sha && (!name || c.name === name) && (!status || c.status === status)
      )
      // filter=latest (the default): the most recent check run of each name.
      if ((ctx.query.get('filter') ?? 'latest') === 'latest') {
        const latest = new Map<string, FakeCheckRun>()
        for (const c of list.sort((a, b) => a.id - b.id)) latest.set(c.name, c)
        list = [...latest.values()]
      }
      list.sort((a, b) => a.id - b.id)
      const page = paginate(list, ctx.query, ctx.pathname)
      return { ...page, body: { total_count: list.length, check_runs: page.body.map(checkRunJson) } }
    },

    'GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations': ctx => {
      const c = state.checkRuns.get(num(ctx, 'check_run_id'))
      if (!c) throw notFound()
      return paginate(
        c.annotations.map(a => ({
          ...a,
          start_column: null,
          end_column: null,
          blob_href: `${repoHtml}/blob/${c.head_sha}/${a.path}`
        })),
        ctx.query,
        ctx.pathname
      )
    },

    'GET /repos/{owner}/{repo}/actions/runs': ctx => {
      const sha = ctx.query.get('head_sha')
      const branch = ctx.query.get('branch')
      const suite = ctx.query.get('check_suite_id')
      const list = [...state.runs.values()]
        .filter(
          r =>
            (!sha || r.head_sha === sha) &&
            (!branch || r.head_branch === branch) &&
            (!suite || String(r.id + 1) === suite)
        )
        .sort((a, b) => b.id - a.id)
      const page = paginate(list, ctx.query, ctx.pathname)
      return { ...page, body: { total_count: list.length, workflow_runs: page.body.map(runJson) } }
    },

    'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs': ctx => {
      const runId = num(ctx, 'run_id')
      if (!state.runs.has(runId)) throw notFound()
      const list = [...state.jobs.values()].filter(j => j.run_id === runId).sort((a, b) => a.id - b.id)
      const page = paginate(list, ctx.query, ctx.pathname)
      return { ...page, body: { total_count: list.length, jobs: page.body.map(jobJson) } }
    },

    'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs': ctx => {
      const job = state.jobs.get(num(ctx, 'job_id'))
      if (!job) throw notFound()
      if (job.log === null) throw new HttpError(410, 'Gone')
      // GitHub redirects to a short-lived signed URL on another host; no token goes there.
      return { status: 302, headers: { location: `${logsBase}/jobs/${job.id}/log.txt?sig=${fakeSha(String(job.id))}` } }
    },

    'GET /repos/{owner}/{repo}/actions/runs/{run_id}': ctx => {
      const r = state.runs.get(num(ctx, 'run_id'))
      if (!r) throw notFound()
      return { status: 200, body: runJson(r) }
    }
  }

  for (const op of operations) {
    if (!handlers[op.key]) throw new Error(`github-server: no handler for ${op.key} (in the OpenAPI subset)`)
  }

  // ------------------------------------------------ request pipeline

  const log: RouteLogEntry[] = []
  const faults: Array<FaultSpec & { remaining: number }> = []

  async function handle(req: http.IncomingMessage): Promise<Reply & { entry: RouteLogEntry; op?: CompiledOperation }> {
    const method = (req.method ?? 'GET').toUpperCase()
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    const pathname = u.pathname.replace(/\/+$/, '') || '/'
    const query = Object.fromEntries(u.searchParams)
    const raw = await readBody(req)
    const entry: RouteLogEntry = {
      method,
      path: pathname,
      status: 0,
      operation: `${method} ${pathname}`,
      at: Date.now()
    }
    if (Object.keys(query).length) entry.query = query

    let body: unknown
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw)
        entry.body = body
      } catch {
        entry.body = raw
        return { status: 400, body: { message: 'Problems parsing JSON' }, entry }
      }
    }

    const auth = req.headers.authorization
    if (!auth) return { status: 401, body: { message: 'Requires authentication' }, entry }
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(auth)
    if (!m || (opts.token !== undefined && m[1] !== opts.token))
      return { status: 401, body: { message: 'Bad credentials' }, entry }

    const segments = pathname.split('/').slice(1)
    let op: CompiledOperation | undefined
    let rawParams: Record<string, string> | null = null
    for (const candidate of operations) {
      if (candidate.method !== method) continue
      rawParams = matchSegments(candidate.segments, segments)
      if (rawParams) {
        op = candidate
        break
      }
    }
    if (!op || !rawParams) {
      entry.unknown = true
      const real = all.find(o => o.method === method && matchSegments(o.segments, segments))
      const message = real
        ? `${method} ${pathname} is a GitHub endpoint (${method} /${real.segments.join('/')}) but not in the OpenAPI subset this fake implements; add it to scripts/gen-github-openapi-subset.mjs and test/support/github-server.ts`
        : `${method} ${pathname} is not in GitHub's OpenAPI description (api.github.com): no such endpoint`
      return { status: 404, body: { message }, entry }
    }
    entry.operation = op.key

    const params: Record<string, string> = {}
    for (const [k, v] of Object.entries(rawParams)) {
      try {
        params[k] = decodeURIComponent(v)
      } catch {
        params[k] = v
      }
    }
    for (const p of op.pathParams) {
      if (p.schema.type === 'integer' && !/^\d+$/.test(params[p.name] ?? ''))
        return { status: 404, body: { message: 'Not Found' }, entry }
    }
    if (params.owner?.toLowerCase() !== owner.toLowerCase() || params.repo?.toLowerCase() !== repo.toLowerCase()) {
      return { status: 404, body: { message: 'Not Found' }, entry }
    }

    const fault = faults.find(
      f => f.remaining > 0 && f.method.toUpperCase() === method && f.operation.replace(/^[A-Z]+\s+/, '') === op.path
    )
    if (fault?.afterWrite) {
      fault.remaining--
      entry.injected = true
      ;(handlers[op.key] as Handler)({ params, query: u.searchParams, body, pathname })
      return {
        status: fault.status,
        body: fault.body ?? { message: `Injected fault after the write (${fault.status})` },
        headers: fault.headers,
        entry
      }
    }
    if (fault) {
      fault.remaining--
      entry.injected = true
      return {
        status: fault.status,
        body: fault.body ?? { message: `Injected fault (${fault.status})` },
        headers: fault.headers,
        entry
      }
    }

    if (op.validate && op.requestBody) {
      const candidate = body === undefined ? {} : body
      if ((body !== undefined || op.requestBody.required) && !op.validate(candidate)) {
        // GitHub's 422 shape (message + errors[].code), each error carrying ajv's details.
        const errors = ((op.validate.errors ?? []) as ErrorObject[]).map(e => ({
          resource: op.operationId,
          field: e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(body)',
          code: 'invalid',
          ...e
        }))
        const text = errors.map(e => `${e.instancePath || '(body)'} ${e.message ?? ''}`.trim()).join('; ')
        return {
          status: 422,
          body: {
            message: `Invalid request.\n\n${text} (request body schema of ${op.key} in GitHub's OpenAPI description)`,
            errors
          },
          entry,
          op
        }
      }
    }

    // GitHub's documented limit for issue comment and pull request bodies (not in the OpenAPI schema).
    const text = (body as { body?: unknown } | undefined)?.body
    if (typeof text === 'string' && text.length > GITHUB_BODY_LIMIT) {
      return {
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            {
              resource: op.operationId,
              code: 'custom',
              field: 'body',
              message: `body is too long (maximum is ${GITHUB_BODY_LIMIT} characters)`
            }
          ]
        },
        entry,
        op
      }
    }

    try {
      const handler = handlers[op.key] as Handler
      return { ...handler({ params, query: u.searchParams, body, pathname }), entry, op }
    } catch (e) {
      if (e instanceof HttpError)
        return { status: e.status, body: { message: e.message, ...e.extra }, headers: e.headers, entry, op }
      throw e
    }
  }

  const server = http.createServer((req, res) => {
    handle(req)
      .then(r => {
        r.entry.status = r.status
        const b = r.body as { message?: unknown } | undefined
        if (r.status >= 400 && typeof b?.message === 'string') r.entry.error = b.message
        log.push(r.entry)
        let payload = ''
        if (r.body !== undefined) {
          const body =
            r.status >= 400 && r.body && typeof r.body === 'object' && !Array.isArray(r.body)
              ? { ...(r.body as object), documentation_url: DOCS, status: String(r.status) }
              : r.body
          payload = JSON.stringify(body)
          if (r.op && !r.entry.injected && opts.checkResponses !== false) {
            const problems = responseErrors(r.op, r.status, JSON.parse(payload))
            if (problems.length) r.entry.responseErrors = problems
          }
        }
        res.writeHead(r.status, {
          ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}),
          'x-github-request-id': `FAKE:${log.length}`,
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4999',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
          'x-ratelimit-used': '1',
          'x-ratelimit-resource': 'core',
          ...(r.headers ?? {})
        })
        res.end(payload)
      })
      .catch((err: unknown) => {
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err)
        log.push({
          method: req.method ?? 'GET',
          path: req.url ?? '',
          status: 500,
          operation: 'internal error',
          error: message
        })
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify({ message: `fake GitHub server error: ${message}` }))
      })
  })

  // The job logs' host: another origin, as GitHub's blob storage is (the client must not send its token there).
  const logServer = http.createServer((req, res) => {
    const m = /^\/jobs\/(\d+)\/log\.txt\?sig=[0-9a-f]+$/.exec(req.url ?? '')
    const job = m ? state.jobs.get(Number(m[1])) : undefined
    logRequests.push({ path: req.url ?? '', authorization: req.headers.authorization ?? null })
    if (!job || job.log === null) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('The specified blob does not exist.')
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(job.log)
  })
  const logRequests: Array<{ path: string; authorization: string | null }> = []
  await new Promise<void>(resolve => logServer.listen(0, '127.0.0.1', resolve))
  logsBase = `http://127.0.0.1:${(logServer.address() as AddressInfo).port}`

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: api,
    log,
    writes: () => log.filter(e => e.method !== 'GET' && e.method !== 'HEAD'),
    unknown: () => log.filter(e => e.unknown === true),
    problems: () => log.filter(e => e.responseErrors !== undefined),
    state,
    injectFault(f) {
      const template = f.operation.replace(/^[A-Z]+\s+/, '')
      if (!operations.some(o => o.method === f.method.toUpperCase() && o.path === template)) {
        throw new Error(`injectFault: ${f.method} ${template} is not an operation of the OpenAPI subset`)
      }
      faults.push({ ...f, remaining: f.times ?? 1 })
    },
    logRequests,
    close: async () => {
      logServer.closeAllConnections()
      await new Promise<void>(resolve => logServer.close(() => resolve()))
      await new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
    }
  }
}
