/** Kraken sends a heartbeat every second on a connection that has a subscription. */
export const KRAKEN_HEARTBEAT_MS = 1000;

/**
 * A read timeout must be longer than this, or it calls a quiet but healthy connection dead: longer than
 * the gap between heartbeats or that between pings (each answered by a pong), whichever is shorter. At or
 * under it, a quiet market reconnects every read timeout, and as each connection serves every book, the
 * reconnect backoff starts afresh each time.
 */
export function readTimeoutFloorMs(pingIntervalMs: number): number {
  return Math.min(KRAKEN_HEARTBEAT_MS, pingIntervalMs);
}
