/**
 * Scripted model behaviour for each phase, recognised by the built-in prompt's
 * heading. Each phase writes the document the prompt asks for, so the scripts
 * exercise the real hand-off rather than hard-coded paths.
 */
import path from 'node:path'
import type { PhaseName } from '../../src/engine/types.js'
import type { ModelRequest, Reply, Rule } from './model-server.js'

const HEADINGS: Record<PhaseName, string> = {
  index: '# Phase: index the codebase',
  research: '# Phase: research the codebase',
  plan: '# Phase: create the implementation plan',
  implement: '# Phase: implement the plan',
  review: '# Phase: review the implementation'
}

export function isPhase(phase: PhaseName): (req: ModelRequest) => boolean {
  return req => req.firstUserText.includes(HEADINGS[phase])
}

/** The path the phase prompt asks the document to be written to. */
export function outputPathOf(req: ModelRequest): string {
  const m = req.firstUserText.match(/(?:to exactly this path|Write the document to): (\S+)/)
  if (!m?.[1]) throw new Error(`no output path in prompt: ${req.firstUserText.slice(0, 200)}`)
  return m[1]
}

export function write(repoDir: string, rel: string, content: string): { name: string; input: Record<string, unknown> } {
  return { name: 'Write', input: { file_path: path.join(repoDir, rel), content } }
}

export type Replies = Rule['replies']

/** Turn 0 writes the requested document; turn 1 names it. */
export function documentPhase(repoDir: string, content: (req: ModelRequest) => string): Replies {
  return req => {
    const out = outputPathOf(req)
    if (req.turn === 0) return { text: 'Writing the document.', tools: [write(repoDir, out, content(req))] }
    return { text: `Done.\n\nDOCUMENT: ${out}` }
  }
}

export const SAMPLE_FINDINGS = {
  summary: 'The limiter works; one test only checks that a file exists.',
  findings: [
    {
      severity: 'major',
      lens: 'tests',
      file: 'test.js',
      line: 1,
      title: 'Test does not exercise the limiter',
      detail: 'The test imports the module but asserts nothing about limiting.'
    },
    {
      severity: 'nit',
      lens: 'correctness',
      file: 'src/rate-limit.js',
      line: null,
      title: 'Magic number',
      detail: 'Name the limit of 100.'
    }
  ]
}

export function implementReplies(repoDir: string): Replies {
  return [
    {
      text: 'Implementing the plan.',
      tools: [
        write(
          repoDir,
          'src/rate-limit.js',
          'export const LIMIT = 100\nexport function allow(count) {\n  return count < LIMIT\n}\n'
        ),
        { name: 'Bash', input: { command: 'npm test', description: 'Run the tests' } }
      ]
    },
    { text: 'Implemented the rate limiter in src/rate-limit.js; npm test passes.' }
  ]
}

/**
 * Implement that writes src/rate-limit.js, then spends far more than any test
 * budget on its next turn (Claude Code stops there, before running that turn's
 * tools); the session resumed after it (told "continues an earlier attempt")
 * finishes with src/allow.js.
 */
export function implementStoppedByBudget(repoDir: string): Replies {
  return req => {
    if (!req.firstUserText.includes('continues an earlier attempt')) {
      if (req.turn === 0)
        return {
          text: 'Writing the limit first.',
          tools: [write(repoDir, 'src/rate-limit.js', 'export const LIMIT = 100\n')]
        }
      if (req.turn === 1)
        return {
          text: 'Now allow().',
          tools: [write(repoDir, 'src/allow.js', 'export const allow = () => true\n')],
          usage: { input_tokens: 2000000, output_tokens: 20 }
        }
      return { text: 'Done.' }
    }
    const allow = "import { LIMIT } from './rate-limit.js'\nexport const allow = (n) => n < LIMIT\n"
    return req.turn === 0
      ? { text: 'Finishing.', tools: [write(repoDir, 'src/allow.js', allow)] }
      : { text: 'Done: allow() uses the limit.' }
  }
}

export function reviewReplies(repoDir: string, verdict: unknown = SAMPLE_FINDINGS): Replies {
  return req => {
    const out = outputPathOf(req)
    if (req.turn === 0) return { text: 'Reviewing.', tools: [write(repoDir, out, '# Review\n\nOne major finding.\n')] }
    if (req.turn === 1) return { tools: [{ name: 'StructuredOutput', input: verdict as Record<string, unknown> }] }
    return { text: `Review written to ${out}.` }
  }
}

/** A complete, successful run of all five phases; override any phase's replies. */
export function standardRules(repoDir: string, overrides: Partial<Record<PhaseName, Replies>> = {}): Rule[] {
  const defaults: Record<PhaseName, Replies> = {
    index: documentPhase(repoDir, () => '# Index\n\n- src/api.js: request handler\n- test: `npm test`\n'),
    research: documentPhase(repoDir, () => '# Research\n\n`handle` in src/api.js:1 answers every request.\n'),
    plan: documentPhase(repoDir, () => '# Plan\n\n1. Add src/rate-limit.js with `allow(count)`.\n2. Test it.\n'),
    implement: implementReplies(repoDir),
    review: reviewReplies(repoDir)
  }
  return (Object.keys(defaults) as PhaseName[]).map(phase => ({
    name: phase,
    match: isPhase(phase),
    replies: overrides[phase] ?? defaults[phase]
  }))
}

export type { Reply }

/** Turn 0 ends with a question; after the answer, the phase writes its document. */
export function askThenDocument(repoDir: string, question: string, content: string): Replies {
  return req => {
    if (req.turn === 0) return { text: question }
    const out = outputPathOf(req)
    if (req.turn === 1) return { text: 'Writing.', tools: [write(repoDir, out, content)] }
    return { text: `DOCUMENT: ${out}` }
  }
}
