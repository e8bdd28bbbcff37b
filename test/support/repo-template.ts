/**
 * Git repositories for tests, built once per test file and copied for each
 * test. Building one (init, add, commit, push, clone) is a handful of git
 * processes; a copy is plain file copies. Absolute paths of the template in
 * the copies' git config (a clone's origin URL) are pointed at the copy.
 */
import { afterAll, beforeAll } from '@jest/globals'
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
