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
  | "maxLagMs"
  | "quietAfterMs"
  | "maxFrameBytes"
  | "backoffBaseMs"
  | "backoffCapMs"
  | "backoffResetMs"
  | "subscribeTimeoutMs"
> & {
  /** As typed; checked and normalised by the feed before connecting. */
  readonly symbols: readonly string[];
  readonly depth?: number;
  readonly json: boolean;
  /** The ladder's volume-at-price window (`--vap-window`), ms. */
  readonly vapWindowMs?: number;
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
/**
 * The frame cap: 1 MiB is about 15 times the largest real Kraken frame (a depth-1000 snapshot, ~70 KB),
 * and small enough that reading and applying one frame takes a fraction of a second.
 */
export const DEFAULT_MAX_FRAME = 1024 * 1024;
