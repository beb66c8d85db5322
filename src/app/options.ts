import type { FeedOptions } from "../feed/types.js";

/** Options of the root command (the ladder), after commander has validated each value. */
export type AppOptions = Pick<
  FeedOptions,
  | "url"
  | "fps"
  | "recordPath"
  | "readTimeoutMs"
  | "pingIntervalMs"
  | "staleAfterMs"
  | "backoffBaseMs"
  | "backoffCapMs"
  | "backoffResetMs"
  | "subscribeTimeoutMs"
> & {
  /** As typed; checked and normalised by the feed before connecting. */
  readonly symbols: readonly string[];
  readonly depth?: number;
  readonly json: boolean;
  readonly durationMs?: number;
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
