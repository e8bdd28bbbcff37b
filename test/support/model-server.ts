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
import zlib from 'node:zlib'

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

/** One HTTP request as it arrived, whatever the front (for asserting headers and signatures). */
export interface SeenRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: Buffer
  front: 'anthropic' | 'bedrock' | 'bedrock-control' | 'vertex' | 'other'
}

export interface ScriptedModel {
  url: string
  /** Every request that carried tools (a real agent turn), in arrival order. */
  requests: Array<ModelRequest & { rule: string | null }>
  /** Every HTTP request, as it arrived. */
  http: SeenRequest[]
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

type Event = [name: string, data: Record<string, unknown>]

/** The Messages API's stream events for one scripted reply. */
function replyEvents(model: string, reply: Reply): Event[] {
  const usage = reply.usage ?? { input_tokens: 100, output_tokens: 20 }
  const events: Event[] = [
    [
      'message_start',
      {
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
      }
    ]
  ]
  let index = 0
  if (reply.text !== undefined) {
    events.push(
      ['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: reply.text } }],
      ['content_block_stop', { type: 'content_block_stop', index }]
    )
    index++
  }
  for (const tool of reply.tools ?? []) {
    events.push(
      [
        'content_block_start',
        {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: `toolu_${++toolCounter}`, name: tool.name, input: {} }
        }
      ],
      [
        'content_block_delta',
        {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(tool.input) }
        }
      ],
      ['content_block_stop', { type: 'content_block_stop', index }]
    )
    index++
  }
  events.push(
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: reply.tools?.length ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.output_tokens }
      }
    ],
    ['message_stop', { type: 'message_stop' }]
  )
  return events
}

/** Anthropic's (and Vertex AI's streamRawPredict) framing: server-sent events. */
function streamReply(res: http.ServerResponse, model: string, reply: Reply): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_${Date.now()}`
  })
  for (const [event, data] of replyEvents(model, reply)) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  res.end()
}

/**
 * One message of AWS's binary event stream (application/vnd.amazon.eventstream):
 * total and header lengths, a CRC32 of that prelude, string headers, the
 * payload and a CRC32 of all before it.
 */
export function eventStreamMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const head = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const n = Buffer.from(name)
      const v = Buffer.from(value)
      const len = Buffer.alloc(2)
      len.writeUInt16BE(v.length)
      return Buffer.concat([Buffer.from([n.length]), n, Buffer.from([7]), len, v])
    })
  )
  const prelude = Buffer.alloc(8)
  prelude.writeUInt32BE(16 + head.length + payload.length, 0)
  prelude.writeUInt32BE(head.length, 4)
  const preludeCrc = Buffer.alloc(4)
  preludeCrc.writeUInt32BE(zlib.crc32(prelude))
  const body = Buffer.concat([prelude, preludeCrc, head, payload])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(zlib.crc32(body))
  return Buffer.concat([body, crc])
}

/** Bedrock's InvokeModelWithResponseStream: each Messages event base64-encoded in a `chunk` event. */
function bedrockStreamReply(res: http.ServerResponse, model: string, reply: Reply): void {
  res.writeHead(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': `req-${Date.now()}`
  })
  for (const [, data] of replyEvents(model, reply)) {
    const bytes = Buffer.from(JSON.stringify(data)).toString('base64')
    res.write(
      eventStreamMessage(
        { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' },
        Buffer.from(JSON.stringify({ bytes }))
      )
    )
  }
  res.end()
}

/** A non-streaming answer (Bedrock's InvokeModel, Vertex AI's rawPredict): the whole message as JSON. */
function jsonReply(res: http.ServerResponse, model: string, reply: Reply): void {
  const usage = reply.usage ?? { input_tokens: 100, output_tokens: 20 }
  const content: unknown[] = []
  if (reply.text !== undefined) content.push({ type: 'text', text: reply.text })
  for (const tool of reply.tools ?? [])
    content.push({ type: 'tool_use', id: `toolu_${++toolCounter}`, name: tool.name, input: tool.input })
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(
    JSON.stringify({
      id: `msg_${++toolCounter}`,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: reply.tools?.length ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage
    })
  )
}

/**
 * Where a model request arrived, and how to answer it: the Messages API (also
 * Foundry's), Bedrock's runtime (`/model/{id}/invoke[-with-response-stream]`)
 * or Vertex AI (`…/publishers/anthropic/models/{model}:streamRawPredict`).
 */
function frontOf(method: string, url: string): { front: SeenRequest['front']; model?: string; stream?: boolean } {
  const path = url.split('?')[0] ?? ''
  const bedrock = path.match(/^\/model\/([^/]+)\/(invoke-with-response-stream|invoke)$/)
  if (bedrock) return { front: 'bedrock', model: decodeURIComponent(bedrock[1] ?? ''), stream: bedrock[2] !== 'invoke' }
  if (method === 'GET' && /^\/(inference-profiles|foundation-models)/.test(path)) return { front: 'bedrock-control' }
  const vertex = path.match(
    /\/projects\/[^/]+\/locations\/[^/]+\/publishers\/anthropic\/models\/([^/:]+):(streamRawPredict|rawPredict)$/
  )
  if (vertex) return { front: 'vertex', model: vertex[1], stream: vertex[2] === 'streamRawPredict' }
  if (path.startsWith('/v1/messages')) return { front: 'anthropic' }
  return { front: 'other' }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export async function startScriptedModel(initialRules: Rule[] = []): Promise<ScriptedModel> {
  let rules = initialRules
  const requests: ScriptedModel['requests'] = []
  const seen: SeenRequest[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      const url = req.url ?? ''
      const at = frontOf(req.method ?? '', url)
      seen.push({ method: req.method ?? '', url, headers: req.headers, body, front: at.front })
      if (at.front === 'bedrock-control') {
        // No inference profiles: Claude Code then uses its region's default model ids.
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ inferenceProfileSummaries: [] }))
        return
      }
      if (req.method !== 'POST') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{}')
        return
      }
      if (url.startsWith('/v1/messages/count_tokens') || url.includes('count-tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ input_tokens: 100 }))
        return
      }
      if (at.front === 'other') {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: url } }))
        return
      }
      const raw = JSON.parse(body.toString('utf8')) as Record<string, unknown>
      // Bedrock and Vertex AI carry the model in the path, not the body.
      const request = toModelRequest(at.model ? { ...raw, model: at.model } : raw)
      const answer = (reply: Reply): void => {
        if (at.front === 'bedrock') (at.stream ? bedrockStreamReply : jsonReply)(res, request.model, reply)
        else if (at.front === 'vertex' && !at.stream) jsonReply(res, request.model, reply)
        else streamReply(res, request.model, reply)
      }
      // Housekeeping calls (titles, summaries) carry no tools: a short text is enough.
      if (request.tools.length === 0) {
        answer({ text: 'ok', usage: { input_tokens: 1, output_tokens: 1 } })
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
      answer(reply)
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
    http: seen,
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
