/**
 * The spellings of a secret an attacker gets for free: reversed, base64 and
 * base64url (wherever the secret sits in what was encoded), hex, URL-encoded.
 * A scrub that only knows the plain form is a scrub in name only.
 */

/**
 * The base64 characters fixed by `value` alone, wherever it sits in a longer
 * stream: one run for each of its three possible offsets modulo 3 (0, 1 or 2
 * bytes of whatever came before in its group). Base64 spells 6 bits a
 * character, so a character is the value's own only when its 6 bits all fall
 * inside the value's bytes. Characters that straddle the value's edges mix in
 * the neighbours' bits (or the padding) and are left out: at most one at each
 * end, holding at most 4 bits of the value.
 *
 * Why no alignment is too short or too generic to mask ordinary text: its run
 * leaves out at most 4 bits at each end, so it spells at least 8·n − 8 of the
 * value's 8·n bits and is at least (8·n − 8) / 6 characters long: 10 for the
 * 8-byte secrets the callers start at (the aligned run is no longer). A run of
 * the value's own bits is as particular as the value: it turns up where the
 * secret was encoded, or a string that differs from it only in those edge
 * bits, never in prose or code by chance. Shorter values' runs (below 8
 * characters) go with the floor below, as every form does.
 */
function stableBase64(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8')
  return [0, 1, 2].map(offset => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64')
    const first = Math.ceil((8 * offset) / 6)
    const end = Math.floor((8 * (offset + bytes.length)) / 6)
    return encoded.slice(first, end)
  })
}

export function secretForms(value: string): string[] {
  const b64 = stableBase64(value)
  const forms = [
    value,
    [...value].reverse().join(''),
    ...b64,
    ...b64.map(s => s.replace(/\+/g, '-').replace(/\//g, '_')),
    Buffer.from(value, 'utf8').toString('hex'),
    Buffer.from(value, 'utf8').toString('hex').toUpperCase(),
    encodeURIComponent(value)
  ]
  // A fragment this short would match ordinary text.
  return [...new Set(forms.filter(f => f.length >= 8))]
}
