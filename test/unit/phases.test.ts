import { describe, expect, it } from '@jest/globals'
import { PHASE_SPECS, permissionArgs } from '../../src/engine/phases.js'
import { PHASES } from '../../src/engine/types.js'

function flag(args: string[], name: string): string[] {
  const i = args.indexOf(name)
  expect(i).toBeGreaterThanOrEqual(0)
  return (args[i + 1] ?? '').split(',')
}

describe('permissionArgs', () => {
  it('always runs in dontAsk mode with the same small tool set', () => {
    for (const phase of PHASES) {
      const args = permissionArgs(PHASE_SPECS[phase], 'thoughts/shared')
      expect(args.slice(0, 2)).toEqual(['--permission-mode', 'dontAsk'])
      expect(flag(args, '--tools')).toEqual(['Read', 'Glob', 'Grep', 'Write', 'Edit', 'Bash'])
    }
  })

  it('lets read-only phases write only under the artifacts folder and run read-only commands', () => {
    for (const phase of ['index', 'research', 'plan', 'review'] as const) {
      const allow = flag(permissionArgs(PHASE_SPECS[phase], 'thoughts/shared'), '--allowedTools')
      expect(allow).toContain('Write(thoughts/shared/**)')
      expect(allow).toContain('Edit(thoughts/shared/**)')
      expect(allow).toContain('Bash(git diff:*)')
      expect(allow).toContain('Read')
      expect(allow).not.toContain('Write')
      expect(allow).not.toContain('Edit')
      expect(allow).not.toContain('Bash')
      expect(allow.filter((t) => t.startsWith('Bash(npm') || t.startsWith('Bash(git commit'))).toEqual([])
    }
  })

  it('strips trailing slashes from the artifacts folder', () => {
    const allow = flag(permissionArgs(PHASE_SPECS.plan, 'docs/ai//'), '--allowedTools')
    expect(allow).toContain('Write(docs/ai/**)')
  })

  it('lets implement write, edit and run commands anywhere', () => {
    const allow = flag(permissionArgs(PHASE_SPECS.implement, 'thoughts/shared'), '--allowedTools')
    expect(allow).toEqual(['Read', 'Glob', 'Grep', 'Write', 'Edit', 'Bash'])
  })

  it('denies pushing, history rewrites and workflow edits in every phase', () => {
    for (const phase of PHASES) {
      const deny = flag(permissionArgs(PHASE_SPECS[phase], 'thoughts/shared'), '--disallowedTools')
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
    }
  })
})

describe('PHASE_SPECS', () => {
  it('marks only implement as able to change source and as needing no document', () => {
    expect(PHASES.filter((p) => !PHASE_SPECS[p].readOnly)).toEqual(['implement'])
    expect(PHASES.filter((p) => !PHASE_SPECS[p].needsDocument)).toEqual(['implement'])
    expect(PHASES.map((p) => PHASE_SPECS[p].command)).toEqual([
      'index_codebase',
      'research_codebase',
      'create_plan',
      'implement_plan',
      'code_reviewer'
    ])
  })
})
