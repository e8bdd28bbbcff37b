/**
 * A scripted Anthropic Messages API server on 127.0.0.1 for driving the real
 * Claude Code CLI offline.
 *
 * It is stateless on purpose: each request is answered by finding the first
 * rule whose `match` accepts the conversation, then taking that rule's reply at
 * index "number of assistant messages already in the conversation". A resumed
 * session therefore continues where it stopped without the server tracking
 * sessions.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ToolUse {
  name: string
  input: Record<string, unknown>
}

export interface Reply {
  text?: string
  tools?: ToolUse[]
  /** Answer with this HTTP status and an Anthropic error body instead. */
  httpError?: number
  /** Keep the connection open without answering for this long (ms). */
  delayMs?: number
  usage?: { input_tokens: number; output_tokens: number }
}

export interface ModelRequest {
  model: string
  system: string
  messages: Array<{ role: string; content: unknown }>
  tools: Array<{ name: string; input_schema?: unknown }>
  /** Text of the first user message (the prompt the session started with). */
  firstUserText: string
  /** Text of the last user message (what this turn sends). */
  lastUserText: string
  /** Number of assistant messages already in the conversation. */
  turn: number
  raw: Record<string, unknown>
}

export interface Rule {
  /** Used in assertions and error messages. */
  name: string
  match: (req: ModelRequest) => boolean
  replies: Reply[] | ((req: ModelRequest) => Reply)
}

export interface ScriptedModel {
  url: string
  /** Every request that carried tools (a real agent turn), in arrival order. */
  requests: Array<ModelRequest & { rule: string | null }>
  /** Replace the rules (between test steps). */
  setRules(rules: Rule[]): void
  close(): Promise<void>
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((b: { type?: string; text?: string; content?: unknown }) => {
      if (b.type === 'text') return b.text ?? ''
      if (b.type === 'tool_result') return blockText(b.content)
      return ''
    })
    .join('\n')
}

function systemText(system: unknown): string {
  if (typeof system === 'string') return system
  return blockText(system)
}

export function toModelRequest(raw: Record<string, unknown>): ModelRequest {
  const messages = (raw.messages as ModelRequest['messages']) ?? []
  const users = messages.filter(m => m.role === 'user')
  return {
    model: String(raw.model ?? ''),
    system: systemText(raw.system),
    messages,
    tools: (raw.tools as ModelRequest['tools']) ?? [],
    firstUserText: blockText(users[0]?.content),
    lastUserText: blockText(users[users.length - 1]?.content),
    turn: messages.filter(m => m.role === 'assistant').length,
    raw
  }
}

let toolCounter = 0

function sse(res: http.ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
}

function streamReply(res: http.ServerResponse, model: string, reply: Reply): void {
  const usage = reply.usage ?? { input_tokens: 100, output_tokens: 20 }
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_${Date.now()}`
  })
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: `msg_${++toolCounter}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: usage.input_tokens, output_tokens: 1 }
    }
  })
  let index = 0
  if (reply.text !== undefined) {
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'text', text: '' }
    })
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'text_delta', text: reply.text }
    })
    sse(res, 'content_block_stop', { type: 'content_block_stop', index })
    index++
  }
  for (const tool of reply.tools ?? []) {
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: `toolu_${++toolCounter}`, name: tool.name, input: {} }
    })
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(tool.input) }
    })
    sse(res, 'content_block_stop', { type: 'content_block_stop', index })
    index++
  }
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: reply.tools?.length ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: usage.output_tokens }
  })
  sse(res, 'message_stop', { type: 'message_stop' })
  res.end()
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startScriptedModel(initialRules: Rule[] = []): Promise<ScriptedModel> {
  let rules = initialRules
  const requests: ScriptedModel['requests'] = []
  const timers = new Set<NodeJS.Timeout>()
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{}')
        return
      }
      const body = await readBody(req)
      const url = req.url ?? ''
      if (url.startsWith('/v1/messages/count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ input_tokens: 100 }))
        return
      }
      if (!url.startsWith('/v1/messages')) {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: url } }))
        return
      }
      const raw = JSON.parse(body) as Record<string, unknown>
      const request = toModelRequest(raw)
      // Housekeeping calls (titles, summaries) carry no tools: a short text is enough.
      if (request.tools.length === 0) {
        streamReply(res, request.model, { text: 'ok', usage: { input_tokens: 1, output_tokens: 1 } })
        return
      }
      const rule = rules.find(r => r.match(request)) ?? null
      requests.push({ ...request, rule: rule?.name ?? null })
      let reply: Reply
      if (!rule) {
        reply = { text: `SCRIPT ERROR: no rule matched a request starting "${request.firstUserText.slice(0, 80)}"` }
      } else if (typeof rule.replies === 'function') {
        reply = rule.replies(request)
      } else {
        reply = rule.replies[request.turn] ?? {
          text: `SCRIPT ERROR: rule ${rule.name} has no reply for turn ${request.turn}`
        }
      }
      if (reply.delayMs) {
        await new Promise<void>(resolve => {
          const t = setTimeout(() => {
            timers.delete(t)
            resolve()
          }, reply.delayMs)
          timers.add(t)
        })
        if (res.destroyed) return
      }
      if (reply.httpError) {
        res.writeHead(reply.httpError, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            type: 'error',
            error: { type: 'api_error', message: `scripted failure ${reply.httpError}` }
          })
        )
        return
      }
      streamReply(res, request.model, reply)
    })().catch((err: unknown) => {
      res.writeHead(500)
      res.end(String(err))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setRules(next) {
      rules = next
    },
    close: () =>
      new Promise(resolve => {
        timers.forEach(clearTimeout)
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
