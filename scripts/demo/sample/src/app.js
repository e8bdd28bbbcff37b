import { readJson, sendJson } from './http.js'

/** The request handler: /health and the /api/widgets endpoints. */
export function createApp({ store }) {
  return async function handle(req, res) {
    const url = new URL(req.url, 'http://localhost')
    try {
      if (req.method === 'GET' && url.pathname === '/health') return sendJson(res, 200, { ok: true })
      if (req.method === 'GET' && url.pathname === '/api/widgets') return sendJson(res, 200, store.list())
      const match = url.pathname.match(/^\/api\/widgets\/(\d+)$/)
      if (req.method === 'GET' && match) {
        const widget = store.get(Number(match[1]))
        return widget ? sendJson(res, 200, widget) : sendJson(res, 404, { error: 'not found' })
      }
      if (req.method === 'POST' && url.pathname === '/api/widgets') {
        const body = await readJson(req)
        if (typeof body?.name !== 'string' || !body.name.trim())
          return sendJson(res, 400, { error: 'name is required' })
        return sendJson(res, 201, store.add({ name: body.name.trim() }))
      }
      return sendJson(res, 404, { error: 'not found' })
    } catch (err) {
      return sendJson(res, err.expose ? err.status : 500, { error: err.expose ? err.message : 'internal error' })
    }
  }
}
