import { describe, expect, it } from '@jest/globals'
import { secretForms } from '../../src/util/secret-forms.js'

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
})
