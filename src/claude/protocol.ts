/**
 * What the host writes on Claude Code's standard input in stream-json mode
 * (`--input-format stream-json --permission-prompt-tool stdio`), the protocol
 * `@anthropic-ai/claude-agent-sdk` speaks: one JSON object per line.
 */

/** The host's answer to a `can_use_tool` request; a denial's message is what the model reads. */
export type PermissionDecision =
  | { behavior: 'allow'; updatedInput?: Record<string, unknown> }
  /** `interrupt` also ends Claude's turn: the session stops after this call. */
  | { behavior: 'deny'; message: string; interrupt?: boolean }

const line = (obj: unknown): string => `${JSON.stringify(obj)}\n`

export function initializeRequest(requestId: string): string {
  return line({ type: 'control_request', request_id: requestId, request: { subtype: 'initialize' } })
}

export function interruptRequest(requestId: string): string {
  return line({ type: 'control_request', request_id: requestId, request: { subtype: 'interrupt' } })
}

export function userMessage(text: string): string {
  return line({ type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null, session_id: '' })
}

export function permissionResponse(
  requestId: string,
  decision: PermissionDecision,
  input: Record<string, unknown>
): string {
  // The CLI requires updatedInput on an allow: the input as asked, unless the host changed it.
  const response =
    decision.behavior === 'allow' ? { behavior: 'allow', updatedInput: decision.updatedInput ?? input } : decision
  return line({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response } })
}

export function errorResponse(requestId: string, error: string): string {
  return line({ type: 'control_response', response: { subtype: 'error', request_id: requestId, error } })
}
