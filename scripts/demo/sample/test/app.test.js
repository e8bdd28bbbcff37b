import assert from 'node:assert/strict'
import { once } from 'node:events'
import http from 'node:http'
import { after, before, test } from 'node:test'
import { createApp } from '../src/app.js'
import { createStore } from '../src/store.js'

let server
let base

before(async () => {
  server = http.createServer(createApp({ store: createStore() })).listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${server.address().port}`
})

after(() => {
  server.closeAllConnections()
  server.close()
})

test('GET /health', async () => {
  const res = await fetch(`${base}/health`)
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { ok: true })
})

test('GET /api/widgets lists the widgets', async () => {
  const res = await fetch(`${base}/api/widgets`)
  assert.equal(res.status, 200)
  assert.deepEqual(
    (await res.json()).map(w => w.name),
    ['sprocket', 'flange']
  )
})

test('GET /api/widgets/:id answers 404 for an unknown widget', async () => {
  const res = await fetch(`${base}/api/widgets/999`)
  assert.equal(res.status, 404)
})

test('POST /api/widgets creates a widget', async () => {
  const res = await fetch(`${base}/api/widgets`, { method: 'POST', body: JSON.stringify({ name: ' gear ' }) })
  assert.equal(res.status, 201)
  const created = await res.json()
  assert.equal(created.name, 'gear')
  assert.equal((await fetch(`${base}/api/widgets/${created.id}`)).status, 200)
})

test('POST /api/widgets rejects a missing name and invalid JSON', async () => {
  assert.equal((await fetch(`${base}/api/widgets`, { method: 'POST', body: '{}' })).status, 400)
  assert.equal((await fetch(`${base}/api/widgets`, { method: 'POST', body: '{' })).status, 400)
})
