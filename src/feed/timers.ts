/**
 * The longest wait a Node timer holds: one asked to wait longer fires after 1 ms instead (with a
 * TimeoutOverflowWarning), so a wait a user sets (in seconds) may not exceed it (about 24.8 days).
 */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * A wait for a timer that re-checks its due time when it fires: at most LONGEST_TIMER_MS, so a wait
 * longer than a timer holds (a replay at a tiny speed, a demo at a tiny rate) is waited in parts, not
 * cut to 1 ms.
 */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), LONGEST_TIMER_MS);
}
