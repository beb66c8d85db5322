/**
 * The library's options and handles. Part of the package's API (dist/lib/*.d.ts): these types reference
 * nothing outside this package but the platform's AbortSignal.
 */
import type { BookEvent, BookFeedEvent } from "../events/types.js";

export type BookOptions = {
  /** Pairs to watch, e.g. ["BTC/USD", "ETH/USD"], checked and normalised as the command line does them (default BTC/USD). */
  readonly symbols?: readonly string[];
  /** Book depth the exchange keeps for each pair: 10, 25, 100, 500 or 1000 (default 25). */
  readonly depth?: number;
  /** The exchange's WebSocket v2 URL (default wss://ws.kraken.com/v2). */
  readonly url?: string;
  /** Run against the built-in simulator, in this process, instead of `url`: offline, seeded if asked. */
  readonly demo?: boolean | { readonly seed?: number; readonly rate?: number };
  /** Aborting it stops the feed (the socket closes with code 1000, the worker thread ends). */
  readonly signal?: AbortSignal;
  /** Levels per side in each book event's `bids` and `asks` (default 10; 0 for the touch only). */
  readonly levels?: number;
  /** Most book events per second per symbol (default 10). */
  readonly fps?: number;
  /** A verified book without a change for this long is `stale` (default 30000). */
  readonly staleAfterMs?: number;
  /** A verified book further behind the exchange than this is `lagging` (default 3000). */
  readonly maxLagMs?: number;
  /** No frame for this long means a dead socket: reconnect (default 10000; more than 1000, the heartbeat). */
  readonly readTimeoutMs?: number;
};

export type WatchOptions = BookOptions & {
  /**
   * Events other than books held for a consumer that reads slower than they come (default 1000); the
   * oldest go first, and an `error` event says how many. Books never queue: each symbol holds at most its
   * newest book event.
   */
  readonly bufferSize?: number;
};

/** The callback form: a running feed, its listeners and the current book of each symbol. */
export type Books = {
  /** The watched symbols, normalised (e.g. "XBT/usd" becomes "BTC/USD"). */
  readonly symbols: readonly string[];
  /** Every event from now on, in order; returns a function that removes the listener. */
  on(listener: (event: BookFeedEvent) => void): () => void;
  /** The newest book event of a symbol (prices only while it is live or stale), if one has arrived. */
  current(symbol: string): BookEvent | undefined;
  /** Stops the feed and the simulator if any; idempotent. Resolves once the worker thread has ended. */
  close(): Promise<void>;
  /** Resolves when the feed has stopped, by close(), the signal, or by itself. */
  readonly closed: Promise<void>;
};
