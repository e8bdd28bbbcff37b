import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { CompletedToolCall } from '../../src/claude/runner.js'
import { artifactPath, artifactsFromText, artifactsFromToolCalls, slugify } from '../../src/engine/artifacts.js'

describe('slugify', () => {
  it('lowercases and joins words with hyphens, prefixing the issue number', () => {
    expect(slugify('Add rate limiting to the API endpoints')).toBe('add-rate-limiting-to-the-api-endpoints')
    expect(slugify('Add rate limiting', 12)).toBe('issue-12-add-rate-limiting')
  })

  it('drops punctuation, quotes and path characters', () => {
    expect(slugify("Fix: `npm test` can't run (Windows/macOS)!")).toBe('fix-npm-test-can-t-run-windows-macos')
    expect(slugify('../../etc/passwd; rm -rf /')).toBe('etc-passwd-rm-rf')
  })

  it('keeps whole words and stays within 40 characters', () => {
    const slug = slugify('Refactor the authentication middleware so that sessions expire after inactivity')
    expect(slug).toBe('refactor-the-authentication-middleware')
    expect(slug.length).toBeLessThanOrEqual(40)
    expect(slugify('Refactor the authentication middleware so that sessions expire', 7)).toBe(
      'issue-7-refactor-the-authentication-middleware'
    )
  })

  it("falls back to 'task' when nothing usable is left", () => {
    expect(slugify('')).toBe('task')
    expect(slugify('!!! ???')).toBe('task')
    expect(slugify('日本語のタスク')).toBe('task')
    expect(slugify('🚀', 3)).toBe('issue-3-task')
  })

  it('folds accents at the end of a word', () => {
    expect(slugify('Café menu')).toBe('cafe-menu')
  })

  it('folds accents inside a word without splitting it', () => {
    expect(slugify('Fix résumé upload')).toBe('fix-resume-upload')
    expect(slugify('Ünïcödé déjà vu')).toBe('unicode-deja-vu')
  })
})

describe('artifactPath', () => {
  it("puts each phase's document in its folder, named by date and slug", () => {
    expect(artifactPath('thoughts/shared', 'index', '2025-03-01', 'x')).toBe('thoughts/shared/index/2025-03-01-x.md')
    expect(artifactPath('thoughts/shared', 'research', '2025-03-01', 'x')).toBe(
      'thoughts/shared/research/2025-03-01-x.md'
    )
    expect(artifactPath('thoughts/shared', 'plan', '2025-03-01', 'issue-4-y')).toBe(
      'thoughts/shared/plans/2025-03-01-issue-4-y.md'
    )
    expect(artifactPath('thoughts/shared', 'implement', '2025-03-01', 'x')).toBe(
      'thoughts/shared/implementation/2025-03-01-x.md'
    )
    expect(artifactPath('docs/', 'review', '2025-03-01', 'x')).toBe('docs/reviews/2025-03-01-x.md')
  })
})

describe('finding documents on disk', () => {
  const ARTIFACTS = 'thoughts/shared'
  let repo: string

  beforeEach(() => {
    repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-')))
    for (const rel of [
      'thoughts/shared/plans/2025-03-01-x.md',
      'thoughts/shared/research/2025-03-01-x.md',
      'thoughts/shared/notes.txt',
      'thoughts/other/2025-03-01-x.md',
      'src/api.js'
    ]) {
      fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true })
      fs.writeFileSync(path.join(repo, rel), 'content\n')
    }
  })
  afterEach(() => {
    fs.rmSync(repo, { recursive: true, force: true })
  })

  const call = (name: string, input: Record<string, unknown>, isError?: boolean): CompletedToolCall => ({
    id: `toolu_${Math.random().toString(36).slice(2)}`,
    name,
    input,
    ...(isError === undefined ? {} : { isError })
  })

  describe('artifactsFromToolCalls', () => {
    it('returns documents written by successful Write/Edit calls, relative and in first-written order', () => {
      const calls = [
        call('Read', { file_path: path.join(repo, 'src/api.js') }, false),
        call('Write', { file_path: path.join(repo, 'thoughts/shared/research/2025-03-01-x.md'), content: '#' }, false),
        call('Edit', { file_path: 'thoughts/shared/plans/2025-03-01-x.md', old_string: 'a', new_string: 'b' }, false),
        call('Edit', { file_path: path.join(repo, 'thoughts/shared/research/2025-03-01-x.md') }, false)
      ]
      expect(artifactsFromToolCalls(calls, repo, ARTIFACTS)).toEqual([
        'thoughts/shared/research/2025-03-01-x.md',
        'thoughts/shared/plans/2025-03-01-x.md'
      ])
    })

    it('ignores failed calls and calls that never got a result', () => {
      const plan = path.join(repo, 'thoughts/shared/plans/2025-03-01-x.md')
      expect(artifactsFromToolCalls([call('Write', { file_path: plan }, true)], repo, ARTIFACTS)).toEqual([])
      expect(artifactsFromToolCalls([call('Write', { file_path: plan })], repo, ARTIFACTS)).toEqual([])
    })

    it('ignores writes outside the artifacts folder, outside the repository, and files that are gone', () => {
      const calls = [
        call('Write', { file_path: path.join(repo, 'src/api.js') }, false),
        call('Write', { file_path: path.join(repo, 'thoughts/other/2025-03-01-x.md') }, false),
        call('Write', { file_path: path.join(os.tmpdir(), 'thoughts/shared/plans/elsewhere.md') }, false),
        call('Write', { file_path: '../thoughts/shared/plans/2025-03-01-x.md' }, false),
        call('Write', { file_path: path.join(repo, 'thoughts/shared/plans/deleted-later.md') }, false),
        call('Bash', { command: 'echo > thoughts/shared/plans/2025-03-01-x.md' }, false)
      ]
      expect(artifactsFromToolCalls(calls, repo, ARTIFACTS)).toEqual([])
    })

    it('does not mistake a sibling folder that shares the prefix for the artifacts folder', () => {
      fs.mkdirSync(path.join(repo, 'thoughts/shared-old'), { recursive: true })
      fs.writeFileSync(path.join(repo, 'thoughts/shared-old/x.md'), '')
      const calls = [call('Write', { file_path: path.join(repo, 'thoughts/shared-old/x.md') }, false)]
      expect(artifactsFromToolCalls(calls, repo, ARTIFACTS)).toEqual([])
    })

    it('counts any file type under the artifacts folder and notebook edits', () => {
      fs.writeFileSync(path.join(repo, 'thoughts/shared/nb.ipynb'), '{}')
      const calls = [
        call('Write', { file_path: path.join(repo, 'thoughts/shared/notes.txt') }, false),
        call('NotebookEdit', { notebook_path: path.join(repo, 'thoughts/shared/nb.ipynb') }, false)
      ]
      expect(artifactsFromToolCalls(calls, repo, 'thoughts/shared/')).toEqual([
        'thoughts/shared/notes.txt',
        'thoughts/shared/nb.ipynb'
      ])
    })
  })

  describe('artifactsFromText', () => {
    it('finds existing markdown documents named in the final text', () => {
      const text = [
        'Wrote the plan.',
        'DOCUMENT: thoughts/shared/plans/2025-03-01-x.md',
        'Based on `./thoughts/shared/research/2025-03-01-x.md` and (thoughts/shared/plans/2025-03-01-x.md).'
      ].join('\n')
      expect(artifactsFromText(text, repo, ARTIFACTS)).toEqual([
        'thoughts/shared/plans/2025-03-01-x.md',
        'thoughts/shared/research/2025-03-01-x.md'
      ])
    })

    it('finds a document named by its absolute path', () => {
      const text = `DOCUMENT: ${path.join(repo, 'thoughts/shared/plans/2025-03-01-x.md')}`
      expect(artifactsFromText(text, repo, ARTIFACTS)).toEqual(['thoughts/shared/plans/2025-03-01-x.md'])
    })

    it('ignores paths that do not exist, are outside the folder or are not markdown', () => {
      const text = [
        'DOCUMENT: thoughts/shared/plans/2025-03-01-missing.md',
        'See thoughts/other/2025-03-01-x.md and thoughts/shared/notes.txt and src/api.js.',
        'Also mythoughts/shared/plans/2025-03-01-x.md'
      ].join('\n')
      expect(artifactsFromText(text, repo, ARTIFACTS)).toEqual([])
    })
  })
})
