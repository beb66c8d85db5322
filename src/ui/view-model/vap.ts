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

/** Slices a window is cut into: its edge moves in steps of one slice. */
const VAP_SLICES = 30;

/**
 * The trades of one slice of the window, summed by price, as flat arrays: three BigInts per price and no
 * map entry or object each, which is all expiring needs (only the newest slice has an index, `#open`).
 */
type VapSlice = {
  readonly start: number;
  readonly prices: bigint[];
  readonly buys: bigint[];
  readonly sells: bigint[];
};

/**
 * The trades of a window and their running totals by price. Trades are summed per slice of the window (a
 * thirtieth of it, at least a second: 10 s of a 5-minute window) and per price as they come, so what the
 * window holds grows with the prices traded in each slice, not with the number of trades: the simulator
 * at `--rate 1000` trades ~230 times a second per pair at ~120 prices a second and ~440 per 10 s, and
 * 5 minutes of single trades was ~70k objects per pair. The window's edge therefore moves a slice at a
 * time: a trade counts until the whole slice it was received in is older than the window, so the column
 * covers between the window and one slice more. Adding a trade is two map updates, and a frame reads only
 * the distinct prices.
 */
export class VapWindow {
  readonly #windowMs: number;
  readonly #sliceMs: number;
  /** Oldest first; at most VAP_SLICES + 1, so dropping the oldest with `shift()` is cheap. */
  readonly #slices: VapSlice[] = [];
  /** The newest slice's index of its prices. */
  #open = new Map<bigint, number>();
  #entries = 0;
  readonly #totals = new Map<bigint, VapTotals>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
    this.#sliceMs = Math.max(1000, Math.ceil(windowMs / VAP_SLICES / 1000) * 1000);
  }

  /** How far the window's edge moves at a time (ms). */
  get sliceMs(): number {
    return this.#sliceMs;
  }

  add(trade: VapTrade): void {
    const start = Math.floor(trade.at / this.#sliceMs) * this.#sliceMs;
    let last = this.#slices[this.#slices.length - 1];
    // A receive clock that stepped back adds to the newest slice rather than reorder the window.
    if (last === undefined || start > last.start) {
      last = { start, prices: [], buys: [], sells: [] };
      this.#slices.push(last);
      this.#open = new Map();
    }
    const at = this.#open.get(trade.price);
    if (at === undefined) {
      this.#open.set(trade.price, last.prices.length);
      last.prices.push(trade.price);
      last.buys.push(trade.buy ? trade.qty : 0n);
      last.sells.push(trade.buy ? 0n : trade.qty);
      this.#entries++;
    } else if (trade.buy) last.buys[at] = (last.buys[at] as bigint) + trade.qty;
    else last.sells[at] = (last.sells[at] as bigint) + trade.qty;
    const t = this.#totals.get(trade.price);
    if (t === undefined)
      this.#totals.set(trade.price, trade.buy ? { buy: trade.qty, sell: 0n } : { buy: 0n, sell: trade.qty });
    else if (trade.buy) t.buy += trade.qty;
    else t.sell += trade.qty;
  }

  /** Forgets the slices that ended at or before the window that ends at `now` (epoch ms) begins. */
  expire(now: number): void {
    const from = now - this.#windowMs;
    for (;;) {
      const s = this.#slices[0];
      if (s === undefined || s.start + this.#sliceMs > from) break;
      this.#slices.shift();
      this.#entries -= s.prices.length;
      for (let i = 0; i < s.prices.length; i++) {
        const price = s.prices[i] as bigint;
        const t = this.#totals.get(price);
        if (t === undefined) continue;
        t.buy -= s.buys[i] as bigint;
        t.sell -= s.sells[i] as bigint;
        if (t.buy === 0n && t.sell === 0n) this.#totals.delete(price);
      }
    }
    if (this.#slices.length === 0) this.#open.clear();
  }

  /** Totals by price (at VAP_SCALE) of the trades in the window. */
  get totals(): ReadonlyMap<bigint, VapTotals> {
    return this.#totals;
  }

  /** How many (slice, price) sums the window holds: what its memory grows with. */
  get size(): number {
    return this.#entries;
  }
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
