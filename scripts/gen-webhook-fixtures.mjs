#!/usr/bin/env node
/**
 * Regenerates test/fixtures/webhooks/*.json from the community-maintained
 * webhook examples (@octokit/webhooks-examples), each validated against the
 * matching JSON schema from @octokit/webhooks-schemas (same release).
 *
 * Neither package becomes a dependency: both are `npm pack`ed into a
 * temporary directory that is removed afterwards. ajv and ajv-formats (dev
 * dependencies of this repo) do the validation.
 *
 * For each fixture the first example that has the wanted action (and shape)
 * and passes the schema is taken. Example 0 of issue_comment.created is known
 * to lack required fields (issue.active_lock_reason, issue.reactions, ...)
 * and is skipped that way.
 *
 * The examples hold no `issue_comment.created` on a pull request. That
 * fixture is therefore assembled from two real payloads: the `issue` object
 * of a real `issues` event whose issue is a pull request (it carries
 * `issue.pull_request`), and the comment, repository and sender of the
 * chosen `issue_comment.created` example, with the comment's issue/html URLs
 * pointed at that pull request. The result is validated like the others.
 *
 * Usage: node scripts/gen-webhook-fixtures.mjs
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const VERSION = '7.6.1'
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outDir = path.join(root, 'test/fixtures/webhooks')
const require = createRequire(path.join(root, 'package.json'))
const Ajv = require('ajv').default
const addFormats = require('ajv-formats').default

function fetchPackages() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-webhooks-'))
  try {
    const read = (name, file) => {
      console.error(`npm pack ${name}@${VERSION}`)
      const out = execFileSync('npm', ['pack', `${name}@${VERSION}`, '--pack-destination', tmp, '--json'], {
        cwd: tmp,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit']
      })
      const dir = path.join(tmp, name.replace(/[@/]/g, '_'))
      fs.mkdirSync(dir)
      execFileSync('tar', ['-xzf', path.join(tmp, JSON.parse(out)[0].filename), '-C', dir, `package/${file}`], {
        stdio: 'inherit'
      })
      return JSON.parse(fs.readFileSync(path.join(dir, 'package', file), 'utf8'))
    }
    return {
      definitions: read('@octokit/webhooks-examples', 'api.github.com/index.json'),
      schema: read('@octokit/webhooks-schemas', 'schema.json')
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

function main() {
  const { definitions, schema } = fetchPackages()
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv)
  ajv.addSchema(schema, 'webhooks')

  const examples = event => {
    const def = definitions.find(d => d.name === event)
    if (!def) throw new Error(`no examples for ${event}`)
    return def.examples
  }
  const validate = (event, action, payload) => {
    const v = ajv.getSchema(`webhooks#/definitions/${event}$${action}`)
    if (!v) throw new Error(`no schema for ${event}.${action}`)
    return v(payload) ? null : ajv.errorsText(v.errors, { dataVar: 'payload' })
  }
  const pick = (event, action, accept = () => true) => {
    const rejected = []
    for (const [i, e] of examples(event).entries()) {
      if (e.action !== action || !accept(e)) continue
      const err = validate(event, action, e)
      if (!err) {
        console.error(`${event}.${action}: example #${i} passes the schema`)
        return structuredClone(e)
      }
      rejected.push(`#${i}: ${err.slice(0, 300)}`)
      console.error(`${event}.${action}: example #${i} fails the schema, skipped (${err.slice(0, 160)}...)`)
    }
    throw new Error(`no valid ${event}.${action} example\n${rejected.join('\n')}`)
  }

  const fixtures = {}
  fixtures['issues.labeled'] = pick('issues', 'labeled', e => !e.issue.pull_request && e.label)
  fixtures['issue_comment.created'] = pick('issue_comment', 'created', e => !e.issue.pull_request)
  fixtures['issue_comment.edited'] = pick('issue_comment', 'edited', e => !e.issue.pull_request)
  fixtures['pull_request_review.submitted'] = pick('pull_request_review', 'submitted')
  // The ledger records how the bot's pull requests end. The examples hold no merged one; a merge
  // only sets merged, merged_at, merged_by and merge_commit_sha, which the tests fill in.
  fixtures['pull_request.closed'] = pick('pull_request', 'closed')
  // Red CI on the bot's pull request (fix_failing_checks); the tests set the conclusion and pull requests.
  fixtures['check_suite.completed'] = pick('check_suite', 'completed')
  fixtures['workflow_run.completed'] = pick('workflow_run', 'completed')

  // issue_comment.created on a pull request (see the header comment).
  let prComment = examples('issue_comment').find(e => e.action === 'created' && e.issue.pull_request)
  if (prComment) {
    prComment = pick('issue_comment', 'created', e => !!e.issue.pull_request)
  } else {
    const base = fixtures['issue_comment.created']
    const prIssueSource = examples('issues').find(
      e => e.issue.pull_request && e.repository.full_name === base.repository.full_name
    )
    if (!prIssueSource) throw new Error('no issues example on a pull request to take issue.pull_request from')
    const issue = structuredClone(prIssueSource.issue)
    const comment = structuredClone(base.comment)
    comment.issue_url = issue.url
    comment.html_url = `${issue.html_url}#issuecomment-${comment.id}`
    prComment = { ...structuredClone(base), issue, comment }
    const err = validate('issue_comment', 'created', prComment)
    if (err) throw new Error(`assembled issue_comment.created on a pull request fails the schema: ${err}`)
    console.error(
      `issue_comment.created (pull request): assembled from issues.${prIssueSource.action} #${issue.number} + issue_comment.created; passes the schema`
    )
  }
  fixtures['issue_comment.created.pull_request'] = prComment

  fs.mkdirSync(outDir, { recursive: true })
  for (const [name, payload] of Object.entries(fixtures)) {
    const file = path.join(outDir, `${name}.json`)
    fs.writeFileSync(file, JSON.stringify(payload, null, 2) + '\n')
    console.error(`wrote ${path.relative(root, file)}`)
  }
}

main()
