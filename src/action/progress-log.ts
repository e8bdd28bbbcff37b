/**
 * The engine's progress, as the action shows it: one log line per event
 * (redacted, and inert for the runner) and the status comment kept in step.
 */
import * as core from '@actions/core'
import { formatProgress, type ProgressEvent } from '../engine/progress.js'
import type { SecretRegistry } from './secrets.js'
import type { StatusComment } from './status.js'

/**
 * The runner reads `::command::` at the start of a log line (after spaces) and
 * `##[command]` anywhere. Model text in the log must not become one of them.
 */
export function inertForRunner(line: string): string {
  return line
    .replace(/[\r\n\u0085\u2028\u2029]/g, ' ')
    .replace(/^([\s\u0085]*):(?=:)/, '$1:\u200b')
    .replace(/##\[/g, '#\u200b#[')
}

/** The engine's `onProgress` for one run: the log line first, then the status comment. */
export function logProgress(
  secrets: SecretRegistry,
  workspace: string,
  status: Pick<StatusComment, 'onProgress'>
): (event: ProgressEvent) => void {
  return raw => {
    // Redact before formatting: a line cut short must not keep half a key.
    let event: ProgressEvent
    try {
      event = JSON.parse(secrets.redact(JSON.stringify(raw))) as ProgressEvent
    } catch {
      // A secret with JSON escapes in it can break the round trip: log nothing of this event.
      status.onProgress(raw)
      return
    }
    const line = formatProgress(event, workspace)
    if (line) core.info(inertForRunner(line))
    status.onProgress(event)
  }
}
