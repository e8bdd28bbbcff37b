/**
 * Runs that meet what real repositories and a real GitHub throw at them: an
 * implement phase with nothing to show, issue bodies and diffs at GitHub's
 * size limits, a phase that times out. (GitHub answers lost or refused are
 * flow rules, proved in process: test/unit/action/flow-rules.test.ts.)
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import type { ModelRequest, Reply } from './support/model-server.js'
import {
  documentPhase,
  implementStoppedByBudget,
  reviewReplies,
  standardRules,
  write
} from './support/phase-scripts.js'
import { BOT, createWorld, type World } from './support/action-harness.js'
import { checkAndClose } from './support/world-hooks.js'

let w: World

checkAndClose(() => w)

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

  it('plans an issue of 65,000 Cyrillic characters and reviews a 60,000-character diff (prompts travel on stdin)', async () => {
    const body = 'Ограничьте частоту запросов. '.repeat(2300).slice(0, 65000)
    w = await createWorld({ issueBody: body })
    // 1,000 lines of 57 characters: with git's headers and the `+`s, a diff just under the 60,000 inlined at review.
    const big = Array.from(
      { length: 1000 },
      (_, i) => `export const LIMIT_${String(i).padStart(3, '0')} = ${String(i).padStart(3, '0')} // ${'x'.repeat(25)}`
    ).join('\n')
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
    const diff = review?.firstUserText.match(/```diff\n([\s\S]*?)\n```/)?.[1] ?? ''
    expect(diff.length).toBeGreaterThan(59000)
    expect(diff.length).toBeLessThanOrEqual(60000)
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

  it('keeps the work of an implement phase stopped by max_budget_usd, says what it kept and cost, and /resume finishes it', async () => {
    w = await createWorld()
    w.sb.model.setRules(standardRules(w.workspace, { implement: implementStoppedByBudget(w.workspace) }))
    const planned = await w.run(w.labeledEvent('orchestrator'))
    expect(planned.outputs.status).toBe('awaiting-approval')
    const branch = `orchestrator/issue-${w.issue.number}`
    const stopped = await w.run(w.commentEvent('/approve'), { max_budget_usd: '0.5' })
    expect(stopped.outputs.status).toBe('failed')
    // Claude Code stopped on the budget at the expensive turn, without running what it asked for there.
    expect(w.sb.model.requests.filter(r => r.rule === 'implement')).toHaveLength(2)
    expect(w.originLog(branch)[0]).toMatch(
      /^orchestrator: unfinished implement #\d+ \(stopped: Claude Code stopped because the budget was exhausted \(spent \$\d+\.\d{2}(?:\d{2})?\)/
    )
    const unfinished = w.originHead(branch) as string
    expect(execFileSync('git', ['show', `${unfinished}:src/rate-limit.js`], { cwd: w.origin, encoding: 'utf8' })).toBe(
      'export const LIMIT = 100\n'
    )
    const failure = botComments().at(-1)?.body ?? ''
    expect(failure).toContain('Claude Code stopped because the budget was exhausted')
    expect(failure).toMatch(
      /Kept the unfinished implementation as [0-9a-f]{7} on `orchestrator\/issue-\d+` \(1 file changed, \$\d+\.\d{2}(?:\d{2})? spent\)\. Comment `\/resume` to go on from there/
    )
    expect(w.gh.state.pulls.size).toBe(0)
    expect(statusComments().at(-1)?.body).toContain('❌')

    const before = w.sb.model.requests.length
    const resumed = await w.run(w.commentEvent('/resume'))
    expect(resumed.outputs.status).toBe('pr-opened')
    const spent = w.sb.model.requests.slice(before)
    expect([...new Set(spent.map(r => r.rule))]).toEqual(['implement', 'review'])
    const told = spent.find(r => r.rule === 'implement')?.firstUserText ?? ''
    expect(told).toContain(
      'continues an earlier attempt that stopped (Claude Code stopped because the budget was exhausted'
    )
    expect(told).toContain('+export const LIMIT = 100')
    expect(told).toContain('Its last words before it stopped:\n> Now allow().')
    const pr = [...w.gh.state.pulls.values()][0]
    expect(pr?.draft).toBe(false)
  })

  it('two /approve at once end with one state label, one pull request, and a finished status comment per run', async () => {
    w = await createWorld()
    // Each run has its own checkout (two runners): Claude writes where its session runs.
    const cwdOf = (req: ModelRequest) =>
      `${req.system}\n${req.firstUserText}`.match(/Primary working directory: (\S+)/)?.[1] ?? w.workspace
    const planRules = standardRules(w.workspace)
    w.sb.model.setRules(
      planRules.map(rule =>
        rule.name === 'implement'
          ? {
              ...rule,
              // Two different implementations (the second /approve asks for a window), so two different commits.
              replies: (req: ModelRequest): Reply =>
                req.turn === 0
                  ? {
                      text: 'Implementing.',
                      tools: [
                        write(
                          cwdOf(req),
                          'src/rate-limit.js',
                          req.firstUserText.includes('sliding window')
                            ? 'export const WINDOW_MS = 60000\n'
                            : 'export const LIMIT = 100\n'
                        )
                      ]
                    }
                  : { text: 'Done.' }
            }
          : rule.name === 'review'
            ? { ...rule, replies: req => (reviewReplies(cwdOf(req)) as (r: ModelRequest) => Reply)(req) }
            : rule
      )
    )
    const planned = await w.run(w.labeledEvent('orchestrator'))
    expect(planned.outputs.status).toBe('awaiting-approval')
    const first = w.commentEvent('/approve')
    const second = w.commentEvent('/approve use a sliding window')
    const statusBefore = statusComments().length
    const runs = await Promise.all([
      w.run(first, {}, {}, { checkout: path.join(w.sb.root, 'runner-a') }),
      w.run(second, {}, {}, { checkout: path.join(w.sb.root, 'runner-b') })
    ])
    const outcomes = runs.map(r => r.outputs.status).sort()
    // One of them opens the pull request; the other opens none (it finds the branch moved, or updates the same one).
    expect(outcomes.filter(o => o === 'pr-opened')).toHaveLength(1)
    expect(['failed', 'pr-updated', 'refused']).toContain(outcomes.find(o => o !== 'pr-opened'))
    // A run that lost the race to push says so plainly, not with git's own words.
    for (const r of runs.filter(r => r.outputs.status === 'failed'))
      expect(r.stdout).toMatch(/changed on origin while the run worked; nothing was pushed/)
    expect(w.gh.state.pulls.size).toBe(1)
    const labels = (w.gh.state.issues.get(w.issue.number)?.labels ?? []).filter(l => l.startsWith('orchestrator:'))
    expect(labels).toHaveLength(1)
    // Every status comment a run opened ends with its outcome: nothing is left "running".
    const opened = statusComments().slice(statusBefore)
    expect(opened.length).toBe(runs.filter(r => r.outputs.status !== 'refused').length)
    for (const c of opened) {
      expect(c.body).toMatch(/\n\n(✅ Pull request #\d+ (opened|updated)|❌ Failed: .+)/)
      expect(c.body).not.toContain('⏳')
    }
  })
})
