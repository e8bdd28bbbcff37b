/**
 * The local CLI end to end: the bundled `bin/orchestrator.js`, the real Claude
 * Code CLI executing real tools in a temporary git repository, a scripted
 * Anthropic server and a fake OpenAI server.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execa } from 'execa'
import fs from 'node:fs'
import path from 'node:path'
import { FALLBACK_ANSWER } from '../src/answerer/answerer.js'
import type { RunResult } from '../src/engine/types.js'
import type { ModelRequest } from './support/model-server.js'
import { startFakeOpenAI, type FakeOpenAI } from './support/openai-server.js'
import {
  askThenDocument,
  documentPhase,
  outputPathOf,
  SAMPLE_FINDINGS,
  standardRules,
  write
} from './support/phase-scripts.js'
import { createSandbox, REPO_ROOT, type Sandbox } from './support/sandbox.js'

const BIN = path.join(REPO_ROOT, 'bin', 'orchestrator.js')
const TASK = 'Add rate limiting to the API endpoints'

interface CliRun {
  exitCode: number
  stdout: string
  stderr: string
  result: RunResult
}

/** `startIn`: start the CLI in this folder, as a user in a terminal would, instead of passing --cwd. */
async function runCli(
  sb: Sandbox,
  args: string[],
  env: Record<string, string> = {},
  startIn?: string
): Promise<CliRun> {
  const r = await execa('node', [BIN, '--json', ...(startIn ? [] : ['--cwd', sb.repoDir]), ...args], {
    env: sb.env(env),
    extendEnv: false,
    reject: false,
    cwd: startIn
  })
  let result: RunResult
  try {
    result = JSON.parse(String(r.stdout)) as RunResult
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.exitCode}):\n${r.stdout}\nstderr:\n${r.stderr}`)
  }
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), result }
}

const phase = (res: RunResult, name: string) => res.phases.find(p => p.name === name)

let sb: Sandbox
let openai: FakeOpenAI
beforeEach(async () => {
  sb = await createSandbox()
  openai = await startFakeOpenAI('Use an in-memory token bucket; Redis is out of scope.')
})
afterEach(async () => {
  await sb.cleanup()
  await openai.close()
})

describe('orchestrator CLI', () => {
  it('runs the five phases in order, hands documents on, and reports findings', async () => {
    sb.model.setRules(standardRules(sb.repoDir))
    const run = await runCli(sb, [TASK])

    expect(run.exitCode).toBe(0)
    const res = run.result
    expect(res.status).toBe('completed')
    expect(res.task).toBe(TASK)
    expect(res.phases.map(p => [p.name, p.status])).toEqual([
      ['index', 'succeeded'],
      ['research', 'succeeded'],
      ['plan', 'succeeded'],
      ['implement', 'succeeded'],
      ['review', 'succeeded']
    ])
    // The model saw the phases in this order, each a session of its own.
    const order = sb.model.requests.map(r => r.rule).filter((r, i, all) => r !== all[i - 1])
    expect(order).toEqual(['index', 'research', 'plan', 'implement', 'review'])
    expect(new Set(res.phases.map(p => p.sessionId)).size).toBe(5)

    expect(res.planPath).toMatch(
      /^thoughts\/shared\/plans\/\d{4}-\d\d-\d\d-add-rate-limiting-to-the-api-endpoints\.md$/
    )
    expect(res.reviewPath).toMatch(/^thoughts\/shared\/reviews\/.+\.md$/)
    expect(fs.readFileSync(path.join(sb.repoDir, res.planPath as string), 'utf8')).toContain('# Plan')
    // The review document ends with the validated findings, grouped by severity, each with its lens.
    const review = fs.readFileSync(path.join(sb.repoDir, res.reviewPath as string), 'utf8')
    expect(review).toContain('## Findings by severity')
    expect(review).toMatch(
      /### 🟠 Major \(1\)\n\n- F1 \*\*Test does not exercise the limiter\*\* — `test\.js:1` _\(tests\)_/
    )
    expect(review).toMatch(/### ⚪ Nits \(1\)\n\n- F2 \*\*Magic number\*\* — `src\/rate-limit\.js` _\(correctness\)_/)

    // Hand-off: each phase's prompt names the documents the earlier phases wrote.
    const firstPrompt = (rule: string) => sb.model.requests.find(r => r.rule === rule)?.firstUserText ?? ''
    const [indexDoc] = phase(res, 'index')?.artifacts ?? []
    const [researchDoc] = phase(res, 'research')?.artifacts ?? []
    expect(firstPrompt('research')).toContain(indexDoc)
    expect(firstPrompt('plan')).toContain(indexDoc)
    expect(firstPrompt('plan')).toContain(researchDoc)
    expect(firstPrompt('implement')).toContain(res.planPath)
    expect(firstPrompt('review')).toContain(res.planPath)
    expect(firstPrompt('review')).toContain('+export const LIMIT = 100')

    // Only implement touched source; the only source change is the new file.
    expect(res.changedFiles).toEqual(['src/rate-limit.js'])
    // The user's index is as it was: nothing staged behind their back.
    expect(sb.git('diff', '--cached', '--name-only')).toBe('')
    expect(fs.readFileSync(path.join(sb.repoDir, 'src/api.js'), 'utf8')).toContain('status: 200')

    expect(res.findings).toEqual([
      { ...SAMPLE_FINDINGS.findings[0], id: 'F1' },
      { ...SAMPLE_FINDINGS.findings[1], id: 'F2' }
    ])
    for (const p of res.phases) {
      expect(p.costUsd).toBeGreaterThan(0)
      expect(p.inputTokens).toBeGreaterThan(0)
      expect(p.outputTokens).toBeGreaterThan(0)
      expect(p.turns).toBeGreaterThan(0)
    }
    expect(res.totals.costUsd).toBeCloseTo(
      res.phases.reduce((s, p) => s + p.costUsd, 0),
      6
    )

    // Progress went to stderr as readable lines, stdout carried only the JSON.
    expect(run.stderr).toMatch(/▶ index \(1\/5\)/)
    expect(run.stderr).toContain('· Write src/rate-limit.js')
    expect(run.stderr).toContain('· Bash npm test')
    expect(run.stderr).toMatch(/✔ review \(.*\$0\.\d{4}/)
  })

  it("leaves the user's own uncommitted edits out of the run's changes and the review", async () => {
    sb.model.setRules(standardRules(sb.repoDir))
    // Work in progress, and the file `> result.json` creates before the CLI starts.
    fs.appendFileSync(path.join(sb.repoDir, 'README.md'), 'My own unfinished notes.\n')
    fs.writeFileSync(path.join(sb.repoDir, 'scratch.txt'), 'todo: ask about caching\n')
    fs.writeFileSync(path.join(sb.repoDir, 'result.json'), '')
    const run = await runCli(sb, [TASK])

    expect(run.exitCode).toBe(0)
    expect(run.result.changedFiles).toEqual(['src/rate-limit.js'])
    const review = sb.model.requests.find(r => r.rule === 'review')?.firstUserText ?? ''
    expect(review).toContain('+export const LIMIT = 100')
    expect(review).not.toContain('My own unfinished notes')
    expect(review).not.toContain('scratch.txt')
    expect(review).not.toContain('result.json')
    // The edits are still there, unstaged, as the user left them.
    expect(fs.readFileSync(path.join(sb.repoDir, 'README.md'), 'utf8')).toContain('My own unfinished notes.')
    expect(sb.git('diff', '--cached', '--name-only')).toBe('')
    expect(run.stderr).toContain('3 uncommitted files were there before the run (README.md, result.json, scratch.txt)')
  })

  it('answers a question in plan with OpenAI and resumes the same session with that answer', async () => {
    sb.model.setRules(
      standardRules(sb.repoDir, {
        plan: askThenDocument(
          sb.repoDir,
          'Two options.\n\nQUESTION: Should the limiter keep its counters in Redis or in memory?',
          '# Plan\n\nIn-memory token bucket.\n'
        )
      })
    )
    const run = await runCli(sb, ['--no-implement', TASK], {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${openai.url}/v1`
    })

    expect(run.exitCode).toBe(0)
    const plan = phase(run.result, 'plan')
    expect(plan?.questions).toEqual([
      {
        question: 'Should the limiter keep its counters in Redis or in memory?',
        answer: 'Use an in-memory token bucket; Redis is out of scope.',
        answeredBy: 'openai'
      }
    ])
    // OpenAI was told the task, the phase, the documents so far and the question.
    expect(openai.requests).toHaveLength(1)
    const asked = openai.requests[0]?.body.messages.map(m => m.content).join('\n') ?? ''
    expect(asked).toContain(TASK)
    expect(asked).toContain('Current phase: plan')
    expect(asked).toContain('# Research')
    expect(asked).toContain('Redis or in memory?')
    // The resumed request carries the answer and continues the same conversation.
    const planRequests = sb.model.requests.filter(r => r.rule === 'plan')
    expect(planRequests[1]?.lastUserText).toContain('Use an in-memory token bucket')
    expect(planRequests[1]?.messages.length).toBeGreaterThan(planRequests[0]?.messages.length ?? 0)
    const planSession = plan?.sessionId
    expect(planSession).toBeTruthy()
    // Claude ran in the sandbox with a throwaway HOME: the user's own ~/.claude is untouched.
    expect(fs.existsSync(path.join(sb.home, '.claude', 'projects'))).toBe(false)
    expect(run.stderr).toContain('sandbox: on')
    expect(run.stderr).toContain('? Should the limiter keep its counters in Redis or in memory?')
    expect(run.stderr).toContain('↳ openai: Use an in-memory token bucket')
  })

  it('stops after the plan with --no-implement and changes no source file', async () => {
    sb.model.setRules(standardRules(sb.repoDir))
    const run = await runCli(sb, ['--no-implement', TASK])

    expect(run.exitCode).toBe(0)
    expect(run.result.status).toBe('planned')
    expect(run.result.phases.map(p => p.name)).toEqual(['index', 'research', 'plan'])
    expect(run.result.changedFiles).toEqual([])
    expect(sb.model.requests.some(r => r.rule === 'implement' || r.rule === 'review')).toBe(false)
    const dirty = sb.git('status', '--porcelain', '--untracked-files=all').split('\n')
    expect(dirty.every(l => l.includes('thoughts/shared/'))).toBe(true)
  })

  it("works at the repository's top level when started in a subfolder", async () => {
    sb.model.setRules(standardRules(sb.repoDir))
    const run = await runCli(sb, ['--no-implement', TASK], {}, path.join(sb.repoDir, 'src'))

    expect(run.exitCode).toBe(0)
    expect(run.result.status).toBe('planned')
    expect(run.result.planPath).toMatch(/^thoughts\/shared\/plans\//)
    expect(fs.existsSync(path.join(sb.repoDir, run.result.planPath as string))).toBe(true)
    expect(fs.existsSync(path.join(sb.repoDir, 'src', 'thoughts'))).toBe(false)
    expect(run.stderr).toContain(`in ${fs.realpathSync(sb.repoDir)} (the repository's top level; started in src/)`)
    // Claude itself was started at the top level.
    const index = sb.model.requests.find(r => r.rule === 'index')
    expect(`${index?.system}\n${index?.firstUserText}`.match(/Primary working directory: (\S+)/)?.[1]).toBe(
      fs.realpathSync(sb.repoDir)
    )
  })

  it('names the credential variables before starting when none is set, and takes one from .env.claude', async () => {
    sb.model.setRules(standardRules(sb.repoDir))
    const none = await execa('node', [BIN, '--cwd', sb.repoDir, '--no-implement', TASK], {
      env: sb.env({ ANTHROPIC_API_KEY: '' }),
      extendEnv: false,
      reject: false
    })
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain('Claude Code has no model credential')
    for (const name of [
      'ANTHROPIC_API_KEY',
      'CLAUDE_CODE_OAUTH_TOKEN',
      'ANTHROPIC_AUTH_TOKEN',
      'ANTHROPIC_BASE_URL',
      'CLAUDE_CODE_USE_BEDROCK',
      'CLAUDE_CODE_USE_VERTEX',
      '.env.claude'
    ]) {
      expect(none.stderr).toContain(name)
    }
    expect(none.stderr).not.toContain('Not logged in')
    expect(sb.model.requests).toHaveLength(0)

    // The same key in .env.claude at the top level is enough (kept out of git, as a user would).
    fs.writeFileSync(path.join(sb.repoDir, '.env.claude'), 'ANTHROPIC_API_KEY=test-anthropic-key\n')
    fs.writeFileSync(path.join(sb.repoDir, '.git', 'info', 'exclude'), '.env.claude\n')
    const fromFile = await runCli(sb, ['--no-implement', TASK], { ANTHROPIC_API_KEY: '' })
    expect(fromFile.exitCode).toBe(0)
    expect(fromFile.result.status).toBe('planned')
  })

  it('fails the phase on an API error, skips the rest, and exits 1', async () => {
    sb.model.setRules(standardRules(sb.repoDir, { research: () => ({ httpError: 500 }) }))
    // One retry keeps the test quick; the product keeps Claude Code's default retries.
    const run = await runCli(sb, [TASK], { CLAUDE_CODE_MAX_RETRIES: '1' })

    expect(run.exitCode).toBe(1)
    expect(run.result.status).toBe('failed')
    expect(run.result.failedPhase).toBe('research')
    expect(phase(run.result, 'research')?.error).toMatch(/Anthropic API error 500/)
    expect(run.result.phases.map(p => p.status)).toEqual(['succeeded', 'failed', 'skipped', 'skipped', 'skipped'])
    expect(sb.model.requests.some(r => r.rule === 'plan')).toBe(false)
    expect(run.stderr).toMatch(/✖ research failed .*500/)
  })

  it('fails the first phase when the claude process exits non-zero', async () => {
    sb.model.setRules(standardRules(sb.repoDir))
    const run = await runCli(sb, ['--claude-args=--no-such-flag', TASK])

    expect(run.exitCode).toBe(1)
    expect(run.result.failedPhase).toBe('index')
    expect(phase(run.result, 'index')?.error).toMatch(/Claude Code exited with code \d+.*no-such-flag/)
    expect(run.result.phases.slice(1).every(p => p.status === 'skipped')).toBe(true)
  })

  it('denies a read-only phase its source edits, and fails it if an edit gets through anyway', async () => {
    const sneaky = (req: ModelRequest) =>
      req.turn === 0
        ? {
            text: 'Adding a source file.',
            tools: [write(sb.repoDir, 'src/backdoor.js', 'export {}\n'), write(sb.repoDir, outputPathOf(req), '# R\n')]
          }
        : { text: 'done' }

    // With the phase's own permissions the write is refused and the file is untouched.
    sb.model.setRules(standardRules(sb.repoDir, { research: sneaky }))
    const denied = await runCli(sb, ['--no-implement', TASK])
    expect(denied.result.status).toBe('planned')
    expect(fs.existsSync(path.join(sb.repoDir, 'src/backdoor.js'))).toBe(false)
    const researchResults = sb.model.requests.filter(r => r.rule === 'research')[1]?.lastUserText ?? ''
    expect(researchResults).toContain(
      'Denied: the research phase is read-only; it may write only under thoughts/shared/ (not src/backdoor.js).'
    )

    // If permissions are loosened (here through --claude-args), the workspace check still catches it.
    sb.git('clean', '-fdq')
    const run = await runCli(sb, ['--no-implement', '--claude-args=--allowedTools Write', TASK])
    expect(run.exitCode).toBe(1)
    expect(run.result.failedPhase).toBe('research')
    expect(phase(run.result, 'research')?.error).toMatch(/changed files outside thoughts\/shared\/: src\/backdoor\.js/)
    expect(phase(run.result, 'plan')?.status).toBe('skipped')
  })

  it('puts back what a phase changes in .git before the workspace check, so an exclude rule hides nothing', async () => {
    // Claude Code refuses a plain `> .git/hooks/x` redirect; a script it cannot look into is another matter.
    const script = [
      "printf '#!/bin/sh\\necho ran >> ../hook-ran\\n' > .git/hooks/post-commit",
      'chmod +x .git/hooks/post-commit',
      "echo 'notes/' >> .git/info/exclude",
      'mkdir -p notes',
      'echo todo > notes/todo.md'
    ].join('\n')
    const sneaky = (req: ModelRequest) =>
      req.turn === 0
        ? {
            text: 'Researching.',
            tools: [
              write(sb.repoDir, 'thoughts/shared/setup.sh', `${script}\n`),
              write(sb.repoDir, outputPathOf(req), '# R\n')
            ]
          }
        : req.turn === 1
          ? {
              text: 'Setting up.',
              tools: [{ name: 'Bash', input: { command: 'sh thoughts/shared/setup.sh', description: 'set up' } }]
            }
          : { text: 'done' }
    sb.model.setRules(standardRules(sb.repoDir, { research: sneaky }))
    const exclude = fs.readFileSync(path.join(sb.repoDir, '.git', 'info', 'exclude'), 'utf8')

    // Bash loosened through --claude-args, as a repository's own settings could, and no sandbox
    // (which would refuse the write into .git/hooks): the restore must hold on its own.
    const run = await runCli(sb, ['--no-implement', '--sandbox', 'off', '--claude-args=--allowedTools Bash', TASK])
    // The script ran: the phase saw no refusal.
    expect(sb.model.requests.filter(r => r.rule === 'research')[2]?.lastUserText).not.toMatch(/denied|error/i)
    expect(run.exitCode).toBe(1)
    expect(phase(run.result, 'research')).toMatchObject({
      status: 'failed',
      restored: ['.git/hooks/post-commit', '.git/info/exclude'],
      error: expect.stringMatching(/changed files outside thoughts\/shared\/: notes\/todo\.md$/)
    })
    expect(run.stderr).toContain("put back what it changed in git's setup: .git/hooks/post-commit, .git/info/exclude")
    expect(fs.existsSync(path.join(sb.repoDir, '.git', 'hooks', 'post-commit'))).toBe(false)
    expect(fs.readFileSync(path.join(sb.repoDir, '.git', 'info', 'exclude'), 'utf8')).toBe(exclude)
  })

  it('names what the phase was refused when it ends without its document', async () => {
    sb.model.setRules(
      standardRules(sb.repoDir, {
        plan: [
          { text: 'Writing the plan.', tools: [write(sb.repoDir, 'docs/plan.md', '# Plan\n')] },
          { text: 'Wrote docs/plan.md.' }
        ]
      })
    )
    const run = await runCli(sb, ['--no-implement', TASK])

    expect(run.exitCode).toBe(1)
    expect(phase(run.result, 'plan')?.error).toMatch(
      /^the plan phase finished without writing its document in thoughts\/shared\/ \(expected thoughts\/shared\/plans\/.+\.md\); refused: Write docs\/plan\.md$/
    )
    expect(fs.existsSync(path.join(sb.repoDir, 'docs/plan.md'))).toBe(false)
  })

  it("uses the repository's own .claude/commands/create_plan.md for the plan phase", async () => {
    fs.mkdirSync(path.join(sb.repoDir, '.claude', 'commands'), { recursive: true })
    fs.writeFileSync(
      path.join(sb.repoDir, '.claude', 'commands', 'create_plan.md'),
      'HOUSE PLANNING RULES: plan in three bullet points.\n\nArguments: $ARGUMENTS\n'
    )
    sb.git('add', '-A')
    sb.git('commit', '-qm', 'add command')
    const rules = standardRules(sb.repoDir).filter(r => r.name !== 'plan')
    rules.push({
      name: 'plan',
      match: req => req.firstUserText.includes('HOUSE PLANNING RULES'),
      replies: documentPhase(sb.repoDir, () => '# House plan\n')
    })
    sb.model.setRules(rules)
    const run = await runCli(sb, ['--no-implement', TASK])

    expect(run.exitCode).toBe(0)
    const planPrompt = sb.model.requests.find(r => r.rule === 'plan')?.firstUserText ?? ''
    expect(planPrompt).toContain('HOUSE PLANNING RULES: plan in three bullet points.')
    // $ARGUMENTS carried the task, the earlier documents and the output path.
    expect(planPrompt).toContain(`Arguments: The task below was written by a user.`)
    expect(planPrompt).toContain(`<task>\n${TASK}\n</task>`)
    expect(planPrompt).toContain(phase(run.result, 'research')?.artifacts[0])
    expect(planPrompt).not.toContain('# Phase: create the implementation plan')
    expect(run.result.planPath).toMatch(/^thoughts\/shared\/plans\//)
  })

  it('detects Azure OpenAI from .env.claude, and falls back when no answerer is configured', async () => {
    const asking = askThenDocument(sb.repoDir, 'QUESTION: Which header carries the client id?', '# Plan\n')
    sb.model.setRules(standardRules(sb.repoDir, { plan: asking }))

    fs.writeFileSync(
      path.join(sb.repoDir, '.env.claude'),
      [
        '# answerer',
        'AZURE_OPENAI_API_KEY=azure-test-key',
        `AZURE_OPENAI_ENDPOINT=${openai.url}`,
        'AZURE_OPENAI_DEPLOYMENT="gpt-small"',
        'AZURE_OPENAI_API_VERSION=2024-10-21'
      ].join('\n')
    )
    const azure = await runCli(sb, ['--no-implement', TASK])
    expect(azure.exitCode).toBe(0)
    expect(phase(azure.result, 'plan')?.questions[0]).toMatchObject({
      question: 'Which header carries the client id?',
      answeredBy: 'azure',
      answer: 'Use an in-memory token bucket; Redis is out of scope.'
    })
    expect(openai.requests[0]?.path).toMatch(
      /^\/openai\/deployments\/gpt-small\/chat\/completions\?api-version=2024-10-21/
    )
    expect(openai.requests[0]?.headers['api-key']).toBe('azure-test-key')
    expect(azure.stderr).toContain('questions: Azure OpenAI deployment gpt-small')

    // No answerer: the fixed instruction is sent and recorded as the fallback.
    fs.rmSync(path.join(sb.repoDir, '.env.claude'))
    sb.git('clean', '-fdq')
    const before = sb.model.requests.length
    const fallback = await runCli(sb, ['--no-implement', TASK])
    expect(fallback.exitCode).toBe(0)
    expect(phase(fallback.result, 'plan')?.questions[0]).toEqual({
      question: 'Which header carries the client id?',
      answer: FALLBACK_ANSWER,
      answeredBy: 'fallback'
    })
    const resumed = sb.model.requests.slice(before).filter(r => r.rule === 'plan')[1]
    expect(resumed?.lastUserText).toContain('Proceed with the most reasonable assumption')
  })

  it('stops a phase that runs past its timeout, killing claude, and fails the run', async () => {
    sb.model.setRules(standardRules(sb.repoDir, { research: () => ({ delayMs: 60000, text: 'late' }) }))
    const started = Date.now()
    const run = await runCli(sb, ['--phase-timeout-minutes', '0.1', TASK])

    expect(run.exitCode).toBe(1)
    expect(run.result.failedPhase).toBe('research')
    expect(phase(run.result, 'research')?.error).toMatch(
      /did not finish within the 6 seconds phase timeout; Claude Code was stopped/
    )
    // The run ended long before the scripted model would have answered.
    expect(Date.now() - started).toBeLessThan(45000)
  })

  it('stops Claude when the CLI is interrupted (Ctrl-C), leaving no process behind', async () => {
    sb.model.setRules(standardRules(sb.repoDir, { research: () => ({ delayMs: 60000, text: 'late' }) }))
    const child = execa('node', [BIN, '--cwd', sb.repoDir, TASK], { env: sb.env(), extendEnv: false, reject: false })
    await new Promise<void>((resolve, reject) => {
      let seen = ''
      child.stderr?.on('data', (chunk: Buffer) => {
        seen += chunk.toString()
        if (seen.includes('▶ research')) resolve()
      })
      void child.then(() => reject(new Error(`the CLI ended before research started:\n${seen}`)))
    })
    // Let claude start and send its request, then interrupt as a terminal would.
    while (!sb.model.requests.some(r => r.rule === 'research')) await new Promise(r => setTimeout(r, 100))
    child.kill('SIGINT')
    const result = await child
    expect(result.exitCode).toBe(130)

    const inRepo = () =>
      fs.readdirSync('/proc').filter(pid => {
        if (!/^\d+$/.test(pid)) return false
        try {
          return fs.readlinkSync(`/proc/${pid}/cwd`) === sb.repoDir
        } catch {
          return false
        }
      })
    for (let i = 0; i < 30 && inRepo().length; i++) await new Promise(r => setTimeout(r, 100))
    expect(inRepo()).toEqual([])
  })

  it('keeps the work of an implement that timed out, and --resume finishes it with no model request for index, research or plan', async () => {
    const allow = "import { LIMIT } from './rate-limit.js'\nexport const allow = (n) => n < LIMIT\n"
    sb.model.setRules(
      standardRules(sb.repoDir, {
        implement: req => {
          // The first session writes half the change and then hangs; the resumed one finishes it.
          if (!req.firstUserText.includes('continues an earlier attempt')) {
            return req.turn === 0
              ? {
                  text: 'Starting: the limit first, then allow().',
                  tools: [
                    write(sb.repoDir, 'src/rate-limit.js', 'export const LIMIT = 100\n'),
                    { name: 'Bash', input: { command: 'sleep 60', description: 'wait' } }
                  ]
                }
              : { text: 'still here' }
          }
          return req.turn === 0
            ? { text: 'Finishing.', tools: [write(sb.repoDir, 'src/allow.js', allow)] }
            : { text: 'Done: allow() uses the limit.' }
        }
      })
    )
    const stopped = await runCli(sb, ['--phase-timeout-minutes', '0.1', TASK])
    expect(stopped.exitCode).toBe(1)
    expect(stopped.result.failedPhase).toBe('implement')
    const { runId, kept } = JSON.parse(stopped.stdout) as { runId: string; kept: { sha: string; ref: string } }
    // The half-done change is still in the work tree, and kept as a commit on no branch; the user's branch is untouched.
    expect(fs.readFileSync(path.join(sb.repoDir, 'src/rate-limit.js'), 'utf8')).toBe('export const LIMIT = 100\n')
    expect(kept.ref).toBe(`refs/orchestrator/runs/${runId}`)
    expect(sb.git('rev-parse', kept.ref)).toBe(kept.sha)
    expect(sb.git('show', `${kept.sha}:src/rate-limit.js`)).toBe('export const LIMIT = 100')
    expect(sb.git('log', '-1', '--format=%s', kept.sha)).toMatch(
      new RegExp(
        `^orchestrator: unfinished run ${runId} \\(stopped in implement: did not finish within the 6 seconds phase timeout`
      )
    )
    expect(sb.git('log', '--format=%s', 'main')).toBe('initial')
    expect(stopped.stderr).toContain(`Continue with: orchestrator --resume ${runId}`)

    const before = sb.model.requests.length
    const resumed = await runCli(sb, ['--resume', runId])
    if (resumed.exitCode !== 0) throw new Error(resumed.stderr)
    expect(resumed.result.status).toBe('completed')
    // Only implement and review asked the model anything; the finished phases were reused as they were.
    expect([...new Set(sb.model.requests.slice(before).map(r => r.rule))]).toEqual(['implement', 'review'])
    expect(JSON.parse(resumed.stdout).resumed).toEqual({
      runId,
      from: 'implement',
      reused: ['index', 'research', 'plan'],
      attempt: 2
    })
    expect(resumed.result.phases.map(p => [p.name, p.status, p.reused ?? false, p.costUsd])).toEqual([
      ['index', 'succeeded', true, 0],
      ['research', 'succeeded', true, 0],
      ['plan', 'succeeded', true, 0],
      ['implement', 'succeeded', false, expect.any(Number)],
      ['review', 'succeeded', false, expect.any(Number)]
    ])
    expect(resumed.result.planPath).toBe(stopped.result.phases[2]?.artifacts[0])
    // The new implement session was told what the stopped one did: the diff so far and its last words.
    const implement = sb.model.requests.slice(before).find(r => r.rule === 'implement')?.firstUserText ?? ''
    expect(implement).toContain(
      'This continues an earlier attempt that stopped (did not finish within the 6 seconds phase timeout'
    )
    expect(implement).toContain('+export const LIMIT = 100')
    expect(implement).toContain('Starting: the limit first, then allow().')
    expect(implement).toContain(resumed.result.planPath)
    // The run's changes are measured from where it started, both attempts included.
    expect(resumed.result.changedFiles).toEqual(['src/allow.js', 'src/rate-limit.js'])
    const review = sb.model.requests.slice(before).find(r => r.rule === 'review')?.firstUserText ?? ''
    expect(review).toContain('+export const LIMIT = 100')
    expect(review).toContain('+export const allow')
    expect(resumed.stderr).toContain(`resuming run ${runId} from implement (reused: index, research, plan)`)
    expect(() => sb.git('rev-parse', '--verify', '-q', kept.ref)).toThrow()

    // Nothing is left to resume, by id or by branch; a name that is neither says so. None of these starts Claude.
    const afterResume = sb.model.requests.length
    const cli = (...args: string[]) =>
      execa('node', [BIN, '--cwd', sb.repoDir, ...args], { env: sb.env(), extendEnv: false, reject: false })
    const again = await cli('--resume', runId)
    expect(again.exitCode).toBe(2)
    expect(again.stderr).toContain(`run ${runId} already finished (completed): there is nothing to resume`)
    const byBranch = await cli('--resume', 'main')
    expect(byBranch.exitCode).toBe(2)
    expect(byBranch.stderr).toContain(`the latest run on branch main, ${runId}, already finished (completed)`)
    const unknown = await cli('--resume', 'no-such-run')
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('no orchestrator run or branch named "no-such-run" in this repository')
    expect(sb.model.requests.length).toBe(afterResume)
  })

  it('keeps an implement stopped by --max-turns, resumes it, and after a failed review resumes only the review', async () => {
    const implement = (req: ModelRequest) => {
      if (!req.firstUserText.includes('continues an earlier attempt')) {
        // Three turns: with --max-turns 2 Claude Code stops after the edit and the check.
        if (req.turn === 0)
          return {
            text: 'Adding the limit.',
            tools: [write(sb.repoDir, 'src/rate-limit.js', 'export const LIMIT = 100\n')]
          }
        if (req.turn === 1)
          return { text: 'Checking.', tools: [{ name: 'Bash', input: { command: 'npm test', description: 'test' } }] }
        return { text: 'Done.' }
      }
      return req.turn === 0
        ? { text: 'Finishing.', tools: [write(sb.repoDir, 'src/allow.js', 'export const allow = n => n < 100\n')] }
        : { text: 'Done.' }
    }
    const brokenReview = (req: ModelRequest) =>
      req.turn === 0
        ? { text: 'Reviewing.', tools: [write(sb.repoDir, outputPathOf(req), '# Review\n')] }
        : { text: 'Looks fine.' }
    sb.model.setRules(standardRules(sb.repoDir, { implement, review: brokenReview }))
    const stopped = await runCli(sb, ['--max-turns', '2', TASK])
    expect(stopped.result.failedPhase).toBe('implement')
    expect(phase(stopped.result, 'implement')?.error).toMatch(/^Claude Code stopped: Reached maximum number of turns/)
    const { runId } = JSON.parse(stopped.stdout) as { runId: string }

    // The resumed implement finishes; the review then fails (no structured findings): the run stops there.
    const second = await runCli(sb, ['--resume', runId])
    expect(second.result.failedPhase).toBe('review')
    expect(second.result.phases.find(p => p.name === 'implement')).toMatchObject({ status: 'succeeded' })
    expect(
      sb.model.requests.find(r => r.rule === 'implement' && r.firstUserText.includes('continues an earlier attempt'))
        ?.firstUserText
    ).toContain('This continues an earlier attempt that stopped (Claude Code stopped: Reached maximum number of turns')

    // Now only the review runs: implement is reused with its work in the tree.
    sb.model.setRules(standardRules(sb.repoDir, { implement }))
    const before = sb.model.requests.length
    const third = await runCli(sb, ['--resume', 'main'])
    if (third.exitCode !== 0) throw new Error(third.stderr)
    expect([...new Set(sb.model.requests.slice(before).map(r => r.rule))]).toEqual(['review'])
    expect(JSON.parse(third.stdout).resumed).toEqual({
      runId,
      from: 'review',
      reused: ['index', 'research', 'plan', 'implement'],
      attempt: 3
    })
    expect(third.result.changedFiles).toEqual(['src/allow.js', 'src/rate-limit.js'])
    expect(third.stderr).toContain('✔ implement reused: its work from an earlier run is in the tree')
  })

  it('accepts a resumed implement that finds the stopped attempt already did everything', async () => {
    const implement = (req: ModelRequest) => {
      if (req.firstUserText.includes('continues an earlier attempt')) return { text: 'Everything is already in place.' }
      if (req.turn === 0)
        return {
          text: 'Adding the limit.',
          tools: [
            write(sb.repoDir, 'src/rate-limit.js', 'export const LIMIT = 100\n'),
            write(sb.repoDir, 'src/allow.js', 'export const allow = n => n < 100\n')
          ]
        }
      if (req.turn === 1)
        return { text: 'Checking.', tools: [{ name: 'Bash', input: { command: 'npm test', description: 'test' } }] }
      return { text: 'Done.' }
    }
    sb.model.setRules(standardRules(sb.repoDir, { implement }))
    const stopped = await runCli(sb, ['--max-turns', '2', TASK])
    expect(stopped.result.failedPhase).toBe('implement')
    const { runId } = JSON.parse(stopped.stdout) as { runId: string }

    // The kept work is the run's change: a session with nothing left to do is not "changed nothing".
    const resumed = await runCli(sb, ['--resume', runId])
    if (resumed.exitCode !== 0) throw new Error(resumed.stderr)
    expect(resumed.result.status).toBe('completed')
    expect(resumed.result.changedFiles).toEqual(['src/allow.js', 'src/rate-limit.js'])
  })

  it('fails the phase that exhausts --max-budget-usd and runs nothing after it', async () => {
    // Each scripted turn costs about $0.001; index needs two turns, research would need more than is left.
    sb.model.setRules(standardRules(sb.repoDir))
    const run = await runCli(sb, ['--max-budget-usd', '0.003', TASK])

    expect(run.exitCode).toBe(1)
    expect(run.result.status).toBe('failed')
    const failed = phase(run.result, run.result.failedPhase ?? 'index')
    expect(failed?.error).toMatch(/budget/)
    expect(run.result.totals.costUsd).toBeLessThanOrEqual(0.0041)
    expect(run.result.phases.filter(p => p.status === 'skipped').length).toBeGreaterThan(0)
  })

  it('fails a phase that needs more turns than --max-turns allows', async () => {
    sb.model.setRules(standardRules(sb.repoDir))
    // Every scripted phase needs two turns (write, then report).
    const run = await runCli(sb, ['--max-turns', '1', '--no-implement', TASK])

    expect(run.exitCode).toBe(1)
    expect(run.result.failedPhase).toBe('index')
    // The reason is Claude Code's own (the result's errors[]), naming the limit that was set.
    expect(phase(run.result, 'index')?.error).toMatch(/^Claude Code stopped: Reached maximum number of turns \(\d+\)$/)
  })

  it('exits 2 with a message naming the problem on bad usage', async () => {
    const r = await execa('node', [BIN, '--max-budget-usd', 'lots', 'task'], {
      env: sb.env(),
      extendEnv: false,
      reject: false
    })
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('--max-budget-usd must be a positive number, got "lots"')
    expect(r.stdout).toBe('')
    const noTask = await execa('node', [BIN], { env: sb.env(), extendEnv: false, reject: false })
    expect(noTask.exitCode).toBe(2)
    expect(noTask.stderr).toContain('no task given')
  })
})
