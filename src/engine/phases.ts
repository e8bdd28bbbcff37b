/**
 * What each phase is: its custom command name, whether it may touch source
 * files, and the Claude Code permission flags that follow from that.
 */
import fs from 'node:fs'
import path from 'node:path'
import { FORBIDDEN_GIT_COMMANDS } from './permissions.js'
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
 * `default` mode with the control protocol: reads are pre-allowed, every other call
 * (writes, Bash, questions) is asked of the host, which decides it per call.
 */
export function permissionArgs(): string[] {
  // The host refuses these too (permissions.ts); the CLI's own rules are the second fence.
  const deny = [
    ...FORBIDDEN_GIT_COMMANDS.map(c => `Bash(git ${c}:*)`),
    'Edit(.github/workflows/**)',
    'Write(.github/workflows/**)'
  ]
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
