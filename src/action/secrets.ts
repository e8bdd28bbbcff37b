/**
 * Secrets the run holds, and the last line of defence against showing them.
 * The sandbox keeps them out of Claude's reach; this catches what slips past
 * anyway (a secret quoted in an issue, `sandbox: off`): every body sent to
 * GitHub is redacted, in every form, and a commit that holds one is never pushed.
 */
import * as core from '@actions/core'
import { git } from '../git/git.js'
import { FormMatcher } from '../util/form-matcher.js'
import { secretForms } from '../util/secret-forms.js'

export const REDACTED = '***'

/** A commit that would publish a secret: the run stops before pushing it. */
export class SecretLeakError extends Error {}

export class SecretRegistry {
  /** Every registered secret in every form, found also where a line break cuts one. */
  private readonly forms = new FormMatcher()

  add(value: string | undefined): void {
    // Very short values would redact ordinary words; masked in the log all the same.
    if (!value) return
    core.setSecret(value)
    if (value.length < 8) return
    const forms = secretForms(value)
    // The runner masks exact strings only: a form broken across lines is hidden by `redact` alone.
    for (const form of forms) if (form !== value) core.setSecret(form)
    this.forms.add(forms)
  }

  redact(text: string): string {
    return this.forms.redact(text, REDACTED)
  }

  /** Whether the text holds a secret in any of its forms, whole or broken across lines. */
  found(text: string): boolean {
    return this.forms.found(text)
  }

  /**
   * The last line before a push: the commit's message, the names of the files
   * it touches and their contents as git stored them (after any filter), in
   * every form. Throws without repeating the secret.
   */
  async checkCommit(repoDir: string, sha: string): Promise<void> {
    const message = await git(repoDir, ['log', '-1', '--format=%B', sha])
    if (this.found(message))
      throw new SecretLeakError(`commit ${sha.slice(0, 7)} has a secret in its message; nothing was pushed`)
    const names = (
      await git(repoDir, ['diff-tree', '-r', '--root', '--no-commit-id', '--name-only', '--no-renames', '-z', sha])
    )
      .split('\0')
      .filter(Boolean)
    const named = names.filter(n => this.found(n))
    if (named.length)
      throw new SecretLeakError(
        `commit ${sha.slice(0, 7)} adds a file whose name contains a secret; nothing was pushed`
      )
    const present = (await git(repoDir, ['ls-tree', '-r', '-z', '--name-only', sha, '--', ...names]))
      .split('\0')
      .filter(Boolean)
    if (!present.length) return
    const blobs = await git(repoDir, ['cat-file', '--batch'], {
      input: present.map(n => `${sha}:${n}`).join('\n') + '\n'
    })
    if (this.found(blobs)) {
      const leaking: string[] = []
      for (const n of present) if (this.found(await git(repoDir, ['cat-file', 'blob', `${sha}:${n}`]))) leaking.push(n)
      throw new SecretLeakError(
        `commit ${sha.slice(0, 7)} would publish a secret (plain or encoded) in ${leaking.slice(0, 5).join(', ') || 'its files'}; nothing was pushed`
      )
    }
  }
}
