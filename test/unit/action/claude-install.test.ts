import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkClaudeVersion, PINNED_CLAUDE_CODE_VERSION, resolveClaude } from '../../../src/action/claude-install.js'

let root: string
let bin: string
let npmLog: string

function executable(file: string, body: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 })
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'claude-install-'))
  bin = path.join(root, 'bin')
  npmLog = path.join(root, 'npm-args')
  // A stand-in npm: records its arguments and installs a claude executable where npm would.
  executable(
    path.join(bin, 'npm'),
    `echo "$@" >> "${npmLog}"\nprefix="$3"\nmkdir -p "$prefix/node_modules/.bin"\nprintf '#!/bin/sh\\necho claude\\n' > "$prefix/node_modules/.bin/claude"\nchmod +x "$prefix/node_modules/.bin/claude"`
  )
  fs.mkdirSync(path.join(root, 'workspace'))
})
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('resolveClaude', () => {
  const opts = () => ({
    pathVar: `${bin}:/usr/bin:/bin`,
    workspace: path.join(root, 'workspace'),
    toolCache: path.join(root, 'cache')
  })

  it('installs the pinned Claude Code into the tool cache when none is available, once', async () => {
    const found = await resolveClaude(opts())
    expect(found).toBe(
      path.join(root, 'cache', 'orchestrator-claude-code', PINNED_CLAUDE_CODE_VERSION, 'node_modules', '.bin', 'claude')
    )
    expect(fs.readFileSync(npmLog, 'utf8').trim()).toBe(
      `install --prefix ${path.dirname(path.dirname(path.dirname(found)))} --no-save --no-audit --no-fund @anthropic-ai/claude-code@${PINNED_CLAUDE_CODE_VERSION}`
    )
    // A second run on the same runner reuses the cached install.
    expect(await resolveClaude(opts())).toBe(found)
    expect(fs.readFileSync(npmLog, 'utf8').trim().split('\n')).toHaveLength(1)
  })

  it('prefers claude_path, then claude on PATH, and installs nothing', async () => {
    executable(path.join(root, 'tools', 'my-claude'), 'echo mine')
    expect(await resolveClaude({ ...opts(), claudePath: path.join(root, 'tools', 'my-claude') })).toBe(
      path.join(root, 'tools', 'my-claude')
    )
    executable(path.join(bin, 'claude'), 'echo path')
    expect(await resolveClaude(opts())).toBe(path.join(bin, 'claude'))
    expect(fs.existsSync(npmLog)).toBe(false)
  })

  it('never runs a claude from the checkout: not from its node_modules, not from a PATH entry inside it, not as claude_path', async () => {
    const ws = path.join(root, 'workspace')
    executable(path.join(ws, 'node_modules', '.bin', 'claude'), 'echo planted')
    const planted = await resolveClaude({
      ...opts(),
      pathVar: `${path.join(ws, 'node_modules', '.bin')}:${bin}:/usr/bin:/bin`
    })
    expect(planted).toBe(
      path.join(root, 'cache', 'orchestrator-claude-code', PINNED_CLAUDE_CODE_VERSION, 'node_modules', '.bin', 'claude')
    )
    await expect(
      resolveClaude({ ...opts(), claudePath: path.join(ws, 'node_modules', '.bin', 'claude') })
    ).rejects.toThrow(
      /refusing to run .*workspace\/node_modules\/\.bin\/claude: it is inside the repository under work/
    )
  })
})

describe('checkClaudeVersion', () => {
  it('accepts the 2.x releases from 2.1 on and names the version', () => {
    expect(checkClaudeVersion('2.1.197 (Claude Code)\n', '/x/claude')).toBe('2.1.197')
    expect(checkClaudeVersion('2.4.0 (Claude Code)', '/x/claude')).toBe('2.4.0')
  })

  it('refuses an older or newer major, or something that is not Claude Code, saying what to do', () => {
    expect(() => checkClaudeVersion('1.0.128 (Claude Code)', '/x/claude')).toThrow(
      `Claude Code 1.0.128 at /x/claude is not supported: this release needs 2.1 or a later 2.x (tested with ${PINNED_CLAUDE_CODE_VERSION}). Leave claude_path empty to use the tested version.`
    )
    expect(() => checkClaudeVersion('3.0.0', '/x/claude')).toThrow('not supported')
    expect(() => checkClaudeVersion('hello', '/x/evil')).toThrow('/x/evil does not look like Claude Code')
  })
})
