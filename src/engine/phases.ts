/**
 * What each phase is: its custom command name, whether it may touch source
 * files, and the Claude Code permission flags that follow from that.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { PhaseName } from './types.js'

export interface PhaseSpec {
  name: PhaseName
  /** `.claude/commands/<command>.md` overrides the built-in prompt. */
  command: string
  readOnly: boolean
  /** Whether the phase must leave a document in the artifacts folder. */
  needsArtifact: boolean
  /** Earlier phases whose documents this phase reads. */
  reads: PhaseName[]
}

export const PHASE_SPECS: Record<PhaseName, PhaseSpec> = {
  index: { name: 'index', command: 'index_codebase', readOnly: true, needsArtifact: true, reads: [] },
  research: { name: 'research', command: 'research_codebase', readOnly: true, needsArtifact: true, reads: ['index'] },
  plan: { name: 'plan', command: 'create_plan', readOnly: true, needsArtifact: true, reads: ['index', 'research'] },
  implement: { name: 'implement', command: 'implement_plan', readOnly: false, needsArtifact: false, reads: ['plan'] },
  review: { name: 'review', command: 'code_reviewer', readOnly: true, needsArtifact: true, reads: ['plan'] }
}

/**
 * Only the tools a phase needs: no sub-agents, web access, schedulers or worktrees.
 * AskUserQuestion is how Claude asks; the host answers it in the same turn.
 */
const TOOLS = ['Read', 'Glob', 'Grep', 'Write', 'Edit', 'Bash', 'AskUserQuestion']

/**
 * Never allowed, in any phase: pushing, rewriting history, switching away from the work branch.
 * The host refuses these too (engine/permissions.ts); the CLI's own rules are the second fence.
 */
const FORBIDDEN_BASH = [
  // `git -C dir push` and `git -c k=v push` would slip past the prefixes below.
  'git -C',
  'git -c',
  'git --git-dir',
  'git --work-tree',
  'git push',
  'git reset',
  'git rebase',
  'git commit --amend',
  'git filter-branch',
  'git update-ref',
  'git checkout',
  'git switch',
  'git branch -D',
  'git branch -d',
  'git tag',
  'git remote',
  'git config'
]

/**
 * `default` mode with the control protocol: reads are pre-allowed, every other call
 * (writes, Bash, questions) is asked of the host, which decides it per call.
 */
export function permissionArgs(): string[] {
  const deny = [...FORBIDDEN_BASH.map(c => `Bash(${c}:*)`), 'Edit(.github/workflows/**)', 'Write(.github/workflows/**)']
  return [
    '--permission-mode',
    'default',
    '--tools',
    TOOLS.join(','),
    '--allowedTools',
    'Read,Glob,Grep',
    '--disallowedTools',
    deny.join(',')
  ]
}

/** The repository's own command file for a phase, when it has one. */
export function customCommandFile(repoDir: string, spec: PhaseSpec): string | null {
  const file = path.join(repoDir, '.claude', 'commands', `${spec.command}.md`)
  return fs.existsSync(file) ? file : null
}
