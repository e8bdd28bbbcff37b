/**
 * What Bedrock checks of a signed request, for the local Bedrock front: the
 * Authorization header recomputed from the request exactly as it arrived (its
 * path, query, signed headers and body) with the keys AWS would hold.
 */
import type http from 'node:http'
import { signSigV4, type AwsCredentials } from '../../src/sandbox/sigv4.js'

/** Null when the signature is valid; otherwise why not. */
export function sigV4Problem(
  req: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer },
  credentials: AwsCredentials,
  expect: { region: string; service: string }
): string | null {
  const auth = String(req.headers.authorization ?? '')
  const m = auth.match(
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/
  )
  if (!m) return `not a SigV4 Authorization header: "${auth.slice(0, 40)}"`
  const [, keyId, , region, service, signedHeaders] = m
  if (keyId !== credentials.accessKeyId) return `signed with key ${keyId}`
  if (region !== expect.region || service !== expect.service) return `scope ${region}/${service}`
  const date = String(req.headers['x-amz-date'] ?? '')
  const at = date.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/)
  if (!at) return `x-amz-date "${date}"`
  const names = (signedHeaders as string).split(';')
  const headers: Record<string, string> = {}
  for (const name of names) {
    if (['host', 'x-amz-date', 'x-amz-security-token'].includes(name)) continue
    headers[name] = String(req.headers[name] ?? '')
  }
  if (credentials.sessionToken && req.headers['x-amz-security-token'] !== credentials.sessionToken)
    return 'the session token is missing'
  const q = req.url.indexOf('?')
  const again = signSigV4({
    method: req.method,
    host: String(req.headers.host),
    path: q < 0 ? req.url : req.url.slice(0, q),
    query: q < 0 ? '' : req.url.slice(q + 1),
    headers,
    body: req.body,
    region: expect.region,
    service: expect.service,
    credentials,
    now: new Date(Date.UTC(+at[1]!, +at[2]! - 1, +at[3]!, +at[4]!, +at[5]!, +at[6]!))
  })
  if (again.headers.authorization !== auth) return 'the signature does not match the request'
  return null
}
