/**
 * The local CLI installed the way the README's "Local CLI" section says, from
 * the packed project rather than this checkout: `npm install -g <tarball>`,
 * `npm install -g <git URL>` and `npx --package <tarball> orchestrator`, each
 * into a throwaway prefix or cache, then run in another git repository against
 * the scripted model with the real Claude Code CLI, in the sandbox. npm
 * resolves the package's dependencies from a local registry serving this
 * checkout's node_modules, so nothing leaves the machine.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { execa } from 'execa'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { RunResult } from '../src/engine/types.js'
import { startLocalRegistry, type LocalRegistry } from './support/npm-registry.js'
import { standardRules } from './support/phase-scripts.js'
import { CLAUDE_BIN, createSandbox, gitIn, REPO_ROOT, type Sandbox } from './support/sandbox.js'

const TASK = 'Add rate limiting to the API endpoints'
/** What the bundle cannot carry: loaded from node_modules beside the CLI at run time (src/sandbox/runtime.ts). */
const LOADED_AT_RUN_TIME = ['@anthropic-ai/sandbox-runtime']

let root: string
let tarball: string
let packed: { files: Array<{ path: string }> }
let registry: LocalRegistry
let sb: Sandbox

/** PATH without this checkout's folders (jest runs with node_modules/.bin on it): the installed CLI must stand alone. */
const cleanPath = (process.env.PATH ?? '/usr/bin:/bin')
  .split(path.delimiter)
  .filter(dir => dir && !path.resolve(dir).startsWith(REPO_ROOT))
  .join(path.delimiter)

/** npm as a user's shell runs it, pointed at the local registry and a throwaway cache and config. */
function npmEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: cleanPath,
    HOME: path.join(root, 'home'),
    npm_config_registry: registry.url,
    npm_config_cache: path.join(root, 'npm-cache'),
    npm_config_userconfig: path.join(root, 'npmrc'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extra
  }
}

async function npm(args: string[], cwd: string = root): Promise<void> {
  const r = await execa('npm', args, { cwd, env: npmEnv(), extendEnv: false, reject: false })
  if (r.exitCode !== 0)
    throw new Error(
      `npm ${args.join(' ')} failed (${r.exitCode}):\n${r.stderr}\nregistry misses: ${registry.missing.join(', ')}`
    )
}

/** The installed CLI in the sample repository, as a user runs it there (no --cwd), with the model's environment. */
async function runInstalled(
  file: string,
  args: string[],
  env: Record<string, string> = {}
): Promise<{ exitCode: number; stderr: string; result: RunResult }> {
  const { CLAUDE_PATH: _unused, ...modelEnv } = sb.env()
  const r = await execa(file, ['--claude-path', CLAUDE_BIN, '--json', ...args], {
    cwd: sb.repoDir,
    env: { ...modelEnv, PATH: cleanPath, ...env },
    extendEnv: false,
    reject: false
  })
  try {
    return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr), result: JSON.parse(String(r.stdout)) as RunResult }
  } catch {
    throw new Error(`${file} printed no JSON (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`)
  }
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'orch-install-'))
  fs.mkdirSync(path.join(root, 'home'))
  fs.writeFileSync(path.join(root, 'npmrc'), '')
  registry = await startLocalRegistry(REPO_ROOT)
  const r = await execa('npm', ['pack', '--json', '--pack-destination', root], {
    cwd: REPO_ROOT,
    env: npmEnv(),
    extendEnv: false
  })
  const [info] = JSON.parse(String(r.stdout)) as Array<{ filename: string; files: Array<{ path: string }> }>
  packed = info as { files: Array<{ path: string }> }
  tarball = path.join(root, (info as { filename: string }).filename)
}, 120000)
afterAll(async () => {
  await registry?.close()
  fs.rmSync(root, { recursive: true, force: true })
})
beforeEach(async () => {
  sb = await createSandbox()
  sb.model.setRules(standardRules(sb.repoDir))
})
afterEach(async () => {
  await sb.cleanup()
})

describe('the packed CLI', () => {
  it('ships the bundled CLI and nothing else, and depends only on what the bundle cannot carry', () => {
    expect(packed.files.map(f => f.path).sort()).toEqual([
      'README.md',
      'bin/orchestrator.js',
      'dist/cli/index.js',
      'dist/cli/package.json',
      'package.json'
    ])
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>
      scripts?: Record<string, string>
    }
    // Everything else is inside dist/cli/index.js; listing it here would only make users download it.
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual(LOADED_AT_RUN_TIME)
    // npm prepares a git dependency with these (a full dev install in a temp folder) before packing it.
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'build'])
      expect(manifest.scripts?.[script]).toBeUndefined()
  })

  it('npm install -g <tarball>: `orchestrator` runs a full run in another repository, in the sandbox', async () => {
    const prefix = path.join(root, 'global')
    await npm(['install', '-g', '--prefix', prefix, tarball])
    const bin = path.join(prefix, 'bin', 'orchestrator')
    expect(fs.realpathSync(bin)).toBe(
      path.join(prefix, 'lib', 'node_modules', 'orchestrator', 'bin', 'orchestrator.js')
    )

    const run = await runInstalled(bin, [TASK])
    expect(run.exitCode).toBe(0)
    expect(run.result.status).toBe('completed')
    expect(run.result.changedFiles).toEqual(['src/rate-limit.js'])
    // The sandbox runtime was found beside the installed CLI, not in this checkout.
    expect(run.stderr).toContain('sandbox: on')
    expect(
      fs.existsSync(
        path.join(prefix, 'lib', 'node_modules', 'orchestrator', 'node_modules', '@anthropic-ai', 'sandbox-runtime')
      )
    ).toBe(true)
    expect(fs.existsSync(path.join(prefix, 'lib', 'node_modules', 'orchestrator', 'node_modules', 'openai'))).toBe(
      false
    )
    expect(registry.requested).toContain('@anthropic-ai/sandbox-runtime')
    expect(sb.model.requests.map(r => r.rule).filter((r, i, all) => r !== all[i - 1])).toEqual([
      'index',
      'research',
      'plan',
      'implement',
      'review'
    ])
  })

  it('npx --package <tarball> orchestrator: runs without installing anything into the repository', async () => {
    const r = await execa(
      'npx',
      ['--package', tarball, 'orchestrator', '--claude-path', CLAUDE_BIN, '--json', '--no-implement', TASK],
      {
        cwd: sb.repoDir,
        env: { ...npmEnv(), ...sb.env(), PATH: cleanPath, HOME: sb.home },
        extendEnv: false,
        reject: false
      }
    )
    if (r.exitCode !== 0) throw new Error(`npx failed (${r.exitCode}):\n${r.stdout}\n${r.stderr}`)
    const result = JSON.parse(String(r.stdout)) as RunResult
    expect(result.status).toBe('planned')
    expect(String(r.stderr)).toContain('sandbox: on')
    // Only the run's documents appeared: no node_modules, no package-lock.json in the user's repository.
    const dirty = sb.git('status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean)
    expect(dirty.every(line => line.includes('thoughts/shared/'))).toBe(true)
  })

  it('npm install -g <git URL>: installs from a repository without a build step', async () => {
    // A git repository holding this work tree as it is now (committed or not), as a clone of the project would.
    const repo = path.join(root, 'orchestrator.git')
    const asRepo = (...args: string[]) => gitIn(REPO_ROOT, [`--git-dir=${repo}`, `--work-tree=${REPO_ROOT}`, ...args])
    gitIn(root, ['init', '-q', '--bare', repo])
    asRepo('add', '-A')
    asRepo('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'snapshot')
    const prefix = path.join(root, 'from-git')
    await npm(['install', '-g', '--prefix', prefix, `git+file://${repo}`])

    const run = await runInstalled(path.join(prefix, 'bin', 'orchestrator'), ['--no-implement', TASK])
    expect(run.exitCode).toBe(0)
    expect(run.result.status).toBe('planned')
    expect(run.stderr).toContain('sandbox: on')
    // No dev dependency (Claude Code, jest, TypeScript) was installed to prepare it.
    expect(registry.requested).not.toContain('typescript')
  })
})
