/**
 * git's own reading of a repository's config, kept for as long as the files
 * it comes from hold the same bytes.
 *
 * Every orchestrator git call needs that reading (hermetic.ts: the drivers to
 * switch off, the redirects to refuse), and a phase may rewrite those files
 * between any two calls, so it used to be a second git process per call: a
 * third of all the processes a run starts. A kept reading is used only while
 * everything that decides what `git config --list` prints is unchanged, by
 * content, never by timestamps (a phase can set mtimes, and coarse clocks
 * make a quick rewrite look unchanged): the `.git` entry of the work tree
 * (a directory, or a `gitdir:` file), the `commondir` pointer, the config and
 * config.worktree files. A config that includes other files is never kept,
 * and nor is a reading git took from a file this list does not name.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ConfigEntry } from './hermetic.js'

/** What decided one reading, and the files git may read for it. */
interface Sources {
  fingerprint: string
  files: string[]
}

const kept = new Map<string, { fingerprint: string; entries: ConfigEntry[] }>()
/** Checkouts a long process (a test run, a CLI) may touch; the oldest is dropped past this. */
const MAX_KEPT = 64

function readOrAbsent(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/** A path as UTF-8 text, or null when its bytes are not UTF-8 (compared as text, two such paths could look alike). */
function utf8(bytes: Buffer): string | null {
  const text = bytes.toString('utf8')
  return text.includes('\uFFFD') ? null : text
}

/** Whether `dir` is a directory git can enter (it checks `objects` and `refs` with X_OK). */
function enterable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.X_OK)
    return fs.statSync(dir).isDirectory()
  } catch {
    return false
  }
}

/**
 * The files git reads the repository's config from when run in `cwd`, and
 * everything that decides them as one string: the `.git` entry, `HEAD` and
 * whether `objects` and `refs` can be entered (without them git does not
 * take `.git` for a repository and walks up to the next one), the
 * `commondir` pointer, and the config files' contents. Null when git would
 * look further than this reader follows: no `.git` in `cwd` itself, a `.git`
 * that is neither a directory nor a `gitdir:` file, a path that is not
 * UTF-8, or an `include`.
 */
function sources(cwd: string): Sources | null {
  try {
    const dotGit = path.join(cwd, '.git')
    const stat = fs.lstatSync(dotGit)
    let gitDir = dotGit
    let pointer: string | null = ''
    if (stat.isFile()) {
      pointer = utf8(fs.readFileSync(dotGit))
      const m = pointer?.match(/^gitdir: (.+?)\s*$/)
      if (!m) return null
      gitDir = path.resolve(cwd, m[1] as string)
    } else if (!stat.isDirectory()) return null
    // As git reads it: only line ends stripped, then the real path.
    const commonBytes = fs.existsSync(path.join(gitDir, 'commondir'))
      ? fs.readFileSync(path.join(gitDir, 'commondir'))
      : null
    const commonPointer = commonBytes && utf8(commonBytes)
    if (commonBytes && commonPointer === null) return null
    const commonDir = fs.realpathSync(
      commonPointer === null ? gitDir : path.resolve(gitDir, commonPointer.replace(/[\r\n]+$/, ''))
    )
    const head = readOrAbsent(path.join(gitDir, 'HEAD'))
    const layout = ['objects', 'refs'].map(name => enterable(path.join(commonDir, name)))
    const files = [path.join(commonDir, 'config'), path.join(gitDir, 'config.worktree')]
    const contents = files.map(readOrAbsent)
    if (contents.some(text => text !== null && /include/i.test(text))) return null
    return {
      fingerprint: JSON.stringify([stat.isFile(), pointer, commonPointer, commonDir, head, layout, ...contents]),
      files
    }
  } catch {
    return null
  }
}

/**
 * Parses `git config --list --null --show-origin`: `origin\0key\nvalue\0`
 * per entry (`key\0` for a key without a value), origin `file:<path>` or
 * `command line:`.
 */
export function parseConfigWithOrigins(out: string): Array<ConfigEntry & { origin: string }> {
  const parts = out.split('\0')
  const entries: Array<ConfigEntry & { origin: string }> = []
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const origin = parts[i] as string
    const entry = parts[i + 1] as string
    const nl = entry.indexOf('\n')
    entries.push(
      nl < 0 ? { origin, key: entry, value: '' } : { origin, key: entry.slice(0, nl), value: entry.slice(nl + 1) }
    )
  }
  return entries
}

/**
 * git read the repository's config where this reader looked: the main config
 * file among what it read, and nothing from elsewhere (paths as git prints
 * them are relative to `cwd`). An empty reading proves neither.
 */
function readFrom(entries: Array<{ origin: string }>, files: string[], cwd: string): boolean {
  const read = entries.map(({ origin }) => (origin.startsWith('file:') ? path.resolve(cwd, origin.slice(5)) : origin))
  return read.includes(files[0] as string) && read.every(file => files.includes(file))
}

/**
 * The reading for `cwd`: kept if its sources are unchanged, else `read()`
 * (git's own, with origins), kept when its sources held still while git read
 * them and git read nothing else.
 */
export async function cachedConfig(
  cwd: string,
  read: () => Promise<Array<ConfigEntry & { origin: string }>>
): Promise<ConfigEntry[]> {
  const before = sources(cwd)
  const hit = kept.get(cwd)
  if (before && hit?.fingerprint === before.fingerprint) return hit.entries
  const withOrigins = await read()
  const entries = withOrigins.map(({ key, value }) => ({ key, value }))
  const after = sources(cwd)
  kept.delete(cwd)
  if (before && after?.fingerprint === before.fingerprint && readFrom(withOrigins, before.files, cwd)) {
    kept.set(cwd, { fingerprint: before.fingerprint, entries })
    if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value as string)
  }
  return entries
}
