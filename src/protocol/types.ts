/**
 * Typed Kraken WebSocket v2 messages, as the rest of the app sees them.
 * Book prices and quantities are the exact wire text (`"0.10000000"` stays `"0.10000000"`):
 * the checksum is computed over that text, and `JSON.parse` would destroy it.
 */

/** One price level exactly as it was on the wire. */
export type WireLevel = {
  readonly price: string;
  readonly qty: string;
};

/** One entry of a book frame's `data` array. */
export type BookData = {
  readonly symbol: string;
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
  /** Unsigned 32-bit CRC32 Kraken computed over its top 10 levels. */
  readonly checksum: number;
  /** Exchange time of the latest book change (RFC 3339); may be absent on snapshots. */
  readonly timestamp?: string;
};

export type BookMessage = {
  readonly kind: "book";
  readonly type: "snapshot" | "update";
  readonly data: readonly BookData[];
};

export type StatusMessage = {
  readonly kind: "status";
  readonly system: string;
  readonly version: string;
  readonly apiVersion: string;
  /** Exceeds 2^53 on the wire, so it is kept as text. */
  readonly connectionId: string;
};

/**
 * The `system` word the built-in server sends when a replay has served its last book frame: not one of
 * Kraken's, and not a trading status; a feed hearing it calls its connection `ended`.
 */
export const REPLAY_ENDED = "replay_ended";

export type HeartbeatMessage = { readonly kind: "heartbeat" };

export type AckMethod = "subscribe" | "unsubscribe";

/** A successful subscribe or unsubscribe acknowledgement (Kraken sends one per symbol). */
export type AckMessage = {
  readonly kind: "ack";
  readonly method: AckMethod;
  readonly channel: string;
  readonly symbol?: string;
  readonly depth?: number;
  readonly reqId?: number;
};

/** A failed subscribe or unsubscribe: bad pair (with symbol), bad depth (no symbol), and the like. */
export type NackMessage = {
  readonly kind: "nack";
  readonly method: AckMethod;
  readonly error: string;
  readonly symbol?: string;
  readonly reqId?: number;
};

/** `timeOut`: the server's `time_out`, when it answered (RFC 3339), if sent. */
export type PongMessage = { readonly kind: "pong"; readonly reqId?: number; readonly timeOut?: string };

/**
 * Kraken's rate-limit complaint; its shape varies (`{"Error":"Exceeded msg rate"}` and others). As the
 * answer to a request it names the method, and the symbol when Kraken gives one.
 */
export type RateLimitMessage = {
  readonly kind: "rate-limit";
  readonly error: string;
  readonly method?: AckMethod;
  readonly symbol?: string;
};

export type InstrumentPair = {
  readonly symbol: string;
  readonly status: string;
  readonly pricePrecision: number;
  readonly qtyPrecision: number;
  /** Exact text as sent (Kraken uses exponent notation here, e.g. `1e-08`). */
  readonly priceIncrement: string;
  readonly qtyIncrement: string;
  /** Empty when not sent. */
  readonly qtyMin: string;
  /** Smallest order value in the quote currency, when sent. */
  readonly costMin?: string;
};

export type InstrumentMessage = {
  readonly kind: "instrument";
  readonly type: "snapshot" | "update";
  readonly pairs: readonly InstrumentPair[];
};

/** One trade, numbers as exact wire text. `side` and `ordType` are the taker's. */
export type Trade = {
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly price: string;
  readonly qty: string;
  readonly ordType: string;
  /** Kraken's per-pair sequence number: consecutive trades of one pair have consecutive ids. */
  readonly tradeId: number;
  readonly timestamp: string;
};

/** A `trade` frame; a snapshot carries the most recent trades (50 on Kraken), oldest first. */
export type TradeMessage = {
  readonly kind: "trade";
  readonly type: "snapshot" | "update";
  readonly trades: readonly Trade[];
};

/** One symbol's ticker, numbers as exact wire text; a field the frame did not carry is absent. */
export type TickerData = {
  readonly symbol: string;
  readonly bid?: string;
  readonly bidQty?: string;
  readonly ask?: string;
  readonly askQty?: string;
  readonly last?: string;
  /** 24 h figures. */
  readonly volume?: string;
  readonly vwap?: string;
  readonly low?: string;
  readonly high?: string;
  readonly change?: string;
  readonly changePct?: string;
  readonly timestamp?: string;
};

export type TickerMessage = {
  readonly kind: "ticker";
  readonly type: "snapshot" | "update";
  readonly tickers: readonly TickerData[];
};

/** Well-formed JSON that is none of the above. */
export type UnknownMessage = { readonly kind: "unknown"; readonly raw: string };

export type Message =
  | BookMessage
  | StatusMessage
  | HeartbeatMessage
  | AckMessage
  | NackMessage
  | PongMessage
  | RateLimitMessage
  | InstrumentMessage
  | TradeMessage
  | TickerMessage
  | UnknownMessage;

/**
 * A frame that could not be understood: malformed JSON, a known frame with a bad field, or book levels
 * under another channel name.
 */
export type ParseError = {
  readonly kind: "error";
  readonly message: string;
  /** The whole frame, as received. */
  readonly raw: string;
  /**
   * The frame may have carried book data: it names book fields or the book channel, or nothing in it
   * shows it is one of the frames that never do (heartbeat, status, instrument, a method's answer).
   */
  readonly book: boolean;
  /**
   * For a frame that may have carried book data: the symbols it names, present only when every entry's
   * name could be read, so exactly those books resync. Absent: any subscribed book may be affected.
   */
  readonly symbols?: readonly string[];
};

export type ParseResult = Message | ParseError;

/** Depths Kraken accepts for the `book` channel. */
export const BOOK_DEPTHS = [10, 25, 100, 500, 1000] as const;
export type BookDepth = (typeof BOOK_DEPTHS)[number];

export function isBookDepth(n: number): n is BookDepth {
  return (BOOK_DEPTHS as readonly number[]).includes(n);
}

/**
 * The largest frame the app can be told to accept (`--max-frame` at most; the feed closes the socket on a
 * larger one): 256 MiB, over 3,000 times the largest real Kraken frame. So no recorded frame is longer,
 * which bounds the line a recording's reader holds (recording/lines.ts).
 */
export const LARGEST_MAX_FRAME = 256 * 1024 * 1024;

/** The deepest book Kraken serves. */
export const DEEPEST_BOOK: BookDepth = 1000;

/** The shallowest depth that holds `levels` a side (`levels` at most DEEPEST_BOOK). */
export function depthHolding(levels: number): BookDepth {
  return BOOK_DEPTHS.find((d) => d >= levels) ?? DEEPEST_BOOK;
}
