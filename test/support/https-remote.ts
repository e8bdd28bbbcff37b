/**
 * An https git "remote" on 127.0.0.1 that asks every request for credentials
 * (401), with a throwaway self-signed certificate: enough to see which
 * headers git sends and which credential programs it starts. And a TCP
 * listener standing in for a proxy, to see whether git connects to it.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import https from 'node:https'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'

export interface HttpsRemote {
  /** e.g. https://127.0.0.1:41234 */
  origin: string
  /** The certificate, for GIT_SSL_CAINFO. */
  caFile: string
  requests: Array<{ url: string; authorization?: string }>
  close(): Promise<void>
}

export async function startHttpsRemote(): Promise<HttpsRemote> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'https-remote-'))
  const key = path.join(dir, 'key.pem')
  const cert = path.join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1'
    ],
    { stdio: 'ignore' }
  )
  const requests: HttpsRemote['requests'] = []
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization })
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' })
    res.end('authentication required\n')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `https://127.0.0.1:${port}`,
    caFile: cert,
    requests,
    close: async () => {
      await new Promise<void>(resolve => server.close(() => resolve()))
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

export interface ConnectionCounter {
  url: string
  connections(): number
  close(): Promise<void>
}

/** Counts TCP connections and drops them: a proxy that nobody should use. */
export async function startConnectionCounter(): Promise<ConnectionCounter> {
  let count = 0
  const server = net.createServer(socket => {
    count++
    socket.destroy()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  }
}
