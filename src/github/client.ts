/**
 * The one GitHub client: REST, base URL from GITHUB_API_URL (so GitHub
 * Enterprise Server and the tests' fake server work alike), with retries for
 * 5xx and waits for primary and secondary rate limits.
 */
import * as core from '@actions/core'
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'

export type GitHubClient = ReturnType<typeof getOctokit>

interface ThrottleOptions {
  method: string
  url: string
}

const MAX_RATE_LIMIT_RETRIES = 3

/**
 * @param redact applied to every `body` and `title` the client sends, so no
 *   code path can post a secret to an issue or pull request.
 */
export function createGitHubClient(token: string, baseUrl: string, redact: (text: string) => string = (t) => t): GitHubClient {
  const client = getOctokit(
    token,
    {
      baseUrl,
      retry: { retries: 3 },
      throttle: {
        onRateLimit: (after: number, options: ThrottleOptions, _octokit: unknown, retryCount: number) => {
          core.warning(`GitHub rate limit on ${options.method} ${options.url}; retrying in ${after}s`)
          return retryCount < MAX_RATE_LIMIT_RETRIES
        },
        onSecondaryRateLimit: (after: number, options: ThrottleOptions, _octokit: unknown, retryCount: number) => {
          core.warning(`GitHub secondary rate limit on ${options.method} ${options.url}; retrying in ${after}s`)
          return retryCount < MAX_RATE_LIMIT_RETRIES
        }
      }
    },
    retry,
    throttling
  )
  client.hook.before('request', (options) => {
    for (const key of ['body', 'title'] as const) {
      const value = (options as Record<string, unknown>)[key]
      if (typeof value === 'string') (options as Record<string, unknown>)[key] = redact(value)
    }
  })
  return client
}

export interface RepoRef {
  owner: string
  repo: string
}
