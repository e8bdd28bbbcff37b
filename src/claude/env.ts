/**
 * The environment Claude Code runs with. Claude runs Bash, so anything in its
 * environment can end up in a file or a log: it gets what it needs to reach
 * its model and run the project's tools, never the second model's keys or the
 * GitHub token.
 */

const WITHHELD = [
  /^OPENAI_/,
  /^AZURE_OPENAI_/,
  /^GITHUB_TOKEN$/,
  /^GH_TOKEN$/,
  /^GH_ENTERPRISE_TOKEN$/,
  /^INPUT_/,
  /^ACTIONS_RUNTIME_TOKEN$/,
  /^ACTIONS_ID_TOKEN_REQUEST_/,
  /^ACTIONS_CACHE_URL$/,
  /^ACTIONS_RESULTS_URL$/
]

export function buildClaudeEnv(
  base: Record<string, string | undefined>,
  extra: Record<string, string | undefined> = {}
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries({ ...base, ...extra })) {
    if (value === undefined || WITHHELD.some((re) => re.test(key))) continue
    env[key] = value
  }
  // An unattended run has no use for telemetry, update checks or auto-updates.
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC ??= '1'
  env.DISABLE_AUTOUPDATER ??= '1'
  return env
}
