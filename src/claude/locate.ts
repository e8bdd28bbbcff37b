/**
 * Finds the `claude` executable: an explicit path first, then PATH, then the
 * package's own node_modules/.bin (where `npm ci` puts the pinned CLI).
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

function onPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    if (isExecutable(candidate)) return candidate
  }
  return null
}

function inNodeModules(startDirs: string[]): string | null {
  for (const start of startDirs) {
    let dir = path.resolve(start)
    for (;;) {
      const candidate = path.join(dir, 'node_modules', '.bin', 'claude')
      if (isExecutable(candidate)) return candidate
      const parent = path.dirname(dir)
      if (parent === dir) break
      dir = parent
    }
  }
  return null
}

export class ClaudeNotFoundError extends Error {}

export function locateClaude(opts: {
  explicit?: string
  pathVar?: string
  cwd: string
  /** Folders whose node_modules/.bin (and their parents') may hold claude. Default: cwd and this package's own files. */
  nodeModulesFrom?: string[]
}): string {
  if (opts.explicit) {
    const resolved = path.resolve(opts.cwd, opts.explicit)
    if (!isExecutable(resolved)) {
      throw new ClaudeNotFoundError(
        `claude_path / --claude-path points to ${resolved}, which is not an executable file`
      )
    }
    return resolved
  }
  const here = path.dirname(fileURLToPath(import.meta.url))
  const found = onPath('claude', opts.pathVar) ?? inNodeModules(opts.nodeModulesFrom ?? [opts.cwd, here])
  if (!found) {
    throw new ClaudeNotFoundError(
      'Claude Code CLI not found: install it (npm install -g @anthropic-ai/claude-code), put `claude` on PATH, or pass --claude-path / CLAUDE_PATH'
    )
  }
  return found
}
