/**
 * The model credential never enters the sandbox: Claude Code talks to this
 * loopback proxy with a per-run dummy key, and the proxy, which runs in the
 * orchestrator's own process outside the sandbox, swaps in the real key on
 * the way to the model endpoint. A process inside the sandbox can read its
 * whole environment and still hold nothing worth stealing.
 */
import crypto from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'

export type ModelCredential = { kind: 'api-key'; value: string } | { kind: 'oauth-token'; value: string }

export interface CredentialProxy {
  /** Base URL for ANTHROPIC_BASE_URL inside the sandbox. */
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
  'authorization'
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

export async function startCredentialProxy(opts: {
  /** Where requests really go: ANTHROPIC_BASE_URL, or Anthropic's API. */
  upstream: string
  credential: ModelCredential
  /** Loopback address to listen on (127.0.0.2 on Linux: the sandbox sends 127.0.0.1 past its proxy). */
  host: string
}): Promise<CredentialProxy> {
  const upstream = new URL(opts.upstream)
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    throw new Error(`the Anthropic API URL must be http(s), got ${upstream.protocol}`)
  }
  const prefix = upstream.pathname.replace(/\/+$/, '')
  const client = upstream.protocol === 'https:' ? https : http
  const dummy = `sk-ant-orchestrator-${crypto.randomBytes(18).toString('base64url')}`
  let count = 0

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
    count++
    const headers: http.OutgoingHttpHeaders = {}
    for (const [name, value] of Object.entries(req.headers))
      if (!DROPPED.has(name) && value !== undefined) headers[name] = value
    headers.host = upstream.host
    if (opts.credential.kind === 'api-key') headers['x-api-key'] = opts.credential.value
    else headers.authorization = `Bearer ${opts.credential.value}`
    const out = client.request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port || undefined,
        method: req.method,
        path: `${prefix}${req.url ?? '/'}`,
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
    req.pipe(out)
    res.on('close', () => out.destroy())
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
