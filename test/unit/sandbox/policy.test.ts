import { describe, expect, it } from '@jest/globals'
import { DEFAULT_ALLOWED_DOMAINS, parseAllowedDomains, sandboxPolicy } from '../../../src/sandbox/policy.js'

const base = {
  workspace: '/home/runner/work/widgets/widgets',
  home: '/tmp/orchestrator-sandbox-x/home',
  tmp: '/tmp/orchestrator-sandbox-x/tmp',
  modelEndpoint: '127.0.0.2:40123',
  allowedDomains: DEFAULT_ALLOWED_DOMAINS,
  denyRead: ['/home/runner/work/_temp', '/home/runner', '/home/runner/work/_actions/acme/orchestrator/v1'],
  allowRead: ['/opt/hostedtoolcache/orchestrator-claude-code/2.1.197/node_modules/@anthropic-ai/claude-code']
}

describe('sandboxPolicy', () => {
  it('writes only to the checkout, its own HOME and its temp folder', () => {
    expect(sandboxPolicy(base).filesystem.allowWrite).toEqual([
      '/home/runner/work/widgets/widgets',
      '/tmp/orchestrator-sandbox-x/home',
      '/tmp/orchestrator-sandbox-x/tmp'
    ])
  })

  it("hides the runner's HOME (and so its temp folder and the action) but re-opens the checkout and the claude package", () => {
    const fs = sandboxPolicy(base).filesystem
    // The runner temp and the action's folder are inside HOME: one entry covers them.
    expect(fs.denyRead).toEqual(['/home/runner', '/run', '/var/run'])
    expect(fs.allowRead).toEqual(expect.arrayContaining([base.workspace, base.allowRead[0]]))
  })

  it('never denies a folder inside the checkout, which would hide part of it', () => {
    const policy = sandboxPolicy({ ...base, denyRead: [`${base.workspace}/secrets`, '/etc/runner'] })
    expect(policy.filesystem.denyRead).toEqual(['/etc/runner', '/run', '/var/run'])
  })

  it('reaches the model only through the credential proxy, plus the allowed hosts', () => {
    const net = sandboxPolicy({ ...base, allowedDomains: ['registry.npmjs.org:443'] }).network
    expect(net.allowedDomains).toEqual(['127.0.0.2:40123', 'registry.npmjs.org:443'])
    expect(net.deniedDomains).toEqual([])
  })

  it('lists no model endpoint when there is no credential to proxy', () => {
    expect(sandboxPolicy({ ...base, modelEndpoint: '', allowedDomains: [] }).network.allowedDomains).toEqual([])
  })
})

describe('parseAllowedDomains', () => {
  it('takes commas, spaces and lines, wildcards and ports', () => {
    expect(parseAllowedDomains('registry.npmjs.org,\n *.corp.example:8443  pypi.org')).toEqual([
      'registry.npmjs.org',
      '*.corp.example:8443',
      'pypi.org'
    ])
  })

  it('rejects URLs and paths with the entry named', () => {
    expect(() => parseAllowedDomains('https://evil.example')).toThrow('"https://evil.example" is not a host name')
    expect(() => parseAllowedDomains('a.example/x')).toThrow('"a.example/x"')
  })
})
