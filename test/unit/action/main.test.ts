/**
 * main.ts in process, with a typed fake of @actions/core (as actions/typescript-action's
 * template does): the outputs and the step's failure for the routes that end before
 * Claude would start, against the fake GitHub server and a real checkout of a bare origin.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type * as Core from '@actions/core'
import { actionYmlDefaults } from '../../support/action-yml.js'
import { tracedCommands } from '../../support/git-trace.js'
import type { WebhookEvent } from '../../support/flow-world.js'

/** What the step reported through @actions/core. */
const step = {
  inputs: {} as Record<string, string>,
  outputs: {} as Record<string, string>,
  failed: null as string | null,
  log: [] as string[],
  summary: ''
}

const summary = {
  addRaw(text: string) {
    step.summary += text
    return summary
  },
  write() {
    return Promise.resolve(summary)
  }
}

const core: Pick<
  typeof Core,
  'getInput' | 'setOutput' | 'setFailed' | 'setSecret' | 'info' | 'warning' | 'error' | 'debug'
> & { summary: typeof summary } = {
  getInput: (name: string) => step.inputs[name] ?? '',
  setOutput: (name: string, value: unknown) => {
    step.outputs[name] = String(value)
  },
  setFailed: (message: string | Error) => {
    step.failed = String(message)
  },
  setSecret: () => undefined,
  info: (message: string) => void step.log.push(message),
  warning: (message: string | Error) => void step.log.push(`warning: ${String(message)}`),
  error: (message: string | Error) => void step.log.push(`error: ${String(message)}`),
  debug: () => undefined,
  summary
}
jest.unstable_mockModule('@actions/core', () => core)
// Everything that reads @actions/core is loaded after the mock, the world's own modules included.
const { run } = await import('../../../src/action/main.js')
const { encodePrMarker } = await import('../../../src/action/markers.js')
const {
  BOT,
  botComments,
  branchOf,
  commentEvent,
  labeledEvent,
  originHead,
  planComment,
  pushCommit,
  REPO,
  stateLabels,
  TOKEN,
  useFlowWorld
} = await import('../../support/flow-world.js')

const w = useFlowWorld()
const saved = { ...process.env }

/** The workflow's `with:`: a key, no sandbox (nothing here starts Claude), no ledger. */
const WITH = { github_token: TOKEN, anthropic_api_key: 'sk-ant-main-test-key', sandbox: 'off', ledger: 'false' }
afterEach(() => {
  process.env = { ...saved }
})

/** Runs the action for `event` as the runner would start it (`env`: more of the runner's environment). */
async function act(
  event: WebhookEvent,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {}
): Promise<typeof step> {
  Object.assign(step, { inputs: { ...actionYmlDefaults(), ...WITH, ...inputs }, outputs: {}, failed: null, log: [] })
  step.summary = ''
  const eventPath = path.join(w.root, `event-${Math.random().toString(36).slice(2)}.json`)
  fs.writeFileSync(eventPath, JSON.stringify(event.payload))
  process.env = {
    ...saved,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${REPO.owner}/${REPO.repo}`,
    GITHUB_API_URL: w.server.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '77',
    GITHUB_WORKSPACE: w.workspace,
    RUNNER_TEMP: w.root,
    ...env
  }
  await run()
  return step
}

describe('the action step', () => {
  it('ignores events that carry no command, with status ignored and no API request at all', async () => {
    const events = [
      labeledEvent(w, 'bug'),
      commentEvent(w, 'Looks good to me!'),
      commentEvent(w, '> /approve\nquoting the bot'),
      commentEvent(w, 'Looks right to me.\n/approve'),
      commentEvent(w, '```\n/approve\n```'),
      commentEvent(w, '    /approve\n\nThe bot told me to type the line above.'),
      commentEvent(w, '/approve', 'maintainer-mia', { action: 'edited' }),
      commentEvent(w, '/approve', BOT, { type: 'Bot' }),
      commentEvent(w, '/cancel', 'helper-app[bot]', { type: 'User' }),
      labeledEvent(w, 'orchestrator', BOT)
    ]
    for (const event of events) {
      const out = await act(event)
      expect(out.outputs.status).toBe('ignored')
      expect(out.failed).toBeNull()
    }
    expect(w.server.log).toEqual([])
  })

  it('fails on a bad input, naming it, before any API request', async () => {
    for (const [inputs, name] of [
      [{ require_approval: 'maybe' }, 'require_approval'],
      [{ max_budget_usd: 'ten' }, 'max_budget_usd'],
      [{ trigger_label: '' }, 'trigger_label'],
      [{ anthropic_base_url: 'llm.acme.example' }, 'anthropic_base_url']
    ] as const) {
      const out = await act(labeledEvent(w, 'orchestrator'), inputs)
      expect(out.outputs.status).toBe('failed')
      expect(out.failed).toMatch(new RegExp(`^Orchestrator failed: Input ${name}\\b`))
    }
    expect(w.server.log).toEqual([])
  })

  it('refuses anyone without write access, whatever the command, with one short reply; the step succeeds', async () => {
    w.server.state.permissions['triage-tom'] = 'triage'
    w.server.state.permissions['reader-rita'] = 'read'
    for (const [event, says] of [
      [labeledEvent(w, 'orchestrator', 'drive-by-dan'), 'can start the orchestrator'],
      [labeledEvent(w, 'orchestrator', 'triage-tom'), 'can start the orchestrator'],
      [commentEvent(w, '/plan', 'drive-by-dan'), 'can start the orchestrator'],
      [commentEvent(w, '/approve', 'drive-by-dan'), 'can use /approve'],
      [commentEvent(w, '/revise Use Redis instead.', 'reader-rita'), 'can use /revise'],
      [commentEvent(w, '/cancel', 'drive-by-dan'), 'can use /cancel']
    ] as const) {
      const out = await act(event)
      expect(out.outputs.status).toBe('refused')
      expect(out.failed).toBeNull()
      const reply = botComments(w).at(-1)?.body ?? ''
      expect(reply).toContain(`Sorry, only people with write access to this repository ${says}`)
      expect(reply.length).toBeLessThan(200)
    }
    expect(botComments(w)).toHaveLength(6)
    expect(originHead(w, branchOf(w))).toBeNull()
    expect(stateLabels(w)).toEqual([])
  })

  it('tells the maintainer to add actions/checkout when the workspace is not a git checkout, and fails the step', async () => {
    fs.rmSync(w.workspace, { recursive: true, force: true })
    fs.mkdirSync(w.workspace)
    const out = await act(labeledEvent(w, 'orchestrator'))
    expect(out.outputs.status).toBe('failed')
    expect(out.failed).toMatch(/^Orchestrator failed: the workspace is not a git checkout/)
    const reply = botComments(w).at(-1)?.body ?? ''
    expect(reply).toMatch(
      /^❌ The orchestrator could not start: the workspace is not a git checkout: add actions\/checkout before this step/
    )
    expect(reply).not.toContain('git config failed')
    expect(reply).toContain('https://github.com/acme/widgets/actions/runs/77')
    expect(originHead(w, branchOf(w))).toBeNull()
  })

  it('tells the maintainer when a run cannot even start (origin unreachable)', async () => {
    const plan = pushCommit(w, w.main, branchOf(w), 'orchestrator: plan for #1')
    planComment(w, { planSha: plan })
    fs.renameSync(w.origin, `${w.origin}.gone`)
    const out = await act(commentEvent(w, '/approve'))
    expect(out.outputs.status).toBe('failed')
    expect(out.failed).toMatch(/^Orchestrator failed: git fetch failed/)
    expect(botComments(w).at(-1)?.body).toMatch(
      /^❌ The orchestrator could not start: git fetch failed: .*does not appear to be a git repository/
    )
    expect(w.server.state.pulls.size).toBe(0)
  })

  it('on a locked issue, puts the outcome in the log and the job summary and leaves no state label behind', async () => {
    w.server.injectFault({
      method: 'POST',
      operation: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 403,
      body: { message: 'Unable to create comment because issue is locked.' },
      times: 10
    })
    const out = await act(labeledEvent(w, 'orchestrator'))
    expect(out.outputs.status).toBe('failed')
    expect(out.failed).toContain('Unable to create comment because issue is locked.')
    expect(out.summary).toContain('Unable to create comment because issue is locked.')
    expect(out.log.some(l => l.startsWith('warning: Could not report the failure on the issue'))).toBe(true)
    expect(stateLabels(w)).toEqual([])
    expect(botComments(w)).toEqual([])
  })

  it('reacts to the command, runs its flow and sets its outputs (/cancel of a waiting plan)', async () => {
    const plan = pushCommit(w, w.main, branchOf(w), 'orchestrator: plan for #1')
    planComment(w, { planSha: plan })
    const event = commentEvent(w, '/cancel')
    const out = await act(event)
    expect(out.outputs).toMatchObject({ status: 'cancelled', branch: branchOf(w), pr_number: '', cost_usd: '0' })
    expect(out.failed).toBeNull()
    expect(out.log).toContain('Outcome: cancelled')
    const id = (event.payload.comment as { id: number }).id
    expect(w.server.state.comments.get(id)?.reactions?.map(r => r.content)).toEqual(['eyes'])
    expect(botComments(w).at(-1)?.body).toMatch(/^🛑 Cancelled: the plan will not be implemented\./)
  })

  it("records the bot's merged pull request reading the ledger branch once, and shows the report", async () => {
    const pr = w.server.state.addPull({
      head: branchOf(w),
      base: 'main',
      title: 'Add rate limiting (#1)',
      body: encodePrMarker({ v: 1, issue: 1, branch: branchOf(w), planPath: 'p.md', handled: [] }),
      user: BOT
    })
    const closedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
    Object.assign(pr, { state: 'closed', merged: true, closed_at: closedAt })
    const p = JSON.parse(
      fs.readFileSync(path.join(import.meta.dirname, '../../fixtures/webhooks/pull_request.closed.json'), 'utf8')
    ) as Record<string, Record<string, unknown>>
    const head = p.pull_request?.head as Record<string, unknown>
    const event: WebhookEvent = {
      name: 'pull_request',
      payload: {
        ...p,
        number: pr.number,
        pull_request: {
          ...p.pull_request,
          number: pr.number,
          body: pr.body,
          user: { ...(p.pull_request?.user as object), login: BOT, type: 'Bot' },
          created_at: pr.created_at,
          closed_at: closedAt,
          merged: true,
          merged_at: closedAt,
          head: { ...head, ref: pr.head, repo: { ...(head.repo as object), full_name: 'acme/widgets' } }
        },
        repository: { ...p.repository, name: REPO.repo, full_name: `${REPO.owner}/${REPO.repo}` }
      }
    }
    // A ledger already on origin: earlier runs' records.
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], {
      cwd: w.origin,
      input: fs.readFileSync(path.join(import.meta.dirname, '../../fixtures/ledger/ledger-50.jsonl'), 'utf8'),
      encoding: 'utf8'
    }).trim()
    const tree = execFileSync('git', ['mktree'], {
      cwd: w.origin,
      input: `100644 blob ${blob}\tledger.jsonl\n`,
      encoding: 'utf8'
    }).trim()
    const tip = execFileSync('git', ['commit-tree', tree, '-m', 'ledger: earlier runs'], {
      cwd: w.origin,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: BOT,
        GIT_AUTHOR_EMAIL: 'b@x',
        GIT_COMMITTER_NAME: BOT,
        GIT_COMMITTER_EMAIL: 'b@x'
      }
    }).trim()
    execFileSync('git', ['update-ref', 'refs/heads/orchestrator/ledger', tip], { cwd: w.origin })
    const trace = path.join(w.root, 'git-trace')
    const out = await act(event, { ledger: 'true', ledger_report: 'true' }, { GIT_TRACE: trace })
    expect(out.outputs).toMatchObject({ status: 'recorded', pr_number: String(pr.number) })
    expect(out.summary).toContain('## Orchestrator ledger')
    const ledgerReads = tracedCommands(trace).filter(c => /^(ls-remote|fetch) .*orchestrator\/ledger/.test(c))
    expect(ledgerReads).toEqual([expect.stringMatching(/^ls-remote /), expect.stringMatching(/^fetch /)])
  })

  it('sets every output of a refusal, the reason in the job summary', async () => {
    const out = await act(commentEvent(w, '/approve'))
    expect(out.outputs).toEqual({
      status: 'refused',
      branch: '',
      pr_number: '',
      pr_url: '',
      plan_comment_url: '',
      cost_usd: '0',
      result_file: ''
    })
    expect(out.summary).toContain('## Orchestrator: refused')
    expect(out.summary).toContain('Reason: There is no plan on this issue to approve yet.')
    expect(out.failed).toBeNull()
  })
})
