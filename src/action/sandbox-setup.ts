/**
 * Makes a runner able to start the sandbox, once per job: GitHub-hosted
 * Ubuntu runners have passwordless sudo but may lack bubblewrap, socat and
 * ripgrep, and Ubuntu 24.04 restricts unprivileged user namespaces through
 * AppArmor. Deciding what to do is pure; doing it is a few commands, logged.
 */
import * as core from '@actions/core'
import { execa } from 'execa'
import fs from 'node:fs'
import path from 'node:path'

export interface RunnerFacts {
  platform: NodeJS.Platform
  /** Which of the sandbox's programs are missing from PATH. */
  missing: string[]
  /** /proc/sys/kernel/apparmor_restrict_unprivileged_userns is 1. */
  userNamespacesRestricted: boolean
  isRoot: boolean
  hasSudo: boolean
  hasApt: boolean
}

export const SANDBOX_PROGRAMS: Record<string, string> = { bwrap: 'bubblewrap', socat: 'socat', rg: 'ripgrep' }

export type SetupPlan = { commands: string[][] } | { cannot: string }

export function planSandboxSetup(f: RunnerFacts): SetupPlan {
  if (f.platform !== 'linux') return { cannot: `the sandbox needs a Linux runner; this one is ${f.platform}` }
  const commands: string[][] = []
  const sudo = f.isRoot ? [] : ['sudo', '-n']
  const needsPrivilege = f.missing.length > 0 || f.userNamespacesRestricted
  if (needsPrivilege && !f.isRoot && !f.hasSudo) {
    const what = [
      ...(f.missing.length ? [`install ${f.missing.map(p => SANDBOX_PROGRAMS[p] ?? p).join(', ')}`] : []),
      ...(f.userNamespacesRestricted
        ? ['allow unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=0)']
        : [])
    ]
    return {
      cannot: `this runner has no passwordless sudo, so the action cannot ${what.join(' and ')}; do it in the runner image`
    }
  }
  if (f.missing.length) {
    if (!f.hasApt)
      return {
        cannot: `install ${f.missing.map(p => SANDBOX_PROGRAMS[p] ?? p).join(', ')} on this runner (no apt-get found)`
      }
    commands.push([...sudo, 'apt-get', 'update', '-qq'])
    commands.push([...sudo, 'apt-get', 'install', '-y', '-qq', ...f.missing.map(p => SANDBOX_PROGRAMS[p] ?? p)])
  }
  if (f.userNamespacesRestricted)
    commands.push([...sudo, 'sysctl', '-w', 'kernel.apparmor_restrict_unprivileged_userns=0'])
  return { commands }
}

function onPath(name: string, pathVar: string): boolean {
  return pathVar.split(path.delimiter).some(dir => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

async function readFacts(pathVar: string): Promise<RunnerFacts> {
  let restricted = false
  try {
    restricted = fs.readFileSync('/proc/sys/kernel/apparmor_restrict_unprivileged_userns', 'utf8').trim() === '1'
  } catch {
    // No such knob: nothing restricts user namespaces this way.
  }
  const isRoot = process.getuid?.() === 0
  const hasSudo =
    !isRoot &&
    onPath('sudo', pathVar) &&
    (await execa('sudo', ['-n', 'true'], { reject: false, stdin: 'ignore' })).exitCode === 0
  return {
    platform: process.platform,
    missing: Object.keys(SANDBOX_PROGRAMS).filter(p => !onPath(p, pathVar)),
    userNamespacesRestricted: restricted,
    isRoot,
    hasSudo,
    hasApt: onPath('apt-get', pathVar)
  }
}

/** Prepares the runner; returns why it could not (the sandbox will then fail to start with that reason). */
export async function prepareRunnerForSandbox(pathVar: string): Promise<string | null> {
  const plan = planSandboxSetup(await readFacts(pathVar))
  if ('cannot' in plan) return plan.cannot
  for (const cmd of plan.commands) {
    core.info(`Preparing the sandbox: ${cmd.join(' ')}`)
    const r = await execa(cmd[0] as string, cmd.slice(1), {
      reject: false,
      stdin: 'ignore',
      env: { DEBIAN_FRONTEND: 'noninteractive' }
    })
    if (r.exitCode !== 0)
      return `\`${cmd.join(' ')}\` failed: ${String(r.stderr).trim().split('\n').slice(-2).join(' ').slice(0, 300)}`
  }
  return null
}
