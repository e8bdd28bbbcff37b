import { describe, expect, it } from '@jest/globals'
import { PHASE_SPECS, permissionArgs } from '../../src/engine/phases.js'
import { PHASES } from '../../src/engine/types.js'

function flag(args: string[], name: string): string[] {
  const i = args.indexOf(name)
  expect(i).toBeGreaterThanOrEqual(0)
  return (args[i + 1] ?? '').split(',')
}

describe('permissionArgs', () => {
  it('asks the host about every call but reads, with the question tool on', () => {
    const args = permissionArgs()
    expect(args.slice(0, 2)).toEqual(['--permission-mode', 'default'])
    expect(flag(args, '--tools')).toEqual(['Read', 'Glob', 'Grep', 'Write', 'Edit', 'Bash', 'AskUserQuestion'])
    expect(flag(args, '--allowedTools')).toEqual(['Read', 'Glob', 'Grep'])
  })

  it('denies pushing, history rewrites and workflow edits in the CLI as a second fence', () => {
    const deny = flag(permissionArgs(), '--disallowedTools')
    for (const rule of [
      'Bash(git push:*)',
      'Bash(git reset:*)',
      'Bash(git rebase:*)',
      'Bash(git commit --amend:*)',
      'Bash(git checkout:*)',
      'Bash(git config:*)',
      'Edit(.github/workflows/**)',
      'Write(.github/workflows/**)'
    ]) {
      expect(deny).toContain(rule)
    }
  })
})

describe('PHASE_SPECS', () => {
  it('marks only implement as able to change source and as needing no document', () => {
    expect(PHASES.filter(p => !PHASE_SPECS[p].readOnly)).toEqual(['implement'])
    expect(PHASES.filter(p => !PHASE_SPECS[p].needsArtifact)).toEqual(['implement'])
    expect(PHASES.map(p => PHASE_SPECS[p].command)).toEqual([
      'index_codebase',
      'research_codebase',
      'create_plan',
      'implement_plan',
      'code_reviewer'
    ])
  })
})
