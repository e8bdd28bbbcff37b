/**
 * A read-only npm registry on 127.0.0.1 that serves the packages this
 * checkout already has in node_modules, at the versions package-lock.json
 * records. With it `npm install -g <tarball>` and `npx --package <tarball>`
 * run exactly as a user types them, offline and independent of what the npm
 * cache holds (`npm ci` fetches tarballs by integrity, never the metadata a
 * fresh install resolves versions with).
 */
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

export interface LocalRegistry {
  /** http://127.0.0.1:PORT/ — use as npm_config_registry. */
  url: string
  /** Package names whose metadata npm asked for, in order. */
  requested: string[]
  /** Requests that found nothing here (a package the install needs that this checkout lacks). */
  missing: string[]
  close(): Promise<void>
}

interface Tarball {
  data: Buffer
  integrity: string
  shasum: string
}

/** lockfile key ("node_modules/a/node_modules/@s/b") → its package name. */
function nameOf(key: string): string {
  return key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)
}

/** The installed folder as a tarball (npm strips the top folder, whatever its name). Nested node_modules are not part of a package. */
function pack(folder: string): Tarball {
  const data = execFileSync('tar', ['-czf', '-', '--exclude=./node_modules', '-C', folder, '.'], {
    maxBuffer: 256 * 1024 * 1024
  })
  return {
    data,
    integrity: `sha512-${crypto.createHash('sha512').update(data).digest('base64')}`,
    shasum: crypto.createHash('sha1').update(data).digest('hex')
  }
}

export async function startLocalRegistry(projectRoot: string): Promise<LocalRegistry> {
  const lock = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; link?: boolean }>
  }
  /** name → version → installed folder */
  const folders = new Map<string, Map<string, string>>()
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (!key.startsWith('node_modules/') && !key.includes('/node_modules/')) continue
    const folder = path.join(projectRoot, key)
    if (entry.link || !entry.version || !fs.existsSync(path.join(folder, 'package.json'))) continue
    const name = nameOf(key)
    if (!folders.has(name)) folders.set(name, new Map())
    folders.get(name)?.set(entry.version, folder)
  }
  const tarballs = new Map<string, Tarball>()
  const tarballOf = (name: string, version: string): Tarball => {
    const id = `${name}@${version}`
    let t = tarballs.get(id)
    if (!t) {
      t = pack(folders.get(name)?.get(version) as string)
      tarballs.set(id, t)
    }
    return t
  }

  const requested: string[] = []
  const missing: string[] = []
  let base = ''
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const tarball = url.pathname.match(/^\/-\/tarball\/(.+)\/(.+)\.tgz$/)
    if (tarball) {
      const name = decodeURIComponent(tarball[1] as string)
      const version = decodeURIComponent(tarball[2] as string)
      if (!folders.get(name)?.has(version)) {
        missing.push(`${name}@${version}`)
        res.writeHead(404).end()
        return
      }
      const t = tarballOf(name, version)
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': t.data.length }).end(t.data)
      return
    }
    const name = decodeURIComponent(url.pathname.slice(1))
    requested.push(name)
    const versions = folders.get(name)
    if (!versions) {
      missing.push(name)
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Not found' }))
      return
    }
    const manifests: Record<string, unknown> = {}
    for (const [version, folder] of versions) {
      const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as Record<string, unknown>
      const t = tarballOf(name, version)
      manifests[version] = {
        ...manifest,
        name,
        version,
        dist: {
          tarball: `${base}-/tarball/${encodeURIComponent(name)}/${encodeURIComponent(version)}.tgz`,
          integrity: t.integrity,
          shasum: t.shasum
        }
      }
    }
    const latest = [...versions.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).at(-1)
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ name, 'dist-tags': { latest }, versions: manifests }))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return {
    url: base,
    requested,
    missing,
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  }
}
