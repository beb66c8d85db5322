/** Options of the root command (the ladder), after commander has validated each value. */
export type AppOptions = {
  /** As typed; checked and normalised by the feed before connecting. */
  readonly symbols: readonly string[];
  readonly url: string;
  readonly depth?: number;
  readonly fps: number;
  readonly json: boolean;
  readonly durationMs?: number;
  readonly recordPath?: string;
  readonly readTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly staleAfterMs: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly backoffResetMs: number;
  /** Run against the built-in server in-process. */
  readonly demo: boolean;
  /** Run against the built-in server replaying this recording. */
  readonly replayPath?: string;
  /** Replay speed factor; Infinity for `max`. */
  readonly speed: number;
  /** Demo server seed and update rate (messages per second per symbol). */
  readonly seed?: number;
  readonly rate?: number;
};

export const DEFAULT_URL = "wss://ws.kraken.com/v2";
export const DEFAULT_DEPTH = 25;
