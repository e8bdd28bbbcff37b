/**
 * The environment Claude Code runs with. Claude runs Bash, so anything in its
 * environment can end up in a file or a log: it gets what it needs to reach
 * its model and run the project's tools, never the second model's keys, the
 * GitHub token or the runner's file-command paths. Provider variables and
 * cloud credentials in the job's environment do not pass either: the chosen
 * provider (`providers.ts`) adds back exactly the ones it needs, as `extra`.
 */
import { withoutSecrets } from '../util/secret-env.js'
import { isProviderVariable } from './providers.js'

export function buildClaudeEnv(
  base: Record<string, string | undefined>,
  extra: Record<string, string | undefined> = {}
): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(base).filter(([name]) => !isProviderVariable(name)))
  const env = withoutSecrets({ ...kept, ...extra })
  // An unattended run has no use for telemetry, update checks or auto-updates.
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC ??= '1'
  env.DISABLE_AUTOUPDATER ??= '1'
  // `npm ci` in a husky project rewrites .git/config, which fails the phase's git check.
  env.HUSKY ??= '0'
  return env
}
