import type { AnalyticsBook, AnalyticsLevel, AnalyticsOptions } from "./types.js";

/**
 * What a board sorts by, in floating point: the first band's liquidity (bid and ask together), the cost
 * (the worse of buy and sell, bps) and whether that cost is only a bound. For ordering rows only, never
 * shown: the figures shown are the exact ones (bookFigures). Sorting a whole market by liquidity or cost
 * needs these of every book at every change, which exact arithmetic cannot afford at hundreds of books;
 * floats order the books the same but for near-ties. The walks are those of liquidity.ts and cost.ts.
 */
export type OrderKeys = {
  readonly liquidity: number;
  readonly cost: number;
  /** Either walk of the cost ran off the levels held. */
  readonly costBound: boolean;
};

/** Undefined when a side is empty (no mid), as for bookFigures. */
export function orderKeys(book: AnalyticsBook, options: AnalyticsOptions): OrderKeys | undefined {
  const bid = book.bids[0];
  const ask = book.asks[0];
  if (bid === undefined || ask === undefined) return undefined;
  const mid = (Number(bid.price) + Number(ask.price)) / 2;
  const band = options.bands[0];
  const liquidity =
    band === undefined
      ? 0
      : valueWithin(book.bids, (p) => p >= mid * (1 - Number(band) / 10_000)) +
        valueWithin(book.asks, (p) => p <= mid * (1 + Number(band) / 10_000));
  const notional = Number(options.notional);
  const buy = walk(book.asks, notional);
  const sell = walk(book.bids, notional);
  const buyBps = buy.base === 0 ? 0 : ((buy.quote / buy.base - mid) / mid) * 10_000;
  const sellBps = sell.base === 0 ? 0 : ((mid - sell.quote / sell.base) / mid) * 10_000;
  return { liquidity, cost: Math.max(buyBps, sellBps), costBound: !buy.complete || !sell.complete };
}

/** Σ price × qty of the levels from the best while `inside` holds. */
function valueWithin(levels: readonly AnalyticsLevel[], inside: (price: number) => boolean): number {
  let sum = 0;
  for (const level of levels) {
    const price = Number(level.price);
    if (!inside(price)) break;
    sum += price * Number(level.qty);
  }
  return sum;
}

/** Spends (or raises) `notional` in quote currency along the levels: base and quote filled. */
function walk(
  levels: readonly AnalyticsLevel[],
  notional: number,
): { base: number; quote: number; complete: boolean } {
  // The quote filled is summed, not taken as notional − left: that difference loses every digit when
  // little of a large notional fills.
  let quote = 0;
  let base = 0;
  for (const level of levels) {
    const price = Number(level.price);
    const value = price * Number(level.qty);
    if (quote + value >= notional)
      return { base: base + (notional - quote) / price, quote: notional, complete: true };
    base += Number(level.qty);
    quote += value;
  }
  return { base, quote, complete: false };
}
