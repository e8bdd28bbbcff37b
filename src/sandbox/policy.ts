/**
 * What Claude Code may touch inside the sandbox, as the sandbox runtime's
 * configuration. Pure: the paths come in, the policy goes out, so every rule
 * here is a unit test rather than a guess about a runner.
 */
import path from 'node:path'

/** Package registries of the common ecosystems: `npm install`, `pip install`, `cargo build`… work. */
export const DEFAULT_ALLOWED_DOMAINS: readonly string[] = [
  'registry.npmjs.org:443',
  'registry.yarnpkg.com:443',
  'pypi.org:443',
  'files.pythonhosted.org:443',
  'crates.io:443',
  'index.crates.io:443',
  'static.crates.io:443',
  'proxy.golang.org:443',
  'sum.golang.org:443',
  'rubygems.org:443',
  'index.rubygems.org:443',
  'repo.maven.apache.org:443',
  'repo1.maven.org:443',
  'plugins.gradle.org:443',
  'services.gradle.org:443'
]

export interface PolicyInput {
  /** The checkout Claude works in. */
  workspace: string
  /** Claude's throwaway HOME and private temp folder. */
  home: string
  tmp: string
  /** host:port of the credential proxy, the only way to the model. */
  modelEndpoint: string
  allowedDomains: readonly string[]
  /** Folders that hold the job's secrets (runner temp, the real HOME, the action's own files). */
  denyRead: string[]
  /** Folders inside a denied one that Claude must still read (the claude binary's package). */
  allowRead: string[]
}

/** The subset of the runtime's configuration we set; its schema validates the rest. */
export interface SandboxPolicy {
  network: { allowedDomains: string[]; deniedDomains: string[]; allowAllUnixSockets: boolean }
  filesystem: { denyRead: string[]; allowRead: string[]; allowWrite: string[]; denyWrite: string[] }
}

/**
 * Sockets the host's services listen on: with Unix sockets allowed (Claude
 * Code's runtime needs socketpairs), these folders are what keeps a sandboxed
 * process from talking to a Docker daemon or the runner's own services.
 */
const SOCKET_DIRS = ['/run', '/var/run']

/** Drops entries inside another entry of the same list and keeps the order. */
function outermost(paths: string[]): string[] {
  const norm = [...new Set(paths.filter(Boolean).map(p => path.resolve(p)))]
  return norm.filter(p => !norm.some(q => q !== p && (p.startsWith(`${q}/`) || q === '/')))
}

export function sandboxPolicy(input: PolicyInput): SandboxPolicy {
  const writable = outermost([input.workspace, input.home, input.tmp])
  // A denied folder that contains the checkout (a runner keeps it under HOME) stays denied
  // around it; the runtime lets allowRead win over denyRead for exactly this.
  // A denied folder inside a writable one would hide part of the checkout: it cannot hold secrets we guard.
  const denyRead = outermost([...input.denyRead, ...SOCKET_DIRS]).filter(
    d => !writable.some(w => d === w || d.startsWith(`${w}/`))
  )
  return {
    network: {
      allowedDomains: [...new Set([input.modelEndpoint, ...input.allowedDomains].filter(Boolean))],
      deniedDomains: [],
      allowAllUnixSockets: true
    },
    filesystem: {
      denyRead,
      allowRead: outermost([...writable, ...input.allowRead]),
      allowWrite: writable,
      denyWrite: []
    }
  }
}

/** `a.example, b.example:8443` or one per line → entries (an entry without a port matches any port). */
export function parseAllowedDomains(raw: string): string[] {
  const entries = raw
    .split(/[\s,]+/)
    .map(e => e.trim())
    .filter(Boolean)
  for (const e of entries) {
    if (!/^(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(e) && !/^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/.test(e)) {
      throw new Error(`"${e}" is not a host name, *.wildcard or host:port`)
    }
  }
  return entries
}
