/**
 * Claude Code driven through its control protocol, end to end with the
 * bundled action: structured questions answered in the same turn, tool calls
 * decided per call by the phase's rules, a rejected credential failing fast.
 */
import { describe, expect, it } from '@jest/globals'
import { decodePlanMarker } from '../src/action/markers.js'
import { outputPathOf, standardRules, write, type Replies } from './support/phase-scripts.js'
import { BOT, createWorld, MAINTAINER, OUTSIDER, type World } from './support/action-harness.js'
import { checkAndClose } from './support/world-hooks.js'

let w: World

checkAndClose(() => w)

const QUESTION = {
  question: 'Should the limiter count per client IP or per API key?',
  header: 'Limit key',
  options: [
    { label: 'Client IP', description: 'Simple, but clients behind one proxy share a limit' },
    { label: 'API key', description: 'Fair per customer; needs the key on every request' }
  ],
  multiSelect: false
}

/** Plan: turn 0 asks with AskUserQuestion; turn 1 (same session, same prompt) writes the plan it was told. */
function askingPlan(repoDir: string): Replies {
  return req => {
    if (req.turn === 0)
      return { text: 'One decision first.', tools: [{ name: 'AskUserQuestion', input: { questions: [QUESTION] } }] }
    const out = outputPathOf(req)
    const chosen = /"API key"/.test(req.lastUserText)
      ? 'API key'
      : /"Client IP"/.test(req.lastUserText)
        ? 'Client IP'
        : 'unknown'
    if (req.turn === 1) return { text: 'Writing.', tools: [write(repoDir, out, `# Plan\n\nLimit per ${chosen}.\n`)] }
    return { text: `DOCUMENT: ${out}` }
  }
}

const planComments = () =>
  [...w.gh.state.comments.values()].filter(c => c.user.login === BOT && decodePlanMarker(c.body))

describe('the control protocol', () => {
  it("answers Claude's structured question with the second model in the same session and turn, and records it", async () => {
    w = await createWorld()
    w.sb.model.setRules(standardRules(w.workspace, { plan: askingPlan(w.workspace) }))
    w.openai.respondWith({ answer: 'API key\nconfidence: high' })
    const run = await w.run(w.labeledEvent('orchestrator'))
    expect(run.exitCode).toBe(0)
    const plan = w.sb.model.requests.filter(r => r.rule === 'plan')
    // One session: the answer arrives as the tool's result, in the request right after the question.
    expect(plan.map(r => r.turn)).toEqual([0, 1, 2])
    expect(plan[1]?.lastUserText).toContain(
      'Your questions have been answered: "Should the limiter count per client IP or per API key?"="API key"'
    )
    // The answerer saw the question, its header and both options.
    const asked = w.openai.requests[0]?.body.messages.map(m => m.content).join('\n') ?? ''
    expect(asked).toContain('Limit key: Should the limiter count per client IP or per API key?')
    expect(asked).toContain('1. Client IP — Simple, but clients behind one proxy share a limit')
    expect(asked).toContain('2. API key — Fair per customer')
    const body = planComments()[0]?.body ?? ''
    expect(body).toContain('Limit per API key.')
    expect(body).toContain('Answered by openai: API key')
  })

  it("decides each tool call by the phase's rules: a read-only phase may run the tests but not delete files, and the model is told why", async () => {
    w = await createWorld()
    w.sb.model.setRules(
      standardRules(w.workspace, {
        research: req => {
          if (req.turn === 0) {
            return {
              text: 'Checking.',
              tools: [
                { name: 'Bash', input: { command: 'npm test && echo TESTS-RAN', description: 'Run the tests' } },
                { name: 'Bash', input: { command: 'rm -rf src', description: 'Clean up' } }
              ]
            }
          }
          const out = outputPathOf(req)
          if (req.turn === 1)
            return { text: 'Writing.', tools: [write(w.workspace, out, '# Research\n\nTests pass.\n')] }
          return { text: `DOCUMENT: ${out}` }
        }
      })
    )
    const run = await w.run(w.labeledEvent('orchestrator'))
    expect(run.exitCode).toBe(0)
    const after = w.sb.model.requests.filter(r => r.rule === 'research')[1]?.lastUserText ?? ''
    expect(after).toContain('TESTS-RAN')
    expect(after).toContain('Denied: the research phase is read-only (`rm` is not a read-only command)')
    // src/ is still there on the plan branch, and the refusal is on record.
    expect(w.originLog(`orchestrator/issue-${w.issue.number}`)).toHaveLength(2)
    const result = JSON.parse(
      await import('node:fs').then(fs => fs.readFileSync(run.outputs.result_file as string, 'utf8'))
    ) as {
      phases: Array<{ name: string; refusals?: string[] }>
    }
    expect(result.phases.find(p => p.name === 'research')?.refusals).toEqual(['Bash rm -rf src'])
  })

  it('stops at the first 401 from the model API with a clear message on the issue, instead of retrying for minutes', async () => {
    w = await createWorld()
    w.sb.model.setRules([{ name: 'all', match: () => true, replies: () => ({ httpError: 401 }) }])
    const run = await w.run(w.labeledEvent('orchestrator'), {}, { CLAUDE_CODE_MAX_RETRIES: '10' })
    expect(run.exitCode).toBe(1)
    const failure = [...w.gh.state.comments.values()].at(-1)?.body ?? ''
    expect(failure).toContain('the model credential was rejected (HTTP 401)')
    expect(failure).toContain('check anthropic_api_key / claude_code_oauth_token')
    // Claude Code would have retried ten times with growing delays; it was stopped after the first.
    expect(run.stdout).toContain('↻ Anthropic API 401, retry 1 of 10')
    expect(run.stdout).not.toContain('retry 3 of 10')
  })

  it("with questions: maintainer, posts the question with its options, waits, and goes on from that phase with a writer's /answer", async () => {
    w = await createWorld()
    w.gh.state.permissions[OUTSIDER] = 'read'
    w.sb.model.setRules(standardRules(w.workspace, { plan: askingPlan(w.workspace) }))
    const inputs = { questions: 'maintainer' }
    const asked = await w.run(w.labeledEvent('orchestrator'), inputs)
    expect(asked.exitCode).toBe(0)
    expect(asked.outputs.status).toBe('awaiting-answer')
    expect(w.openai.requests).toHaveLength(0)
    const question = [...w.gh.state.comments.values()].filter(c => c.user.login === BOT).at(-1)?.body ?? ''
    expect(question).toContain('### ❓ Claude has a question (plan)')
    expect(question).toContain('**Limit key:** Should the limiter count per client IP or per API key?')
    expect(question).toContain('1. **Client IP** — Simple, but clients behind one proxy share a limit')
    expect(question).toContain('2. **API key** — Fair per customer; needs the key on every request')
    expect(question).toContain('Reply `/answer <number>` to pick an option')
    expect(w.gh.state.issues.get(w.issue.number)?.labels).toContain('orchestrator:awaiting-answer')
    // What the earlier phases wrote is kept on the branch.
    expect(w.originLog(`orchestrator/issue-${w.issue.number}`)[0]).toMatch(/documents so far .*waiting for an answer/)
    expect(planComments()).toHaveLength(0)

    // Someone without write access cannot answer.
    const stranger = await w.run(w.commentEvent('/answer 1', OUTSIDER), inputs)
    expect(stranger.outputs.status).toBe('refused')
    expect([...w.gh.state.comments.values()].at(-1)?.body).toContain(
      'only people with write access to this repository can use /answer'
    )

    const before = w.sb.model.requests.length
    const answered = await w.run(w.commentEvent('/answer 2', MAINTAINER), inputs)
    expect(answered.exitCode).toBe(0)
    expect(answered.outputs.status).toBe('awaiting-approval')
    const rerun = w.sb.model.requests.slice(before)
    // Index and research were reused; only the plan phase ran again, and it got option 2.
    expect(rerun.every(r => r.rule === 'plan')).toBe(true)
    expect(rerun[1]?.lastUserText).toContain('="API key"')
    const body = planComments()[0]?.body ?? ''
    expect(body).toContain('Limit per API key.')
    expect(body).toContain('Answered by maintainer: API key')
    expect(w.gh.state.issues.get(w.issue.number)?.labels).toContain('orchestrator:awaiting-approval')
    expect(question).not.toBe(
      [...w.gh.state.comments.values()].find(c => c.body.includes('orchestrator:question'))?.body
    )
  })
  it('fails a phase that asks the maintainer after changing files it may not, and pushes none of it', async () => {
    w = await createWorld()
    // Permissions loosened through claude_args: the workspace check is what still holds.
    const sneaky: Replies = req =>
      req.turn === 0
        ? {
            text: 'A file, then a question.',
            tools: [
              write(w.workspace, 'src/backdoor.js', 'export {}\n'),
              { name: 'AskUserQuestion', input: { questions: [QUESTION] } }
            ]
          }
        : { text: 'Waiting.' }
    w.sb.model.setRules(standardRules(w.workspace, { plan: sneaky }))
    const run = await w.run(w.labeledEvent('orchestrator'), {
      questions: 'maintainer',
      claude_args: '--allowedTools Write'
    })
    expect(run.outputs.status).toBe('failed')
    const posted = [...w.gh.state.comments.values()].map(c => c.body).join('\n')
    expect(posted).toContain(
      'the plan phase broke its rules: it changed files outside thoughts/shared/: src/backdoor.js'
    )
    expect(posted).not.toContain('Claude has a question')
    expect(w.originLog(`orchestrator/issue-${w.issue.number}`)).toEqual([])
  })
})
