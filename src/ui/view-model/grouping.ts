import type { LevelView } from "../../feed/types.js";
import { formatUnits, toUnits } from "./units.js";

export type Side = "ask" | "bid";

/** A price level after grouping, in integer units at the book's display precision. */
export type Level = { readonly price: bigint; readonly qty: bigint };

/** Grouping factors, in ticks. `+` moves right, `−` moves left. */
export const GROUP_STEPS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

export function coarser(factor: number): number {
  return GROUP_STEPS.find((step) => step > factor) ?? factor;
}

export function finer(factor: number): number {
  return [...GROUP_STEPS].reverse().find((step) => step < factor) ?? 1;
}

/** The group size as price text, e.g. factor 5 at 1 decimal → `0.5`. */
export function groupSizeText(factor: number, priceDecimals: number): string {
  return formatUnits(BigInt(factor), priceDecimals);
}

/**
 * Levels (best first) summed into buckets of `factor` ticks. Bids round down and asks round up, so a
 * bucket's price is never better than any level in it and the two sides never overlap.
 */
export function groupLevels(
  levels: readonly LevelView[],
  side: Side,
  factor: number,
  priceDecimals: number,
  qtyDecimals: number,
): Level[] {
  const step = BigInt(Math.max(1, Math.trunc(factor)));
  const out: { price: bigint; qty: bigint }[] = [];
  for (const level of levels) {
    const ticks = toUnits(level.price, priceDecimals);
    const qty = toUnits(level.qty, qtyDecimals);
    const bucket = side === "bid" ? floorTo(ticks, step) : ceilTo(ticks, step);
    const last = out[out.length - 1];
    if (last !== undefined && last.price === bucket) last.qty += qty;
    else out.push({ price: bucket, qty });
  }
  return out;
}

function floorTo(value: bigint, step: bigint): bigint {
  const rem = ((value % step) + step) % step;
  return value - rem;
}

function ceilTo(value: bigint, step: bigint): bigint {
  const floor = floorTo(value, step);
  return floor === value ? value : floor + step;
}

/** Running totals from the best level outwards. */
export function cumulative(levels: readonly Level[]): bigint[] {
  const totals: bigint[] = [];
  let total = 0n;
  for (const level of levels) totals.push((total += level.qty));
  return totals;
}
