#!/usr/bin/env node
/**
 * Builds dist/ (the action and the CLI) with ncc. `--if-stale` skips the build
 * when dist/ is the bundle of what src/ and the locked dependencies hold now:
 * `npm test` bundles first so the e2e tier never runs stale code, and CI has
 * just bundled for the dist check, so a second build (a minute here) would
 * only repeat it.
 *
 * The stamp lives in node_modules/.cache (never committed, gone with a fresh
 * `npm ci`): it records the inputs' hash and the hash of the dist/ it built,
 * so an edited dist/ or an edited src/ both mean a rebuild.
 */
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const stampFile = path.join(root, 'node_modules', '.cache', 'orchestrator', 'bundle-stamp.json')
// node_modules/.package-lock.json: what npm actually installed (an `npm install` after a checkout keeps the stamp).
const INPUTS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'node_modules/.package-lock.json']

function files(rel) {
  const abs = path.join(root, rel)
  if (!fs.existsSync(abs)) return []
  if (!fs.statSync(abs).isDirectory()) return [rel]
  return fs
    .readdirSync(abs)
    .sort()
    .flatMap(name => files(path.join(rel, name)))
}

function treeHash(rels) {
  const hash = crypto.createHash('sha256')
  for (const rel of rels.flatMap(files))
    hash
      .update(`${rel}\0`)
      .update(fs.readFileSync(path.join(root, rel)))
      .update('\0')
  return hash.digest('hex')
}

function readStamp() {
  try {
    return JSON.parse(fs.readFileSync(stampFile, 'utf8'))
  } catch {
    return null
  }
}

const inputs = treeHash(INPUTS)
const stamp = readStamp()
if (process.argv.includes('--if-stale') && stamp?.inputs === inputs && stamp.dist === treeHash(['dist'])) {
  console.log('dist/ is already the bundle of src/: not rebuilt')
  process.exit(0)
}

const ncc = path.join(root, 'node_modules', '.bin', 'ncc')
const run = args => execFileSync(ncc, args, { cwd: root, stdio: 'inherit' })
run(['build', 'src/index.ts', '-o', 'dist', '--license', 'licenses.txt', '--quiet'])
run(['build', 'src/cli/index.ts', '-o', 'dist/cli', '--quiet'])
fs.mkdirSync(path.dirname(stampFile), { recursive: true })
fs.writeFileSync(stampFile, JSON.stringify({ inputs, dist: treeHash(['dist']) }))
