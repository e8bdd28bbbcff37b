/**
 * Fixed-window rate limiting, in memory: each client may make `limit` requests
 * per `windowMs`. A client's window starts with its first request.
 */
export function createRateLimiter({ limit = 100, windowMs = 60_000, now = Date.now } = {}) {
  const windows = new Map()
  return {
    /** Counts one request from `key` and says whether it may go through. */
    hit(key) {
      const t = now()
      let window = windows.get(key)
      if (!window || t >= window.resetAt) {
        window = { count: 0, resetAt: t + windowMs }
        windows.set(key, window)
      }
      window.count++
      return {
        allowed: window.count <= limit,
        limit,
        remaining: Math.max(0, limit - window.count),
        retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - t) / 1000))
      }
    }
  }
}

/** Who a request counts against: the client's IP address (there are no API keys yet). */
export function clientKey(req) {
  return req.socket.remoteAddress ?? 'unknown'
}
