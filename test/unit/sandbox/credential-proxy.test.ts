import { afterEach, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { startCredentialProxy, type CredentialProxy } from '../../../src/sandbox/credential-proxy.js'
import { sigV4Problem } from '../../support/aws-sigv4.js'

interface Seen {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
  raw: Buffer
}

let upstream: http.Server
let proxy: CredentialProxy
const seen: Seen[] = []

async function startUpstream(): Promise<string> {
  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        raw: Buffer.concat(chunks)
      })
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('event: message_start\ndata: {}\n\n')
      setTimeout(() => res.end('event: message_stop\ndata: {}\n\n'), 20)
    })
  })
  await new Promise<void>(r => upstream.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/gateway/anthropic/`
}

function post(
  url: string,
  headers: Record<string, string>,
  path = '/v1/messages?beta=true',
  method = 'POST'
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      { method, headers: { 'content-type': 'application/json', ...headers } },
      res => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      }
    )
    req.on('error', reject)
    req.end(method === 'GET' ? undefined : '{"model":"claude"}')
  })
}

afterEach(async () => {
  seen.length = 0
  await proxy?.close()
  await new Promise<void>(r => upstream.close(() => r()))
})

describe('credential proxy', () => {
  it('forwards with the real API key in place of the stand-in, keeping the path and streaming the answer', async () => {
    proxy = await startCredentialProxy({
      upstream: await startUpstream(),
      credential: { kind: 'api-key', value: 'sk-ant-REAL' },
      host: '127.0.0.2'
    })
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/)
    expect(proxy.dummy).not.toContain('REAL')
    const res = await post(proxy.url, { 'x-api-key': proxy.dummy, 'anthropic-version': '2023-06-01' })
    expect(res.status).toBe(200)
    expect(res.body).toBe('event: message_start\ndata: {}\n\nevent: message_stop\ndata: {}\n\n')
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/gateway/anthropic/v1/messages?beta=true',
      body: '{"model":"claude"}'
    })
    expect(seen[0]?.headers['x-api-key']).toBe('sk-ant-REAL')
    expect(seen[0]?.headers['anthropic-version']).toBe('2023-06-01')
    expect(proxy.forwarded()).toBe(1)
  })

  it('sends an OAuth token as a bearer token and drops any key the client sent', async () => {
    proxy = await startCredentialProxy({
      upstream: await startUpstream(),
      credential: { kind: 'bearer', value: 'oat-REAL' },
      host: '127.0.0.2'
    })
    await post(proxy.url, { authorization: `Bearer ${proxy.dummy}` })
    expect(seen[0]?.headers.authorization).toBe('Bearer oat-REAL')
    expect(seen[0]?.headers['x-api-key']).toBeUndefined()
  })

  it('refuses a client without the stand-in, so no other process can spend the key', async () => {
    proxy = await startCredentialProxy({
      upstream: await startUpstream(),
      credential: { kind: 'api-key', value: 'sk-ant-REAL' },
      host: '127.0.0.2'
    })
    const res = await post(proxy.url, { 'x-api-key': 'guess' })
    expect(res.status).toBe(401)
    expect(res.body).not.toContain('REAL')
    expect(seen).toHaveLength(0)
  })

  it('answers a model endpoint that is down with a 502 that names no credential', async () => {
    const url = await startUpstream()
    await new Promise<void>(r => upstream.close(() => r()))
    upstream = http.createServer()
    await new Promise<void>(r => upstream.listen(0, '127.0.0.1', r))
    proxy = await startCredentialProxy({
      upstream: url,
      credential: { kind: 'api-key', value: 'sk-ant-REAL' },
      host: '127.0.0.2'
    })
    const res = await post(proxy.url, { 'x-api-key': proxy.dummy })
    expect(res.status).toBe(502)
    expect(res.body).toContain('model endpoint unreachable')
    expect(res.body).not.toContain('REAL')
  })

  it('Bedrock: signs each request with SigV4 (the keys never leave this process), body and path included', async () => {
    const upstreamUrl = await startUpstream()
    const credentials = {
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'aws-REAL-secret',
      sessionToken: 'aws-REAL-token'
    }
    proxy = await startCredentialProxy({
      upstream: upstreamUrl,
      credential: { kind: 'aws-sigv4', region: 'eu-west-1', credentials },
      host: '127.0.0.2'
    })
    const path = '/model/eu.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream'
    const res = await post(
      proxy.url,
      { authorization: `Bearer ${proxy.dummy}`, 'x-amz-date': '19990101T000000Z' },
      path
    )
    expect(res.status).toBe(200)
    const got = seen[0]!
    expect(got.url).toBe(`/gateway/anthropic${path}`)
    expect(got.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request, /
    )
    expect(got.headers['x-amz-date']).not.toBe('19990101T000000Z')
    expect(sigV4Problem({ ...got, body: got.raw }, credentials, { region: 'eu-west-1', service: 'bedrock' })).toBeNull()
    // Tampering with the body or the path breaks it: the check is real.
    expect(
      sigV4Problem({ ...got, body: Buffer.from('{"model":"other"}') }, credentials, {
        region: 'eu-west-1',
        service: 'bedrock'
      })
    ).toBe('the signature does not match the request')
    expect(JSON.stringify(got.headers)).not.toContain('aws-REAL-secret')
    expect(JSON.stringify(got.headers)).not.toContain(proxy.dummy)
  })
})
