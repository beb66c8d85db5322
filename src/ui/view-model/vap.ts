import type { TradeView } from "../../feed/types.js";
import { ceilTo, floorTo } from "./grouping.js";
import { pow10, toUnits } from "./units.js";

/**
 * Volume at price: buy and sell volume per price over the last `--vap-window`, counted from subscription.
 * Prices and sizes are held as integers at a fixed scale (exact for Kraken's ≤ 10 decimals), so the totals
 * are exact sums however the display later groups and rounds them.
 */
export const VAP_SCALE = 12;

/** One trade in the window: receive time, price and size at VAP_SCALE, the taker's side. */
export type VapTrade = {
  readonly at: number;
  readonly price: bigint;
  readonly qty: bigint;
  readonly buy: boolean;
};

export type VapTotals = { buy: bigint; sell: bigint };

/** The trade as a VAP entry; undefined if its number text is not plain decimal (then it is not counted). */
export function toVapTrade(trade: TradeView, at: number): VapTrade | undefined {
  try {
    return {
      at,
      price: toUnits(trade.price, VAP_SCALE),
      qty: toUnits(trade.qty, VAP_SCALE),
      buy: trade.side === "buy",
    };
  } catch {
    return undefined;
  }
}

/** The trades of one second of the window, summed by price. */
type VapSecond = { readonly second: number; readonly totals: Map<bigint, VapTotals> };

/**
 * The trades of a window and their running totals by price. Trades are summed per second and price as
 * they come, so the window holds one entry per price traded in each second however many trades there
 * were (the simulator at `--rate 1000` trades ~240 times a second per pair; 5 minutes of single trades
 * was ~70k objects per pair). The window's edge therefore moves in whole seconds: a trade counts until
 * the whole second it was received in is older than the window, at most one second longer than it.
 * Adding a trade is two map updates and expiring a second is one per price, so a frame reads only the
 * distinct prices.
 */
export class VapWindow {
  readonly #seconds: VapSecond[] = [];
  #head = 0;
  #entries = 0;
  readonly #totals = new Map<bigint, VapTotals>();

  add(trade: VapTrade): void {
    const second = Math.floor(trade.at / 1000);
    let last = this.#seconds.length > this.#head ? this.#seconds[this.#seconds.length - 1] : undefined;
    // A receive clock that stepped back adds to the newest second rather than reorder the window.
    if (last === undefined || second > last.second) {
      last = { second, totals: new Map() };
      this.#seconds.push(last);
    }
    if (addTrade(last.totals, trade)) this.#entries++;
    addTrade(this.#totals, trade);
  }

  /** Forgets the seconds that ended at or before `from` (epoch ms). */
  expire(from: number): void {
    while (this.#head < this.#seconds.length) {
      const s = this.#seconds[this.#head] as VapSecond;
      if ((s.second + 1) * 1000 > from) break;
      this.#head++;
      this.#entries -= s.totals.size;
      for (const [price, gone] of s.totals) {
        const t = this.#totals.get(price);
        if (t === undefined) continue;
        t.buy -= gone.buy;
        t.sell -= gone.sell;
        if (t.buy === 0n && t.sell === 0n) this.#totals.delete(price);
      }
    }
    // Compacted now and then, not per second.
    if (this.#head > 64 && this.#head * 2 > this.#seconds.length) {
      this.#seconds.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Totals by price (at VAP_SCALE) of the trades in the window. */
  get totals(): ReadonlyMap<bigint, VapTotals> {
    return this.#totals;
  }

  /** How many (second, price) sums the window holds: what its memory grows with. */
  get size(): number {
    return this.#entries;
  }
}

/** Adds the trade to its price's totals; true when that price was new to the map. */
function addTrade(map: Map<bigint, VapTotals>, trade: VapTrade): boolean {
  const t = map.get(trade.price);
  if (t === undefined) {
    map.set(trade.price, trade.buy ? { buy: trade.qty, sell: 0n } : { buy: 0n, sell: trade.qty });
    return true;
  }
  if (trade.buy) t.buy += trade.qty;
  else t.sell += trade.qty;
  return false;
}

/** Totals by ladder row: bid rows' buckets round down, ask rows' round up (as grouping.ts does). */
export type VapByRow = {
  readonly bid: ReadonlyMap<bigint, VapTotals>;
  readonly ask: ReadonlyMap<bigint, VapTotals>;
};

/**
 * The window's totals bucketed as the ladder's rows are: prices in units at `priceDecimals`, buckets of
 * `step` units. Sizes stay at VAP_SCALE.
 */
export function vapByRow(
  totals: ReadonlyMap<bigint, VapTotals>,
  priceDecimals: number,
  step: bigint,
): VapByRow {
  const bid = new Map<bigint, VapTotals>();
  const ask = new Map<bigint, VapTotals>();
  const shift = VAP_SCALE - priceDecimals;
  const div = shift > 0 ? pow10(shift) : 1n;
  const s = step > 0n ? step : 1n;
  for (const [price, t] of totals) {
    const units = shift > 0 ? price / div : price * pow10(-shift);
    // A price finer than the display (never on Kraken) counts at the display price below/above it.
    const exact = shift <= 0 || price % div === 0n;
    addTo(bid, floorTo(units, s), t);
    addTo(ask, ceilTo(exact ? units : units + 1n, s), t);
  }
  return { bid, ask };
}

function addTo(map: Map<bigint, VapTotals>, key: bigint, t: VapTotals): void {
  const hit = map.get(key);
  if (hit === undefined) map.set(key, { buy: t.buy, sell: t.sell });
  else {
    hit.buy += t.buy;
    hit.sell += t.sell;
  }
}

const ONE = pow10(VAP_SCALE);

/**
 * A volume (units at VAP_SCALE) in at most 6 characters, rounded down: `0.050`, `12.34`, `123.4`, `12345`,
 * `123.4k`, `12.3M`; `<.001` for a volume below 0.001; empty for none.
 */
export function compactVolume(units: bigint): string {
  if (units <= 0n) return "";
  const whole = units / ONE;
  const fixed = (decimals: number): string => {
    const scaled = units / pow10(VAP_SCALE - decimals);
    const text = scaled.toString().padStart(decimals + 1, "0");
    return `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
  };
  if (whole < 10n) return units < ONE / 1000n ? "<.001" : fixed(3);
  if (whole < 100n) return fixed(2);
  if (whole < 1000n) return fixed(1);
  if (whole < 100_000n) return whole.toString();
  const big = (value: bigint, unit: bigint, suffix: string): string => {
    const tenths = (value * 10n) / unit;
    return tenths < 1000n ? `${tenths / 10n}.${tenths % 10n}${suffix}` : `${value / unit}${suffix}`;
  };
  if (whole < 100_000_000n) return big(whole, 1000n, "k");
  if (whole < 100_000_000_000n) return big(whole, 1_000_000n, "M");
  return big(whole, 1_000_000_000n, "G");
}

/** The window as a short duration: `5m`, `90s`, `1h`. */
export function windowText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** The volume column's title: `VAP 5m`, and `VAP 5m (gap)` when a trade-id break fell inside the window. */
export function vapTitle(windowMs: number, gap: boolean): string {
  return `VAP ${windowText(windowMs)}${gap ? " (gap)" : ""}`;
}
