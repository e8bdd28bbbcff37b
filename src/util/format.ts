/** Money, time and time limits as every output of the orchestrator writes them (log, comments, CLI, report). */

/** Dollars: cents from a dollar up, four places below it (a phase often costs fractions of a cent). */
export function usd(value: number): string {
  return `$${value.toFixed(value >= 1 ? 2 : 4)}`
}

/** A duration: tenths of a second under a minute, then minutes and seconds, hours and minutes, days and hours. */
export function duration(ms: number): string {
  const s = ms / 1000
  if (s < 59.95) return `${s.toFixed(1)}s`
  const whole = Math.round(s)
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${whole % 60}s`
  if (whole < 86400) return `${Math.floor(whole / 3600)}h ${Math.floor((whole % 3600) / 60)}m`
  return `${Math.floor(whole / 86400)}d ${Math.floor((whole % 86400) / 3600)}h`
}

/** A time limit in words: "30 minutes", "1 minute", "45 seconds". */
function limit(ms: number): string {
  const m = ms / 60000
  if (m >= 1 && Number.isInteger(m)) return `${m} minute${m === 1 ? '' : 's'}`
  const s = Math.round(ms / 1000)
  return `${s} second${s === 1 ? '' : 's'}`
}

/** Why a phase stopped when it ran past phase_timeout_minutes (--phase-timeout-minutes). */
export function timeoutMessage(ms: number): string {
  return `did not finish within the ${limit(ms)} phase timeout`
}
