/**
 * Git repositories for tests, built once per test file and copied for each
 * test. Building one (init, add, commit, push, clone) is a handful of git
 * processes; a copy is plain file copies. Absolute paths of the template in
 * the copies' git config (a clone's origin URL) are pointed at the copy.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface RepoTemplate {
  /** Copies the template's top-level entries into `dest` (made if missing). */
  copyTo(dest: string): void
}

/** Config files of the repositories directly under `dir`: work trees' and bare ones'. */
function configFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .flatMap(name => [path.join(dir, name, '.git', 'config'), path.join(dir, name, 'config')])
    .filter(file => fs.existsSync(file) && fs.statSync(file).isFile())
}

/** Registers the file's template: `build(dir)` runs once before the file's tests. */
export function useRepoTemplate(build: (dir: string) => void): RepoTemplate {
  let dir = ''
  beforeAll(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'repo-template-')))
    build(dir)
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  return {
    copyTo(dest: string): void {
      fs.cpSync(dir, dest, { recursive: true })
      for (const file of configFiles(dest)) {
        const text = fs.readFileSync(file, 'utf8')
        if (text.includes(dir)) fs.writeFileSync(file, text.split(dir).join(dest))
      }
    }
  }
}

/**
 * A repository with `files` committed on main (as user U), a fresh copy for
 * each test of the file: `repo()` is its path.
 */
export function useCommittedRepo(files: Record<string, string>): { repo: () => string } {
  let current = ''
  const template = useRepoTemplate(dir => {
    const repo = path.join(dir, 'repo')
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' })
    fs.mkdirSync(repo)
    git('init', '-q', '-b', 'main')
    git('config', 'user.email', 'u@example.com')
    git('config', 'user.name', 'U')
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true })
      fs.writeFileSync(path.join(repo, rel), content)
    }
    git('add', '-A')
    git('commit', '-qm', 'initial')
  })
  let root = ''
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'repo-')))
    template.copyTo(root)
    current = path.join(root, 'repo')
  })
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }))
  return { repo: () => current }
}
