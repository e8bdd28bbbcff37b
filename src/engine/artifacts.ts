/**
 * Where each phase's document goes and how the engine finds what a phase wrote.
 * The stream is the source of truth (the file_path of successful Write/Edit
 * calls); a path named in the final text is only a fallback.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { CompletedToolCall } from '../claude/runner.js'
import type { PhaseName } from './types.js'
import { isInside } from './workspace-guard.js'

export const ARTIFACT_FOLDERS: Record<PhaseName, string> = {
  index: 'index',
  research: 'research',
  plan: 'plans',
  implement: 'implementation',
  review: 'reviews'
}

const WRITE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit'])

/** `issue-12-add-rate-limiting`: short, lowercase, safe in a path and a branch name. */
export function slugify(task: string, issueNumber?: number): string {
  const words = task
    .normalize('NFKD')
    // Accents become separate combining marks under NFKD: drop them, keep the letter.
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
  let slug = ''
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word.slice(0, 40)
    if (next.length > 40) break
    slug = next
  }
  slug ||= 'task'
  return issueNumber !== undefined ? `issue-${issueNumber}-${slug}` : slug
}

/**
 * Where a phase's document goes. An earlier run's document of the same day is
 * never overwritten (a revised plan or a second review sits beside the first),
 * so the name gets `-2`, `-3`… when taken.
 */
export function artifactPath(
  artifactsDir: string,
  phase: PhaseName,
  date: string,
  slug: string,
  repoDir?: string
): string {
  const base = path.posix.join(artifactsDir, ARTIFACT_FOLDERS[phase], `${date}-${slug}`)
  let candidate = `${base}.md`
  for (let n = 2; repoDir && fs.existsSync(path.join(repoDir, candidate)); n++) candidate = `${base}-${n}.md`
  return candidate
}

/** `./docs/ai/` → `docs/ai`; null when the folder is not a path inside the repository. */
export function normalizeArtifactsDir(value: string): string | null {
  const trimmed = value.trim()
  if (!trimmed || path.posix.isAbsolute(trimmed) || trimmed.includes('\\')) return null
  const normal = path.posix.normalize(trimmed).replace(/\/+$/, '')
  if (!normal || normal === '.' || normal === '..' || normal.startsWith('../')) return null
  return normal
}

function toRepoRelative(repoDir: string, file: string): string | null {
  const abs = path.resolve(repoDir, file)
  const rel = path.relative(repoDir, abs)
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null
  return rel.split(path.sep).join('/')
}

function exists(repoDir: string, rel: string): boolean {
  return fs.existsSync(path.join(repoDir, rel))
}

/** Documents written by successful Write/Edit calls inside the artifacts folder, in first-written order. */
export function artifactsFromToolCalls(calls: CompletedToolCall[], repoDir: string, artifactsDir: string): string[] {
  const found: string[] = []
  for (const call of calls) {
    if (!WRITE_TOOLS.has(call.name) || call.isError !== false) continue
    const file = call.input.file_path ?? call.input.notebook_path
    if (typeof file !== 'string') continue
    const rel = toRepoRelative(repoDir, file)
    if (rel && isInside(rel, artifactsDir) && !found.includes(rel) && exists(repoDir, rel)) found.push(rel)
  }
  return found
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Paths under the artifacts folder named in the text that exist on disk. */
export function artifactsFromText(text: string, repoDir: string, artifactsDir: string): string[] {
  const pattern = new RegExp(`(?:^|[\\s\`'"(/])((?:\\./)?${escapeRegExp(artifactsDir)}/[\\w./-]+\\.md)`, 'g')
  const found: string[] = []
  for (const match of text.matchAll(pattern)) {
    const rel = toRepoRelative(repoDir, match[1] ?? '')
    if (rel && !found.includes(rel) && exists(repoDir, rel)) found.push(rel)
  }
  return found
}
