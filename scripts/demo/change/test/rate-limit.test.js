import assert from 'node:assert/strict'
import { once } from 'node:events'
import http from 'node:http'
import { test } from 'node:test'
import { createApp } from '../src/app.js'
import { createRateLimiter } from '../src/rate-limit.js'
import { createStore } from '../src/store.js'

test('allows `limit` requests per window, then refuses until the window resets', () => {
  let t = 0
  const limiter = createRateLimiter({ limit: 3, windowMs: 60_000, now: () => t })
  assert.deepEqual(
    [1, 2, 3, 4].map(() => limiter.hit('a').allowed),
    [true, true, true, false]
  )
  assert.equal(limiter.hit('b').allowed, true, 'each client has its own budget')
  t = 59_999
  assert.equal(limiter.hit('a').allowed, false)
  t = 60_000
  assert.equal(limiter.hit('a').allowed, true)
})

test('says how many requests remain and how long to wait', () => {
  let t = 0
  const limiter = createRateLimiter({ limit: 2, windowMs: 60_000, now: () => t })
  assert.equal(limiter.hit('a').remaining, 1)
  t = 15_500
  const verdict = limiter.hit('a')
  assert.equal(verdict.remaining, 0)
  assert.equal(verdict.retryAfterSeconds, 45)
})

test('the API answers 429 with Retry-After once a client is over the limit', async () => {
  const app = createApp({ store: createStore(), limiter: createRateLimiter({ limit: 2 }) })
  const server = http.createServer(app).listen(0, '127.0.0.1')
  await once(server, 'listening')
  const base = `http://127.0.0.1:${server.address().port}`
  try {
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/api/widgets`)).status)
    assert.deepEqual(statuses, [200, 200, 429])
    const refused = await fetch(`${base}/api/widgets`)
    const retryAfter = Number(refused.headers.get('retry-after'))
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`)
    assert.equal(refused.headers.get('ratelimit-remaining'), '0')
  } finally {
    server.closeAllConnections()
    server.close()
  }
})
