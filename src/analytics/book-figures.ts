import { servable } from "../feed/servable.js";
import { sideCost } from "./cost.js";
import { Exact, exactLevels } from "./exact.js";
import { sideLiquidity } from "./liquidity.js";
import { imbalance, touchOf, touchSpreadBps } from "./touch.js";
import type { AnalyticsBook, AnalyticsOptions, BookFigures } from "./types.js";

/**
 * Every figure of one verified, current book: mid, spread (absolute and bps), top-of-book imbalance,
 * liquidity within each band per side, and the cost of trading the notional each way. Undefined when a
 * side is empty (no mid). Pure: the caller decides whether the book may show figures (`figuresAllowed`).
 */
export function bookFigures(book: AnalyticsBook, options: AnalyticsOptions): BookFigures | undefined {
  const touch = touchOf(book.bids, book.asks);
  if (touch === undefined) return undefined;
  const { mid } = touch;
  const notional = new Exact(options.notional);
  const bids = exactLevels(book.bids);
  const asks = exactLevels(book.asks);
  return {
    mid: mid.toFixed(),
    spread: touch.ask.minus(touch.bid).toFixed(),
    spreadBps: touchSpreadBps(book.bids[0]!.price, book.asks[0]!.price),
    imbalance: imbalance(book.bids[0]!, book.asks[0]!),
    liquidity: options.bands.map((band) => {
      const bps = new Exact(band);
      return {
        bps: band,
        bid: sideLiquidity(bids, "bid", mid, bps),
        ask: sideLiquidity(asks, "ask", mid, bps),
      };
    }),
    cost: {
      notional: notional.toFixed(),
      buy: sideCost(asks, "buy", mid, notional),
      sell: sideCost(bids, "sell", mid, notional),
    },
  };
}

/**
 * Which books may show figures: those whose prices may be shown at all (feed/servable.ts). A lagging,
 * resyncing, waiting or rejected book shows none.
 */
export const figuresAllowed: (state: string, connection: string) => boolean = servable;
