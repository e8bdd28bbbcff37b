import { describe, expect, it } from '@jest/globals'
import { parseCommand, parseFixArgument } from '../../../src/action/commands.js'

describe('parseCommand', () => {
  it.each([
    ['/plan', 'plan'],
    ['/approve', 'approve'],
    ['/revise', 'revise'],
    ['/cancel', 'cancel'],
    ['/answer', 'answer'],
    ['/resume', 'resume']
  ] as const)('recognises %s as the first word', (body, name) => {
    expect(parseCommand(body)).toEqual({ name, argument: '' })
  })

  it('takes the rest of the first line as the argument, trimmed', () => {
    expect(parseCommand('/approve   keep the public API unchanged  ')).toEqual({
      name: 'approve',
      argument: 'keep the public API unchanged'
    })
    expect(parseCommand('/plan focus on the CLI')).toEqual({ name: 'plan', argument: 'focus on the CLI' })
  })

  it('keeps an argument that spans several lines, line breaks included', () => {
    const body = '/revise\nPlease:\n- split step 2 into two commits\n- add a migration test\n\nThanks!\n'
    expect(parseCommand(body)).toEqual({
      name: 'revise',
      argument: 'Please:\n- split step 2 into two commits\n- add a migration test\n\nThanks!'
    })
  })

  it('accepts a comment written with Windows line endings', () => {
    expect(parseCommand('/approve\r\nuse the v2 endpoint\r\n')).toEqual({
      name: 'approve',
      argument: 'use the v2 endpoint'
    })
  })

  it('ignores leading whitespace, blank lines and a byte order mark', () => {
    expect(parseCommand('   /cancel')).toEqual({ name: 'cancel', argument: '' })
    expect(parseCommand('\n\n  /approve ship it')).toEqual({ name: 'approve', argument: 'ship it' })
    // A tab or four spaces make an indented code block on GitHub: not a command.
    expect(parseCommand('\t/approve ship it')).toBeNull()
    expect(parseCommand('    /approve ship it')).toBeNull()
    expect(parseCommand('\uFEFF/plan')).toEqual({ name: 'plan', argument: '' })
    expect(parseCommand('\uFEFF  /revise more tests')).toEqual({ name: 'revise', argument: 'more tests' })
  })

  it('does not treat a quoted command as a command', () => {
    expect(parseCommand('> /approve')).toBeNull()
    expect(parseCommand('> /approve\n\nI agree with the above')).toBeNull()
  })

  it('does not treat a command after other text as a command', () => {
    expect(parseCommand('LGTM /approve')).toBeNull()
    expect(parseCommand('Looks good.\n/approve')).toBeNull()
    expect(parseCommand('Thanks! You can reply `/approve` when ready')).toBeNull()
  })

  it('does not treat a longer word that starts like a command as the command', () => {
    expect(parseCommand('/approved')).toBeNull()
    expect(parseCommand('/approved by the team')).toBeNull()
    expect(parseCommand('/planning')).toBeNull()
    expect(parseCommand('/cancelled')).toBeNull()
    expect(parseCommand('/approve, please')).toBeNull()
  })

  it('does not treat a command inside a code block or code span as a command', () => {
    expect(parseCommand('```\n/approve\n```')).toBeNull()
    expect(parseCommand('```text\n/cancel\n```\nthat is how you cancel')).toBeNull()
    expect(parseCommand('`/approve`')).toBeNull()
  })

  it('ignores unknown slash words and other casings', () => {
    expect(parseCommand('/foo')).toBeNull()
    expect(parseCommand('/foo bar')).toBeNull()
    expect(parseCommand('/merge')).toBeNull()
    expect(parseCommand('/Approve')).toBeNull()
    expect(parseCommand('/')).toBeNull()
    expect(parseCommand('//approve')).toBeNull()
  })

  it('returns null for empty, null and undefined bodies', () => {
    expect(parseCommand('')).toBeNull()
    expect(parseCommand('   \n ')).toBeNull()
    expect(parseCommand(null)).toBeNull()
    expect(parseCommand(undefined)).toBeNull()
  })
})

describe('parseFixArgument', () => {
  it('takes the finding ids first and the words after them', () => {
    expect(parseFixArgument('F2 F3 also rename it')).toEqual({ findings: ['F2', 'F3'], words: 'also rename it' })
    expect(parseFixArgument('f2, F3: keep 100')).toEqual({ findings: ['F2', 'F3'], words: 'keep 100' })
    expect(parseFixArgument('F2 F2')).toEqual({ findings: ['F2'], words: '' })
  })

  it('is plain feedback when it does not start with an id', () => {
    expect(parseFixArgument('Fix the F2 thing')).toEqual({ findings: [], words: 'Fix the F2 thing' })
    expect(parseFixArgument('F2x is wrong')).toEqual({ findings: [], words: 'F2x is wrong' })
    expect(parseFixArgument('')).toEqual({ findings: [], words: '' })
  })
})
