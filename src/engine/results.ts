/** The small pieces of results the engine and the renderers share: a phase that did not run, and totals. */
import type { PhaseName, PhaseResult, PhaseStatus, Totals } from './types.js'

/** A phase's result before (or without) any Claude session: nothing spent, nothing written. */
export function emptyPhase(name: PhaseName, status: PhaseStatus): PhaseResult {
  return {
    name,
    status,
    durationMs: 0,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    turns: 0,
    sessionId: null,
    artifacts: [],
    questions: []
  }
}

/** Time, cost and tokens added up (of phases, or of runs). */
export function sumTotals(...parts: Totals[]): Totals {
  return parts.reduce(
    (t, p) => ({
      durationMs: t.durationMs + p.durationMs,
      costUsd: t.costUsd + p.costUsd,
      inputTokens: t.inputTokens + p.inputTokens,
      outputTokens: t.outputTokens + p.outputTokens
    }),
    { durationMs: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 }
  )
}

/** A failed run's error: the phase, then why (`implement failed: …`). */
export function runError(phase: PhaseName, why: string): string {
  return `${phase} failed: ${why}`
}

/** Why a run stopped, without the phase `runError` puts in front; `fallback` when the run gave no error. */
export function stopReason(error: string | undefined, fallback: string): string {
  return (error ?? fallback).replace(/^\w+ failed: /, '')
}
