/**
 * Every model provider end to end: the bundled CLI runs a plan through the real
 * Claude Code CLI inside the sandbox, against a local front of each provider's
 * API (Bedrock's runtime with AWS's binary event stream, Vertex AI's
 * streamRawPredict, Foundry and a company gateway speaking the Messages API).
 * What reached the endpoint is checked as the provider would check it (a valid
 * SigV4 signature, the real token), and an index phase that dumps its own
 * environment through Bash proves the real credential never entered the sandbox.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execa } from 'execa'
import fs from 'node:fs'
import path from 'node:path'
import type { RunResult } from '../src/engine/types.js'
import { sigV4Problem } from './support/aws-sigv4.js'
import type { ModelRequest, Reply, SeenRequest } from './support/model-server.js'
import { documentPhase, standardRules } from './support/phase-scripts.js'
import { createSandbox, REPO_ROOT, type Sandbox } from './support/sandbox.js'
import { createWorld, type World } from './support/action-harness.js'
import { checkAndClose } from './support/world-hooks.js'

const BIN = path.join(REPO_ROOT, 'bin', 'orchestrator.js')
const TASK = 'Add rate limiting to the API endpoints'
const AWS = {
  accessKeyId: 'ASIAORCHESTRATORTEST',
  secretAccessKey: 'aws-REAL-secret-key-0123456789',
  sessionToken: 'aws-REAL-session-token-0123456789'
}

let sb: Sandbox
/** Each test of the CLI gets a repository whose index phase first prints its whole environment. */
function useSandbox(): void {
  beforeEach(async () => {
    sb = await createSandbox()
    // The index phase first prints its whole environment, as an attacker's command would.
    const document = documentPhase(sb.repoDir, () => '# Index\n\n- src/api.js\n') as (req: ModelRequest) => Reply
    const dumpEnv = { name: 'Bash', input: { command: "cat /proc/self/environ | tr '\\0' '\\n'", description: 'env' } }
    sb.model.setRules(
      standardRules(sb.repoDir, {
        index: req =>
          req.turn === 0 ? { text: 'Looking around.', tools: [dumpEnv] } : document({ ...req, turn: req.turn - 1 })
      })
    )
  })
  afterEach(async () => {
    await sb.cleanup()
  })
}

async function plan(
  env: Record<string, string>,
  sandbox = 'required'
): Promise<{ result: RunResult; stderr: string; dump: string }> {
  const r = await execa('node', [BIN, '--json', '--cwd', sb.repoDir, '--no-implement', '--sandbox', sandbox, TASK], {
    env: sb.env(env),
    extendEnv: false,
    reject: false
  })
  let result: RunResult
  try {
    result = JSON.parse(String(r.stdout)) as RunResult
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.exitCode}):\n${r.stdout}\nstderr:\n${r.stderr}`)
  }
  if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}: ${JSON.stringify(result.phases)}\n${r.stderr}`)
  expect(result.phases.map(p => [p.name, p.status])).toEqual([
    ['index', 'succeeded'],
    ['research', 'succeeded'],
    ['plan', 'succeeded']
  ])
  // Every model request went to the proxy, the only model endpoint in the sandbox's allowlist: nothing was refused.
  expect(result.phases.flatMap(p => p.blockedConnections ?? [])).toEqual([])
  const dump = sb.model.requests.find(q => q.rule === 'index' && q.turn === 1)?.lastUserText ?? ''
  expect(dump).toContain('PATH=')
  return { result, stderr: String(r.stderr), dump }
}

/** Whether any request body (so any tool result, any prompt) that reached the provider holds the text. */
const inAnyBody = (text: string) => sb.model.http.some(s => s.body.toString().includes(text))
const modelCalls = (front: SeenRequest['front']) => sb.model.http.filter(s => s.front === front && s.method === 'POST')

describe('model providers, through the sandbox and the credential proxy', () => {
  useSandbox()
  it('Amazon Bedrock: each request signed by the proxy with the keys only it holds; Claude saw none of them', async () => {
    const { dump, stderr } = await plan({
      CLAUDE_CODE_USE_BEDROCK: '1',
      AWS_REGION: 'eu-west-1',
      ANTHROPIC_BEDROCK_BASE_URL: sb.model.url,
      AWS_ACCESS_KEY_ID: AWS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: AWS.secretAccessKey,
      AWS_SESSION_TOKEN: AWS.sessionToken
    })
    expect(stderr).toContain('model: Amazon Bedrock (through the credential proxy)')
    const calls = modelCalls('bedrock')
    expect(calls.length).toBeGreaterThanOrEqual(6)
    for (const call of calls) {
      expect(call.url).toMatch(/^\/model\/eu\.anthropic\.[^/]+\/invoke-with-response-stream$/)
      expect(sigV4Problem(call, AWS, { region: 'eu-west-1', service: 'bedrock' })).toBeNull()
    }
    // Claude Code's inference-profile lookup carries no credential when it skips signing: the proxy forwards
    // nothing without the stand-in, and Claude used its region's default model ids.
    expect(sb.model.http.filter(s => s.front === 'bedrock-control')).toEqual([])
    // Inside: Claude skipped its own signing and held a stand-in.
    expect(dump).toContain('CLAUDE_CODE_USE_BEDROCK=1')
    expect(dump).toContain('CLAUDE_CODE_SKIP_BEDROCK_AUTH=1')
    expect(dump).toMatch(/ANTHROPIC_BEDROCK_BASE_URL=http:\/\/127\.0\.0\.2:\d+/)
    expect(dump).not.toContain('AWS_ACCESS_KEY_ID')
    for (const secret of [AWS.secretAccessKey, AWS.sessionToken, 'test-anthropic-key']) {
      expect(dump).not.toContain(secret)
      expect(inAnyBody(secret)).toBe(false)
    }
    expect(JSON.stringify(sb.model.http.map(s => s.headers))).not.toContain(AWS.secretAccessKey)
  })

  it("Google Vertex AI: google-github-actions/auth's access token added by the proxy, never inside", async () => {
    const token = 'ya29.REAL-google-access-token-0123456789'
    const { dump } = await plan({
      CLAUDE_CODE_USE_VERTEX: '1',
      CLOUD_ML_REGION: 'europe-west1',
      ANTHROPIC_VERTEX_PROJECT_ID: 'acme-ml',
      ANTHROPIC_VERTEX_BASE_URL: `${sb.model.url}/v1`,
      GOOGLE_OAUTH_ACCESS_TOKEN: token,
      GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/gha-creds.json'
    })
    const calls = modelCalls('vertex')
    expect(calls.length).toBeGreaterThanOrEqual(6)
    for (const call of calls) {
      expect(call.url).toMatch(
        /^\/v1\/projects\/acme-ml\/locations\/europe-west1\/publishers\/anthropic\/models\/[^/]+:streamRawPredict$/
      )
      expect(call.headers.authorization).toBe(`Bearer ${token}`)
    }
    expect(dump).toContain('CLAUDE_CODE_SKIP_VERTEX_AUTH=1')
    expect(dump).toMatch(/ANTHROPIC_VERTEX_BASE_URL=http:\/\/127\.0\.0\.2:\d+/)
    expect(dump).not.toContain('GOOGLE_APPLICATION_CREDENTIALS')
    expect(dump).not.toContain(token)
    expect(inAnyBody(token)).toBe(false)
  })

  it('Microsoft Foundry: the API key swapped in by the proxy', async () => {
    const key = 'foundry-REAL-key-0123456789'
    const { dump } = await plan({
      CLAUDE_CODE_USE_FOUNDRY: '1',
      ANTHROPIC_FOUNDRY_BASE_URL: sb.model.url,
      ANTHROPIC_FOUNDRY_API_KEY: key
    })
    const calls = modelCalls('anthropic')
    expect(calls.length).toBeGreaterThanOrEqual(6)
    for (const call of calls) expect(call.headers['x-api-key']).toBe(key)
    expect(dump).toContain('CLAUDE_CODE_USE_FOUNDRY=1')
    expect(dump).not.toContain(key)
    expect(inAnyBody(key)).toBe(false)
  })

  it("a company gateway: ANTHROPIC_BASE_URL with an auth token, sent as the gateway's bearer token", async () => {
    const token = 'gateway-REAL-token-0123456789'
    const { dump } = await plan({ ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: token })
    const calls = modelCalls('anthropic')
    expect(calls.length).toBeGreaterThanOrEqual(6)
    for (const call of calls) {
      expect(call.headers.authorization).toBe(`Bearer ${token}`)
      expect(call.headers['x-api-key']).toBeUndefined()
    }
    expect(dump).not.toContain(token)
    expect(inAnyBody(token)).toBe(false)
  })
})

describe('model providers unconfined (--sandbox off)', () => {
  useSandbox()
  it('Amazon Bedrock: Claude Code signs with the AWS SDK itself, and our check of what AWS receives agrees', async () => {
    await plan(
      {
        CLAUDE_CODE_USE_BEDROCK: '1',
        AWS_REGION: 'eu-west-1',
        ANTHROPIC_BEDROCK_BASE_URL: sb.model.url,
        AWS_ACCESS_KEY_ID: AWS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: AWS.secretAccessKey,
        AWS_SESSION_TOKEN: AWS.sessionToken
      },
      'off'
    )
    const calls = modelCalls('bedrock')
    expect(calls.length).toBeGreaterThanOrEqual(6)
    for (const call of calls) expect(sigV4Problem(call, AWS, { region: 'eu-west-1', service: 'bedrock' })).toBeNull()
  })
})

describe('the action', () => {
  let w: World
  checkAndClose(() => w)
  const awsJobEnv = {
    // What aws-actions/configure-aws-credentials exports after assuming the role over OIDC.
    AWS_ACCESS_KEY_ID: AWS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS.secretAccessKey,
    AWS_SESSION_TOKEN: AWS.sessionToken,
    AWS_DEFAULT_REGION: 'eu-west-1'
  }
  const everythingPosted = () => [...w.gh.state.comments.values()].map(c => c.body).join('\n')

  it('plans through Bedrock with use_bedrock and the keys configure-aws-credentials left in the job', async () => {
    w = await createWorld()
    w.sb.model.setRules(standardRules(w.workspace))
    const run = await w.run(
      w.labeledEvent('orchestrator'),
      {
        anthropic_api_key: '',
        use_bedrock: 'true',
        aws_region: 'eu-west-1',
        anthropic_bedrock_base_url: w.sb.model.url
      },
      awsJobEnv
    )
    if (run.exitCode !== 0) throw new Error(`action failed:\n${run.stdout}\n${run.stderr}`)
    expect(run.outputs.status).toBe('awaiting-approval')
    expect(run.stdout).toContain(`Model provider: Amazon Bedrock (${new URL(w.sb.model.url).host})`)
    const calls = w.sb.model.http.filter(s => s.front === 'bedrock' && s.method === 'POST')
    expect(calls.length).toBeGreaterThanOrEqual(6)
    for (const call of calls) expect(sigV4Problem(call, AWS, { region: 'eu-west-1', service: 'bedrock' })).toBeNull()
    // The runner consumes its ::add-mask:: commands; every other line is the log people read.
    const log = run.stdout
      .split('\n')
      .filter(l => !l.startsWith('::add-mask::'))
      .join('\n')
    expect(run.stdout).toContain(`::add-mask::${AWS.secretAccessKey}`)
    for (const secret of [AWS.secretAccessKey, AWS.sessionToken]) {
      expect(log).not.toContain(secret)
      expect(everythingPosted()).not.toContain(secret)
      expect(w.sb.model.http.some(s => s.body.toString().includes(secret))).toBe(false)
    }
  })

  it('refuses to work next to the credentials file google-github-actions/auth left in the workspace', async () => {
    w = await createWorld()
    w.sb.model.setRules(standardRules(w.workspace))
    // What the auth step writes by default: an external-account file whose token source is the job's OIDC token.
    const creds = path.join(w.workspace, 'gha-creds-5c1e0d2b.json')
    const run = await w.run(
      w.labeledEvent('orchestrator'),
      {
        anthropic_api_key: '',
        use_vertex: 'true',
        cloud_ml_region: 'us-east5',
        anthropic_vertex_project_id: 'acme-ml',
        google_access_token: 'ya29.token-for-the-proxy'
      },
      { GOOGLE_APPLICATION_CREDENTIALS: creds },
      {
        beforeSpawn: () =>
          fs.writeFileSync(creds, JSON.stringify({ type: 'external_account', credential_source: { url: 'https://x' } }))
      }
    )
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('failed')
    const failure = [...w.gh.state.comments.values()].map(c => c.body).at(-1) ?? ''
    expect(failure).toContain('a credentials file is in the workspace (gha-creds-5c1e0d2b.json)')
    expect(failure).toContain('create_credentials_file: false')
    expect(w.sb.model.http).toEqual([])
  })

  it('names the missing piece on the issue and in the log before any model request', async () => {
    w = await createWorld()
    w.sb.model.setRules(standardRules(w.workspace))
    const run = await w.run(w.labeledEvent('orchestrator'), {
      anthropic_api_key: '',
      use_vertex: 'true',
      cloud_ml_region: 'us-east5',
      anthropic_vertex_project_id: 'acme-ml'
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('failed')
    expect(run.stdout).toContain(
      '::error::Orchestrator failed: Vertex AI needs a Google access token (GOOGLE_OAUTH_ACCESS_TOKEN)'
    )
    const failure = [...w.gh.state.comments.values()].map(c => c.body).at(-1) ?? ''
    expect(failure).toContain('Vertex AI needs a Google access token (GOOGLE_OAUTH_ACCESS_TOKEN)')
    expect(failure).toContain('google-github-actions/auth with token_format: access_token')
    expect(w.gh.state.issues.get(w.issue.number)?.labels).toContain('orchestrator:failed')
    expect(w.sb.model.http).toEqual([])
  })
})
