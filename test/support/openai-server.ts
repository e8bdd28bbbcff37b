/**
 * A fake OpenAI / Azure OpenAI chat-completions server on 127.0.0.1.
 * OpenAI: POST /v1/chat/completions. Azure: POST /openai/deployments/{name}/chat/completions.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface OpenAIRequest {
  path: string
  headers: http.IncomingHttpHeaders
  body: { model?: string; messages: Array<{ role: string; content: string }> }
}

export interface FakeOpenAI {
  url: string
  requests: OpenAIRequest[]
  /** The answer text, or an HTTP status to fail with, or raw garbage to send. */
  respondWith(r: { answer: string } | { status: number } | { garbage: string }): void
  close(): Promise<void>
}

export async function startFakeOpenAI(answer = 'Use the in-memory store.'): Promise<FakeOpenAI> {
  let mode: { answer: string } | { status: number } | { garbage: string } = { answer }
  const requests: OpenAIRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = req.url ?? ''
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : { messages: [] }
      requests.push({ path, headers: req.headers, body })
      if (!/\/chat\/completions/.test(path)) {
        res.writeHead(404).end()
        return
      }
      if ('status' in mode) {
        res.writeHead(mode.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { message: 'scripted failure', type: 'server_error' } }))
        return
      }
      if ('garbage' in mode) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(mode.garbage)
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model ?? 'deployment',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: mode.answer } }],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }
        })
      )
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(r) {
      mode = r
    },
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
