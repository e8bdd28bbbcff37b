/**
 * GitHub's error messages say what went wrong ("Not Found - https://docs…")
 * but not which request: with a dozen calls per run, a maintainer reading
 * the issue cannot tell which permission or resource is missing.
 */

interface RequestErrorShape {
  status?: number
  message: string
  stack?: string
  request?: { method?: string; url?: string }
  response?: unknown
}

/** `/repos/o/r/…` of a request URL: the part after the API base, query included. */
export function requestPath(url: string, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '')
  if (url.startsWith(`${base}/`)) return url.slice(base.length)
  try {
    const u = new URL(url)
    return `${u.pathname}${u.search}`
  } catch {
    return url
  }
}

/**
 * Rewrites an Octokit RequestError in place to "GET /repos/o/r/…: 404 Not Found …",
 * keeping its status and response for callers. The whole message, and the stack
 * the log prints, pass through `redact`.
 */
export function nameFailedRequest(err: unknown, baseUrl: string, redact: (text: string) => string): void {
  const e = err as RequestErrorShape
  if (!(err instanceof Error) || !e.request?.method || !e.request.url) return
  const request = `${e.request.method} ${requestPath(e.request.url, baseUrl)}`
  const original = e.message
  if (original.startsWith(`${request}: `)) return
  // Without a response the request never got an answer (a network error): no HTTP status to show.
  const status = e.response && e.status ? `${e.status} ` : ''
  const message = redact(`${request}: ${status}${original}`)
  e.message = message
  if (e.stack) e.stack = redact(original ? e.stack.replace(original, message) : `${message}\n${e.stack}`)
}
