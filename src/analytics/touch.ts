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

/**
 * The spread in basis points of the mid, to PLACES decimals (half-even), from the touch's price texts, in
 * integers: a board works it out for every book whose touch moved, hundreds a second. With both prices at
 * d decimals as integers a and b, it is 2·10⁴·(a − b) / (a + b), rounded once. Prices are positive.
 */
export function touchSpreadBps(bid: string, ask: string): string {
  const d = Math.max(decimalsOf(bid), decimalsOf(ask));
  const b = integerOf(bid, d);
  const a = integerOf(ask, d);
  const num = 20_000n * (a - b) * 10n ** BigInt(PLACES);
  const den = a + b;
  const negative = num < 0n;
  const n = negative ? -num : num;
  let q = n / den;
  const twice = 2n * (n - q * den);
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  const digits = q.toString().padStart(PLACES + 1, "0");
  const text = `${digits.slice(0, -PLACES)}.${digits.slice(-PLACES)}`;
  return negative && q !== 0n ? `-${text}` : text;
}

function decimalsOf(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** A positive decimal text × 10^d, exactly (d ≥ its decimals). */
function integerOf(text: string, d: number): bigint {
  const dot = text.indexOf(".");
  const whole = dot < 0 ? text : text.slice(0, dot);
  const fraction = dot < 0 ? "" : text.slice(dot + 1);
  return BigInt((whole === "" ? "0" : whole) + fraction.padEnd(d, "0"));
}

/** Top-of-book imbalance: (bid qty − ask qty) / (bid qty + ask qty), to PLACES decimals (half-even). */
export function imbalance(bid: AnalyticsLevel, ask: AnalyticsLevel): string {
  const b = new Exact(bid.qty);
  const a = new Exact(ask.qty);
  const sum = b.plus(a);
  return sum.isZero() ? new Exact(0).toFixed(PLACES) : roundedQuotient(b.minus(a), sum, PLACES, "half-even");
}
