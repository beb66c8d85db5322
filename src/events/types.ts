/**
 * The public events: what NDJSON prints, one object per line, and what the library yields. Plain data,
 * prices and sizes as exact decimal strings. These types are part of the package's API (dist/lib/*.d.ts):
 * they reference nothing outside this package.
 */
import type { BookState, ResyncReason } from "../feed/types.js";

export type { BookState, ResyncReason } from "../feed/types.js";

/** One price level: exact decimal text, as the exchange sent it. */
export type Level = { readonly price: string; readonly qty: string };

/** Every transition of the connection to the exchange. */
export type ConnectionEvent =
  | { readonly type: "connection"; readonly state: "connecting"; readonly attempt: number }
  | {
      readonly type: "connection";
      readonly state: "reconnecting";
      readonly attempt: number;
      readonly retryInMs: number;
    }
  | {
      readonly type: "connection";
      /**
       * `stalled`: the feed worker stopped answering; every verified book is `lagging` until it does.
       * `ended`: the server said its feed ended (a replay ran out); no book is live, none will change.
       */
      readonly state: "subscribing" | "live" | "quiet" | "stalled" | "ended" | "stopped";
    };

/** The state of one book, sent whenever anything it shows changes. */
export type BookEvent = {
  readonly type: "book";
  readonly symbol: string;
  readonly state: BookState;
  /** Why it is resyncing or rejected. */
  readonly reason?: string;
  /** The best bid and ask, spread and mid: only while the book's prices may be shown (see PriceRule). */
  readonly bid?: Level;
  readonly ask?: Level;
  readonly spread?: string;
  readonly mid?: string;
  readonly checksums: { readonly ok: number; readonly failed: number };
  readonly resyncs: number;
  /** Exchange timestamp of the latest change, as sent. */
  readonly time?: string;
  /** How far behind the exchange the book is, ms; only on a verified book, once measured. */
  readonly lagMs?: number;
  /** The top levels of each side, best first (library, `levels` > 0); empty when bid and ask are absent. */
  readonly bids?: readonly Level[];
  readonly asks?: readonly Level[];
};

/**
 * A book failed verification (or its subscription was lost) and is subscribed again: at once the first
 * time (`retryInMs` 0), after a backoff that grows while it keeps failing (within `--backoff-reset`).
 */
export type ResyncEvent = {
  readonly type: "resync";
  readonly symbol: string;
  readonly reason: ResyncReason;
  readonly retryInMs: number;
};

/** The exchange refused a symbol; it is not retried. */
export type RejectedEvent = { readonly type: "rejected"; readonly symbol: string; readonly reason: string };

/** Something went wrong that the feed recovers from by itself (a lost connection, a malformed frame, …). */
export type ErrorEvent = { readonly type: "error"; readonly message: string };

/** One trade of a watched pair, once, in trade-id order; `side` and `ordType` are the taker's. */
export type TradeEvent = {
  readonly type: "trade";
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly price: string;
  readonly qty: string;
  readonly ordType: string;
  readonly tradeId: number;
  /** Exchange timestamp, as sent. */
  readonly time: string;
};

/** A break in a pair's trade ids: `got` came where `expected` should have (trades were missed or repeated). */
export type TradeGapEvent = {
  readonly type: "trade-gap";
  readonly symbol: string;
  readonly expected: number;
  readonly got: number;
};

/** A pair's 24 h ticker as the exchange sent it; a field it did not send is absent. */
export type TickerEvent = {
  readonly type: "ticker";
  readonly symbol: string;
  readonly last?: string;
  readonly change?: string;
  readonly changePct?: string;
  readonly high?: string;
  readonly low?: string;
  readonly volume?: string;
  readonly vwap?: string;
  readonly bid?: string;
  readonly ask?: string;
  /** Exchange timestamp, as sent. */
  readonly time?: string;
};

export type BookFeedEvent =
  | ConnectionEvent
  | BookEvent
  | ResyncEvent
  | RejectedEvent
  | ErrorEvent
  | TradeEvent
  | TradeGapEvent
  | TickerEvent;
