/**
 * Cloud sign-in steps can leave a credentials file in the checkout:
 * google-github-actions/auth writes `gha-creds-<random>.json` into
 * GITHUB_WORKSPACE unless told not to, and a step may point
 * GOOGLE_APPLICATION_CREDENTIALS (or AWS's file variables) at a file there.
 * Claude reads and writes the checkout, so such a file could be read by the
 * model or committed. The run refuses to start, naming the file and the fix.
 */
import fs from 'node:fs'
import path from 'node:path'

/** Variables that name a credentials file, and the step that usually sets each. */
const FILE_VARIABLES = [
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_GHA_CREDS_PATH',
  'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AZURE_FEDERATED_TOKEN_FILE'
] as const

const GHA_CREDS = /^gha-creds-[\w-]+\.json$/

function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

function real(p: string): string {
  try {
    return fs.realpathSync(p)
  } catch {
    return path.resolve(p)
  }
}

/** Why the workspace must not be worked in, or null when no credentials file sits in it. */
export function credentialFileProblem(workspace: string, env: NodeJS.ProcessEnv): string | null {
  const top = real(workspace)
  const found = fs.readdirSync(top).filter(name => GHA_CREDS.test(name))
  if (found.length)
    return (
      `a credentials file is in the workspace (${found.join(', ')}), where Claude could read or commit it: ` +
      'set `create_credentials_file: false` on the google-github-actions/auth step ' +
      '(the orchestrator takes its token through the google_access_token input), or write the file outside the workspace'
    )
  for (const name of FILE_VARIABLES) {
    const value = env[name]
    if (!value) continue
    const file = real(path.resolve(top, value))
    if (isInside(top, file))
      return (
        `${name} points at a file in the workspace (${path.relative(top, file) || '.'}), where Claude could read or commit it: ` +
        'keep credentials files outside the checkout (for example in RUNNER_TEMP)'
      )
  }
  return null
}

/** Throws the problem `credentialFileProblem` names, if any. */
export function assertNoCredentialFiles(workspace: string, env: NodeJS.ProcessEnv): void {
  const problem = credentialFileProblem(workspace, env)
  if (problem) throw new Error(problem)
}
