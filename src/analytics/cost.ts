import { Exact, roundedQuotient } from "./exact.js";
import { CHECKSUM_LEVELS, PLACES } from "./types.js";
import type { ExactLevel, SideCost } from "./types.js";

/**
 * The slippage, in basis points from `mid`, of a market order for `notional` in quote currency: a buy
 * spends it walking the asks, a sell raises it walking the bids; the level that completes it is taken in
 * part (notional left ÷ price). Average price = quote ÷ base filled; buy bps = (avg − mid) / mid × 10⁴,
 * sell bps = (mid − avg) / mid × 10⁴, rounded once, exactly, to PLACES decimals (half-even).
 *
 * When the levels held run out first, the figure is that of the part that could be filled: a lower bound
 * on the whole order's slippage (every further fill is at a worse price), rounded down and marked
 * `complete: false`.
 */
export function sideCost(
  levels: readonly ExactLevel[],
  side: "buy" | "sell",
  mid: Exact,
  notional: Exact,
): SideCost {
  let left = notional;
  // Base bought whole so far, and the quote it cost.
  let base = new Exact(0);
  let usesUnverified = false;
  for (let i = 0; i < levels.length; i++) {
    const { price, qty, value } = levels[i]!;
    if (i >= CHECKSUM_LEVELS) usesUnverified = true;
    if (value.gte(left)) {
      // base filled = base + left/price, so avg = notional·price / (base·price + left): no division yet.
      const avgNum = notional.times(price);
      const avgDen = base.times(price).plus(left);
      return { bps: slippage(side, avgNum, avgDen, mid, "half-even"), complete: true, usesUnverified };
    }
    base = base.plus(qty);
    left = left.minus(value);
  }
  if (base.isZero()) return { bps: new Exact(0).toFixed(PLACES), complete: false, usesUnverified };
  return { bps: slippage(side, notional.minus(left), base, mid, "floor"), complete: false, usesUnverified };
}

/** (avg − mid)/mid × 10⁴ for a buy, (mid − avg)/mid × 10⁴ for a sell, with avg = avgNum/avgDen. */
function slippage(
  side: "buy" | "sell",
  avgNum: Exact,
  avgDen: Exact,
  mid: Exact,
  rounding: "half-even" | "floor",
): string {
  const atMid = avgDen.times(mid);
  const diff = side === "buy" ? avgNum.minus(atMid) : atMid.minus(avgNum);
  return roundedQuotient(diff.times(10_000), atMid, PLACES, rounding);
}
