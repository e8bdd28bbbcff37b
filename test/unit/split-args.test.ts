import { describe, expect, it } from '@jest/globals'
import { splitArgs } from '../../src/util/split-args.js'

describe('splitArgs', () => {
  it('splits on any run of whitespace and ignores leading and trailing space', () => {
    expect(splitArgs('  --model   sonnet\t--verbose\n ')).toEqual(['--model', 'sonnet', '--verbose'])
    expect(splitArgs('')).toEqual([])
    expect(splitArgs('   ')).toEqual([])
  })

  it('keeps quoted text together and removes the quotes', () => {
    expect(splitArgs(`--append-system-prompt "Be brief and cite files" --name 'a b'`)).toEqual([
      '--append-system-prompt',
      'Be brief and cite files',
      '--name',
      'a b'
    ])
  })

  it('joins adjacent quoted and unquoted parts into one word', () => {
    expect(splitArgs(`--settings='{"a": 1}' pre"fix"post`)).toEqual(['--settings={"a": 1}', 'prefixpost'])
  })

  it('keeps an empty quoted argument', () => {
    expect(splitArgs(`--system-prompt "" --x ''`)).toEqual(['--system-prompt', '', '--x', ''])
  })

  it('treats single quotes literally and lets backslash escape inside double quotes', () => {
    expect(splitArgs(`'C:\\dir\\n'`)).toEqual(['C:\\dir\\n'])
    // As in a shell, a backslash cannot escape the closing single quote.
    expect(() => splitArgs(`'it\\'s'`)).toThrow("unterminated ' quote")
    expect(splitArgs(`"say \\"hi\\""`)).toEqual(['say "hi"'])
    expect(splitArgs(`"it's" 'say "hi"'`)).toEqual(["it's", 'say "hi"'])
  })

  it('lets a backslash escape a space or quote outside quotes', () => {
    expect(splitArgs('a\\ b c\\"d')).toEqual(['a b', 'c"d'])
    expect(splitArgs('trailing\\')).toEqual(['trailing\\'])
  })

  it('never interprets shell syntax', () => {
    expect(splitArgs('$(rm -rf /) `id` ; | && $HOME')).toEqual(['$(rm', '-rf', '/)', '`id`', ';', '|', '&&', '$HOME'])
  })

  it('rejects an unterminated quote, naming it', () => {
    expect(() => splitArgs('--prompt "unfinished')).toThrow('unterminated " quote in: --prompt "unfinished')
    expect(() => splitArgs("--prompt 'unfinished")).toThrow("unterminated ' quote in: --prompt 'unfinished")
  })

  it('keeps a backslash inside double quotes that escapes nothing, as a shell does', () => {
    expect(splitArgs('--append-system-prompt "match \\d+ digits"')).toEqual([
      '--append-system-prompt',
      'match \\d+ digits'
    ])
  })
})
