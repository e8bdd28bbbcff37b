/**
 * Claude Code's `--output-format stream-json` protocol, turned into typed events.
 * One JSON object per stdout line; unknown lines and types are ignored so a
 * newer CLI that adds event kinds does not break a run.
 */

export interface ToolCall {
  id: string
  name: string
  input: Record<string, unknown>
}

export interface ResultSummary {
  subtype: string
  isError: boolean
  text: string
  sessionId: string
  costUsd: number
  inputTokens: number
  outputTokens: number
  turns: number
  structuredOutput?: unknown
  apiErrorStatus: number | null
  permissionDenials: Array<{ tool: string; input: unknown }>
  /** What an error result says went wrong (`errors[]`), when it says. */
  errors: string[]
}

/** A tool call Claude Code asks the host to allow or deny (`--permission-prompt-tool stdio`). */
export interface PermissionRequest {
  requestId: string
  toolName: string
  input: Record<string, unknown>
  toolUseId: string
}

export type ClaudeEvent =
  | { type: 'init'; sessionId: string }
  | { type: 'permission'; request: PermissionRequest }
  /** Any other control request (hooks, MCP): the host answers it with an error. */
  | { type: 'control'; requestId: string; subtype: string }
  | { type: 'api_retry'; attempt: number; maxRetries: number; status: number | null; error: string; delayMs: number }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; call: ToolCall }
  | { type: 'tool_result'; toolUseId: string; isError: boolean; content: string }
  | { type: 'result'; result: ResultSummary }

type Json = Record<string, unknown>

function asRecord(value: unknown): Json {
  return value !== null && typeof value === 'object' ? (value as Json) : {}
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map(part => {
      const p = asRecord(part)
      return typeof p.text === 'string' ? p.text : ''
    })
    .join('')
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

function parseResult(obj: Json): ResultSummary {
  const usage = asRecord(obj.usage)
  const denials = Array.isArray(obj.permission_denials) ? obj.permission_denials : []
  return {
    subtype: String(obj.subtype ?? ''),
    isError: obj.is_error === true,
    text: typeof obj.result === 'string' ? obj.result : '',
    sessionId: String(obj.session_id ?? ''),
    costUsd: num(obj.total_cost_usd),
    // Cached prompt tokens are still prompt tokens the phase consumed.
    inputTokens: num(usage.input_tokens) + num(usage.cache_creation_input_tokens) + num(usage.cache_read_input_tokens),
    outputTokens: num(usage.output_tokens),
    turns: num(obj.num_turns),
    structuredOutput: obj.structured_output,
    apiErrorStatus: typeof obj.api_error_status === 'number' ? obj.api_error_status : null,
    permissionDenials: denials.map(d => {
      const r = asRecord(d)
      return { tool: String(r.tool_name ?? ''), input: r.tool_input }
    }),
    errors: Array.isArray(obj.errors)
      ? obj.errors.map(e => (typeof e === 'string' ? e : JSON.stringify(e))).filter(Boolean)
      : []
  }
}

/** Parses one stdout line into zero or more events. */
export function parseStreamLine(line: string): ClaudeEvent[] {
  const trimmed = line.trim()
  if (!trimmed.startsWith('{')) return []
  let obj: Json
  try {
    obj = JSON.parse(trimmed) as Json
  } catch {
    return []
  }
  // Sub-agent traffic carries a parent id; the phase only reports its own turns.
  if (obj.parent_tool_use_id) return []
  switch (obj.type) {
    case 'system':
      if (obj.subtype === 'init') return [{ type: 'init', sessionId: String(obj.session_id ?? '') }]
      if (obj.subtype === 'api_retry') {
        return [
          {
            type: 'api_retry',
            attempt: num(obj.attempt),
            maxRetries: num(obj.max_retries),
            status: typeof obj.error_status === 'number' ? obj.error_status : null,
            error: String(obj.error ?? ''),
            delayMs: num(obj.retry_delay_ms)
          }
        ]
      }
      return []
    case 'control_request': {
      const request = asRecord(obj.request)
      const requestId = String(obj.request_id ?? '')
      if (request.subtype !== 'can_use_tool')
        return [{ type: 'control', requestId, subtype: String(request.subtype ?? '') }]
      return [
        {
          type: 'permission',
          request: {
            requestId,
            toolName: String(request.tool_name ?? ''),
            input: asRecord(request.input),
            toolUseId: String(request.tool_use_id ?? '')
          }
        }
      ]
    }
    case 'assistant': {
      const content = asRecord(obj.message).content
      if (!Array.isArray(content)) return []
      const events: ClaudeEvent[] = []
      for (const part of content) {
        const p = asRecord(part)
        if (p.type === 'text' && typeof p.text === 'string' && p.text.trim()) {
          events.push({ type: 'text', text: p.text })
        } else if (p.type === 'tool_use') {
          events.push({
            type: 'tool_use',
            call: { id: String(p.id ?? ''), name: String(p.name ?? ''), input: asRecord(p.input) }
          })
        }
      }
      return events
    }
    case 'user': {
      const content = asRecord(obj.message).content
      if (!Array.isArray(content)) return []
      return content
        .map(asRecord)
        .filter(p => p.type === 'tool_result')
        .map(p => ({
          type: 'tool_result' as const,
          toolUseId: String(p.tool_use_id ?? ''),
          isError: p.is_error === true,
          content: contentText(p.content)
        }))
    }
    case 'result':
      return [{ type: 'result', result: parseResult(obj) }]
    default:
      return []
  }
}

/** Splits a byte stream into lines, keeping the unfinished tail between chunks. */
export class LineSplitter {
  private tail = ''

  push(chunk: string): string[] {
    const text = this.tail + chunk
    const lines = text.split('\n')
    this.tail = lines.pop() ?? ''
    return lines
  }

  flush(): string[] {
    const rest = this.tail
    this.tail = ''
    return rest ? [rest] : []
  }
}
