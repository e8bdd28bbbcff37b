/**
 * Runs that meet what real repositories and a real GitHub throw at them: an
 * implement phase with nothing to show, issue bodies and diffs at GitHub's
 * size limits, a phase that times out. (GitHub answers lost or refused are
 * flow rules, proved in process: test/unit/action/flow-rules.test.ts.)
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { documentPhase, standardRules, write } from './support/phase-scripts.js'
import { BOT, createWorld, githubProblems, node24Path, type World } from './support/action-harness.js'

let w: World

beforeAll(() => {
  node24Path()
}, 120000)
afterEach(async () => {
  try {
    expect(githubProblems(w)).toEqual([])
  } finally {
    await w.close()
  }
})

const botComments = () => [...w.gh.state.comments.values()].filter(c => c.user.login === BOT)
const statusComments = () => botComments().filter(c => c.body.includes('<!-- orchestrator:status -->'))

describe('resilience', () => {
  it('fails an implement phase that changed nothing, with its reason, and runs no review and opens no PR', async () => {
    w = await createWorld()
    w.sb.model.setRules(
      standardRules(w.workspace, {
        implement: [
          { text: 'Looking.', tools: [{ name: 'Read', input: { file_path: `${w.workspace}/src/api.js` } }] },
          { text: 'The limiter already exists, nothing to do.' }
        ]
      })
    )
    const run = await w.run(w.labeledEvent('orchestrator'), { require_approval: 'false' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('failed')
    expect(w.sb.model.requests.filter(r => r.rule === 'review')).toHaveLength(0)
    expect(w.gh.state.pulls.size).toBe(0)
    expect(botComments().at(-1)?.body).toContain(
      'implement changed nothing; Claude said: The limiter already exists, nothing to do.'
    )
  })

  it('plans an issue of 65,000 Cyrillic characters and reviews a 50,000-character diff (prompts travel on stdin)', async () => {
    const body = 'Ограничьте частоту запросов. '.repeat(2300).slice(0, 65000)
    w = await createWorld({ issueBody: body })
    const big = Array.from({ length: 1000 }, (_, i) => `export const LIMIT_${i} = ${i} // ${'x'.repeat(16)}`).join('\n')
    w.sb.model.setRules(
      standardRules(w.workspace, {
        plan: documentPhase(w.workspace, () => '# Plan\n\n1. Add the limits.\n'),
        implement: [{ text: 'Writing.', tools: [write(w.workspace, 'src/limits.js', `${big}\n`)] }, { text: 'Done.' }]
      })
    )
    const run = await w.run(w.labeledEvent('orchestrator'), { require_approval: 'false' })
    if (run.exitCode !== 0) throw new Error(`${run.stdout}\n${run.stderr}`)
    expect(run.outputs.status).toBe('pr-opened')
    const plan = w.sb.model.requests.find(r => r.rule === 'index')
    expect(plan?.firstUserText).toContain(body.slice(0, 2000))
    expect(plan?.firstUserText.length).toBeGreaterThan(65000)
    const review = w.sb.model.requests.find(r => r.rule === 'review')
    expect(review?.firstUserText.match(/The change \(diff against|See the change with/)?.[0]).toBe(
      'The change (diff against'
    )
    expect(review?.firstUserText).toContain('+export const LIMIT_999 = 999')
    expect(statusComments()).toHaveLength(1)
    expect(statusComments()[0]?.body).toContain('✅')
  })

  it('keeps the work of an implement phase that timed out, and /resume finishes it without paying for the finished phases', async () => {
    w = await createWorld()
    w.sb.model.setRules(
      standardRules(w.workspace, {
        implement: req => {
          // The first session writes half the change and then hangs; the resumed one finishes it.
          if (!req.firstUserText.includes('continues an earlier attempt')) {
            return req.turn === 0
              ? {
                  text: 'Starting.',
                  tools: [
                    write(w.workspace, 'src/rate-limit.js', 'export const LIMIT = 100\n'),
                    { name: 'Bash', input: { command: 'sleep 60', description: 'wait' } }
                  ]
                }
              : { text: 'still here' }
          }
          return req.turn === 0
            ? {
                text: 'Finishing.',
                tools: [
                  write(
                    w.workspace,
                    'src/allow.js',
                    "import { LIMIT } from './rate-limit.js'\nexport const allow = (n) => n < LIMIT\n"
                  )
                ]
              }
            : { text: 'Done.' }
        }
      })
    )
    const planned = await w.run(w.labeledEvent('orchestrator'))
    expect(planned.outputs.status).toBe('awaiting-approval')
    const branch = `orchestrator/issue-${w.issue.number}`
    const timedOut = await w.run(w.commentEvent('/approve'), { phase_timeout_minutes: '0.1' })
    expect(timedOut.outputs.status).toBe('failed')
    // The half-done change is on the branch, marked unfinished, and the maintainer is told how to go on.
    expect(w.originLog(branch)[0]).toMatch(
      /^orchestrator: unfinished implement #\d+ \(stopped: did not finish within the 6 seconds phase timeout/
    )
    const failure = botComments().at(-1)?.body ?? ''
    expect(failure).toMatch(
      /Kept the unfinished implementation as [0-9a-f]{7} on `orchestrator\/issue-\d+` \(1 file changed, \$[\d.]+ spent\)\. Comment `\/resume` to go on from there/
    )
    expect(w.gh.state.pulls.size).toBe(0)

    const before = w.sb.model.requests.length
    const resumed = await w.run(w.commentEvent('/resume'))
    expect(resumed.outputs.status).toBe('pr-opened')
    const spent = w.sb.model.requests.slice(before)
    // No index, research or plan; the new implement session was told what was already done.
    expect(spent.map(r => r.rule).filter(r => r !== 'implement' && r !== 'review')).toEqual([])
    expect(spent.find(r => r.rule === 'implement')?.firstUserText).toMatch(
      /continues an earlier attempt that stopped \(did not finish within the 6 seconds phase timeout/
    )
    expect(
      w
        .originLog(branch)
        .slice(0, 2)
        .map(l => l.replace(/ \(.*$/, ''))
    ).toEqual([`orchestrator: implement #${w.issue.number}`, `orchestrator: unfinished implement #${w.issue.number}`])
    // Nothing left to resume.
    const again = await w.run(w.commentEvent('/resume'))
    expect(again.outputs.status).toBe('refused')
  })
})
