import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ClaudeNotFoundError, locateClaude } from '../../src/claude/locate.js'

const PROJECT_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..')

let root: string
beforeEach(() => {
  // realpath: on some systems the temp dir is a symlink and locate resolves paths.
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'locate-')))
})
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

function fakeBinary(file: string, mode = 0o755): string {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, '#!/bin/sh\necho fake claude\n')
  fs.chmodSync(file, mode)
  return file
}

describe('locateClaude with an explicit path', () => {
  it('returns an executable file, resolving a relative path against cwd', () => {
    const bin = fakeBinary(path.join(root, 'tools', 'claude'))
    expect(locateClaude({ explicit: bin, cwd: '/' })).toBe(bin)
    expect(locateClaude({ explicit: 'tools/claude', cwd: root })).toBe(bin)
  })

  it('prefers the explicit path over one on PATH', () => {
    const explicit = fakeBinary(path.join(root, 'pinned', 'claude'))
    const onPath = fakeBinary(path.join(root, 'bin', 'claude'))
    expect(locateClaude({ explicit, pathVar: path.dirname(onPath), cwd: root })).toBe(explicit)
  })

  it('rejects a file that is not executable, naming the resolved path', () => {
    const bin = fakeBinary(path.join(root, 'claude'), 0o644)
    expect(() => locateClaude({ explicit: 'claude', cwd: root })).toThrow(ClaudeNotFoundError)
    expect(() => locateClaude({ explicit: 'claude', cwd: root })).toThrow(
      `claude_path / --claude-path points to ${bin}, which is not an executable file`
    )
  })

  it('rejects a missing file and a directory', () => {
    expect(() => locateClaude({ explicit: path.join(root, 'nope'), cwd: root })).toThrow(
      /nope, which is not an executable file/
    )
    fs.mkdirSync(path.join(root, 'dir'))
    expect(() => locateClaude({ explicit: 'dir', cwd: root })).toThrow(ClaudeNotFoundError)
  })

  it('does not fall back to PATH when the explicit path is wrong', () => {
    const onPath = fakeBinary(path.join(root, 'bin', 'claude'))
    expect(() => locateClaude({ explicit: 'missing/claude', pathVar: path.dirname(onPath), cwd: root })).toThrow(
      ClaudeNotFoundError
    )
  })
})

describe('locateClaude without an explicit path', () => {
  it('takes the first executable claude on PATH, skipping empty entries and non-executables', () => {
    const notExec = fakeBinary(path.join(root, 'a', 'claude'), 0o644)
    const first = fakeBinary(path.join(root, 'b', 'claude'))
    const second = fakeBinary(path.join(root, 'c', 'claude'))
    const pathVar = [
      '',
      path.join(root, 'empty'),
      path.dirname(notExec),
      path.dirname(first),
      path.dirname(second)
    ].join(path.delimiter)
    expect(locateClaude({ pathVar, cwd: root })).toBe(first)
  })

  it('prefers PATH over node_modules/.bin', () => {
    const onPath = fakeBinary(path.join(root, 'bin', 'claude'))
    fakeBinary(path.join(root, 'project', 'node_modules', '.bin', 'claude'))
    expect(locateClaude({ pathVar: path.dirname(onPath), cwd: path.join(root, 'project') })).toBe(onPath)
  })

  it('walks up from cwd to the nearest node_modules/.bin/claude', () => {
    const outer = fakeBinary(path.join(root, 'node_modules', '.bin', 'claude'))
    const inner = fakeBinary(path.join(root, 'project', 'node_modules', '.bin', 'claude'))
    const deep = path.join(root, 'project', 'packages', 'api', 'src')
    fs.mkdirSync(deep, { recursive: true })
    expect(locateClaude({ pathVar: '', cwd: deep })).toBe(inner)
    expect(locateClaude({ pathVar: '', cwd: path.join(root, 'elsewhere') })).toBe(outer)
  })

  it('skips a non-executable node_modules/.bin/claude and keeps walking up', () => {
    const outer = fakeBinary(path.join(root, 'node_modules', '.bin', 'claude'))
    fakeBinary(path.join(root, 'project', 'node_modules', '.bin', 'claude'), 0o644)
    expect(locateClaude({ pathVar: undefined, cwd: path.join(root, 'project') })).toBe(outer)
  })

  it("falls back to the orchestrator's own pinned CLI when neither PATH nor cwd has one", () => {
    // The repository under test has no claude; the package's node_modules does.
    expect(locateClaude({ pathVar: path.join(root, 'empty'), cwd: root })).toBe(
      path.join(PROJECT_ROOT, 'node_modules', '.bin', 'claude')
    )
  })
})
