import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadEnvFile, parseEnvFile } from '../../src/cli/env-file.js'

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines, skipping comments, blanks and junk', () => {
    const text = [
      '# answerer settings',
      '',
      'OPENAI_API_KEY=sk-test-123',
      '   # indented comment',
      'OPENAI_MODEL = gpt-5-mini ',
      'not a setting',
      '1BAD=x',
      'EMPTY='
    ].join('\n')
    expect(parseEnvFile(text)).toEqual({ OPENAI_API_KEY: 'sk-test-123', OPENAI_MODEL: 'gpt-5-mini', EMPTY: '' })
  })

  it('accepts an export prefix and Windows line endings', () => {
    expect(parseEnvFile('export AZURE_OPENAI_API_KEY=az-1\r\nexport  AZURE_OPENAI_ENDPOINT=https://x\r\n')).toEqual({
      AZURE_OPENAI_API_KEY: 'az-1',
      AZURE_OPENAI_ENDPOINT: 'https://x'
    })
  })

  it('strips quotes, unescaping \\n and \\" only inside double quotes', () => {
    const text = [
      'A="hello world"',
      "B='single # not a comment'",
      'C="line1\\nline2 \\"quoted\\""',
      "D='raw\\n'",
      'E="# not a comment either"',
      'F="unbalanced'
    ].join('\n')
    expect(parseEnvFile(text)).toEqual({
      A: 'hello world',
      B: 'single # not a comment',
      C: 'line1\nline2 "quoted"',
      D: 'raw\\n',
      E: '# not a comment either',
      F: '"unbalanced'
    })
  })

  it('drops an inline comment after an unquoted value but keeps a # inside a word', () => {
    expect(parseEnvFile('OPENAI_MODEL=gpt-5-mini  # cheap one\nURL=http://h/#frag\nX=a #b')).toEqual({
      OPENAI_MODEL: 'gpt-5-mini',
      URL: 'http://h/#frag',
      X: 'a'
    })
  })

  it('lets a later line win', () => {
    expect(parseEnvFile('K=1\nK=2')).toEqual({ K: '2' })
  })

  it('strips quotes from a quoted value followed by an inline comment', () => {
    expect(parseEnvFile('OPENAI_API_KEY="sk-abc" # prod key\nMODEL=\'gpt-5-mini\'   # cheap')).toEqual({
      OPENAI_API_KEY: 'sk-abc',
      MODEL: 'gpt-5-mini'
    })
  })
})

describe('loadEnvFile', () => {
  let dir: string
  let file: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'envfile-'))
    file = path.join(dir, '.env.claude')
  })
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('returns the environment unchanged when the file does not exist', () => {
    const env = { PATH: '/bin', OPENAI_API_KEY: '' }
    expect(loadEnvFile(file, env)).toBe(env)
  })

  it('adds values from the file, with the real environment winning', () => {
    fs.writeFileSync(file, 'OPENAI_API_KEY=from-file\nOPENAI_MODEL=gpt-file\n')
    expect(loadEnvFile(file, { PATH: '/bin', OPENAI_MODEL: 'gpt-real' })).toEqual({
      PATH: '/bin',
      OPENAI_API_KEY: 'from-file',
      OPENAI_MODEL: 'gpt-real'
    })
  })

  it('does not let an empty or unset real variable erase a value from the file', () => {
    // In GitHub Actions an unset secret arrives as an empty string.
    fs.writeFileSync(file, 'OPENAI_API_KEY=from-file\nAZURE_OPENAI_API_KEY=az-file\n')
    const env = loadEnvFile(file, { OPENAI_API_KEY: '', AZURE_OPENAI_API_KEY: undefined, HOME: '/home/me' })
    expect(env).toEqual({ OPENAI_API_KEY: 'from-file', AZURE_OPENAI_API_KEY: 'az-file', HOME: '/home/me' })
  })
})
