/**
 * The parts of .git that decide which programs git starts and what it sees:
 * the config files, the hooks, info/ (attributes, excludes) and the list of
 * alternate object stores. Claude's Bash can change them; the engine takes a
 * snapshot before each phase and puts every byte back after it, so a phase
 * can neither leave a door behind for the next git call nor fail the run by
 * touching them. For a linked worktree both its own git dir (config.worktree)
 * and the shared one (config, hooks, info) are covered.
 */
import fs from 'node:fs'
import path from 'node:path'
import { git } from './git.js'

type Entry =
  { kind: 'file'; data: Buffer; mode: number } | { kind: 'symlink'; target: string } | { kind: 'dir'; mode: number }

export interface GitSetupSnapshot {
  repoDir: string
  /** The absolute paths watched, present or not. */
  watched: string[]
  /** What was there: absolute path → entry, directories' contents included. */
  entries: Map<string, Entry>
}

const WATCHED = ['config', 'config.worktree', 'hooks', 'info', path.join('objects', 'info', 'alternates')]

/** Reads `abs` (not following symlinks) and everything below it into `into`. */
function read(abs: string, into: Map<string, Entry>): void {
  let stat: fs.Stats
  try {
    stat = fs.lstatSync(abs)
  } catch {
    return
  }
  if (stat.isSymbolicLink()) into.set(abs, { kind: 'symlink', target: fs.readlinkSync(abs) })
  else if (stat.isDirectory()) {
    into.set(abs, { kind: 'dir', mode: stat.mode & 0o7777 })
    for (const name of fs.readdirSync(abs)) read(path.join(abs, name), into)
  } else if (stat.isFile()) into.set(abs, { kind: 'file', data: fs.readFileSync(abs), mode: stat.mode & 0o7777 })
  // Sockets and fifos cannot be restored, and git reads none of them.
}

function same(a: Entry | undefined, b: Entry | undefined): boolean {
  if (!a || !b || a.kind !== b.kind) return a === b
  if (a.kind === 'file' && b.kind === 'file') return a.mode === b.mode && a.data.equals(b.data)
  if (a.kind === 'symlink' && b.kind === 'symlink') return a.target === b.target
  return a.kind === 'dir' && b.kind === 'dir' && a.mode === b.mode
}

export async function snapshotGitSetup(repoDir: string): Promise<GitSetupSnapshot> {
  const out = await git(repoDir, ['rev-parse', '--path-format=absolute', '--absolute-git-dir', '--git-common-dir'])
  const roots = [...new Set(out.split('\n').filter(Boolean))]
  const watched = roots.flatMap(root => WATCHED.map(rel => path.join(root, rel)))
  const entries = new Map<string, Entry>()
  for (const abs of watched) read(abs, entries)
  return { repoDir, watched, entries }
}

/**
 * Puts the snapshot back: changed and deleted entries rewritten, new ones
 * removed. Returns what it had to restore, relative to the repository (a new
 * folder once, not each file in it), sorted; empty when the phase left all alone.
 */
export function restoreGitSetup(snapshot: GitSetupSnapshot): string[] {
  const now = new Map<string, Entry>()
  for (const abs of snapshot.watched) read(abs, now)
  const changed = [...new Set([...snapshot.entries.keys(), ...now.keys()])]
    .filter(p => !same(snapshot.entries.get(p), now.get(p)))
    .sort()
  if (!changed.length) return []

  // Anything there now that is not what was there goes first, so the old entry can take its place.
  for (const abs of changed) {
    const current = now.get(abs)
    const old = snapshot.entries.get(abs)
    if (current && (!old || old.kind !== current.kind || current.kind !== 'dir'))
      fs.rmSync(abs, { recursive: true, force: true })
  }
  // Parents sort before their children.
  for (const abs of changed) {
    const old = snapshot.entries.get(abs)
    if (!old) continue
    if (old.kind === 'dir') {
      fs.mkdirSync(abs, { recursive: true })
      fs.chmodSync(abs, old.mode)
    } else if (old.kind === 'symlink') fs.symlinkSync(old.target, abs)
    else {
      fs.writeFileSync(abs, old.data, { mode: old.mode })
      fs.chmodSync(abs, old.mode)
    }
  }
  // A folder that appeared, vanished or became something else is reported once, not file by file.
  const wholesale = changed.filter(abs => snapshot.entries.get(abs)?.kind !== 'dir' || now.get(abs)?.kind !== 'dir')
  const reported = changed.filter(abs => !wholesale.some(w => abs.startsWith(`${w}${path.sep}`)))
  // git names its directories by their real path; the repository may be reached through a symlink.
  const base = fs.realpathSync(snapshot.repoDir)
  return reported.map(abs => path.relative(base, abs))
}
