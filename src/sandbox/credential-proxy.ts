/**
 * The model credential never enters the sandbox: Claude Code talks to this
 * loopback proxy with a per-run stand-in, and the proxy, which runs in the
 * orchestrator's own process outside the sandbox, puts the real credential on
 * each request on the way to the provider: an API key or bearer token swapped
 * for the stand-in, or, for Amazon Bedrock, an AWS Signature Version 4 made
 * with the keys only this process holds. A process inside the sandbox can read
 * its whole environment and still hold nothing worth stealing.
 */
import crypto from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { UpstreamCredential } from '../claude/providers.js'
import { signSigV4 } from './sigv4.js'

export type ModelCredential = UpstreamCredential

export interface CredentialProxy {
  /** Base URL for Claude Code inside the sandbox (ANTHROPIC_BASE_URL or the provider's own base URL variable). */
  url: string
  /** host:port, for the sandbox's network allowlist. */
  endpoint: string
  /** The stand-in Claude Code sends; worthless outside this run. */
  dummy: string
  /** Requests forwarded so far. */
  forwarded(): number
  close(): Promise<void>
}

/** Headers that describe one hop, not the request (RFC 9110 §7.6.1), plus the credentials we replace. */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'x-api-key',
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256'
])

function presented(req: http.IncomingMessage): string {
  const key = req.headers['x-api-key']
  if (typeof key === 'string') return key
  const auth = req.headers.authorization ?? ''
  return auth.replace(/^Bearer\s+/i, '')
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && crypto.timingSafeEqual(x, y)
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function parseUpstream(url: string): URL {
  const u = new URL(url)
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`the model endpoint must be http(s), got ${u.protocol}`)
  }
  return u
}

export async function startCredentialProxy(opts: {
  /** Where requests really go: the provider's endpoint (ANTHROPIC_BASE_URL, Bedrock, Vertex AI, Foundry). */
  upstream: string
  credential: ModelCredential
  /** Loopback address to listen on (127.0.0.2 on Linux: the sandbox sends 127.0.0.1 past its proxy). */
  host: string
}): Promise<CredentialProxy> {
  const main = parseUpstream(opts.upstream)
  const dummy = `sk-ant-orchestrator-${crypto.randomBytes(18).toString('base64url')}`
  let count = 0

  const forward = async (req: http.IncomingMessage, res: http.ServerResponse, upstream: URL): Promise<void> => {
    const prefix = upstream.pathname.replace(/\/+$/, '')
    const path = `${prefix}${req.url ?? '/'}`
    const headers: http.OutgoingHttpHeaders = {}
    for (const [name, value] of Object.entries(req.headers))
      if (!DROPPED.has(name) && value !== undefined) headers[name] = value
    headers.host = upstream.host
    const credential = opts.credential
    let body: Buffer | null = null
    if (credential.kind === 'api-key') headers['x-api-key'] = credential.value
    else if (credential.kind === 'bearer') headers.authorization = `Bearer ${credential.value}`
    else {
      // A signature covers the body: it is read whole (model requests are JSON of at most a few MB).
      body = await readBody(req)
      headers['content-length'] = String(body.length)
      const at = path.indexOf('?')
      const contentType = req.headers['content-type']
      const signed = signSigV4({
        method: req.method ?? 'GET',
        host: upstream.host,
        path: at < 0 ? path : path.slice(0, at),
        query: at < 0 ? '' : path.slice(at + 1),
        headers: contentType ? { 'content-type': contentType } : {},
        body,
        region: credential.region,
        service: 'bedrock',
        credentials: credential.credentials
      })
      Object.assign(headers, signed.headers)
    }
    count++
    const client = upstream.protocol === 'https:' ? https : http
    const out = client.request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port || undefined,
        method: req.method,
        path,
        headers
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    out.on('error', err => {
      // The message names the host, never the credential.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          type: 'error',
          error: { type: 'api_error', message: `model endpoint unreachable: ${err.message}` }
        })
      )
    })
    res.on('close', () => out.destroy())
    if (body) out.end(body)
    else req.pipe(out)
  }

  const server = http.createServer((req, res) => {
    // Claude Code probes the base URL with a bare HEAD: answered here, it needs no credential.
    if (req.method === 'HEAD') {
      res.writeHead(200)
      res.end()
      return
    }
    if (!sameSecret(presented(req), dummy)) {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'unknown client' } }))
      req.resume()
      return
    }
    forward(req, res, main).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: (err as Error).message } }))
    })
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, opts.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${opts.host}:${port}`,
    endpoint: `${opts.host}:${port}`,
    dummy,
    forwarded: () => count,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
