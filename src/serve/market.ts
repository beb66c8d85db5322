import type { TickerEvent } from "../events/types.js";
import type { BookView, ConnectionState, FeedEvent, TickerView, TradeView } from "../feed/types.js";
import { connectionCurrent } from "../feed/servable.js";

/** Trades kept per symbol for `GET /trades/:symbol`. */
export const TRADES_KEPT = 500;
/** `?limit` when absent. */
export const DEFAULT_TRADE_LIMIT = 50;

/** One trade as `/trades` and the SSE `trade` event carry it: exact wire strings. */
export type TradeJson = {
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly price: string;
  readonly qty: string;
  readonly ordType: string;
  readonly tradeId: number;
  readonly time: string;
};

/** A break in the tape: `got` came where `expected` should have. */
export type TradeGapJson = { readonly expected: number; readonly got: number };

/** The ticker in `/symbols`: the fields the exchange sent, exact strings (the library's ticker event's). */
export type TickerJson = Omit<TickerEvent, "type" | "symbol">;

/**
 * One symbol's recent tape: a ring of the newest TRADES_KEPT trades. The feed sends each trade once, in id
 * order, so a hole in the tape is two neighbours whose ids are not consecutive.
 */
class Tape {
  private readonly ring: (TradeJson | undefined)[];
  private next = 0;
  private count = 0;
  /** trade-gap events heard: breaks the feed reported, whether a snapshot filled them in or not. */
  gaps = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<TradeJson | undefined>(capacity);
  }

  push(trade: TradeJson): void {
    this.ring[this.next] = trade;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The newest `limit` trades, oldest first, and the holes between them. */
  recent(limit: number): { trades: TradeJson[]; gaps: TradeGapJson[] } {
    const n = Math.min(limit, this.count);
    const trades: TradeJson[] = [];
    const gaps: TradeGapJson[] = [];
    for (let i = n; i >= 1; i--) {
      const trade = this.ring[(this.next - i + this.capacity) % this.capacity]!;
      const before = trades[trades.length - 1];
      if (before !== undefined && trade.tradeId !== before.tradeId + 1)
        gaps.push({ expected: before.tradeId + 1, got: trade.tradeId });
      trades.push(trade);
    }
    return { trades, gaps };
  }
}

/** The answer to `GET /trades/:symbol`. */
export type TradesAnswer =
  | {
      readonly status: 200;
      readonly body: {
        readonly symbol: string;
        readonly trades: readonly TradeJson[];
        /** Holes in the ids of the trades returned: trades missed for good. */
        readonly gaps: readonly TradeGapJson[];
        /** Breaks the feed reported in this pair's tape since the server started (trade-gap events). */
        readonly tradeGaps: number;
      };
    }
  | { readonly status: 503; readonly body: { readonly symbol: string; readonly reason: string } }
  | { readonly status: 404; readonly body: { readonly symbol: string; readonly error: string } };

/**
 * The market context `serve` keeps beside the books: each symbol's recent trades, its ticker and its
 * pair status (from the views). Fed every feed event; read by the HTTP handlers.
 */
export class MarketStore {
  private readonly tapes = new Map<string, Tape>();
  private readonly tickers = new Map<string, TickerJson>();

  constructor(private readonly capacity = TRADES_KEPT) {}

  /** A symbol's tape, begun with its first trade (a whole market's pairs are known only as they come). */
  private tape(symbol: string): Tape {
    let tape = this.tapes.get(symbol);
    if (tape === undefined) this.tapes.set(symbol, (tape = new Tape(this.capacity)));
    return tape;
  }

  event(event: FeedEvent): void {
    if (event.type === "trade") this.tape(event.symbol).push(tradeJson(event));
    else if (event.type === "trade-gap") this.tape(event.symbol).gaps++;
    else if (event.type === "ticker") {
      // An update carries what changed; what it leaves out keeps its last value.
      this.tickers.set(event.symbol, { ...this.tickers.get(event.symbol), ...tickerJson(event) });
    } else if (event.type === "connection" && event.state === "reconnecting") {
      // A ticker from a lost connection is not shown as current; the new subscription's snapshot refills it.
      this.tickers.clear();
    }
  }

  /** The ticker of a symbol while the connection is current (feed/servable.ts), if one has come. */
  ticker(symbol: string, connection: ConnectionState): TickerJson | undefined {
    return connectionCurrent(connection.state) ? this.tickers.get(symbol) : undefined;
  }

  /**
   * Recent trades, oldest first: 503 (with the reason) while the tape may be missing trades: before the
   * first view, while the connection is not current (not open, or quiet: feed/servable.ts), and while the
   * pair's trade subscription awaits its snapshot; 404 for a pair whose trades are not watched (a whole
   * market's: `book.tradesWatched`).
   */
  trades(
    symbol: string,
    limit: number,
    connection: ConnectionState | undefined,
    book: Pick<BookView, "tradesAwaiting" | "tradesWatched"> | undefined,
  ): TradesAnswer {
    if (book?.tradesWatched === false)
      return {
        status: 404,
        body: {
          symbol,
          error: `no trades are kept for ${symbol}: a whole market (--quote, --all) is served as books only; name the pairs to serve their trades`,
        },
      };
    const awaiting = book?.tradesAwaiting;
    if (connection === undefined) return { status: 503, body: { symbol, reason: "connecting" } };
    if (!connectionCurrent(connection.state))
      return { status: 503, body: { symbol, reason: `connection ${connection.state}` } };
    if (awaiting !== false) return { status: 503, body: { symbol, reason: "awaiting trade snapshot" } };
    const tape = this.tapes.get(symbol);
    const { trades, gaps } = tape?.recent(Math.min(limit, this.capacity)) ?? { trades: [], gaps: [] };
    return { status: 200, body: { symbol, trades, gaps, tradeGaps: tape?.gaps ?? 0 } };
  }
}

export function tradeJson(t: TradeView): TradeJson {
  return {
    symbol: t.symbol,
    side: t.side,
    price: t.price,
    qty: t.qty,
    ordType: t.ordType,
    tradeId: t.tradeId,
    time: t.time,
  };
}

function tickerJson(t: TickerView): TickerJson {
  const out: { -readonly [K in keyof TickerJson]: TickerJson[K] } = {};
  if (t.last !== undefined) out.last = t.last;
  if (t.change !== undefined) out.change = t.change;
  if (t.changePct !== undefined) out.changePct = t.changePct;
  if (t.high !== undefined) out.high = t.high;
  if (t.low !== undefined) out.low = t.low;
  if (t.volume !== undefined) out.volume = t.volume;
  if (t.vwap !== undefined) out.vwap = t.vwap;
  if (t.bid !== undefined) out.bid = t.bid;
  if (t.ask !== undefined) out.ask = t.ask;
  if (t.timestamp !== undefined) out.time = t.timestamp;
  return out;
}
