/**
 * Which tool calls a phase may make, decided per call in the host (Claude
 * Code asks through its control protocol). Pure: a call and the phase's rules
 * in, allow or a reason the model reads out. The workspace check after the
 * phase stays the proof; this is the fence that tells the model early.
 */
import path from 'node:path'
import type { PermissionDecision } from '../claude/protocol.js'
import { isInside } from './workspace-guard.js'

export interface PermissionContext {
  phase: string
  readOnly: boolean
  repoDir: string
  artifactsDir: string
}

/** Programs a read-only phase may run: they read, or run the project's own checks. */
const READ_ONLY_PROGRAMS = new Set([
  'ls',
  'cat',
  'head',
  'tail',
  'wc',
  'grep',
  'egrep',
  'rg',
  'find',
  'tree',
  'file',
  'stat',
  'du',
  'pwd',
  'echo',
  'printf',
  'sort',
  'uniq',
  'cut',
  'tr',
  'diff',
  'cmp',
  'sed',
  'jq',
  'basename',
  'dirname',
  'realpath',
  'which',
  'type',
  'true',
  'date',
  'git',
  'npm',
  'npx',
  'yarn',
  'pnpm',
  'node',
  'python',
  'python3',
  'pytest',
  'go',
  'cargo',
  'make',
  'mvn',
  'gradle',
  'bundle',
  'rake'
])
const READ_ONLY_GIT = new Set([
  'status',
  'log',
  'diff',
  'show',
  'ls-files',
  'ls-tree',
  'grep',
  'blame',
  'rev-parse',
  'describe',
  'shortlog',
  'cat-file',
  'branch'
])
/** For package managers and build tools: the subcommands that check rather than change. */
const CHECK_COMMANDS =
  /^(test|t|run (test|lint|check|typecheck)[\w:-]*|ls|list|outdated|why|--version|-v|vet|check|clippy|verify)(?=\s|$)/
/** Options that point a check at another makefile, project or folder (one the phase may have written). */
const ELSEWHERE = /(^|\s)(-f|--file|--makefile|-C|--directory|--dir|--prefix|--cwd|--config|-c)(?=[\s=]|$)/

/**
 * Never, in any phase: what publishes, rewrites history or leaves the work branch, as the
 * CLI's deny rules name them (`git -C dir push` and `git -c k=v push` would slip past the rest).
 * FORBIDDEN_GIT below matches each of them wherever it stands in a command.
 */
export const FORBIDDEN_GIT_COMMANDS = [
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  'push',
  'reset',
  'rebase',
  'commit --amend',
  'filter-branch',
  'filter-repo',
  'update-ref',
  'checkout',
  'switch',
  'branch -D',
  'branch -d',
  'branch -M',
  'branch -m',
  'tag',
  'remote',
  'config',
  'replace'
] as const

/** Never, in any phase: what publishes, rewrites history or leaves the work branch. */
const FORBIDDEN_GIT =
  /\bgit\s+(?:-C\b|-c\b|--git-dir|--work-tree|push\b|reset\b|rebase\b|commit\s+(?:[^;&|]*\s)?--amend\b|filter-branch\b|filter-repo\b|update-ref\b|checkout\b|switch\b|branch\s+-[dDmM]\b|tag\b|remote\b|config\b|replace\b)/

function deny(message: string): PermissionDecision {
  return { behavior: 'deny', message }
}

/** `a && b | c; d` → the simple commands in it (quotes respected, roughly). */
export function commandSegments(command: string): string[] {
  const out: string[] = []
  let current = ''
  let quote: string | null = null
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string
    if (quote) {
      if (ch === quote) quote = null
      current += ch
      continue
    }
    if (ch === "'" || ch === '"') {
      quote = ch
      current += ch
      continue
    }
    const two = command.slice(i, i + 2)
    if (two === '&&' || two === '||') {
      out.push(current)
      current = ''
      i++
      continue
    }
    if (ch === ';' || ch === '|' || ch === '\n' || ch === '&') {
      out.push(current)
      current = ''
      continue
    }
    current += ch
  }
  out.push(current)
  return out.map(s => s.trim()).filter(Boolean)
}

function readOnlySegment(segment: string): string | null {
  // Environment assignments in front (`CI=1 npm test`) do not change what runs.
  const words = segment.replace(/^(\w+=\S*\s+)+/, '').split(/\s+/)
  const program = path.basename(words[0] ?? '')
  const rest = words.slice(1).join(' ')
  if (!READ_ONLY_PROGRAMS.has(program)) return `\`${program}\` is not a read-only command`
  if (/(^|[^0-9&])>{1,2}\s*(?!&|\/dev\/null)/.test(segment)) return 'output redirection writes a file'
  if (program === 'git') {
    const sub = words.find((w, i) => i > 0 && !w.startsWith('-')) ?? ''
    if (!READ_ONLY_GIT.has(sub) || (sub === 'branch' && /\s-[dDmMcC]\b/.test(segment)))
      return `\`git ${sub}\` changes the repository`
  }
  if (program === 'sed' && /(^|\s)-[a-zA-Z]*i/.test(rest)) return '`sed -i` edits files'
  if (program === 'find' && /\s-(delete|exec|execdir|ok|okdir|fprint\w*|fls)\b/.test(segment))
    return '`find` may only list files here'
  if (
    ['npm', 'npx', 'yarn', 'pnpm', 'go', 'cargo', 'make', 'mvn', 'gradle', 'bundle', 'rake'].includes(program) &&
    !CHECK_COMMANDS.test(rest) &&
    program !== 'npx'
  ) {
    return `\`${program} ${rest.split(' ')[0] ?? ''}\` is not one of the project's checks`
  }
  if (program === 'npx' && !/^(jest|vitest|mocha|tsc --noEmit|eslint|prettier --check)(?=\s|$)/.test(rest))
    return `\`npx ${rest.split(' ')[0] ?? ''}\` is not one of the project's checks`
  if (['npm', 'npx', 'yarn', 'pnpm', 'make'].includes(program) && ELSEWHERE.test(rest))
    return `\`${program}\` may run the project's own checks only, not one pointed at other files`
  if (
    (program === 'node' || program === 'python' || program === 'python3') &&
    !/^(--version|-V|-m pytest)\b/.test(rest)
  )
    return `running \`${program}\` code is not read-only`
  return null
}

function decideBash(command: string, ctx: PermissionContext): PermissionDecision {
  if (FORBIDDEN_GIT.test(command)) {
    return deny(
      'The orchestrator commits and pushes the work itself: pushing, rewriting history, switching branches and changing git configuration are not allowed in any phase. Leave the changes in the working tree.'
    )
  }
  if (!ctx.readOnly) return { behavior: 'allow' }
  if (/\$\(|`|<\(/.test(command)) return deny(readOnlyRefusal(ctx, 'command substitution could run anything'))
  for (const segment of commandSegments(command)) {
    const why = readOnlySegment(segment)
    if (why) return deny(readOnlyRefusal(ctx, why))
  }
  return { behavior: 'allow' }
}

function readOnlyRefusal(ctx: PermissionContext, why: string): string {
  return (
    `Denied: the ${ctx.phase} phase is read-only (${why}). It may run commands that only read (ls, cat, grep, find, git log/diff/show, ` +
    `the project's tests and linters) and write files only under ${ctx.artifactsDir}/.`
  )
}

function decideWrite(file: unknown, ctx: PermissionContext): PermissionDecision {
  if (typeof file !== 'string' || !file) return deny('Say which file to write (file_path).')
  const rel = path.relative(ctx.repoDir, path.resolve(ctx.repoDir, file))
  if (rel.startsWith('..') || path.isAbsolute(rel))
    return deny(`Denied: ${file} is outside the repository; write only inside it.`)
  if (isInside(rel, '.git'))
    return deny("Denied: the .git folder is git's own; change files in the working tree instead.")
  if (ctx.readOnly && !isInside(rel, ctx.artifactsDir)) {
    return deny(
      `Denied: the ${ctx.phase} phase is read-only; it may write only under ${ctx.artifactsDir}/ (not ${rel}).`
    )
  }
  if (isInside(rel, '.github/workflows'))
    return deny('Denied: the orchestrator never changes workflow files (.github/workflows/).')
  return { behavior: 'allow' }
}

export function decideToolCall(
  toolName: string,
  input: Record<string, unknown>,
  ctx: PermissionContext
): PermissionDecision {
  switch (toolName) {
    case 'Read':
    case 'Glob':
    case 'Grep':
    case 'StructuredOutput':
      return { behavior: 'allow' }
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
      return decideWrite(input.file_path, ctx)
    case 'NotebookEdit':
      return decideWrite(input.notebook_path, ctx)
    case 'Bash':
      return typeof input.command === 'string' ? decideBash(input.command, ctx) : deny('Give the command to run.')
    default:
      return deny(`The ${toolName} tool is not available in the ${ctx.phase} phase.`)
  }
}
