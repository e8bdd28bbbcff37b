/**
 * A throwaway world for one end-to-end test: a small git project, an empty
 * HOME for Claude Code, and the scripted model server it talks to.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { startScriptedModel, type Rule, type ScriptedModel } from './model-server.js'

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..')
export const CLAUDE_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'claude')

export const SAMPLE_FILES: Record<string, string> = {
  'package.json':
    JSON.stringify({ name: 'sample-api', version: '1.0.0', scripts: { test: 'node test.js' } }, null, 2) + '\n',
  'src/api.js': 'export function handle(req) {\n  return { status: 200, body: "ok" }\n}\n',
  'test.js': 'import("./src/api.js").then(m => { if (m.handle({}).status !== 200) process.exit(1) })\n',
  'README.md': '# sample-api\n'
}

export interface Sandbox {
  root: string
  repoDir: string
  home: string
  model: ScriptedModel
  /** Environment for a claude child or the orchestrator CLI: offline, throwaway HOME. */
  env(extra?: Record<string, string>): Record<string, string>
  git(...args: string[]): string
  cleanup(): Promise<void>
}

export function gitIn(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    fs.writeFileSync(path.join(dir, rel), content)
  }
}

export async function createSandbox(opts: { files?: Record<string, string>; rules?: Rule[] } = {}): Promise<Sandbox> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'orch-'))
  const repoDir = path.join(root, 'repo')
  const home = path.join(root, 'home')
  fs.mkdirSync(repoDir)
  fs.mkdirSync(home)
  writeFiles(repoDir, opts.files ?? SAMPLE_FILES)
  gitIn(repoDir, ['init', '-q', '-b', 'main'])
  gitIn(repoDir, ['config', 'user.email', 'test@example.com'])
  gitIn(repoDir, ['config', 'user.name', 'Test'])
  gitIn(repoDir, ['add', '-A'])
  gitIn(repoDir, ['commit', '-q', '-m', 'initial'])
  const model = await startScriptedModel(opts.rules ?? [])
  return {
    root,
    repoDir,
    home,
    model,
    env: (extra = {}) => ({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      ANTHROPIC_BASE_URL: model.url,
      ANTHROPIC_API_KEY: 'test-anthropic-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_PATH: CLAUDE_BIN,
      ...extra
    }),
    git: (...args) => gitIn(repoDir, args),
    cleanup: async () => {
      await model.close()
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
}
