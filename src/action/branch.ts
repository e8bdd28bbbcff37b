/**
 * The work branch, in plain git with no API calls: create it from the base,
 * commit, push. Never a force push: a push that is not a fast-forward fails,
 * and the caller reports it instead of overwriting someone's work.
 */
import fs from 'node:fs'
import path from 'node:path'
import { configValue, git, GitError, stageAll } from '../git/git.js'
import { parseConfigList } from '../git/hermetic.js'

export interface GitAuth {
  token: string
  /** GITHUB_SERVER_URL, e.g. https://github.com or a GHES host. */
  serverUrl: string
}

export interface Author {
  name: string
  email: string
}

/**
 * Auth for origin, as a setting for our git calls (which pass settings in
 * git's environment): the token is never a process argument and never written
 * to .git/config, where Claude's tools could read it. Only an https origin on
 * the server gets it; any other remote (a local path in tests) is used as is.
 */
export function gitAuthConfig(remoteUrl: string, auth: GitAuth): Record<string, string> {
  let remote: URL
  let server: URL
  try {
    remote = new URL(remoteUrl)
    server = new URL(auth.serverUrl)
  } catch {
    return {}
  }
  if (remote.protocol !== 'https:' || remote.host !== server.host) return {}
  const basic = Buffer.from(`x-access-token:${auth.token}`, 'utf8').toString('base64')
  return { [`http.${server.origin}/.extraheader`]: `AUTHORIZATION: basic ${basic}` }
}

/** The work branch moved on origin while the run worked: the push was refused, nothing was overwritten. */
export class BranchMovedError extends Error {}

export class WorkBranch {
  private authConfig: Record<string, string> = {}
  /**
   * origin's URL as .git/config has it. Remote calls name the URL, not
   * `origin`: a remote name brings its own settings along (uploadpack and
   * receivepack run programs, pushurl sends elsewhere).
   */
  private url = ''

  constructor(
    readonly repoDir: string,
    readonly branch: string,
    private readonly auth: GitAuth
  ) {}

  async init(): Promise<void> {
    const url = await configValue(this.repoDir, 'remote.origin.url')
    if (url === null)
      throw new GitError('the checkout has no origin remote (remote.origin.url is not set)', ['config'], 1, '')
    this.url = url
    this.authConfig = gitAuthConfig(this.url, this.auth)
  }

  /** `command` and its options, then origin's URL, then `rest`. After `--`, a URL can never read as an option. */
  private remote(command: string[], rest: string[]): Promise<string> {
    return git(this.repoDir, [...command, '--', this.url, ...rest], {
      config: this.authConfig,
      secrets: [this.auth.token],
      remoteUrl: this.url
    })
  }

  /** The branch's commit on origin, or null when origin has no such branch. */
  async remoteHead(name = this.branch): Promise<string | null> {
    const out = await this.remote(['ls-remote', '--heads'], [`refs/heads/${name}`])
    return out.split(/\s+/)[0] || null
  }

  async fetch(name: string): Promise<string> {
    await this.remote(
      ['fetch', '--no-tags', '--no-write-fetch-head'],
      [`+refs/heads/${name}:refs/remotes/origin/${name}`]
    )
    return git(this.repoDir, ['rev-parse', `refs/remotes/origin/${name}`])
  }

  /** Checks out the work branch at `sha`, discarding local changes to tracked files. */
  async checkoutAt(sha: string): Promise<void> {
    await git(this.repoDir, ['checkout', '-q', '-B', this.branch, sha])
    await git(this.repoDir, ['reset', '-q', '--hard', sha])
    await git(this.repoDir, ['clean', '-fdq'])
  }

  /** Commits the given paths (everything when omitted); null when there was nothing to commit. */
  async commit(message: string, author: Author, paths?: string[]): Promise<string | null> {
    const scope = paths ?? ['.']
    // A folder the phase never created is simply nothing to commit (git add would reject the pathspec).
    const present: string[] = []
    for (const p of scope) {
      if (fs.existsSync(path.join(this.repoDir, p)) || (await git(this.repoDir, ['ls-files', '--', p])).trim())
        present.push(p)
    }
    if (!present.length) return null
    await stageAll(this.repoDir, present)
    const staged = await git(this.repoDir, ['diff', '--cached', '--name-only', '--', ...present])
    if (!staged.trim()) return null
    const identity = { 'user.name': author.name, 'user.email': author.email }
    // With paths, only those paths are committed, whatever else is staged.
    await git(this.repoDir, ['commit', '-q', '--no-verify', '-m', message, ...(paths ? ['--', ...present] : [])], {
      config: identity
    })
    return git(this.repoDir, ['rev-parse', 'HEAD'])
  }

  /** Pushes HEAD to the branch; fails rather than overwrite commits it has not seen. */
  async push(): Promise<void> {
    try {
      await this.remote(['push', '--no-verify', '--porcelain'], [`HEAD:refs/heads/${this.branch}`])
    } catch (err) {
      // --porcelain reports the rejection on stdout; the hint on stderr says the same in prose. A push
      // racing another one to the same branch is refused by the remote's ref lock instead.
      if (
        err instanceof GitError &&
        /\[rejected\]|non-fast-forward|fetch first|Updates were rejected|cannot lock ref/.test(
          `${err.stdout}\n${err.stderr}`
        )
      ) {
        throw new BranchMovedError(
          `the branch ${this.branch} changed on origin while the run worked; nothing was pushed`
        )
      }
      throw err
    }
  }

  /** Pushes a commit to another branch of origin (fast-forward only). */
  async pushRef(commit: string, branch: string): Promise<void> {
    await this.remote(['push', '--no-verify', '--porcelain'], [`${commit}:refs/heads/${branch}`])
  }

  /**
   * Turns commits made on top of `base` (Claude was told not to, but may) back
   * into work-tree changes, so the bot makes the one commit, scrubbed of secrets.
   */
  async uncommitTo(base: string): Promise<void> {
    if ((await this.head()) !== base) await git(this.repoDir, ['reset', '-q', '--soft', base])
  }

  /** The commit checked out now. */
  async head(): Promise<string> {
    return git(this.repoDir, ['rev-parse', 'HEAD'])
  }

  /** Heads on origin of `name` and of `name-<n>` (the fresh branches an issue may get), by branch name. */
  async remoteHeads(name: string): Promise<Map<string, string>> {
    const out = await this.remote(['ls-remote', '--heads'], [`refs/heads/${name}`, `refs/heads/${name}-*`])
    const heads = new Map<string, string>()
    for (const line of out.split('\n')) {
      const [sha, ref] = line.split('\t')
      if (sha && ref?.startsWith('refs/heads/')) heads.set(ref.slice('refs/heads/'.length), sha)
    }
    return heads
  }

  /** A fetched commit in a few words, for telling people who moved a branch: short sha, subject, author name. */
  async describe(sha: string): Promise<{ short: string; subject: string; author: string }> {
    const [short = sha.slice(0, 7), subject = '', author = ''] = (
      await git(this.repoDir, ['log', '-1', '--format=%h%x00%s%x00%an', sha])
    ).split('\0')
    return { short, subject, author }
  }

  /** Where HEAD forked from `base` on origin: a pull request's whole change is measured from here. */
  async forkPoint(base: string): Promise<string> {
    const baseSha = await this.fetch(base)
    return git(this.repoDir, ['merge-base', baseSha, 'HEAD'])
  }
}

/**
 * actions/checkout leaves the job token in .git/config as an extraheader.
 * While Claude works (it runs Bash) and while we push with our own header,
 * that entry must be gone; the file is restored byte for byte afterwards.
 */
async function localKeys(repoDir: string, pattern: string): Promise<Array<{ key: string; value: string }>> {
  try {
    return parseConfigList(await git(repoDir, ['config', '--local', '--null', '--get-regexp', pattern]))
  } catch (err) {
    // `git config --get-regexp` exits 1 when nothing matches.
    if (err instanceof GitError && err.exitCode === 1) return []
    throw err
  }
}

export async function withoutPersistedCredentials<T>(repoDir: string, fn: () => Promise<T>): Promise<T> {
  // A linked worktree's .git is a file; its config lives in the shared git dir.
  const configFile = path.join(
    await git(repoDir, ['rev-parse', '--path-format=absolute', '--git-common-dir']),
    'config'
  )
  let saved: Buffer | null = null
  const headers = await localKeys(repoDir, '^http\\..*\\.extraheader$')
  // actions/checkout v6 keeps the header in $RUNNER_TEMP/git-credentials-*.config, included from .git/config.
  const includes = (await localKeys(repoDir, '^includeif\\..*\\.path$')).filter(e =>
    /git-credentials-[^/]*\.config$/.test(e.value)
  )
  const keys = new Set([...headers, ...includes].map(e => e.key))
  if (keys.size) {
    saved = fs.readFileSync(configFile)
    for (const key of keys) await git(repoDir, ['config', '--local', '--unset-all', key])
  }
  try {
    return await fn()
  } finally {
    if (saved) fs.writeFileSync(configFile, saved)
  }
}
