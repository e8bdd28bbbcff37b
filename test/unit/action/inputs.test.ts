import { DEFAULT_ALLOWED_DOMAINS } from '../../../src/sandbox/policy.js'
import { describe, expect, it } from '@jest/globals'
import { InputError, readInputs, readRunnerContext, type Inputs } from '../../../src/action/inputs.js'
import { actionYmlDefaults } from '../../support/action-yml.js'
import { captureStdout } from '../../support/stdout.js'

/**
 * What the runner passes when a workflow sets only the required secret: action.yml's
 * defaults, with the expression in github_token's default evaluated.
 */
const DEFAULTS: Record<string, string> = {
  ...actionYmlDefaults(),
  github_token: 'ghs_jobtoken123',
  anthropic_api_key: 'sk-ant-test-key'
}

function reader(values: Record<string, string>): (name: string) => string {
  return name => values[name] ?? ''
}

function read(overrides: Record<string, string> = {}): Inputs {
  return readInputs(reader({ ...DEFAULTS, ...overrides }))
}

/** The InputError readInputs throws for these overrides. */
function failure(overrides: Record<string, string>): InputError {
  try {
    read(overrides)
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return err as InputError
  }
  throw new Error('expected readInputs to fail')
}

const captured = captureStdout()

describe('readInputs', () => {
  it('reads action.yml’s defaults', () => {
    expect(read()).toEqual({
      githubToken: 'ghs_jobtoken123',
      anthropicApiKey: 'sk-ant-test-key',
      claudeCodeOauthToken: undefined,
      answerer: null,
      triggerLabel: 'orchestrator',
      requireApproval: true,
      reuseIndex: true,
      baseBranch: undefined,
      branchPrefix: 'orchestrator/issue-',
      model: undefined,
      maxBudgetUsd: undefined,
      phaseTimeoutMinutes: 30,
      providerEnv: { ANTHROPIC_API_KEY: 'sk-ant-test-key' },
      claudePath: undefined,
      claudeArgs: [],
      draftPr: false,
      artifactsDir: 'thoughts/shared',
      botLogin: 'github-actions[bot]',
      commitAuthorName: 'github-actions[bot]',
      commitAuthorEmail: '41898282+github-actions[bot]@users.noreply.github.com',
      sandbox: 'required',
      allowedDomains: DEFAULT_ALLOWED_DOMAINS,
      questions: 'model',
      verifyCommand: undefined,
      verifyRounds: 2,
      requireGreen: false,
      ledger: true,
      ledgerReport: false,
      fixFailingChecks: false,
      maxAutoFixes: 2
    })
  })

  it('fixes failed checks only when asked, a bounded number of times', () => {
    const base = { github_token: 't', anthropic_api_key: 'k', trigger_label: 'ai' }
    expect(readInputs(reader({ ...base, fix_failing_checks: 'true', max_auto_fixes: '0' }))).toMatchObject({
      fixFailingChecks: true,
      maxAutoFixes: 0
    })
    expect(() => readInputs(reader({ ...base, max_auto_fixes: '11' }))).toThrow(
      'Input max_auto_fixes must be a whole number from 0 to 10, got "11"'
    )
    expect(() => readInputs(reader({ ...base, fix_failing_checks: 'sometimes' }))).toThrow(
      'Input fix_failing_checks must be true or false, got "sometimes"'
    )
  })

  it('takes the sandbox mode and an allowed-domains list, and names a bad one', () => {
    const base = { github_token: 't', anthropic_api_key: 'k', trigger_label: 'ai' }
    expect(readInputs(reader({ ...base, sandbox: 'off' })).sandbox).toBe('off')
    expect(
      readInputs(reader({ ...base, allowed_domains: 'registry.npmjs.org, *.corp.example:8443\nproxy.golang.org' }))
        .allowedDomains
    ).toEqual(['registry.npmjs.org', '*.corp.example:8443', 'proxy.golang.org'])
    expect(readInputs(reader({ ...base, questions: 'model-or-maintainer' })).questions).toBe('model-or-maintainer')
    expect(
      readInputs(reader({ ...base, verify_command: ' npm test ', verify_rounds: '0', require_green: 'true' }))
    ).toMatchObject({ verifyCommand: 'npm test', verifyRounds: 0, requireGreen: true })
    expect(() => readInputs(reader({ ...base, verify_rounds: '1.5' }))).toThrow(
      'Input verify_rounds must be a whole number from 0 to 10, got "1.5"'
    )
    expect(() => readInputs(reader({ ...base, questions: 'anyone' }))).toThrow(
      'Input questions must be model, maintainer or model-or-maintainer, got "anyone"'
    )
    expect(() => readInputs(reader({ ...base, sandbox: 'maybe' }))).toThrow(
      'Input sandbox must be required or off, got "maybe"'
    )
    expect(() => readInputs(reader({ ...base, allowed_domains: 'https://evil.example/x' }))).toThrow(
      'Input allowed_domains: "https://evil.example/x"'
    )
  })

  it('falls back to sensible values when optional inputs are empty', () => {
    const inputs = readInputs(reader({ github_token: 't', anthropic_api_key: 'k', trigger_label: 'ai' }))
    expect(inputs).toMatchObject({
      triggerLabel: 'ai',
      requireApproval: true,
      draftPr: false,
      branchPrefix: 'orchestrator/issue-',
      phaseTimeoutMinutes: 30,
      artifactsDir: 'thoughts/shared',
      botLogin: 'github-actions[bot]',
      commitAuthorName: 'github-actions[bot]',
      commitAuthorEmail: '41898282+github-actions[bot]@users.noreply.github.com'
    })
  })

  it('reads every input that is set, trimmed', () => {
    const inputs = read({
      claude_code_oauth_token: ' oauth-token ',
      openai_api_key: 'sk-openai',
      openai_base_url: 'https://proxy.example.com/v1',
      azure_openai_api_key: 'az-key',
      azure_openai_endpoint: 'https://acme.openai.azure.com',
      azure_openai_deployment: 'gpt-4o',
      require_approval: 'false',
      base_branch: 'develop',
      branch_prefix: 'ai/',
      model: 'claude-sonnet-4-5',
      max_budget_usd: '2.5',
      phase_timeout_minutes: '45',
      claude_path: '/opt/claude/bin/claude',
      claude_args: '--max-turns 20 --append-system-prompt "Be brief."',
      draft_pr: 'true',
      bot_login: 'acme-orchestrator[bot]',
      commit_author: 'Acme Bot <bot@acme.example>'
    })
    expect(inputs).toMatchObject({
      claudeCodeOauthToken: 'oauth-token',
      // Azure takes precedence over OpenAI when both are given.
      answerer: {
        kind: 'azure',
        apiKey: 'az-key',
        endpoint: 'https://acme.openai.azure.com',
        deployment: 'gpt-4o',
        apiVersion: '2024-10-21'
      },
      requireApproval: false,
      baseBranch: 'develop',
      branchPrefix: 'ai/',
      model: 'claude-sonnet-4-5',
      maxBudgetUsd: 2.5,
      phaseTimeoutMinutes: 45,
      claudePath: '/opt/claude/bin/claude',
      claudeArgs: ['--max-turns', '20', '--append-system-prompt', 'Be brief.'],
      draftPr: true,
      botLogin: 'acme-orchestrator[bot]',
      commitAuthorName: 'Acme Bot',
      commitAuthorEmail: 'bot@acme.example'
    })
  })

  it('takes OpenAI as the answerer when only its key is set, with the model and base URL given', () => {
    expect(
      read({ openai_api_key: ' sk-openai ', openai_model: 'gpt-5', openai_base_url: 'https://proxy.example.com/v1' })
        .answerer
    ).toEqual({ kind: 'openai', apiKey: 'sk-openai', model: 'gpt-5', baseURL: 'https://proxy.example.com/v1' })
    expect(read({ openai_api_key: 'sk-openai' }).answerer).toEqual({
      kind: 'openai',
      apiKey: 'sk-openai',
      model: 'gpt-5-mini'
    })
  })

  it('masks every secret it is given', () => {
    read({
      claude_code_oauth_token: 'oauth-secret',
      anthropic_auth_token: 'gateway-secret',
      google_access_token: 'ya29.google-secret',
      anthropic_foundry_api_key: 'foundry-secret',
      openai_api_key: 'sk-openai-secret',
      azure_openai_api_key: 'az-secret',
      azure_openai_endpoint: 'https://a.openai.azure.com',
      azure_openai_deployment: 'd'
    })
    const masks = captured
      .chunks()
      .join('')
      .split(/\r?\n/)
      .filter(l => l.startsWith('::add-mask::'))
    expect(masks.sort()).toEqual(
      [
        'ghs_jobtoken123',
        'sk-ant-test-key',
        'oauth-secret',
        'gateway-secret',
        'ya29.google-secret',
        'foundry-secret',
        'sk-openai-secret',
        'az-secret'
      ]
        .map(s => `::add-mask::${s}`)
        .sort()
    )
  })

  it('masks the secrets before failing on another input', () => {
    failure({ require_approval: 'maybe' })
    expect(captured.chunks().join('')).toContain('::add-mask::sk-ant-test-key')
  })

  it('requires github_token', () => {
    expect(failure({ github_token: '' }).message).toMatch(/^Input github_token is required/)
    expect(failure({ github_token: '   ' }).message).toMatch(/github_token/)
  })

  it('turns the model provider inputs into the Claude Code variables they stand for', () => {
    expect(
      read({
        anthropic_api_key: '',
        use_bedrock: 'true',
        aws_region: 'eu-west-1',
        anthropic_bedrock_base_url: 'https://vpce-1.bedrock-runtime.eu-west-1.vpce.amazonaws.com'
      }).providerEnv
    ).toEqual({
      CLAUDE_CODE_USE_BEDROCK: '1',
      AWS_REGION: 'eu-west-1',
      ANTHROPIC_BEDROCK_BASE_URL: 'https://vpce-1.bedrock-runtime.eu-west-1.vpce.amazonaws.com'
    })
    expect(
      read({
        anthropic_api_key: '',
        use_vertex: 'yes',
        cloud_ml_region: 'global',
        anthropic_vertex_project_id: 'acme-ml',
        google_access_token: 'ya29.token'
      }).providerEnv
    ).toEqual({
      CLAUDE_CODE_USE_VERTEX: '1',
      CLOUD_ML_REGION: 'global',
      ANTHROPIC_VERTEX_PROJECT_ID: 'acme-ml',
      GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.token'
    })
    expect(
      read({
        anthropic_api_key: '',
        use_foundry: 'true',
        anthropic_foundry_resource: 'acme',
        anthropic_foundry_api_key: 'fk'
      }).providerEnv
    ).toEqual({ CLAUDE_CODE_USE_FOUNDRY: '1', ANTHROPIC_FOUNDRY_RESOURCE: 'acme', ANTHROPIC_FOUNDRY_API_KEY: 'fk' })
    expect(
      read({
        anthropic_api_key: '',
        anthropic_base_url: 'https://llm.acme.example/anthropic',
        anthropic_auth_token: 'gw'
      }).providerEnv
    ).toEqual({ ANTHROPIC_BASE_URL: 'https://llm.acme.example/anthropic', ANTHROPIC_AUTH_TOKEN: 'gw' })
    // An explicit false switches off what the job's environment may set.
    expect(read({ use_bedrock: 'false' }).providerEnv.CLAUDE_CODE_USE_BEDROCK).toBe('0')
  })

  it('leaves a missing model credential to the run (it is reported on the issue), but rejects a malformed URL here', () => {
    expect(read({ anthropic_api_key: '' }).providerEnv).toEqual({})
    expect(failure({ anthropic_base_url: 'llm.acme.example' }).message).toBe(
      'Input anthropic_base_url must be an http(s) URL, got "llm.acme.example"'
    )
    expect(failure({ use_vertex: 'maybe' }).message).toMatch(/^Input use_vertex must be true or false/)
  })

  it('accepts the usual spellings of true and false', () => {
    for (const yes of ['true', 'TRUE', 'yes', '1', 'on', ' True '])
      expect(read({ require_approval: yes }).requireApproval).toBe(true)
    for (const no of ['false', 'False', 'no', '0', 'off'])
      expect(read({ require_approval: no }).requireApproval).toBe(false)
    expect(read({ draft_pr: 'yes' }).draftPr).toBe(true)
  })

  it('rejects a boolean it does not understand, naming the input and the value', () => {
    expect(failure({ require_approval: 'maybe' }).message).toBe(
      'Input require_approval must be true or false, got "maybe"'
    )
    expect(failure({ draft_pr: 'sometimes' }).message).toBe('Input draft_pr must be true or false, got "sometimes"')
    expect(failure({ ledger_report: 'weekly' }).message).toBe('Input ledger_report must be true or false, got "weekly"')
    expect(read({ ledger: 'false', ledger_report: 'true' })).toMatchObject({ ledger: false, ledgerReport: true })
  })

  it('rejects a budget or timeout that is not a positive number', () => {
    expect(failure({ max_budget_usd: 'ten' }).message).toBe('Input max_budget_usd must be a positive number, got "ten"')
    expect(failure({ max_budget_usd: '-1' }).message).toContain('max_budget_usd')
    expect(failure({ max_budget_usd: '$5' }).message).toContain('"$5"')
    expect(failure({ phase_timeout_minutes: '0' }).message).toBe(
      'Input phase_timeout_minutes must be a positive number, got "0"'
    )
    expect(failure({ phase_timeout_minutes: 'Infinity' }).message).toContain('phase_timeout_minutes')
    expect(failure({ phase_timeout_minutes: '30m' }).message).toContain('"30m"')
  })

  it('rejects an empty trigger label', () => {
    expect(failure({ trigger_label: '' }).message).toMatch(/^Input trigger_label must not be empty/)
    expect(failure({ trigger_label: '  ' }).message).toMatch(/trigger_label/)
  })

  it('rejects a branch prefix that cannot be part of a branch name', () => {
    for (const bad of [
      'a b',
      '..x',
      'x..y',
      '-x',
      '/x',
      'a//b',
      'x~1',
      'a^',
      'a:b',
      'a?',
      'a*',
      'a[1]',
      'a\\b',
      'x@{1}',
      'x.lock/',
      'x.'
    ]) {
      expect(failure({ branch_prefix: bad }).message).toBe(
        `Input branch_prefix is not usable in a branch name: "${bad}"`
      )
    }
  })

  it('accepts usual branch prefixes', () => {
    for (const ok of ['orchestrator/issue-', 'ai/', 'bot-', 'feature/ai/issue_', 'x'])
      expect(read({ branch_prefix: ok }).branchPrefix).toBe(ok)
  })

  it('rejects an invalid base branch', () => {
    expect(failure({ base_branch: 'main..dev' }).message).toBe(
      'Input base_branch is not a valid branch name: "main..dev"'
    )
    expect(read({ base_branch: 'release/1.x' }).baseBranch).toBe('release/1.x')
  })

  it('requires the Azure endpoint and deployment with an Azure key', () => {
    expect(failure({ azure_openai_api_key: 'az' }).message).toBe(
      'Input azure_openai_endpoint is required when azure_openai_api_key is set'
    )
    expect(failure({ azure_openai_api_key: 'az', azure_openai_endpoint: 'https://a.openai.azure.com' }).message).toBe(
      'Input azure_openai_deployment is required when azure_openai_api_key is set'
    )
  })

  it('parses commit_author as Name <email>', () => {
    expect(read({ commit_author: 'Jane Q. Doe <jane@example.com>' })).toMatchObject({
      commitAuthorName: 'Jane Q. Doe',
      commitAuthorEmail: 'jane@example.com'
    })
    expect(read({ commit_author: 'Jane<jane@example.com>' })).toMatchObject({
      commitAuthorName: 'Jane',
      commitAuthorEmail: 'jane@example.com'
    })
  })

  it('rejects a commit_author that is not Name <email>', () => {
    for (const bad of [
      'jane@example.com',
      '<jane@example.com>',
      'Jane Doe',
      'Jane <jane doe@example.com>',
      'Jane <jane@example.com> extra'
    ]) {
      expect(failure({ commit_author: bad }).message).toBe(
        `Input commit_author must look like "Name <email>", got "${bad}"`
      )
    }
  })

  it('normalises artifacts_dir', () => {
    expect(read({ artifacts_dir: './docs/ai/' }).artifactsDir).toBe('docs/ai')
    expect(read({ artifacts_dir: 'docs//ai' }).artifactsDir).toBe('docs/ai')
    expect(read({ artifacts_dir: 'a/../b' }).artifactsDir).toBe('b')
    expect(read({ artifacts_dir: '' }).artifactsDir).toBe('thoughts/shared')
  })

  it('rejects an artifacts_dir outside the repository, naming the value', () => {
    for (const bad of ['/etc/orchestrator', '../elsewhere', 'a/../../b', '.', '..', 'docs\\ai']) {
      expect(failure({ artifacts_dir: bad }).message).toBe(
        `Input artifacts_dir must be a relative path inside the repository, got "${bad}"`
      )
    }
  })

  it('reports claude_args that do not parse', () => {
    expect(failure({ claude_args: '--append-system-prompt "unterminated' }).message).toMatch(
      /^Input claude_args: unterminated " quote/
    )
  })
})

describe('readRunnerContext', () => {
  const env = {
    GITHUB_EVENT_NAME: 'issue_comment',
    GITHUB_EVENT_PATH: '/home/runner/work/_temp/_github_workflow/event.json',
    GITHUB_REPOSITORY: 'acme/widgets',
    GITHUB_API_URL: 'https://ghe.example.com/api/v3',
    GITHUB_SERVER_URL: 'https://ghe.example.com',
    GITHUB_RUN_ID: '987654',
    GITHUB_WORKSPACE: '/home/runner/work/widgets/widgets',
    RUNNER_TOOL_CACHE: '/opt/hostedtoolcache',
    PATH: '/usr/bin'
  }

  it('reads the runner’s variables', () => {
    expect(readRunnerContext(env)).toEqual({
      eventName: 'issue_comment',
      eventPath: '/home/runner/work/_temp/_github_workflow/event.json',
      repository: { owner: 'acme', repo: 'widgets' },
      apiUrl: 'https://ghe.example.com/api/v3',
      serverUrl: 'https://ghe.example.com',
      runId: '987654',
      workspace: '/home/runner/work/widgets/widgets',
      toolCache: '/opt/hostedtoolcache',
      env
    })
  })

  it('defaults to github.com when the URLs are not set', () => {
    const ctx = readRunnerContext({
      GITHUB_EVENT_NAME: 'issues',
      GITHUB_EVENT_PATH: '/tmp/e.json',
      GITHUB_REPOSITORY: 'acme/widgets'
    })
    expect(ctx).toMatchObject({
      apiUrl: 'https://api.github.com',
      serverUrl: 'https://github.com',
      runId: '0',
      workspace: process.cwd(),
      toolCache: undefined
    })
  })

  it('fails outside GitHub Actions, naming the missing variable', () => {
    const { GITHUB_EVENT_NAME: _name, ...noEvent } = env
    expect(() => readRunnerContext(noEvent)).toThrow(
      new InputError('GITHUB_EVENT_NAME is not set: this step must run inside GitHub Actions')
    )
    const { GITHUB_REPOSITORY: _repo, ...noRepo } = env
    expect(() => readRunnerContext(noRepo)).toThrow(/GITHUB_REPOSITORY is not set/)
    expect(() => readRunnerContext({})).toThrow(InputError)
  })

  it('rejects a repository that is not OWNER/REPO', () => {
    expect(() => readRunnerContext({ ...env, GITHUB_REPOSITORY: 'widgets' })).toThrow(
      'GITHUB_REPOSITORY must be OWNER/REPO, got "widgets"'
    )
    expect(() => readRunnerContext({ ...env, GITHUB_REPOSITORY: 'acme/' })).toThrow(/OWNER\/REPO/)
  })
})
