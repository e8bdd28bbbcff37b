/**
 * Secrets the run holds, and the last line of defence against showing them.
 * Claude needs its own key in its environment and can run Bash, so a model
 * could write a key into a document, a source file or its answer text. Every
 * body sent to GitHub and every file about to be committed is scrubbed.
 */
import * as core from '@actions/core'
import fs from 'node:fs'
import path from 'node:path'
import { dirtyPaths } from '../git/git.js'

export const REDACTED = '***'

export class SecretRegistry {
  private readonly values = new Set<string>()

  add(value: string | undefined): void {
    // Very short values would redact ordinary words; masked in the log all the same.
    if (!value) return
    core.setSecret(value)
    if (value.length >= 8) this.values.add(value)
  }

  redact(text: string): string {
    let out = text
    for (const secret of this.values) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    return out
  }

  /** Replaces secrets in changed files of the work tree; returns the files it changed. */
  async scrubWorkTree(repoDir: string): Promise<string[]> {
    const scrubbed: string[] = []
    for (const rel of await dirtyPaths(repoDir)) {
      const file = path.join(repoDir, rel)
      let text: string
      try {
        if (!fs.statSync(file).isFile()) continue
        text = fs.readFileSync(file, 'utf8')
      } catch {
        continue
      }
      const clean = this.redact(text)
      if (clean !== text) {
        fs.writeFileSync(file, clean)
        scrubbed.push(rel)
      }
    }
    if (scrubbed.length) core.warning(`Removed secret values from ${scrubbed.join(', ')} before committing`)
    return scrubbed
  }
}
