import { Exact, roundedQuotient } from "./exact.js";
import { PLACES } from "./types.js";
import type { AnalyticsLevel } from "./types.js";

export type Touch = {
  readonly bid: Exact;
  readonly ask: Exact;
  readonly mid: Exact;
};

/** Best bid, best ask and their mid; undefined unless both sides have a level. */
export function touchOf(bids: readonly AnalyticsLevel[], asks: readonly AnalyticsLevel[]): Touch | undefined {
  const b = bids[0];
  const a = asks[0];
  if (b === undefined || a === undefined) return undefined;
  const bid = new Exact(b.price);
  const ask = new Exact(a.price);
  return { bid, ask, mid: bid.plus(ask).dividedBy(2) };
}

/** The spread in basis points of the mid, to PLACES decimals (half-even). */
export function spreadBps(t: Touch): string {
  return roundedQuotient(t.ask.minus(t.bid).times(10_000), t.mid, PLACES, "half-even");
}

/** Top-of-book imbalance: (bid qty − ask qty) / (bid qty + ask qty), to PLACES decimals (half-even). */
export function imbalance(bid: AnalyticsLevel, ask: AnalyticsLevel): string {
  const b = new Exact(bid.qty);
  const a = new Exact(ask.qty);
  const sum = b.plus(a);
  return sum.isZero() ? new Exact(0).toFixed(PLACES) : roundedQuotient(b.minus(a), sum, PLACES, "half-even");
}
