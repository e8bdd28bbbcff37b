/**
 * The spellings of a secret an attacker gets for free: reversed, base64 and
 * base64url (with or without a trailing newline, so only the part that does
 * not depend on what follows), hex, URL-encoded. A scrub that only knows the
 * plain form is a scrub in name only.
 */

/** The part of base64(value + anything) that is fixed by `value` alone. */
function stableBase64(value: string): string {
  const bytes = Buffer.from(value, 'utf8')
  const whole = bytes.subarray(0, bytes.length - (bytes.length % 3))
  return whole.toString('base64')
}

export function secretForms(value: string): string[] {
  const b64 = stableBase64(value)
  const forms = [
    value,
    [...value].reverse().join(''),
    b64,
    b64.replace(/\+/g, '-').replace(/\//g, '_'),
    Buffer.from(value, 'utf8').toString('hex'),
    Buffer.from(value, 'utf8').toString('hex').toUpperCase(),
    encodeURIComponent(value)
  ]
  // A fragment this short would match ordinary text.
  return [...new Set(forms.filter(f => f.length >= 8))]
}
