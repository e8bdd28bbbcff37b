/**
 * AWS Signature Version 4, for the credential proxy: Claude Code inside the
 * sandbox sends Bedrock requests unsigned (CLAUDE_CODE_SKIP_BEDROCK_AUTH), and
 * the proxy, which alone holds the AWS keys, signs each one on its way out.
 * Written against node:crypto rather than the AWS SDK because the signer is
 * forty lines and the SDK would bring hundreds of files into the bundle.
 * The algorithm: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import crypto from 'node:crypto'

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  /** The temporary credentials' token (aws-actions/configure-aws-credentials with OIDC always has one). */
  sessionToken?: string
}

export interface SignInput {
  method: string
  /** Host (with a port when it is not the scheme's default). */
  host: string
  /** The path as it goes on the wire (percent-encoded as the client sent it). */
  path: string
  /** The raw query string, without `?`. */
  query?: string
  /** Headers to sign besides host, x-amz-date and the token (names in any case). */
  headers?: Record<string, string>
  body: Buffer | string
  region: string
  service: string
  credentials: AwsCredentials
  now?: Date
}

export interface Signed {
  /** Headers to add to the request: authorization, x-amz-date and, with a session token, x-amz-security-token. */
  headers: Record<string, string>
  canonicalRequest: string
  stringToSign: string
  signature: string
}

const sha256 = (data: Buffer | string): string => crypto.createHash('sha256').update(data).digest('hex')
const hmac = (key: Buffer | string, data: string): Buffer => crypto.createHmac('sha256', key).update(data).digest()

/** RFC 3986 encoding: everything but unreserved characters, as AWS wants it. */
function escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** Every service but S3: dot segments and empty segments removed, then each segment encoded (again). */
function canonicalPath(path: string): string {
  const segments: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : ''
  return `/${segments.map(escape).join('/')}${trailing}`
}

function canonicalQuery(query: string): string {
  return query
    .split('&')
    .filter(Boolean)
    .map(pair => {
      const at = pair.indexOf('=')
      const key = at < 0 ? pair : pair.slice(0, at)
      const value = at < 0 ? '' : pair.slice(at + 1)
      return [escape(decode(key)), escape(decode(value))] as const
    })
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
}

/** The `YYYYMMDD'T'HHMMSS'Z'` stamp. */
function amzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

export function signSigV4(input: SignInput): Signed {
  const stamp = amzDate(input.now ?? new Date())
  const day = stamp.slice(0, 8)
  const added: Record<string, string> = { 'x-amz-date': stamp }
  if (input.credentials.sessionToken) added['x-amz-security-token'] = input.credentials.sessionToken
  const all = new Map<string, string>()
  for (const [name, value] of Object.entries({ ...input.headers, host: input.host, ...added })) {
    all.set(name.toLowerCase(), value.trim().replace(/\s+/g, ' '))
  }
  const names = [...all.keys()].sort()
  const signedHeaders = names.join(';')
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(input.path),
    canonicalQuery(input.query ?? ''),
    ...names.map(n => `${n}:${all.get(n)}`),
    '',
    signedHeaders,
    sha256(input.body)
  ].join('\n')
  const scope = `${day}/${input.region}/${input.service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256(canonicalRequest)].join('\n')
  const key = [input.region, input.service, 'aws4_request'].reduce<Buffer>(
    (k, part) => hmac(k, part),
    hmac(`AWS4${input.credentials.secretAccessKey}`, day)
  )
  const signature = hmac(key, stringToSign).toString('hex')
  return {
    headers: {
      ...added,
      authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
    },
    canonicalRequest,
    stringToSign,
    signature
  }
}
