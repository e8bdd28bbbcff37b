/**
 * Which `claude` the action runs: claude_path, else one on PATH, else the
 * pinned Claude Code version installed with npm into the runner's tool cache.
 */
import * as core from '@actions/core'
import { execa } from 'execa'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ClaudeNotFoundError, locateClaude } from '../claude/locate.js'

/** The Claude Code version this release is tested with. */
export const PINNED_CLAUDE_CODE_VERSION = '2.1.197'

export async function resolveClaude(opts: {
  claudePath?: string
  pathVar?: string
  workspace: string
  toolCache?: string
}): Promise<string> {
  if (opts.claudePath) return locateClaude({ explicit: opts.claudePath, cwd: opts.workspace })
  try {
    // The action's own folder has no node_modules: only PATH and the checkout count.
    return locateClaude({ pathVar: opts.pathVar, cwd: opts.workspace, besideSelf: false })
  } catch (err) {
    if (!(err instanceof ClaudeNotFoundError)) throw err
  }
  const dir = path.join(opts.toolCache ?? os.tmpdir(), 'orchestrator-claude-code', PINNED_CLAUDE_CODE_VERSION)
  const bin = path.join(dir, 'node_modules', '.bin', 'claude')
  if (!fs.existsSync(bin)) {
    core.info(`Installing Claude Code ${PINNED_CLAUDE_CODE_VERSION} into ${dir}`)
    fs.mkdirSync(dir, { recursive: true })
    await execa('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', `@anthropic-ai/claude-code@${PINNED_CLAUDE_CODE_VERSION}`], {
      stdio: 'inherit',
      env: opts.pathVar ? { PATH: opts.pathVar } : undefined
    })
  }
  return locateClaude({ explicit: bin, cwd: opts.workspace })
}
