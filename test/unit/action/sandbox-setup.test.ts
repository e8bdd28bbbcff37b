import { describe, expect, it } from '@jest/globals'
import { planSandboxSetup, type RunnerFacts } from '../../../src/action/sandbox-setup.js'

const hosted: RunnerFacts = {
  platform: 'linux',
  missing: [],
  userNamespacesRestricted: false,
  isRoot: false,
  hasSudo: true,
  hasApt: true
}

describe('planSandboxSetup', () => {
  it('does nothing on a runner that already has everything', () => {
    expect(planSandboxSetup(hosted)).toEqual({ commands: [] })
  })

  it('installs what is missing with sudo and lifts the AppArmor user-namespace restriction (Ubuntu 24.04)', () => {
    expect(planSandboxSetup({ ...hosted, missing: ['bwrap', 'socat'], userNamespacesRestricted: true })).toEqual({
      commands: [
        ['sudo', '-n', 'apt-get', 'update', '-qq'],
        ['sudo', '-n', 'apt-get', 'install', '-y', '-qq', 'bubblewrap', 'socat'],
        ['sudo', '-n', 'sysctl', '-w', 'kernel.apparmor_restrict_unprivileged_userns=0']
      ]
    })
  })

  it('runs the same commands without sudo as root (containers, self-hosted)', () => {
    expect(planSandboxSetup({ ...hosted, isRoot: true, hasSudo: false, missing: ['rg'] })).toEqual({
      commands: [
        ['apt-get', 'update', '-qq'],
        ['apt-get', 'install', '-y', '-qq', 'ripgrep']
      ]
    })
  })

  it('says exactly what a runner without sudo lacks, so its image can be fixed', () => {
    expect(planSandboxSetup({ ...hosted, hasSudo: false, missing: ['bwrap'], userNamespacesRestricted: true })).toEqual(
      {
        cannot:
          'this runner has no passwordless sudo, so the action cannot install bubblewrap and allow unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=0); do it in the runner image'
      }
    )
    expect(planSandboxSetup({ ...hosted, hasApt: false, missing: ['socat'] })).toEqual({
      cannot: 'install socat on this runner (no apt-get found)'
    })
    expect(planSandboxSetup({ ...hosted, platform: 'darwin' })).toEqual({
      cannot: 'the sandbox needs a Linux runner; this one is darwin'
    })
  })
})
