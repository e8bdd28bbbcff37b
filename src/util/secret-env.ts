/**
 * Environment variables that carry the step's secrets or let a process steer
 * the runner. Neither Claude nor git needs them.
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
  /^ACTIONS_RESULTS_URL$/,
  // The runner's file commands: writing to them would set variables, PATH,
  // outputs or state for this and later steps.
  /^GITHUB_(ENV|PATH|OUTPUT|STATE|STEP_SUMMARY)$/
]

export function withoutSecrets(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !WITHHELD.some(re => re.test(key))) out[key] = value
  }
  return out
}
