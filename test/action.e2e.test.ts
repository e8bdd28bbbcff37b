/**
 * The GitHub Action end to end: dist/index.js on Node 24 against the fake
 * GitHub REST server (OpenAPI-checked), real webhook payloads, the real Claude
 * Code CLI with the scripted model, the fake OpenAI server and a bare origin.
 */
import { beforeEach, describe, expect, it } from '@jest/globals'
import { decodePlanMarker } from '../src/action/markers.js'
import { gitIn } from './support/sandbox.js'
import { askThenDocument, standardRules } from './support/phase-scripts.js'
import { type ActionRun, BOT, createWorld, expectOk, MAINTAINER, type World } from './support/action-harness.js'
import { checkAndClose } from './support/world-hooks.js'

let w: World

beforeEach(async () => {
  w = await createWorld()
  w.sb.model.setRules(standardRules(w.workspace))
})
checkAndClose(() => w)

const BRANCH = () => `orchestrator/issue-${w.issue.number}`
const botComments = () => w.gh.state.commentsOn(w.issue.number).filter(c => c.user.login === BOT)
const issueLabels = () => w.gh.state.issues.get(w.issue.number)?.labels ?? []
const planComments = () => botComments().filter(c => decodePlanMarker(c.body))

async function planViaLabel(): Promise<ActionRun> {
  const run = await w.run(w.labeledEvent('orchestrator'))
  expectOk(run)
  return run
}

describe('orchestrator action', () => {
  it('plans a labelled issue: branch pushed, plan comment posted, awaiting approval', async () => {
    const run = await planViaLabel()

    expect(run.outputs.status).toBe('awaiting-approval')
    expect(run.outputs.branch).toBe(BRANCH())
    // The branch on origin holds one plan commit on top of main, with the documents.
    expect(w.originLog(BRANCH())[0]).toBe(`orchestrator: plan for #${w.issue.number}`)
    expect(w.originLog(BRANCH()).slice(1)).toEqual(w.originLog('main'))
    // Claude received the issue as the task.
    const indexPrompt = w.sb.model.requests.find(r => r.rule === 'index')?.firstUserText ?? ''
    expect(indexPrompt).toContain('Add rate limiting to the API endpoints')
    expect(indexPrompt).toContain('Limit each client to 100 requests per minute.')

    const plans = planComments()
    expect(plans).toHaveLength(1)
    const plan = plans[0]!
    const state = decodePlanMarker(plan.body)!
    expect(state).toMatchObject({ issue: w.issue.number, branch: BRANCH(), state: 'pending', base: 'main' })
    expect(state.planSha).toBe(w.originHead(BRANCH()))
    expect(plan.body).toContain('# Plan')
    expect(plan.body).toContain('1. Add src/rate-limit.js')
    expect(plan.body).toContain('<summary>Research summary</summary>')
    expect(plan.body).toContain('`/approve`')
    expect(plan.body).toContain('`/revise <feedback>`')
    expect(plan.body).toContain('`/cancel`')
    expect(run.outputs.plan_comment_url).toContain(`#issuecomment-${plan.id}`)

    // One status comment, edited to its final state.
    const statuses = botComments().filter(c => c.body.includes('<!-- orchestrator:status -->'))
    expect(statuses).toHaveLength(1)
    expect(statuses[0]!.body).toMatch(/✅ \*\*index\*\*/)
    expect(statuses[0]!.body).toMatch(/✅ \*\*plan\*\*/)
    expect(statuses[0]!.body).toContain('Plan ready for review')
    expect(statuses[0]!.body).toContain('/actions/runs/')

    expect(issueLabels()).toContain('orchestrator:awaiting-approval')
    expect(issueLabels().filter(l => l.startsWith('orchestrator:'))).toEqual(['orchestrator:awaiting-approval'])
    expect(Number(run.outputs.cost_usd)).toBeGreaterThan(0)
    expect(run.summary).toContain('awaiting-approval')
  })

  it('plans on a /plan comment with the extra context passed to Claude', async () => {
    const run = await w.run(w.commentEvent('/plan Keep it dependency-free, please.'))
    expectOk(run)
    expect(run.outputs.status).toBe('awaiting-approval')
    expect(planComments()).toHaveLength(1)
    expect(w.sb.model.requests.find(r => r.rule === 'plan')?.firstUserText).toContain(
      'Keep it dependency-free, please.'
    )
    // The command was acknowledged with a reaction.
    const command = w.gh.state.commentsOn(w.issue.number).find(c => c.body.startsWith('/plan'))
    expect(command?.reactions.map(r => r.content)).toContain('eyes')
  })

  it('/approve implements the approved plan and opens one pull request with the findings; a second /approve updates it', async () => {
    await planViaLabel()
    const planSha = w.originHead(BRANCH())

    const approve = await w.run(w.commentEvent('/approve Use a sliding window.'))
    expectOk(approve)
    expect(approve.outputs.status).toBe('pr-opened')
    const prs = [...w.gh.state.pulls.values()]
    expect(prs).toHaveLength(1)
    const pr = prs[0]!
    expect(approve.outputs.pr_number).toBe(String(pr.number))
    expect(pr.head).toBe(BRANCH())
    expect(pr.base).toBe('main')
    expect(pr.body).toContain(`Closes #${w.issue.number}`)
    expect(pr.body).toContain('### Review findings')
    expect(pr.body).toMatch(
      /#### 🟠 Major \(1\)\n- \*\*F1\*\* \*\*Test does not exercise the limiter\*\* \[`test\.js:1`\]\(https:\/\/github\.com\/acme\/widgets\/blob\/[0-9a-f]{40}\/test\.js#L1\) _\(tests\)_/
    )
    expect(pr.body).toContain('#### ⚪ Nits (1)')
    expect(pr.body).toContain('| ✅ implement |')
    expect(pr.body).toContain('`src/rate-limit.js`')

    // The implementation sits on top of the exact plan commit, and the guidance reached Claude.
    const log = w.originLog(BRANCH())
    expect(log[0]).toBe(`orchestrator: implement #${w.issue.number}`)
    expect(log[1]).toBe(`orchestrator: plan for #${w.issue.number}`)
    expect(w.sb.model.requests.find(r => r.rule === 'implement')?.firstUserText).toContain('Use a sliding window.')
    expect(botComments().some(c => c.body.includes(`Pull request #${pr.number} opened`))).toBe(true)
    expect(issueLabels().filter(l => l.startsWith('orchestrator:'))).toEqual(['orchestrator:done'])
    const state = decodePlanMarker(planComments()[0]!.body)!
    expect(state).toMatchObject({ state: 'approved', pr: pr.number, planSha })
    expect(state.headSha).toBe(w.originHead(BRANCH()))

    // A second /approve runs again on top and updates the same pull request.
    w.sb.model.setRules(
      standardRules(w.workspace, {
        implement: [
          {
            text: 'Adjusting.',
            tools: [
              {
                name: 'Write',
                input: { file_path: `${w.workspace}/src/window.js`, content: 'export const WINDOW_MS = 60000\n' }
              }
            ]
          },
          { text: 'Added the window constant.' }
        ]
      })
    )
    const again = await w.run(w.commentEvent('/approve'))
    expectOk(again)
    expect(again.outputs.status).toBe('pr-updated')
    expect(w.gh.state.pulls.size).toBe(1)
    expect(again.outputs.pr_number).toBe(String(pr.number))
    expect(w.originLog(BRANCH())).toHaveLength(log.length + 1)
    expect(w.gh.state.pulls.get(pr.number)?.body).toContain('`src/window.js`')
  })

  it('/revise posts a new plan and marks the old one superseded; /approve of the new plan works', async () => {
    await planViaLabel()
    const first = planComments()[0]!
    const requestsBefore = w.sb.model.requests.length

    const revise = await w.run(w.commentEvent('/revise Use Redis instead of memory.'))
    expectOk(revise)
    expect(revise.outputs.status).toBe('awaiting-approval')
    // Only the plan phase ran again; index and research were reused from the branch.
    const rerun = new Set(w.sb.model.requests.slice(requestsBefore).map(r => r.rule))
    expect([...rerun]).toEqual(['plan'])
    const planPrompt = w.sb.model.requests.slice(requestsBefore).find(r => r.rule === 'plan')?.firstUserText ?? ''
    expect(planPrompt).toContain('Use Redis instead of memory.')
    expect(planPrompt).toContain('thoughts/shared/research/')

    const plans = planComments()
    expect(plans).toHaveLength(2)
    expect(decodePlanMarker(w.gh.state.comments.get(first.id)!.body)?.state).toBe('superseded')
    expect(w.gh.state.comments.get(first.id)!.body).toContain('Superseded by [a revised plan]')
    expect(decodePlanMarker(plans[1]!.body)?.state).toBe('pending')
    expect(w.originLog(BRANCH())[0]).toBe(`orchestrator: revised plan for #${w.issue.number}`)

    const approve = await w.run(w.commentEvent('/approve'))
    expectOk(approve)
    expect(approve.outputs.status).toBe('pr-opened')
  })

  it('goes from label to pull request in one run when require_approval is false', async () => {
    const run = await w.run(w.labeledEvent('orchestrator'), { require_approval: 'false' })
    expectOk(run)
    expect(run.outputs.status).toBe('pr-opened')
    expect(w.gh.state.pulls.size).toBe(1)
    const rules = w.sb.model.requests.map(r => r.rule).filter((r, i, all) => r !== all[i - 1])
    expect(rules).toEqual(['index', 'research', 'plan', 'implement', 'review'])
    const statuses = botComments().filter(c => c.body.includes('<!-- orchestrator:status -->'))
    expect(statuses).toHaveLength(1)
    expect(statuses[0]!.body).toMatch(/✅ \*\*review\*\*/)
    expect(planComments()[0]!.body).toContain('Approval is not required')
  })

  it('reuses the index of an unchanged tree for a second issue: no model requests for indexing', async () => {
    await planViaLabel()
    expect(w.originLog('orchestrator/index-cache')).toHaveLength(1)
    const indexRequests = () => w.sb.model.requests.filter(r => r.rule === 'index').length
    const before = indexRequests()
    expect(before).toBeGreaterThan(0)

    const second = w.gh.state.addIssue({
      title: 'Log slow requests',
      body: 'Log any request slower than 1s.',
      user: MAINTAINER
    })
    const event = w.labeledEvent('orchestrator')
    event.payload.issue = {
      ...(event.payload.issue as object),
      number: second.number,
      title: second.title,
      body: second.body,
      labels: [{ name: 'orchestrator' }]
    }
    const run = await w.run(event)
    expectOk(run)
    expect(run.outputs.status).toBe('awaiting-approval')
    expect(indexRequests()).toBe(before)

    const comments = w.gh.state.commentsOn(second.number).filter(c => c.user.login === BOT)
    const status = comments.find(c => c.body.includes('<!-- orchestrator:status -->'))
    expect(status?.body).toMatch(/✅ \*\*index\*\* — reused from an earlier run/)
    // The reused index travels with the plan on the new branch, and research was told about it.
    const state = decodePlanMarker(comments.find(c => decodePlanMarker(c.body))?.body)
    expect(state?.artifacts.index?.[0]).toMatch(/^thoughts\/shared\/index\/.+issue-\d+-log-slow-requests\.md$/)
    expect(w.sb.model.requests.filter(r => r.rule === 'research').at(-1)?.firstUserText).toContain(
      state?.artifacts.index?.[0]
    )
    expect(run.stdout).toContain('✔ index reused from an earlier run')
  })

  it("folds commits Claude makes itself into the bot's one commit", async () => {
    await planViaLabel()
    w.sb.model.setRules(
      standardRules(w.workspace, {
        implement: [
          {
            text: 'Implementing and committing.',
            tools: [
              {
                name: 'Write',
                input: { file_path: `${w.workspace}/src/rate-limit.js`, content: 'export const LIMIT = 100\n' }
              },
              {
                name: 'Bash',
                input: {
                  command:
                    'git add -A && GIT_AUTHOR_NAME=Claude GIT_AUTHOR_EMAIL=noreply@anthropic.com GIT_COMMITTER_NAME=Claude GIT_COMMITTER_EMAIL=noreply@anthropic.com git commit -qm "Claude was here"',
                  description: 'commit'
                }
              }
            ]
          },
          { text: 'Done.' }
        ]
      })
    )
    const run = await w.run(w.commentEvent('/approve'))
    expectOk(run)
    expect(run.outputs.status).toBe('pr-opened')
    const log = w.originLog(BRANCH())
    expect(log[0]).toBe(`orchestrator: implement #${w.issue.number}`)
    expect(log).not.toContain('Claude was here')
    expect(gitIn(w.origin, ['show', '--name-only', '--format=%ae', BRANCH()])).toMatch(
      /^41898282\+github-actions\[bot\]@users\.noreply\.github\.com\n[\s\S]*src\/rate-limit\.js/
    )
  })

  it('an issue edited after approval: /approve asks for /revise, which re-plans on the branch; /approve then updates the pull request, reviewing all of it', async () => {
    await planViaLabel()
    expectOk(await w.run(w.commentEvent('/approve')))
    const pr = [...w.gh.state.pulls.values()][0]!
    const issue = w.gh.state.issues.get(w.issue.number)!
    issue.body = `${issue.body}\n\nAlso log every rejected request.`

    const refused = await w.run(w.commentEvent('/approve'))
    expectOk(refused)
    expect(refused.outputs.status).toBe('refused')
    expect(botComments().at(-1)?.body).toContain('comment `/revise` for a new plan from the issue as it is now.')

    const requests = w.sb.model.requests.length
    const revise = await w.run(w.commentEvent('/revise'))
    expectOk(revise)
    expect(revise.outputs.status).toBe('awaiting-approval')
    const planPrompt = w.sb.model.requests.slice(requests).find(r => r.rule === 'plan')?.firstUserText ?? ''
    expect(planPrompt).toContain('Also log every rejected request.')
    expect(planPrompt).toContain('The issue was edited since the last plan')
    expect(w.originLog(BRANCH()).slice(0, 3)).toEqual([
      `orchestrator: revised plan for #${w.issue.number}`,
      `orchestrator: implement #${w.issue.number}`,
      `orchestrator: plan for #${w.issue.number}`
    ])
    expect(decodePlanMarker(planComments().at(-1)!.body)).toMatchObject({ state: 'pending', pr: pr.number })

    w.sb.model.setRules(
      standardRules(w.workspace, {
        implement: [
          {
            text: 'Logging.',
            tools: [
              {
                name: 'Write',
                input: {
                  file_path: `${w.workspace}/src/log.js`,
                  content: 'export const logRejected = (req) => console.log(req)\n'
                }
              }
            ]
          },
          { text: 'Added the log.' }
        ]
      })
    )
    const approve = await w.run(w.commentEvent('/approve'))
    expectOk(approve)
    expect(approve.outputs.status).toBe('pr-updated')
    expect(w.gh.state.pulls.size).toBe(1)
    expect(w.originLog(BRANCH())[0]).toBe(`orchestrator: implement #${w.issue.number}`)
    // Changed files and the review cover the whole pull request, the first implementation included.
    const body = w.gh.state.pulls.get(pr.number)!.body ?? ''
    expect(body).toContain('- `src/log.js`')
    expect(body).toContain('- `src/rate-limit.js`')
    const review = w.sb.model.requests.filter(r => r.rule === 'review').at(-1)?.firstUserText ?? ''
    expect(review).toContain('+export const LIMIT = 100')
    expect(review).toContain('+export const logRejected')
    expect(review).not.toContain('+++ b/thoughts/shared/')
  })

  it('answers a question Claude asks during planning with OpenAI and shows it in the plan comment', async () => {
    w.sb.model.setRules(
      standardRules(w.workspace, {
        plan: askThenDocument(w.workspace, 'QUESTION: Per client IP or per API key?', '# Plan\n\nPer API key.\n')
      })
    )
    w.openai.respondWith({ answer: 'Per API key: clients share IPs behind proxies.' })
    await planViaLabel()
    const body = planComments()[0]!.body
    expect(body).toContain('Questions Claude asked (1)')
    expect(body).toContain('Per client IP or per API key?')
    expect(body).toContain('Answered by openai: Per API key: clients share IPs behind proxies.')
  })
})
