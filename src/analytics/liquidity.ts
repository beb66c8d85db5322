import { Exact } from "./exact.js";
import { CHECKSUM_LEVELS } from "./types.js";
import type { ExactLevel, SideLiquidity } from "./types.js";

/**
 * Quote-currency value (Σ price × qty) of the levels within ±`bps` of `mid` on one side, edges included:
 * bids at or above mid × (1 − bps/10⁴), asks at or below mid × (1 + bps/10⁴). Exact. The walk ends at the
 * first level past the edge; when every level held is within it, more may rest beyond what the book
 * holds, and the figure is a lower bound (`complete: false`).
 */
export function sideLiquidity(
  levels: readonly ExactLevel[],
  side: "bid" | "ask",
  mid: Exact,
  bps: Exact,
): SideLiquidity {
  const factor = side === "bid" ? new Exact(1).minus(bps.dividedBy(10_000)) : bps.dividedBy(10_000).plus(1);
  const edge = mid.times(factor);
  let amount = new Exact(0);
  let usesUnverified = false;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    const inside = side === "bid" ? level.price.gte(edge) : level.price.lte(edge);
    if (!inside) return { amount: amount.toFixed(), complete: true, usesUnverified };
    amount = amount.plus(level.value);
    if (i >= CHECKSUM_LEVELS) usesUnverified = true;
  }
  return { amount: amount.toFixed(), complete: false, usesUnverified };
}
