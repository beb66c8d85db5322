/**
 * What crosses the worker boundary: plain data only (structured clone), prices as exact strings.
 * The worker publishes; the main thread (Ink UI or NDJSON writer) consumes.
 */

import type { InstrumentPair, TickerData } from "../protocol/types.js";

/** Books taken from the exchange's `instrument` list instead of named ones: its online pairs, of one quote or all. */
export type MarketSelection = { readonly kind: "quote"; readonly quote: string } | { readonly kind: "all" };

export type FeedOptions = {
  readonly url: string;
  /** Validated v2 names, in command-line order; empty with `market`. */
  readonly symbols: readonly string[];
  /** Watch the online pairs of the first `instrument` snapshot (see Session) instead of `symbols`. */
  readonly market?: MarketSelection;
  readonly depth: number;
  /** Most views published per second. */
  readonly fps: number;
  /** Levels per side in each published view (set by the consumer, e.g. the terminal height). */
  readonly levels: number;
  readonly readTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly staleAfterMs: number;
  /** A verified book further behind the exchange than this is `lagging`. */
  readonly maxLagMs: number;
  /** No frame at all (heartbeats count) for this long makes a live connection `quiet`. */
  readonly quietAfterMs: number;
  /** A frame larger than this is a protocol fault: the socket is dropped (ws closes with 1009). */
  readonly maxFrameBytes: number;
  /**
   * The book timestamps are a recording's (a replay), not the exchange's now: pongs' `time_out` (the
   * server's now) does not set the zero of the books' lag, and receive − exchange time is the recording's
   * age, so no feed latency is measured. False for an exchange (the default).
   */
  readonly replayTimes?: boolean;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** A connection that stays up this long resets the backoff (as does one that served every book: see Connection). */
  readonly backoffResetMs: number;
  /** No ack to a subscribe, or no snapshot after the ack, within this long resubscribes (default 5000). */
  readonly subscribeTimeoutMs?: number;
  /** Append every raw frame received to this file (JSONL). */
  readonly recordPath?: string;
  /** The file descriptor `recordPath` is open on for appending, when the main thread opened it. */
  readonly recordFd?: number;
};

export type ConnectionState =
  | { readonly state: "connecting"; readonly attempt: number }
  | { readonly state: "subscribing" }
  | { readonly state: "live" }
  /** Live, but no frame at all (heartbeats included) since `since` (epoch ms) for `--quiet-after`. */
  | { readonly state: "quiet"; readonly since: number }
  /**
   * Said by the main thread, never by the worker: the feed worker has not answered since `since` (epoch
   * ms), so nothing it last published is known to be current (see feed/stall.ts). The socket may still be
   * open; the books are as they were then, every verified one `lagging`.
   */
  | { readonly state: "stalled"; readonly since: number }
  | {
      readonly state: "reconnecting";
      readonly attempt: number;
      readonly retryInMs: number;
      /** Epoch ms of the next try, for countdowns. */
      readonly retryAt: number;
      readonly reason: string;
      /** The last try's socket never opened (unreachable, refused): nothing was lost, nothing was had. */
      readonly neverOpened?: true;
    }
  /**
   * The server said its feed has ended (`replay_ended`: the built-in server at the end of a replay): the
   * socket stays open, but no book on it will change again, so nothing is live. A new connection (after a
   * loss) starts again from `connecting`.
   */
  | { readonly state: "ended" }
  | { readonly state: "stopped" };

/**
 * `stale`: verified, no change for `--stale-after` on a healthy connection (a quiet market).
 * `lagging`: verified, but more than `--max-lag` behind the exchange, or the connection is quiet.
 */
export type BookState = "awaiting-snapshot" | "live" | "resyncing" | "rejected" | "stale" | "lagging";

/**
 * Why a book left live or is subscribed again: a failed checksum, a crossed book, a frame that may have
 * carried its data and could not be read, no ack to its subscribe in time, no snapshot after the ack, a
 * connection heard again after a silence (frames sent meanwhile may be lost: see Session.resumed).
 */
export type ResyncReason =
  | "checksum-mismatch"
  | "crossed-book"
  | "bad-frame"
  | "subscribe-timeout"
  | "snapshot-timeout"
  | "connection-quiet";

export type LevelView = { readonly price: string; readonly qty: string };

export type BookView = {
  readonly symbol: string;
  readonly state: BookState;
  /**
   * Per book, from 0: increases whenever anything this view shows of the book changes (its levels, state,
   * reason, counts), and only then. A new worker starts again from 0.
   */
  readonly version: number;
  /** The CRC32 (unsigned) of the verified book; only while verified (live, stale, lagging). */
  readonly checksum?: number;
  /** Why it is resyncing or rejected. */
  readonly reason?: string;
  /**
   * Epoch ms of its next subscribe, while it waits that out: a book that fails again and again (or whose
   * subscribe failed) is subscribed again after a backoff that grows, not at once. Absent otherwise.
   */
  readonly retryAt?: number;
  /** Best first, at most `levels` each; empty unless the book is verified. */
  readonly bids: readonly LevelView[];
  /**
   * True when the view carries fewer levels of a side than the book holds (the consumer asked for fewer):
   * figures that walk the book cannot be judged from it.
   */
  readonly cut?: boolean;
  readonly asks: readonly LevelView[];
  readonly bid?: LevelView;
  readonly ask?: LevelView;
  /** Exact decimal text. */
  readonly spread?: string;
  readonly mid?: string;
  /** Digits after the point in this pair's prices and sizes, as seen on the wire. */
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  /** The Kraken depth the book is subscribed at (the `--depth` until the consumer asks for another). */
  readonly depth?: number;
  readonly checksums: { readonly ok: number; readonly failed: number };
  readonly resyncs: number;
  /** Breaks in this pair's trade-id sequence (gaps and repeats) since start. */
  readonly tradeGaps: number;
  /**
   * True while this pair's trade subscription has been (re)sent and its snapshot has not come: the trades
   * seen so far may miss some. Absent or false once the tape is current.
   */
  readonly tradesAwaiting?: boolean;
  /**
   * False for a pair a market run (`--quote`, `--all`) watches from the pair list: books only, its trades
   * and ticker are not subscribed. Absent otherwise.
   */
  readonly tradesWatched?: false;
  /** The pair's status from the `instrument` channel (`online`, `post_only`, …), once heard. */
  readonly pairStatus?: string;
  /** Exchange timestamp of the latest change, as sent. */
  readonly time?: string;
  /** Epoch ms (receive clock) of the latest book change. */
  readonly changedAt?: number;
  /**
   * How far behind the exchange the book is, ms: its newest update's receive − exchange time, less the
   * smallest such figure seen recently (see freshness.ts); while the connection is quiet, at least the
   * silence. In steps of 10 ms (finer is jitter). Only on a verified book, and only once measured.
   */
  readonly lagMs?: number;
  /** Book messages per second over the last few seconds. */
  readonly messagesPerSecond: number;
  /** Exchange timestamp → receive time, ms, over a recent window; null until measured. */
  readonly latencyP50: number | null;
  readonly latencyP99: number | null;
};

/** Recording (`--record`) stopped before the end of the run: the file ends at its last whole line. */
export type RecordingFailure = {
  readonly path: string;
  /** What the file system said (e.g. "ENOSPC: no space left on device"), or "short write (…)". */
  readonly reason: string;
};

/** One coalesced publication. */
export type FeedView = {
  readonly connection: ConnectionState;
  readonly books: readonly BookView[];
  /** Epoch ms when the worker published it. */
  readonly publishedAt: number;
  /** Epoch ms when the newest frame it reflects was received. */
  readonly receivedAt: number;
  /** Frames that could not be parsed, since start. */
  readonly malformed: number;
  /** Set once recording has failed; the run then ends with exit code 1. */
  readonly recording?: RecordingFailure;
};

/** Events from the worker, in order. `view` is coalesced; the rest are sent as they happen. */
export type FeedEvent =
  | { readonly type: "view"; readonly view: FeedView }
  | ({ readonly type: "connection" } & ConnectionState)
  /** `retryInMs`: 0 when subscribed again at once, else the backoff it waits out first (see BookView.retryAt). */
  | {
      readonly type: "resync";
      readonly symbol: string;
      readonly reason: ResyncReason;
      readonly retryInMs: number;
    }
  | { readonly type: "rejected"; readonly symbol: string; readonly reason: string }
  /**
   * `retryInMs`: set when what failed is tried again after this long (a subscribe the exchange refused,
   * not for good); `message` then ends with retryingIn(retryInMs) (`; retrying in 800 ms`).
   */
  | { readonly type: "error"; readonly message: string; readonly retryInMs?: number }
  | { readonly type: "notice"; readonly message: string }
  /**
   * No pair is left that the feed could ever verify: the exchange rejected every one watched, or a whole
   * market (`--quote`, `--all`) listed none. Said once each time it becomes so; adding a pair undoes it.
   */
  | { readonly type: "nothing-to-watch"; readonly message: string }
  /** Every trade of a subscribed pair, once, in id order (not coalesced). */
  | ({ readonly type: "trade" } & TradeView)
  /** A break in a pair's trade ids: `got` came where `expected` should have (a jump or a repeat). */
  | { readonly type: "trade-gap"; readonly symbol: string; readonly expected: number; readonly got: number }
  | ({ readonly type: "ticker" } & TickerView)
  /** Every pair the exchange lists (the `instrument` snapshot's symbols, as sent: sanitise before showing). */
  | { readonly type: "pairs"; readonly symbols: readonly string[] }
  /** Status and parameters of subscribed pairs, as the `instrument` channel sends them. */
  | { readonly type: "instrument"; readonly pairs: readonly PairView[] }
  /** The exchange's system status (`online`, `maintenance`, `cancel_only`, `post_only`), as sent. */
  | {
      readonly type: "status";
      readonly system: string;
      readonly apiVersion?: string;
      readonly version?: string;
    }
  /** Sent once, when recording stops early (every later view carries it as `recording`). */
  | ({ readonly type: "recording-failed" } & RecordingFailure)
  | { readonly type: "stopped" };

/** One trade; prices and sizes as exact wire text, `side` and `ordType` the taker's, `time` as sent. */
export type TradeView = {
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly price: string;
  readonly qty: string;
  readonly ordType: string;
  readonly tradeId: number;
  readonly time: string;
};

/** A pair's ticker as sent: exact number text; what the frame did not carry is absent (24 h figures). */
export type TickerView = TickerData;

/** One pair from the `instrument` channel: increments, minimums as exact text (exponents kept). */
export type PairView = InstrumentPair;

/** More levels for some books than for the others (see FeedClient.setLevels). */
export type DeepLevels = { readonly symbols: readonly string[]; readonly levels: number };

/** Messages to the worker. */
export type FeedCommand =
  | { readonly type: "set-levels"; readonly levels: number; readonly deep?: DeepLevels }
  /** The main thread has taken a view the worker asked to hear about (see in-flight.ts): post what was held. */
  | { readonly type: "view-seen" }
  /**
   * Publish a whole view now, changed or not: the main thread took the feed for stalled (see feed/stall.ts),
   * or the ladder, back from a stop, waits for a view of frames received since (ui/store.ts `resumed`).
   */
  | { readonly type: "refresh" }
  /** Watch one more symbol (a validated v2 name); subscribed at once on a live connection. */
  | { readonly type: "add-symbol"; readonly symbol: string }
  /** Stop watching a symbol: unsubscribed, its book dropped from the next view. */
  | { readonly type: "remove-symbol"; readonly symbol: string }
  /** Subscribe a symbol's book at another Kraken depth (10, 25, 100, 500, 1000). */
  | { readonly type: "set-depth"; readonly symbol: string; readonly depth: number }
  | { readonly type: "stop" };

/** The main thread's handle on the feed worker. */
export interface FeedClient {
  /** Every event, in order; returns an unsubscribe function. */
  subscribe(listener: (event: FeedEvent) => void): () => void;
  /** The latest coalesced view, if any has arrived. */
  latest(): FeedView | undefined;
  /**
   * How many levels per side the consumer wants in each view; with `deep`, the books it names get
   * `deep.levels` instead (a board wants every level of the rows it shows, the touch of the others).
   */
  setLevels(levels: number, deep?: DeepLevels): void;
  /** The exchange's pairs from the latest `pairs` event (empty until one came), for a consumer that started later. */
  pairs?(): readonly string[];
  /** Watches one more symbol at run time (a validated v2 name); see FeedCommand `add-symbol`. */
  addSymbol?(symbol: string): void;
  /** Stops watching a symbol at run time. */
  removeSymbol?(symbol: string): void;
  /** Subscribes a symbol's book at another Kraken depth. */
  setDepth?(symbol: string, depth: number): void;
  /** Asks for a whole view now, changed or not (FeedCommand `refresh`). */
  refresh?(): void;
  /** Closes the socket (code 1000) and ends the worker within a second; idempotent. */
  stop(): Promise<void>;
}
