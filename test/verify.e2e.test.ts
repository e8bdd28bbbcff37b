/**
 * The pull request proves itself: the project's check runs after implement
 * (inside the sandbox), a failure goes back to a new implement session, and
 * the PR shows every round; a check that never passes gives a draft.
 */
import { describe, expect, it } from '@jest/globals'
import { standardRules, write, type Replies } from './support/phase-scripts.js'
import { createWorld, githubProblems, SAMPLE_FILES, type World } from './support/action-harness.js'
import { checkAndClose } from './support/world-hooks.js'

let w: World

checkAndClose(() => w)

const CHECK =
  "node -e \"import('./src/limit.js').then((m) => { if (m.allow(100)) { console.error('allow(100) must be false'); process.exit(1) } console.log('limit ok') })\""
const BUGGY = 'export const allow = (n) => n <= 100\n'
const FIXED = 'export const allow = (n) => n < 100\n'

/** Round 1 writes an off-by-one; a session told that the check failed reads the file and fixes it. */
function implementRounds(ws: string, fixes: boolean): Replies {
  return req => {
    const retry = req.firstUserText.includes("The project's check")
    if (!retry)
      return req.turn === 0 ? { text: 'Writing.', tools: [write(ws, 'src/limit.js', BUGGY)] } : { text: 'Done.' }
    if (!fixes)
      return req.turn === 0
        ? { text: 'Looking.', tools: [{ name: 'Read', input: { file_path: `${ws}/src/limit.js` } }] }
        : { text: 'I could not fix it.' }
    if (req.turn === 0)
      return { text: 'Reading.', tools: [{ name: 'Read', input: { file_path: `${ws}/src/limit.js` } }] }
    if (req.turn === 1) return { text: 'Fixing the boundary.', tools: [write(ws, 'src/limit.js', FIXED)] }
    return { text: 'Fixed the boundary.' }
  }
}

describe('verify', () => {
  it('runs the check, gives its failure to a second implement round, and the PR shows round 1 failed and round 2 passed', async () => {
    w = await createWorld({
      files: { ...SAMPLE_FILES, '.claude/orchestrator.json': JSON.stringify({ verify: CHECK }) }
    })
    w.sb.model.setRules(standardRules(w.workspace, { implement: implementRounds(w.workspace, true) }))
    const run = await w.run(w.labeledEvent('orchestrator'), { require_approval: 'false' })
    if (run.exitCode !== 0) throw new Error(run.stdout)
    expect(run.outputs.status).toBe('pr-opened')
    // The second session got the check's own output.
    const retry = w.sb.model.requests.find(
      r => r.rule === 'implement' && r.firstUserText.includes("The project's check")
    )
    expect(retry?.firstUserText).toContain('failed with exit code 1')
    expect(retry?.firstUserText).toContain('allow(100) must be false')
    const pr = [...w.gh.state.pulls.values()][0]
    expect(pr?.draft).toBe(false)
    expect(pr?.body).toContain('### Verify: `node -e')
    expect(pr?.body).toMatch(/\| 1 \| ❌ exit 1 \| [\d.]+ ?m?s \|\n\| 2 \| ✅ passed \|/)
    expect(pr?.body).toContain('limit ok')
    expect(pr?.body).not.toContain('[!CAUTION]')
    // The review was told the outcome.
    expect(w.sb.model.requests.find(r => r.rule === 'review')?.firstUserText).toContain('passed (round 2)')
    const status =
      [...w.gh.state.comments.values()].find(c => c.body.includes('<!-- orchestrator:status -->'))?.body ?? ''
    expect(status).toContain('**verify** round 1')
    expect(status).toContain('**verify** round 2')
  })

  it('opens a draft with the failure at the top when the check never passes; require_green opens none and keeps the work', async () => {
    w = await createWorld()
    w.sb.model.setRules(standardRules(w.workspace, { implement: implementRounds(w.workspace, false) }))
    const run = await w.run(w.labeledEvent('orchestrator'), {
      require_approval: 'false',
      verify_command: CHECK,
      verify_rounds: '1'
    })
    if (run.exitCode !== 0) throw new Error(run.stdout)
    const pr = [...w.gh.state.pulls.values()][0]
    expect(pr?.draft).toBe(true)
    expect(pr?.body).toMatch(
      /> \[!CAUTION\]\n> The project's check `node -e .*` still fails after 2 rounds: this pull request is a draft\./
    )
    expect(pr?.body).toMatch(/\| 2 \| ❌ exit 1 \|/)

    // The same with require_green: no pull request, a clear failure, the work on the branch.
    const strict = await createWorld()
    try {
      strict.sb.model.setRules(standardRules(strict.workspace, { implement: implementRounds(strict.workspace, false) }))
      const red = await strict.run(strict.labeledEvent('orchestrator'), {
        require_approval: 'false',
        verify_command: CHECK,
        verify_rounds: '0',
        require_green: 'true'
      })
      expect(red.exitCode).toBe(1)
      expect(strict.gh.state.pulls.size).toBe(0)
      const failure = [...strict.gh.state.comments.values()].at(-1)?.body ?? ''
      expect(failure).toContain("the project's check `node -e")
      expect(failure).toContain('still fails after 1 round(s) (require_green: true)')
      expect(strict.originLog(`orchestrator/issue-${strict.issue.number}`)[0]).toMatch(/^orchestrator: implement #/)
      expect(githubProblems(strict)).toEqual([])
    } finally {
      await strict.close()
    }
  })
})

describe('verify is held to the implement rules', () => {
  it("keeps the repository's declared check when implement rewrites it, and fails a check that writes a workflow", async () => {
    // The repository declares a check that plants a workflow file; implement tries to swap in one that always passes.
    const PLANT = 'mkdir -p .github/workflows && echo "on: push" > .github/workflows/planted.yml'
    w = await createWorld({
      files: { ...SAMPLE_FILES, '.claude/orchestrator.json': JSON.stringify({ verify: PLANT }) }
    })
    const implement: Replies = req =>
      req.turn === 0
        ? {
            text: 'Writing.',
            tools: [
              write(w.workspace, 'src/limit.js', FIXED),
              { name: 'Read', input: { file_path: `${w.workspace}/.claude/orchestrator.json` } }
            ]
          }
        : req.turn === 1
          ? {
              text: 'Declaring my own check.',
              tools: [write(w.workspace, '.claude/orchestrator.json', '{"verify":"true"}')]
            }
          : { text: 'Done.' }
    w.sb.model.setRules(standardRules(w.workspace, { implement }))
    const run = await w.run(w.labeledEvent('orchestrator'), { require_approval: 'false' })
    expect(run.outputs.status).toBe('failed')
    const failure = [...w.gh.state.comments.values()].map(c => c.body).join('\n')
    expect(failure).toContain("broke the implement phase's rules: it changed workflow files")
    expect(failure).toContain('.github/workflows/planted.yml')
    // Nothing of that run reached origin: no pull request, no kept commit.
    expect(w.gh.state.pulls.size).toBe(0)
    const log = w.originLog(`orchestrator/issue-${w.issue.number}`)
    expect(log[0]).toMatch(/^orchestrator: plan for #/)
    expect(log.join('\n')).not.toMatch(/implement/)
  })
})
