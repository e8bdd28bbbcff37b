import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { REDACTED, SecretRegistry } from '../../src/action/secrets.js'
import { redactor } from '../../src/ledger/cli.js'
import { secretForms } from '../../src/util/secret-forms.js'
import { captureStdout } from '../support/stdout.js'

const KEY = 'sk-ant-fake/Key+0123456789'

function encodings(value: string): string[] {
  return [
    [...value].reverse().join(''),
    Buffer.from(value).toString('base64'),
    Buffer.from(`${value}\n`).toString('base64'),
    Buffer.from(value).toString('base64url'),
    Buffer.from(value).toString('hex'),
    encodeURIComponent(value)
  ]
}

/** Bytes that look random but are the same on every run (a failure can be replayed). */
function pseudoRandom(seed: number): (length: number) => Buffer {
  let state = seed
  return length =>
    Buffer.from(
      Array.from({ length }, () => {
        state = (state * 1103515245 + 12345) % 2 ** 31
        return state >> 23
      })
    )
}

/** How many of the bits `[from, to)` of a stream base64 character `index` spells. */
function bitsOf(index: number, from: number, to: number): number {
  return Math.max(0, Math.min(6 * index + 6, to) - Math.max(6 * index, from))
}

// Lengths in bytes of 0, 1 and 2 modulo 3 (the last with a character UTF-8 spells in two bytes).
const SECRETS = ['ghs_fakeGitHubToken01234567890', 'sk-ant-fakeAnthropicKey01234567890', 'sk-fake+/OpenAIKey-ü01234567']
const ANTHROPIC = SECRETS[1] as string

const captured = captureStdout()

describe('secretForms', () => {
  it('finds the secret however an attacker wrote it: reversed, base64 (with a newline too), base64url, hex, URL-encoded', () => {
    const forms = secretForms(KEY)
    for (const encoded of encodings(KEY)) {
      expect(forms.some(f => `prefix ${encoded} suffix`.includes(f))).toBe(true)
    }
  })

  it('does not match the encodings of another value', () => {
    const forms = secretForms(KEY)
    for (const encoded of encodings('sk-ant-another-key-000000'))
      expect(forms.some(f => encoded.includes(f))).toBe(false)
  })

  it('finds the secret in the base64 and base64url of a longer stream, at whatever byte it starts', () => {
    expect(SECRETS.map(s => Buffer.byteLength(s) % 3)).toEqual([0, 1, 2])
    const bytes = pseudoRandom(7)
    for (const secret of SECRETS) {
      const forms = secretForms(secret)
      for (let before = 0; before <= 5; before++)
        for (let after = 0; after <= 5; after++)
          for (const encoding of ['base64', 'base64url'] as const) {
            const stream = Buffer.concat([bytes(before), Buffer.from(secret), bytes(after)])
            const where = `${encoding} with ${before} bytes before and ${after} after`
            expect([where, forms.some(f => stream.toString(encoding).includes(f))]).toEqual([where, true])
          }
    }
  })

  it('redacts all of it but the one character at each edge that also spells a neighbouring byte (at most 4 of its bits)', () => {
    const bytes = pseudoRandom(11)
    for (const secret of SECRETS) {
      const registry = new SecretRegistry()
      registry.add(secret)
      const n = Buffer.byteLength(secret)
      for (let before = 0; before <= 5; before++)
        for (let after = 0; after <= 5; after++)
          for (const encoding of ['base64', 'base64url'] as const) {
            const encoded = Buffer.concat([bytes(before), Buffer.from(secret), bytes(after)]).toString(encoding)
            const out = registry.redact(encoded)
            const at = out.indexOf(REDACTED)
            const rest = out.length - at - REDACTED.length
            // One mask, and the characters either side of it are the encoding's own.
            expect(at).toBeGreaterThanOrEqual(0)
            expect(out.indexOf(REDACTED, at + 1)).toBe(-1)
            expect(out.slice(0, at)).toBe(encoded.slice(0, at))
            expect(out.slice(at + REDACTED.length)).toBe(encoded.slice(encoded.length - rest))
            // Exactly the characters spelled by the secret's bits alone are gone: the first whose 6 bits
            // start at or after its first bit, up to the last that ends at or before its last.
            const [from, to] = [8 * before, 8 * (before + n)]
            expect([at, encoded.length - rest]).toEqual([Math.ceil(from / 6), Math.floor(to / 6)])
            // What is left of it: the bits of the straddling character before the mask and the one after.
            const shownBefore = Array.from({ length: at }, (_, i) => bitsOf(i, from, to))
            const shownAfter = Array.from({ length: rest }, (_, i) => bitsOf(encoded.length - rest + i, from, to))
            expect(shownBefore.filter(b => b > 0).length).toBeLessThanOrEqual(1)
            expect(shownAfter.filter(b => b > 0).length).toBeLessThanOrEqual(1)
            expect(Math.max(0, ...shownBefore, ...shownAfter)).toBeLessThanOrEqual(4)
          }
    }
  })

  it('masks every spelling for the runner, and the CLI ledger redacts them the same way', () => {
    const registry = new SecretRegistry()
    registry.add(ANTHROPIC)
    const masked =
      captured
        .chunks()
        .join('')
        .match(/^::add-mask::.*$/gm) ?? []
    for (const form of secretForms(ANTHROPIC)) expect(masked).toContain(`::add-mask::${form}`)

    // 35 bytes: 48 characters, of which the 3rd to the 46th are the key's own.
    const shifted = Buffer.from(`x${ANTHROPIC}`).toString('base64')
    const text = `key ${shifted} end`
    expect(redactor({ ANTHROPIC_API_KEY: ANTHROPIC })(text)).toBe(registry.redact(text))
    expect(registry.redact(text)).toBe(`key ${shifted.slice(0, 2)}***${shifted.slice(46)} end`)
  })

  it('has no form shorter than 8 characters, and leaves ordinary text alone', () => {
    const bytes = pseudoRandom(3)
    for (let n = 8; n <= 40; n++) {
      const forms = secretForms(bytes(n).toString('hex').slice(0, n))
      expect(Math.min(...forms.map(f => f.length))).toBeGreaterThanOrEqual(8)
    }
    // The shortest secret the callers take (8 bytes) has a run of 10 base64 characters at each offset: none is dropped.
    const eight = secretForms('12345678')
    for (const before of ['', 'x', 'xy']) {
      const encoded = Buffer.from(`${before}12345678`).toString('base64')
      expect(eight.filter(f => encoded.includes(f)).map(f => f.length)).toEqual([10])
    }

    const registry = new SecretRegistry()
    for (const secret of [...SECRETS, KEY]) registry.add(secret)
    // The project's own prose and code, and base64 of it, as a comment or PR body might quote them.
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..')
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
    const code = fs.readFileSync(path.join(root, 'src', 'action', 'secrets.ts'), 'utf8')
    const texts = [readme, code, Buffer.from(readme).toString('base64'), Buffer.from(code).toString('base64url')]
    for (const text of texts) expect(registry.redact(text)).toBe(text)
    // A secret that is an ordinary word hides that word in prose and code, but its encodings hide nothing else there.
    const word = new SecretRegistry()
    word.add('password')
    for (const text of [readme, code]) expect(word.redact(text)).toBe(text.split('password').join(REDACTED))
  })
})

/** `text` cut into lines of `width` characters, as `base64` (76), `openssl base64` (64) and `xxd -p` (60) write it. */
function wrap(text: string, width: number): string[] {
  return Array.from({ length: Math.ceil(text.length / width) }, (_, i) => text.slice(i * width, (i + 1) * width))
}

/** The lines with the characters `[from, to)` of the text they were cut from masked: one mask on each line they touch. */
function maskLines(lines: string[], width: number, from: number, to: number): string[] {
  return lines.map((line, i) => {
    const start = i * width
    if (start + line.length <= from || start >= to) return line
    return line.slice(0, Math.max(0, from - start)) + REDACTED + line.slice(Math.min(line.length, to - start))
  })
}

/** The characters of the encoding that the secret alone spells, for `at` bytes before its `n`. */
type Own = (at: number, n: number) => [number, number]
// Base64: the characters whose 6 bits are all the secret's (see the redaction test above). Hex: whole bytes.
const base64Own: Own = (at, n) => [Math.ceil((8 * at) / 6), Math.floor((8 * (at + n)) / 6)]
const hexOwn: Own = (at, n) => [2 * at, 2 * (at + n)]
const ENCODERS: Array<{ name: string; encode: (b: Buffer) => string; own: Own }> = [
  { name: 'base64', encode: b => b.toString('base64'), own: base64Own },
  { name: 'base64url', encode: b => b.toString('base64url'), own: base64Own },
  { name: 'hex', encode: b => b.toString('hex'), own: hexOwn }
]

describe('a form broken across lines', () => {
  it('is found and masked line by line, wherever the encoder wrapped it (76, 64, 60; LF, CRLF; as a diff and as JSON show it)', () => {
    const bytes = pseudoRandom(5)
    for (const secret of SECRETS) {
      const registry = new SecretRegistry()
      registry.add(secret)
      const n = Buffer.byteLength(secret)
      for (let before = 0; before <= 80; before++) {
        const stream = Buffer.concat([bytes(before), Buffer.from(secret), bytes(before % 3)])
        for (const { name, encode, own } of ENCODERS) {
          const [from, to] = own(before, n)
          for (const width of [76, 64, 60]) {
            const lines = wrap(encode(stream), width)
            const masked = maskLines(lines, width, from, to)
            for (const eol of ['\n', '\r\n']) {
              const where = `${name} at ${width} (${JSON.stringify(eol)}) with ${before} bytes before a secret of ${n}`
              const text = `begin${eol}${lines.join(eol)}${eol}end`
              const expected = `begin${eol}${masked.join(eol)}${eol}end`
              expect([where, registry.found(text)]).toEqual([where, true])
              expect([where, registry.redact(text)]).toEqual([where, expected])
              // As `git diff` shows the file to the review, and as a JSON record (ledger, progress log) holds it.
              const diff = (ls: string[]) => ls.map(l => `+${l}`).join(eol)
              expect([where, registry.redact(diff(lines))]).toEqual([where, diff(masked)])
              expect([where, registry.redact(JSON.stringify(text))]).toEqual([where, JSON.stringify(expected)])
            }
          }
        }
      }
    }
  })

  it('leaves ordinary multi-line text byte-identical: prose, code, a diff of it, its JSON, its wrapped base64 and hex', () => {
    const registry = new SecretRegistry()
    for (const secret of [...SECRETS, KEY]) registry.add(secret)
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..')
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
    const code = fs.readFileSync(path.join(root, 'src', 'action', 'secrets.ts'), 'utf8')
    const texts = [
      readme,
      code,
      readme.replace(/\n/g, '\r\n'),
      code.replace(/^/gm, '+'),
      JSON.stringify({ readme, code }),
      wrap(Buffer.from(readme).toString('base64'), 76).join('\n'),
      wrap(Buffer.from(code).toString('hex'), 60).join('\r\n')
    ]
    for (const text of texts) {
      expect(registry.found(text)).toBe(false)
      expect(registry.redact(text)).toBe(text)
    }
  })

  it('still finds an unbroken form right after a backslash (C:\\npm_…, where \\n reads as an escaped break)', () => {
    const token = 'npm_AbCdEfGh1234567890'
    const secrets = new SecretRegistry()
    secrets.add(token)
    for (const text of [`C:\\${token}`, JSON.stringify(`C:\\${token}`)]) {
      expect(secrets.found(text)).toBe(true)
      expect(secrets.redact(text)).not.toContain(token.slice(1))
    }
  })

  it('is redacted the same way by the CLI ledger', () => {
    const registry = new SecretRegistry()
    registry.add(ANTHROPIC)
    const lines = wrap(Buffer.from(`${'0'.repeat(49)}${ANTHROPIC}`).toString('base64'), 76)
    const text = JSON.stringify({ detail: `before\n${lines.join('\n')}\nafter` })
    expect(redactor({ ANTHROPIC_API_KEY: ANTHROPIC })(text)).toBe(registry.redact(text))
    expect(registry.redact(text)).not.toBe(text)
  })
})
