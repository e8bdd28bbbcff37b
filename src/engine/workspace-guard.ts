/**
 * Proves after a phase what it changed in the checkout. The CLI's permission
 * flags are the first fence; this check is the one we trust, because it looks
 * at the result rather than at what the model was allowed to ask for.
 * (What a phase changes in .git itself is put back, not judged: git/setup.ts.)
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { dirtyPaths, git, gitSucceeds, headSha } from '../git/git.js'

export interface WorkspaceSnapshot {
  head: string | null
  /** Dirty path → content hash ('<deleted>' when gone). */
  files: Map<string, string>
}

function hashFile(file: string): string {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
  } catch {
    return '<deleted>'
  }
}

export async function snapshotWorkspace(repoDir: string): Promise<WorkspaceSnapshot> {
  const files = new Map<string, string>()
  for (const rel of await dirtyPaths(repoDir)) files.set(rel, hashFile(path.join(repoDir, rel)))
  return { head: await headSha(repoDir), files }
}

export function isInside(rel: string, dir: string): boolean {
  const norm = dir.replace(/\/+$/, '')
  return rel === norm || rel.startsWith(`${norm}/`)
}

/** Paths whose content differs between two snapshots (HEAD moves are checked separately). */
export function changedBetween(before: WorkspaceSnapshot, after: WorkspaceSnapshot): string[] {
  const paths = new Set([...before.files.keys(), ...after.files.keys()])
  return [...paths].filter(p => before.files.get(p) !== after.files.get(p)).sort()
}

export interface GuardViolation {
  reason: string
  paths: string[]
}

/** A read-only phase may write inside the artifacts folder and nowhere else, and may not commit. */
export async function checkReadOnly(
  repoDir: string,
  before: WorkspaceSnapshot,
  artifactsDir: string
): Promise<GuardViolation | null> {
  const after = await snapshotWorkspace(repoDir)
  if (after.head !== before.head) {
    return { reason: `it moved HEAD from ${before.head?.slice(0, 7)} to ${after.head?.slice(0, 7)}`, paths: [] }
  }
  const outside = changedBetween(before, after).filter(p => !isInside(p, artifactsDir))
  if (outside.length) {
    return { reason: `it changed files outside ${artifactsDir}/: ${outside.slice(0, 10).join(', ')}`, paths: outside }
  }
  return null
}

/** The implement phase may edit the checkout, but not workflows and not published history. */
export async function checkImplement(repoDir: string, before: WorkspaceSnapshot): Promise<GuardViolation | null> {
  const after = await snapshotWorkspace(repoDir)
  if (before.head && after.head !== before.head) {
    const kept =
      after.head !== null && (await gitSucceeds(repoDir, ['merge-base', '--is-ancestor', before.head, after.head]))
    if (!kept)
      return { reason: `it rewrote history: ${before.head.slice(0, 7)} is no longer an ancestor of HEAD`, paths: [] }
  }
  const committed =
    before.head && after.head && after.head !== before.head
      ? (await git(repoDir, ['diff', '--name-only', before.head, after.head])).split('\n').filter(Boolean)
      : []
  const touched = [...new Set([...changedBetween(before, after), ...committed])]
  const workflows = touched.filter(p => isInside(p, '.github/workflows'))
  if (workflows.length) {
    return {
      reason: `it changed workflow files, which the orchestrator never does: ${workflows.join(', ')}`,
      paths: workflows
    }
  }
  return null
}
