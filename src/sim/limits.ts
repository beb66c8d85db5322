/**
 * What one connection may cost the simulator. Every bound is per connection, so a client that
 * misbehaves is dropped on its own and the others carry on.
 */
export type SimLimits = {
  /**
   * Most bytes a connection may hold unsent (ws `bufferedAmount` plus frames held by `--drip` or
   * `--burst`). Past it the client is closed with 1013 and a reason. Bytes the kernel has taken
   * (the socket's send buffer, the peer's receive buffer) are not counted: they cost this process
   * nothing, and only delay the drop.
   */
  readonly maxBufferBytes: number;
  /** Requests a second a connection may send, sustained (a token bucket refilled at this rate). */
  readonly msgRate: number;
  /** Requests a connection may send at once before the rate applies (the bucket's size). */
  readonly msgBurst: number;
  /** Most symbols one subscribe or unsubscribe may name; more gets one error for the request. */
  readonly maxSymbols: number;
  /** Longest request read, in bytes; a longer one gets one error and is not parsed. */
  readonly maxRequestBytes: number;
  /** Longest frame ws accepts from a client at all; past it ws closes with 1009 without reading it. */
  readonly maxFrameBytes: number;
  /** After a policy close, how long the client has to read the close frame before the socket is destroyed. */
  readonly closeGraceMs: number;
};

export const MIB = 1024 * 1024;

export const DEFAULT_LIMITS: SimLimits = {
  maxBufferBytes: 4 * MIB,
  msgRate: 20,
  msgBurst: 50,
  maxSymbols: 1000,
  maxRequestBytes: 64 * 1024,
  maxFrameBytes: 4 * MIB,
  closeGraceMs: 2000,
};

/** `4 MiB`, `512 KiB`, `100 B`: how a bound is written in close reasons and log lines. */
export function formatBytes(n: number): string {
  if (n >= MIB && n % (MIB / 4) === 0) return `${n / MIB} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}
