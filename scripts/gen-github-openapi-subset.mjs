#!/usr/bin/env node
/**
 * Regenerates test/fixtures/github-openapi-subset.json: the few REST
 * operations the orchestrator may call, cut out of GitHub's own OpenAPI
 * description (npm package @octokit/openapi, api.github.com.json).
 *
 * The package is several hundred MB unpacked, so it is never a dependency:
 * this script `npm pack`s it into a temporary directory, extracts only the
 * one JSON file it needs, and removes the directory again.
 *
 * The output keeps only what the fake GitHub server (test/support/github-server.ts)
 * needs: method, path template, path/query parameters, the request body JSON
 * schema (every $ref resolved inline) and, per documented response status,
 * the response body schema (as a $ref into `components.schemas`, which holds
 * only the schemas those responses reach). Descriptions, examples and other
 * annotations are stripped, and OpenAPI 3.0's `nullable` is rewritten to
 * plain JSON Schema (type [..., 'null']) so ajv can use the schemas as they
 * are. It also lists every "METHOD /path" of the whole description so the
 * server can tell "not a GitHub endpoint at all" from "a GitHub endpoint this
 * fake does not implement".
 *
 * Usage: node scripts/gen-github-openapi-subset.mjs [--spec path/to/api.github.com.json]
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE = '@octokit/openapi'
const VERSION = '23.0.2'
const SPEC_FILE = 'package/generated/api.github.com.json'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outFile = path.join(root, 'test/fixtures/github-openapi-subset.json')

/** [method, path template] — keep in sync with what src/ calls. */
const OPERATIONS = [
  ['GET', '/repos/{owner}/{repo}'],
  ['GET', '/repos/{owner}/{repo}/collaborators/{username}/permission'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['GET', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['DELETE', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['POST', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/reactions'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
  ['PUT', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
  ['DELETE', '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}'],
  ['GET', '/repos/{owner}/{repo}/labels'],
  ['POST', '/repos/{owner}/{repo}/labels'],
  ['GET', '/repos/{owner}/{repo}/labels/{name}'],
  ['GET', '/repos/{owner}/{repo}/pulls'],
  ['POST', '/repos/{owner}/{repo}/pulls'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}/comments'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}/commits'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments'],
  ['GET', '/repos/{owner}/{repo}/branches/{branch}'],
  ['GET', '/repos/{owner}/{repo}/actions/runs/{run_id}'],
  // Red CI on the bot's pull request (fix_failing_checks): what failed, and the failed jobs' logs.
  ['GET', '/repos/{owner}/{repo}/commits/{ref}/check-runs'],
  ['GET', '/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations'],
  ['GET', '/repos/{owner}/{repo}/actions/runs'],
  ['GET', '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs'],
  ['GET', '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs']
]

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** JSON Schema keywords kept in the output; everything else (description, example, title, x-*, readOnly, ...) is dropped. */
const SCHEMA_KEYWORDS = new Set([
  'type',
  'enum',
  'const',
  'format',
  'required',
  'nullable',
  'default',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minProperties',
  'maxProperties',
  'properties',
  'patternProperties',
  'additionalProperties',
  'items',
  'oneOf',
  'anyOf',
  'allOf',
  'not'
])

function loadSpec() {
  const i = process.argv.indexOf('--spec')
  if (i !== -1) {
    const file = process.argv[i + 1]
    if (!file) throw new Error('--spec needs a path')
    return { spec: JSON.parse(fs.readFileSync(file, 'utf8')), source: file }
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-openapi-'))
  try {
    console.error(`npm pack ${PACKAGE}@${VERSION} into ${tmp} (about 30 MB download)`)
    const out = execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--pack-destination', tmp, '--json'], {
      cwd: tmp,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024
    })
    const tarball = path.join(tmp, JSON.parse(out)[0].filename)
    execFileSync('tar', ['-xzf', tarball, '-C', tmp, SPEC_FILE], { stdio: 'inherit' })
    const spec = JSON.parse(fs.readFileSync(path.join(tmp, SPEC_FILE), 'utf8'))
    return { spec, source: `${PACKAGE}@${VERSION}/${SPEC_FILE.replace(/^package\//, '')}` }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

function makeResolver(spec) {
  function lookup(ref) {
    if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`)
    let node = spec
    for (const raw of ref.slice(2).split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
      node = node?.[key]
      if (node === undefined) throw new Error(`unresolvable $ref ${ref}`)
    }
    return node
  }
  /** Follow $ref chains of a non-schema object (parameter, requestBody). */
  function follow(obj) {
    let seen = 0
    while (obj && typeof obj === 'object' && typeof obj.$ref === 'string') {
      if (++seen > 20) throw new Error('$ref chain too long')
      obj = lookup(obj.$ref)
    }
    return obj
  }
  /**
   * Strip a schema to its validation keywords and rewrite `nullable`.
   * inline=true resolves every $ref in place (throws on a cycle); otherwise
   * $refs to #/components/schemas/* are kept and their names collected in `refs`.
   */
  function schema(node, { inline = true, refs = new Set(), stack = [] } = {}) {
    if (typeof node === 'boolean') return node
    if (!node || typeof node !== 'object') throw new Error(`not a schema: ${JSON.stringify(node)}`)
    if (typeof node.$ref === 'string') {
      if (!inline) {
        const m = /^#\/components\/schemas\/([^/]+)$/.exec(node.$ref)
        if (!m) throw new Error(`unexpected schema $ref ${node.$ref}`)
        refs.add(m[1])
        return { $ref: node.$ref }
      }
      if (stack.includes(node.$ref)) throw new Error(`cyclic $ref ${[...stack, node.$ref].join(' -> ')}`)
      return schema(lookup(node.$ref), { inline, refs, stack: [...stack, node.$ref] })
    }
    const sub = x => schema(x, { inline, refs, stack })
    const out = {}
    for (const [k, v] of Object.entries(node)) {
      if (!SCHEMA_KEYWORDS.has(k)) continue
      if (k === 'properties' || k === 'patternProperties') {
        out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, sub(s)]))
      } else if (k === 'additionalProperties' || k === 'not') {
        out[k] = sub(v)
      } else if (k === 'items') {
        out[k] = Array.isArray(v) ? v.map(sub) : sub(v)
      } else if (k === 'oneOf' || k === 'anyOf' || k === 'allOf') {
        out[k] = v.map(sub)
      } else {
        out[k] = v
      }
    }
    return denullable(out)
  }
  return { follow, schema, lookup }
}

/** OpenAPI 3.0 `nullable: true` -> JSON Schema. */
function denullable(s) {
  if (s.nullable !== true) {
    delete s.nullable
    return s
  }
  delete s.nullable
  if (typeof s.type === 'string') {
    s.type = [s.type, 'null']
    if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...s.enum, null]
    return s
  }
  return { anyOf: [s, { type: 'null' }] }
}

function main() {
  const { spec, source } = loadSpec()
  const r = makeResolver(spec)

  const allOperations = []
  for (const [p, item] of Object.entries(spec.paths)) {
    for (const m of HTTP_METHODS) if (item[m]) allOperations.push(`${m.toUpperCase()} ${p}`)
  }
  allOperations.sort()

  const componentRefs = new Set()
  const operations = OPERATIONS.map(([method, p]) => {
    const item = spec.paths[p]
    const op = item?.[method.toLowerCase()]
    if (!op) throw new Error(`${method} ${p} is not in ${source}`)
    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(x => r.follow(x))
    const pathParams = params
      .filter(x => x.in === 'path')
      .map(x => ({ name: x.name, schema: r.schema(x.schema ?? {}) }))
    const templateNames = [...p.matchAll(/\{([^}]+)\}/g)].map(m => m[1])
    for (const name of templateNames) {
      if (!pathParams.some(x => x.name === name))
        throw new Error(`${method} ${p}: path parameter ${name} is not declared`)
    }
    const queryParams = params
      .filter(x => x.in === 'query')
      .map(x => ({
        name: x.name,
        required: x.required === true,
        schema: r.schema(x.schema ?? {})
      }))
    let requestBody = null
    if (op.requestBody) {
      const rb = r.follow(op.requestBody)
      const contentType = Object.keys(rb.content ?? {})[0]
      if (!contentType) throw new Error(`${method} ${p}: request body without content`)
      requestBody = {
        required: rb.required === true,
        contentType,
        schema: r.schema(rb.content[contentType].schema ?? {})
      }
    }
    const responses = {}
    for (const [status, resp] of Object.entries(op.responses ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      const json = r.follow(resp).content?.['application/json']?.schema
      responses[status] = json ? { schema: r.schema(json, { inline: false, refs: componentRefs }) } : {}
    }
    return {
      method,
      path: p,
      operationId: op.operationId,
      pathParams,
      queryParams,
      requestBody,
      responses
    }
  })

  // Close over the component schemas the responses reach.
  const schemas = {}
  const pending = [...componentRefs]
  while (pending.length) {
    const name = pending.pop()
    if (schemas[name]) continue
    const found = new Set()
    schemas[name] = r.schema(r.lookup(`#/components/schemas/${name}`), { inline: false, refs: found })
    for (const n of found) if (!schemas[n]) pending.push(n)
  }
  const components = { schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) }

  const out = {
    source,
    apiVersion: spec.info?.version,
    generatedBy: 'scripts/gen-github-openapi-subset.mjs',
    operations,
    components,
    allOperations
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true })
  fs.writeFileSync(outFile, JSON.stringify(out, null, 2) + '\n')
  console.error(
    `wrote ${path.relative(root, outFile)}: ${operations.length} operations, ${Object.keys(components.schemas).length} component schemas, ${allOperations.length} operation names, ${fs.statSync(outFile).size} bytes`
  )
}

main()
