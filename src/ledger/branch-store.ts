/**
 * The ledger on its own branch of origin (`orchestrator/ledger`, file
 * `ledger.jsonl`), written like the index cache: git plumbing on the
 * checkout's object store, so the work tree and index are never touched, and
 * pushed with the bot's credentials through WorkBranch. Append-only and never
 * forced: when another run pushed first, the push is rejected, and the append
 * starts again from the new tip (fetch, re-append, push).
 */
import { git, GitError } from '../git/git.js'
import { LEDGER_BRANCH, LEDGER_FILE, ledgerIds } from './schema.js'

/** The remote operations the ledger needs (WorkBranch has them). */
export interface LedgerRemote {
  remoteHead(name: string): Promise<string | null>
  fetch(name: string): Promise<string>
  pushRef(commit: string, branch: string): Promise<void>
}

export interface Author {
  name: string
  email: string
}

/** Files besides the ledger to write in the same commit (path → content), from the ledger text they describe. */
export type CompanionFiles = (ledgerText: string) => Promise<Record<string, string>>

export interface AppendResult {
  /** The commit now at the tip of the ledger branch. */
  sha: string
  /** The whole ledger as pushed. */
  text: string
  attempts: number
}

/** The ledger branch's tip on origin (null: no branch yet) and the ledger's text there. */
export interface LedgerTip {
  sha: string | null
  text: string
}

export class LedgerPushRejected extends Error {}

/**
 * A push that lost a race: not a fast-forward any more, or the ref moved while
 * the remote updated it. A hook or a branch rule that declines the push is not
 * a race and is not retried.
 */
const REJECTED =
  /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|incorrect old value|stale info/

export class LedgerBranch {
  constructor(
    private readonly remote: LedgerRemote,
    private readonly repoDir: string,
    private readonly opts: { branch?: string; attempts?: number; pause?: (attempt: number) => Promise<void> } = {}
  ) {}

  private get branch(): string {
    return this.opts.branch ?? LEDGER_BRANCH
  }

  /** The ledger's tip on origin and its text (empty when the branch does not exist yet). */
  async read(): Promise<LedgerTip> {
    if (!(await this.remote.remoteHead(this.branch))) return { sha: null, text: '' }
    const sha = await this.remote.fetch(this.branch)
    return { sha, text: await this.fileAt(sha, LEDGER_FILE) }
  }

  private async fileAt(commit: string, file: string): Promise<string> {
    try {
      return await git(this.repoDir, ['show', `${commit}:${file}`])
    } catch (err) {
      if (err instanceof GitError && /does not exist|exists on disk, but not in/.test(err.stderr)) return ''
      throw err
    }
  }

  /**
   * Appends `lines` (one JSON record each) and pushes. Records whose id is
   * already in the ledger are not written again, so a retry cannot duplicate.
   * `from`: the ledger as the caller just read it, where the first attempt starts.
   */
  async append(lines: string[], author: Author, companions?: CompanionFiles, from?: LedgerTip): Promise<AppendResult> {
    const attempts = this.opts.attempts ?? 6
    for (let attempt = 1; ; attempt++) {
      // A push that lost a race starts again from the new tip.
      const { sha: parent, text: before } = attempt === 1 && from ? from : await this.read()
      const known = ledgerIds(before)
      const fresh = lines.filter(line => !known.has(idOf(line)))
      if (!fresh.length && parent) return { sha: parent, text: before, attempts: attempt }
      const text = `${before}${before && !before.endsWith('\n') ? '\n' : ''}${fresh.map(l => `${l}\n`).join('')}`
      const files = { ...(companions ? await companions(text) : {}), [LEDGER_FILE]: text }
      const commit = await this.commit(parent, files, author, `ledger: ${fresh.map(idOf).join(', ') || 'update'}`)
      try {
        await this.remote.pushRef(commit, this.branch)
        return { sha: commit, text, attempts: attempt }
      } catch (err) {
        const rejected = err instanceof GitError && REJECTED.test(`${err.stdout}\n${err.stderr}`)
        if (!rejected) throw err
        if (attempt >= attempts)
          throw new LedgerPushRejected(
            `the ledger branch ${this.branch} kept moving; gave up after ${attempt} attempts`
          )
        await (this.opts.pause ?? jitter)(attempt)
      }
    }
  }

  /** A commit on top of `parent` whose tree is the parent's with `files` (nested paths allowed) replaced. */
  private async commit(
    parent: string | null,
    files: Record<string, string>,
    author: Author,
    message: string
  ): Promise<string> {
    const root = await this.tree(parent ? `${parent}^{tree}` : null, files)
    const env = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email
    }
    return git(this.repoDir, ['commit-tree', root, ...(parent ? ['-p', parent] : []), '-m', message], { env })
  }

  private async tree(base: string | null, files: Record<string, string>): Promise<string> {
    const entries = new Map<string, string>()
    if (base) {
      for (const line of (await git(this.repoDir, ['ls-tree', base])).split('\n').filter(Boolean)) {
        entries.set(line.slice(line.indexOf('\t') + 1), line)
      }
    }
    const nested = new Map<string, Record<string, string>>()
    for (const [file, content] of Object.entries(files)) {
      const slash = file.indexOf('/')
      if (slash > 0) {
        const dir = file.slice(0, slash)
        nested.set(dir, { ...nested.get(dir), [file.slice(slash + 1)]: content })
        continue
      }
      const blob = await git(this.repoDir, ['hash-object', '-w', '--stdin'], { input: content })
      entries.set(file, `100644 blob ${blob}\t${file}`)
    }
    for (const [dir, children] of nested) {
      const existing = entries.get(dir)
      const sub = await this.tree(existing?.includes(' tree ') ? `${base}:${dir}` : null, children)
      entries.set(dir, `040000 tree ${sub}\t${dir}`)
    }
    return git(this.repoDir, ['mktree'], { input: [...entries.values()].map(e => `${e}\n`).join('') })
  }
}

function idOf(line: string): string {
  try {
    return String((JSON.parse(line) as { id?: unknown }).id ?? '')
  } catch {
    return ''
  }
}

/** Concurrent runs that collided should not collide again on the same beat. */
function jitter(attempt: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 150 * attempt + Math.floor(Math.random() * 400)))
}
