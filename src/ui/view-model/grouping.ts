import type { LevelView } from "../../feed/types.js";
import { formatUnits, toUnits } from "./units.js";

export type Side = "ask" | "bid";

/** A price level after grouping, in integer units at the book's display precision. */
export type Level = {
  readonly price: bigint;
  readonly qty: bigint;
  /**
   * It holds a level deeper than the checksum covers (Kraken's CRC32 covers the top 10 of each side): its
   * size cannot be verified. A grouped row is deep if any raw level in it is.
   */
  readonly deep?: boolean;
};

/** Levels of a side the exchange's checksum covers. */
export const CHECKSUM_LEVELS = 10;

/** Grouping factors, in ticks. `+` moves right, `−` moves left. */
export const GROUP_STEPS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

export function coarser(factor: number): number {
  return GROUP_STEPS.find((step) => step > factor) ?? factor;
}

export function finer(factor: number): number {
  return [...GROUP_STEPS].reverse().find((step) => step < factor) ?? 1;
}

/** The group size as price text, e.g. factor 5 at 1 decimal → `0.5`; `tick` is the price increment in units. */
export function groupSizeText(factor: number, priceDecimals: number, tick = 1n): string {
  return formatUnits(BigInt(factor) * tick, priceDecimals);
}

/**
 * Levels (best first) summed into buckets of `factor` ticks (a tick is `tick` units at `priceDecimals`: the
 * pair's price increment). Bids round down and asks round up, so a bucket's price is never better than any
 * level in it and the two sides never overlap. A bucket holding a level past the 10th is `deep`.
 */
export function groupLevels(
  levels: readonly LevelView[],
  side: Side,
  factor: number,
  priceDecimals: number,
  qtyDecimals: number,
  tick = 1n,
): Level[] {
  const step = BigInt(Math.max(1, Math.trunc(factor))) * (tick > 0n ? tick : 1n);
  const out: { price: bigint; qty: bigint; deep?: boolean }[] = [];
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as LevelView;
    const ticks = toUnits(level.price, priceDecimals);
    const qty = toUnits(level.qty, qtyDecimals);
    const bucket = side === "bid" ? floorTo(ticks, step) : ceilTo(ticks, step);
    const last = out[out.length - 1];
    if (last !== undefined && last.price === bucket) {
      last.qty += qty;
      if (i >= CHECKSUM_LEVELS) last.deep = true;
    } else out.push(i >= CHECKSUM_LEVELS ? { price: bucket, qty, deep: true } : { price: bucket, qty });
  }
  return out;
}

/** `value` rounded down to a multiple of `step` (bids' buckets). */
export function floorTo(value: bigint, step: bigint): bigint {
  const rem = ((value % step) + step) % step;
  return value - rem;
}

/** `value` rounded up to a multiple of `step` (asks' buckets). */
export function ceilTo(value: bigint, step: bigint): bigint {
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
