/**
 * What every orchestrator git call runs with. A phase's Bash can write the
 * repository's config, its attribute files and the user's ~/.gitconfig; none
 * of that may make our git run a program, or send the code and the token
 * somewhere else. Checked against git 2.39 (see test/unit/git-hermetic.test.ts).
 *
 * Three layers:
 * - the environment: no system or global config or attributes, only the
 *   transports we use, none of the caller's GIT_* variables;
 * - fixed settings that switch off every program git could start for the
 *   commands we run (hooks, fsmonitor, credential helpers, signing…);
 * - per call, an empty value for each program the repository's own config
 *   names (filter and diff drivers): git cannot be told to skip the
 *   repository's config, but a setting given on the command line wins.
 * Settings that redirect traffic (URL rewrites, proxies, CAs) cannot be
 * overridden that way; a call that talks to a remote refuses to run with them.
 */

export interface ConfigEntry {
  key: string
  value: string
}

/** Parses `git config --list --null`: `key\nvalue\0` per entry, `key\0` for a key without a value. */
export function parseConfigList(out: string): ConfigEntry[] {
  return out
    .split('\0')
    .filter(Boolean)
    .map(entry => {
      const nl = entry.indexOf('\n')
      return nl < 0 ? { key: entry, value: '' } : { key: entry.slice(0, nl), value: entry.slice(nl + 1) }
    })
}

/**
 * Variables kept from the caller: TLS and HTTP tuning a runner may need (a
 * GHES certificate authority in GIT_SSL_CAINFO) and tracing. Every other GIT_*
 * variable (GIT_DIR, GIT_INDEX_FILE, GIT_EXTERNAL_DIFF, GIT_SSH_COMMAND,
 * GIT_CONFIG_PARAMETERS…) would point our calls somewhere we did not choose.
 */
const KEPT_GIT_VARS = /^GIT_(SSL_|HTTP_|TRACE|CURL_VERBOSE$)/

export const HERMETIC_VARS: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: '1',
  // Also replaces $XDG_CONFIG_HOME/git/config; /dev/null reads as an empty file.
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_ATTR_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  // Unlike `-c protocol.allow=never`, this also beats a repository's own
  // `protocol.ext.allow=always` (ext:: runs any command). https is how we
  // reach GitHub; file because a checkout's origin may be a local path (the
  // tests' bare origin is one), and a local path runs only git's own programs.
  GIT_ALLOW_PROTOCOL: 'https:file'
}

/** The environment for a git call: the caller's without git's variables, then `extra`, then ours. */
export function hermeticEnv(base: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(base))
    if (!key.startsWith('GIT_') || KEPT_GIT_VARS.test(key)) env[key] = value
  return { ...env, ...extra, ...HERMETIC_VARS }
}

/**
 * Settings for every call. An empty program setting means "none" to git
 * (checked for each one in the tests); the rest switch off features that
 * start programs or recurse into repositories whose config we never read.
 */
export const FIXED_CONFIG: Array<[string, string]> = [
  ['core.hooksPath', '/dev/null'],
  // Empty disables it on every version (before 2.36 "false" named a hook program).
  ['core.fsmonitor', ''],
  ['core.attributesFile', '/dev/null'],
  ['core.excludesFile', '/dev/null'],
  ['core.askPass', ''],
  ['core.alternateRefsCommand', ''],
  // An empty helper clears the list, url-specific helpers included.
  ['credential.helper', ''],
  ['diff.external', ''],
  ['commit.gpgSign', 'false'],
  ['tag.gpgSign', 'false'],
  ['push.gpgSign', 'false'],
  ['log.showSignature', 'false'],
  ['submodule.recurse', 'false'],
  ['fetch.recurseSubmodules', 'false'],
  ['push.recurseSubmodules', 'no'],
  // Our calls leave .git as they found it: no background gc or maintenance.
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
  ['http.sslVerify', 'true']
]

/** Driver settings that name a program, by section; each driver found gets all of them. */
const DRIVERS: Record<string, Array<[string, string]>> = {
  // `required=false` too: a required filter that does not run fails the command.
  filter: [
    ['clean', ''],
    ['smudge', ''],
    ['process', ''],
    ['required', 'false']
  ],
  diff: [
    ['textconv', ''],
    ['command', '']
  ],
  merge: [['driver', '']]
}

/**
 * An empty value for every program a filter, diff or merge driver in the
 * repository's config names. Attributes (`.gitattributes`, which a phase may
 * legitimately write) pick drivers by name; a driver with no program is no
 * driver at all, so whatever the attributes say, nothing runs.
 */
export function driverOverrides(entries: ConfigEntry[]): Array<[string, string]> {
  const out = new Map<string, string>()
  for (const { key } of entries) {
    const m = key.match(/^(filter|diff|merge)\.(.+)\.[^.]+$/)
    if (!m) continue
    const [, section, name] = m as unknown as [string, string, string]
    for (const [setting, value] of DRIVERS[section] ?? []) out.set(`${section}.${name}.${setting}`, value)
  }
  return [...out]
}

/** http settings that choose where traffic goes or whom TLS trusts (`http.<name>` or `http.<url>.<name>`). */
const TRAFFIC_SETTINGS = new Set([
  'proxy',
  'sslcainfo',
  'sslcapath',
  'sslcert',
  'sslkey',
  'curloptresolve',
  'cookiefile',
  'savecookies'
])

/**
 * Why a call to `url` would not go where the URL says, or would go through
 * settings the repository chose: URL rewrites that apply to it (they cannot
 * be overridden: of two equally long rewrites the repository's wins) and
 * proxy, certificate or resolver settings. Empty when the call may run.
 */
export function transportProblems(entries: ConfigEntry[], url: string): string[] {
  const problems = new Set<string>()
  for (const { key, value } of entries) {
    const rewrite = key.match(/^url\.(.+)\.(insteadof|pushinsteadof)$/)
    if (rewrite && url.startsWith(value)) problems.add(`${key} (rewrites ${value} to ${rewrite[1]})`)
    const http = key.match(/^http\.(?:.+\.)?([^.]+)$/)
    if (!http) continue
    const name = http[1] as string
    if (TRAFFIC_SETTINGS.has(name) || (name === 'sslverify' && !/^(true|yes|on|1)$/i.test(value))) problems.add(key)
  }
  return [...problems]
}

/**
 * Settings as GIT_CONFIG_COUNT/KEY/VALUE variables (git ≥ 2.31) rather than
 * `-c key=value`: `-c` splits at the first `=`, so a driver named `x=y`
 * could not be overridden, and values (the auth header) would be visible
 * in the process list.
 */
export function configEnv(settings: Array<[string, string]>): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(settings.length) }
  settings.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key
    env[`GIT_CONFIG_VALUE_${i}`] = value
  })
  return env
}
