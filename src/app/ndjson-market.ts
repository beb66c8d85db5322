import type { FeedEvent, PairView, TickerView, TradeView } from "../feed/types.js";

/**
 * NDJSON lines of the market-context channels, in their documented key order, numbers as exact wire
 * strings. Every trade, ticker, instrument and status event is a line (only the wire limits them); the
 * writer passes each through `escapeJson` like every other line.
 */

/** `{"type":"trade","symbol","side","price","qty","ordType","tradeId","time"}`. */
export function tradeLine(t: TradeView): string {
  return JSON.stringify({
    type: "trade",
    symbol: t.symbol,
    side: t.side,
    price: t.price,
    qty: t.qty,
    ordType: t.ordType,
    tradeId: t.tradeId,
    time: t.time,
  });
}

/** `{"type":"trade-gap","symbol","expected","got"}`. */
export function tradeGapLine(g: Extract<FeedEvent, { type: "trade-gap" }>): string {
  return JSON.stringify({ type: "trade-gap", symbol: g.symbol, expected: g.expected, got: g.got });
}

/** `{"type":"ticker","symbol",last,change,changePct,high,low,volume,vwap,bid,ask,time}`: fields sent only. */
export function tickerLine(t: TickerView): string {
  return JSON.stringify({
    type: "ticker",
    symbol: t.symbol,
    last: t.last,
    change: t.change,
    changePct: t.changePct,
    high: t.high,
    low: t.low,
    volume: t.volume,
    vwap: t.vwap,
    bid: t.bid,
    ask: t.ask,
    time: t.timestamp,
  });
}

/** One `{"type":"instrument","symbol","status",…}` line per pair, joined by "\n". */
export function instrumentLines(pairs: readonly PairView[]): string {
  return pairs
    .map((p) =>
      JSON.stringify({
        type: "instrument",
        symbol: p.symbol,
        status: p.status,
        priceIncrement: p.priceIncrement,
        qtyIncrement: p.qtyIncrement,
        pricePrecision: p.pricePrecision,
        qtyPrecision: p.qtyPrecision,
        qtyMin: p.qtyMin === "" ? undefined : p.qtyMin,
        costMin: p.costMin,
      }),
    )
    .join("\n");
}

/** `{"type":"status","system","apiVersion"?}`. */
export function statusLine(s: Extract<FeedEvent, { type: "status" }>): string {
  return JSON.stringify({ type: "status", system: s.system, apiVersion: s.apiVersion });
}
