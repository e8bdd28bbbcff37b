import { describe, expect, it } from '@jest/globals'
import { LineSplitter, parseStreamLine, type ClaudeEvent } from '../../src/claude/stream.js'

const SESSION = '8c7de0ac-113b-4e61-badf-bb8d20d741c8'

const line = (obj: Record<string, unknown>): string => JSON.stringify(obj)

describe('parseStreamLine', () => {
  it('turns the system init line into an init event with the session', () => {
    const events = parseStreamLine(
      line({
        type: 'system',
        subtype: 'init',
        cwd: '/repo',
        session_id: SESSION,
        tools: ['Read', 'Glob', 'Grep', 'Write', 'Edit', 'Bash'],
        mcp_servers: [],
        model: 'claude-sonnet-4-5',
        permissionMode: 'dontAsk',
        slash_commands: ['compact', 'create_plan'],
        apiKeySource: 'ANTHROPIC_API_KEY',
        uuid: 'u-1'
      })
    )
    expect(events).toEqual([{ type: 'init', sessionId: SESSION }])
  })

  it('ignores system lines other than init and api_retry', () => {
    expect(parseStreamLine(line({ type: 'system', subtype: 'compact_boundary', session_id: SESSION }))).toEqual([])
  })

  it('reads an API retry (as Claude Code 2.1.197 prints it) with its status and attempt', () => {
    const retry = {
      type: 'system',
      subtype: 'api_retry',
      attempt: 3,
      max_retries: 10,
      retry_delay_ms: 1229.3,
      error_status: 401,
      error: 'authentication_failed',
      session_id: SESSION
    }
    expect(parseStreamLine(line(retry))).toEqual([
      { type: 'api_retry', attempt: 3, maxRetries: 10, status: 401, error: 'authentication_failed', delayMs: 1229.3 }
    ])
  })

  it('turns a can_use_tool control request into a permission request, and any other control request into one to refuse', () => {
    const ask = {
      type: 'control_request',
      request_id: 'r-1',
      request: {
        subtype: 'can_use_tool',
        tool_name: 'Bash',
        display_name: 'Bash',
        input: { command: 'rm -rf src' },
        tool_use_id: 'toolu_4'
      }
    }
    expect(parseStreamLine(line(ask))).toEqual([
      {
        type: 'permission',
        request: { requestId: 'r-1', toolName: 'Bash', input: { command: 'rm -rf src' }, toolUseId: 'toolu_4' }
      }
    ])
    expect(
      parseStreamLine(line({ type: 'control_request', request_id: 'r-2', request: { subtype: 'hook_callback' } }))
    ).toEqual([{ type: 'control', requestId: 'r-2', subtype: 'hook_callback' }])
  })

  it("keeps an error result's errors[] as its reason", () => {
    const [event] = parseStreamLine(
      line({
        type: 'result',
        subtype: 'error_during_execution',
        is_error: true,
        errors: ['Tool crashed: EPIPE'],
        session_id: SESSION
      })
    )
    expect(event?.type === 'result' && event.result.errors).toEqual(['Tool crashed: EPIPE'])
  })

  it('emits text and tool_use events from one assistant message, in order', () => {
    const events = parseStreamLine(
      line({
        type: 'assistant',
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [
            { type: 'thinking', thinking: 'Let me see.', signature: 'sig' },
            { type: 'text', text: 'I will write the plan now.' },
            {
              type: 'tool_use',
              id: 'toolu_01',
              name: 'Write',
              input: { file_path: '/repo/thoughts/shared/plans/2025-01-01-x.md', content: '# Plan\n' }
            }
          ],
          stop_reason: null,
          usage: { input_tokens: 10, output_tokens: 5 }
        },
        parent_tool_use_id: null,
        session_id: SESSION,
        uuid: 'u-2'
      })
    )
    expect(events).toEqual([
      { type: 'text', text: 'I will write the plan now.' },
      {
        type: 'tool_use',
        call: {
          id: 'toolu_01',
          name: 'Write',
          input: { file_path: '/repo/thoughts/shared/plans/2025-01-01-x.md', content: '# Plan\n' }
        }
      }
    ])
  })

  it('drops whitespace-only assistant text', () => {
    const events = parseStreamLine(
      line({
        type: 'assistant',
        message: { role: 'assistant', content: [{ type: 'text', text: '  \n' }] },
        parent_tool_use_id: null
      })
    )
    expect(events).toEqual([])
  })

  it('reports tool results with their error flag and text, from string or block content', () => {
    const events = parseStreamLine(
      line({
        type: 'user',
        message: {
          role: 'user',
          content: [
            {
              tool_use_id: 'toolu_01',
              type: 'tool_result',
              content: 'File created successfully at: /repo/x.md',
              is_error: false
            },
            {
              tool_use_id: 'toolu_02',
              type: 'tool_result',
              content: [
                { type: 'text', text: 'Permission to use Bash with command git push ' },
                { type: 'text', text: 'has been denied.' }
              ],
              is_error: true
            }
          ]
        },
        parent_tool_use_id: null,
        session_id: SESSION
      })
    )
    expect(events).toEqual([
      {
        type: 'tool_result',
        toolUseId: 'toolu_01',
        isError: false,
        content: 'File created successfully at: /repo/x.md'
      },
      {
        type: 'tool_result',
        toolUseId: 'toolu_02',
        isError: true,
        content: 'Permission to use Bash with command git push has been denied.'
      }
    ])
  })

  it('treats a tool result without is_error as a success', () => {
    const [event] = parseStreamLine(
      line({
        type: 'user',
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] }
      })
    )
    expect(event).toEqual({ type: 'tool_result', toolUseId: 't', isError: false, content: 'ok' })
  })

  it('ignores plain user text (the prompt echoed back)', () => {
    expect(
      parseStreamLine(line({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'hi' }] } }))
    ).toEqual([])
    expect(parseStreamLine(line({ type: 'user', message: { role: 'user', content: 'hi' } }))).toEqual([])
  })

  it('parses a successful result line, counting cached prompt tokens as input', () => {
    const real =
      '{"type":"result","subtype":"success","is_error":false,"api_error_status":null,"duration_ms":215,"num_turns":5,' +
      '"result":"Done.","stop_reason":"end_turn","session_id":"8c7de0ac-113b-4e61-badf-bb8d20d741c8","total_cost_usd":0.002,' +
      '"usage":{"input_tokens":200,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":40},"permission_denials":[]}'
    expect(parseStreamLine(real)).toEqual([
      {
        type: 'result',
        result: {
          subtype: 'success',
          isError: false,
          text: 'Done.',
          sessionId: SESSION,
          costUsd: 0.002,
          inputTokens: 200,
          outputTokens: 40,
          turns: 5,
          structuredOutput: undefined,
          apiErrorStatus: null,
          permissionDenials: [],
          errors: []
        }
      }
    ])

    const cached = parseStreamLine(
      line({
        type: 'result',
        subtype: 'success',
        is_error: false,
        result: 'ok',
        session_id: SESSION,
        usage: { input_tokens: 10, cache_creation_input_tokens: 300, cache_read_input_tokens: 1200, output_tokens: 7 }
      })
    )
    expect(cached[0]?.type === 'result' && cached[0].result.inputTokens).toBe(1510)
  })

  it('keeps structured output and permission denials from a result', () => {
    const [event] = parseStreamLine(
      line({
        type: 'result',
        subtype: 'success',
        is_error: false,
        result: '',
        session_id: SESSION,
        structured_output: { summary: 'Fine.', findings: [] },
        permission_denials: [
          { tool_name: 'Bash', tool_use_id: 'toolu_9', tool_input: { command: 'git push origin main' } }
        ]
      })
    )
    expect(event?.type).toBe('result')
    if (event?.type !== 'result') return
    expect(event.result.structuredOutput).toEqual({ summary: 'Fine.', findings: [] })
    expect(event.result.permissionDenials).toEqual([{ tool: 'Bash', input: { command: 'git push origin main' } }])
  })

  it('parses the max-turns and max-budget error results', () => {
    const [turns] = parseStreamLine(
      line({
        type: 'result',
        subtype: 'error_max_turns',
        is_error: true,
        num_turns: 3,
        session_id: SESSION,
        total_cost_usd: 0.01,
        usage: { input_tokens: 5, output_tokens: 1 },
        permission_denials: []
      })
    )
    expect(turns?.type === 'result' && turns.result).toMatchObject({
      subtype: 'error_max_turns',
      isError: true,
      turns: 3,
      text: ''
    })

    const [budget] = parseStreamLine(
      line({
        type: 'result',
        subtype: 'error_max_budget_usd',
        is_error: true,
        num_turns: 8,
        total_cost_usd: 0.5123,
        session_id: SESSION
      })
    )
    expect(budget?.type === 'result' && budget.result).toMatchObject({
      subtype: 'error_max_budget_usd',
      isError: true,
      costUsd: 0.5123
    })
  })

  it('reports the HTTP status of an API error result', () => {
    const [event] = parseStreamLine(
      line({
        type: 'result',
        subtype: 'success',
        is_error: true,
        api_error_status: 529,
        num_turns: 1,
        result: 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
        session_id: SESSION,
        total_cost_usd: 0
      })
    )
    expect(event?.type === 'result' && event.result).toMatchObject({
      isError: true,
      apiErrorStatus: 529,
      text: 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
    })
  })

  it('defaults missing or non-numeric counters to zero', () => {
    const [event] = parseStreamLine(
      line({ type: 'result', subtype: 'success', total_cost_usd: 'n/a', num_turns: null })
    )
    expect(event?.type === 'result' && event.result).toMatchObject({
      costUsd: 0,
      turns: 0,
      inputTokens: 0,
      outputTokens: 0,
      sessionId: '',
      isError: false
    })
  })

  it('ignores sub-agent traffic that carries a parent_tool_use_id', () => {
    expect(
      parseStreamLine(
        line({
          type: 'assistant',
          message: { role: 'assistant', content: [{ type: 'text', text: 'sub-agent talking' }] },
          parent_tool_use_id: 'toolu_task_1',
          session_id: SESSION
        })
      )
    ).toEqual([])
    expect(
      parseStreamLine(
        line({
          type: 'user',
          message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'ok' }] },
          parent_tool_use_id: 'toolu_task_1'
        })
      )
    ).toEqual([])
  })

  it('ignores non-JSON output, broken JSON and unknown event types', () => {
    expect(parseStreamLine('')).toEqual([])
    expect(parseStreamLine('Warning: something printed to stdout')).toEqual([])
    expect(parseStreamLine('{"type":"assistant","message":')).toEqual([])
    expect(parseStreamLine('[1,2,3]')).toEqual([])
    expect(parseStreamLine(line({ type: 'stream_event', event: { type: 'message_start' } }))).toEqual([])
  })

  it('accepts a line with surrounding whitespace and a trailing carriage return', () => {
    const events = parseStreamLine(`  ${line({ type: 'system', subtype: 'init', session_id: 's' })}\r`)
    expect(events).toEqual([{ type: 'init', sessionId: 's' }])
  })
})

describe('LineSplitter', () => {
  it('returns only complete lines and keeps the tail for the next chunk', () => {
    const s = new LineSplitter()
    expect(s.push('{"type":"sys')).toEqual([])
    expect(s.push('tem"}\n{"type":')).toEqual(['{"type":"system"}'])
    expect(s.push('"result"}\n')).toEqual(['{"type":"result"}'])
    expect(s.flush()).toEqual([])
  })

  it('splits several lines arriving in one chunk', () => {
    const s = new LineSplitter()
    expect(s.push('a\nb\nc\nd')).toEqual(['a', 'b', 'c'])
    expect(s.flush()).toEqual(['d'])
    expect(s.flush()).toEqual([])
  })

  it('reassembles a real event split at arbitrary points into the same events', () => {
    const stream = [
      line({ type: 'system', subtype: 'init', session_id: SESSION, tools: ['Read'], slash_commands: [], model: 'm' }),
      line({
        type: 'assistant',
        message: {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: 'README.md' } }]
        },
        parent_tool_use_id: null
      }),
      line({ type: 'result', subtype: 'success', is_error: false, result: 'Done.', session_id: SESSION, num_turns: 2 })
    ].join('\n')
    const whole = stream.split('\n').flatMap(parseStreamLine)
    for (const size of [1, 7, 50]) {
      const s = new LineSplitter()
      const events: ClaudeEvent[] = []
      for (let i = 0; i < stream.length; i += size) {
        for (const l of s.push(stream.slice(i, i + size))) events.push(...parseStreamLine(l))
      }
      for (const l of s.flush()) events.push(...parseStreamLine(l))
      expect(events).toEqual(whole)
    }
    expect(whole.map(e => e.type)).toEqual(['init', 'tool_use', 'result'])
  })
})
