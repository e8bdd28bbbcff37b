/**
 * The one GitHub client: REST, base URL from GITHUB_API_URL (so GitHub
 * Enterprise Server and the tests' fake server work alike), with retries for
 * 5xx and waits for primary and secondary rate limits.
 */
import * as core from '@actions/core'
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { nameFailedRequest } from './request-error.js'

export type GitHubClient = ReturnType<typeof getOctokit>

interface ThrottleOptions {
  method: string
  url: string
}

const MAX_RATE_LIMIT_RETRIES = 3

/**
 * plugin-throttling spaces every write 1 s apart and every comment 3 s apart,
 * which is GitHub's advice for bulk writers. A run makes about a dozen writes
 * spread over minutes of model time, so the spacing would only add latency;
 * rate limits are still honoured when GitHub reports them (below).
 */
// The plugin only ever calls `group.key(id).schedule(options, job)`; a pass-through satisfies it.
const UNSPACED = { key: () => ({ schedule: <T>(_options: unknown, job: () => Promise<T>) => job() }) } as never

/**
 * @param redact applied to every `body` and `title` the client sends, so no
 *   code path can post a secret to an issue or pull request, and to the
 *   message of every error, which names the request that failed.
 */
export function createGitHubClient(
  token: string,
  baseUrl: string,
  redact: (text: string) => string = t => t
): GitHubClient {
  const client = getOctokit(
    token,
    {
      baseUrl,
      retry: { retries: 3 },
      throttle: {
        write: UNSPACED,
        notifications: UNSPACED,
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
  client.hook.before('request', options => {
    for (const key of ['body', 'title'] as const) {
      const value = (options as Record<string, unknown>)[key]
      if (typeof value === 'string') (options as Record<string, unknown>)[key] = redact(value)
    }
  })
  client.hook.error('request', err => {
    nameFailedRequest(err, baseUrl, redact)
    throw err
  })
  return client
}

export interface RepoRef {
  owner: string
  repo: string
}
