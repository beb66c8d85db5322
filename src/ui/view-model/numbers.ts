import type { BookView, LevelView } from "../../feed/types.js";
import { formatUnits, toUnits, widenDecimals } from "./units.js";

/** A price at the pair's precision: `63388.7`, always the same number of decimals. */
export function formatPrice(text: string, decimals: number): string {
  return formatUnits(toUnits(text, decimals), decimals);
}

/** Decimals of each view of a book (views are immutable): the header, the ladder and the flash memory ask. */
const decimalsByBook = new WeakMap<BookView, { readonly price: number; readonly qty: number }>();

function bookDecimals(book: BookView): { readonly price: number; readonly qty: number } {
  let hit = decimalsByBook.get(book);
  if (hit === undefined) {
    const price = widest(Math.max(0, book.priceDecimals), [book.bid, book.ask], "price");
    const qty = Math.max(0, book.qtyDecimals);
    hit = {
      price: widest(widest(price, book.asks, "price"), book.bids, "price"),
      qty: widest(widest(qty, book.asks, "qty"), book.bids, "qty"),
    };
    decimalsByBook.set(book, hit);
  }
  return hit;
}

/**
 * Displayed precision: `decimals` (the pair's), widened if the wire ever shows more digits in one field of
 * these levels. A loop, not an iterator: this reads every level of every book each view.
 */
function widest(
  decimals: number,
  levels: readonly (LevelView | undefined)[],
  field: "price" | "qty",
): number {
  let out = decimals;
  for (let i = 0; i < levels.length; i++) {
    const text = levels[i]?.[field];
    if (text !== undefined) out = widenDecimals(out, text);
  }
  return out;
}

export function bookPriceDecimals(book: BookView): number {
  return bookDecimals(book).price;
}

export function bookQtyDecimals(book: BookView): number {
  return bookDecimals(book).qty;
}

export type Spread = { readonly spread: string; readonly bps: string; readonly mid: string };

/**
 * Spread, mid and basis points from best bid and ask, exactly (integer ticks); bps to 2 decimals. Computed
 * here rather than taken from the feed's text so that they always show the pair's precision (`3104.20`).
 */
export function spreadOf(book: BookView, priceDecimals: number): Spread | undefined {
  const bid: LevelView | undefined = book.bid ?? book.bids[0];
  const ask: LevelView | undefined = book.ask ?? book.asks[0];
  if (bid === undefined || ask === undefined) return undefined;
  const b = toUnits(bid.price, priceDecimals);
  const a = toUnits(ask.price, priceDecimals);
  const spreadUnits = a - b;
  // mid = (a + b) / 2 needs one more decimal at most.
  const midUnits = a + b;
  const mid = trimHalf(formatUnits(midUnits * 5n, priceDecimals + 1));
  const spread = formatUnits(spreadUnits, priceDecimals);
  // bps = spread / mid * 10000 = 2 * spread * 10000 / (a + b), in hundredths, rounded half up.
  const bps =
    midUnits > 0n ? formatUnits((spreadUnits * 2n * 1_000_000n * 2n + midUnits) / (2n * midUnits), 2) : "—";
  return { spread, bps, mid };
}

/** `63388.75` stays; `63388.70` (a whole-tick mid) drops the extra digit back to the pair's precision. */
function trimHalf(text: string): string {
  return text.endsWith("0") && text.includes(".") ? text.slice(0, -1).replace(/\.$/, "") : text;
}

/** Milliseconds as a short duration: `850ms`, `3.2s`, `42s`, `5m`, `2h`. */
export function formatDuration(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 10_000) return `${(Math.floor(v / 100) / 10).toFixed(1)}s`;
  if (v < 120_000) return `${Math.floor(v / 1000)}s`;
  if (v < 7_200_000) return `${Math.floor(v / 60_000)}m`;
  return `${Math.floor(v / 3_600_000)}h`;
}

/** A book's lag, as the ladder labels it: `lag 0.4 s`, `lag 24 s`, `lag 3 min`. */
export function formatLag(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 10_000) return `lag ${(Math.floor(v / 100) / 10).toFixed(1)} s`;
  if (v < 120_000) return `lag ${Math.floor(v / 1000)} s`;
  return `lag ${Math.floor(v / 60_000)} min`;
}

/** An age for the status bar, coarse enough not to redraw every frame: `<1s`, `3s`, `2m`. */
export function formatAge(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 1000) return "<1s";
  if (v < 120_000) return `${Math.floor(v / 1000)}s`;
  if (v < 7_200_000) return `${Math.floor(v / 60_000)}m`;
  return `${Math.floor(v / 3_600_000)}h`;
}

/** A feed latency: `1.5ms`, `340ms`, then as coarse as an age (`12s`, `3m`, `5h`) for a clock far off. */
export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  if (Math.abs(ms) < 10) return `${Math.round(ms * 10) / 10}ms`;
  if (Math.abs(ms) < 10_000) return `${Math.round(ms)}ms`;
  return ms < 0 ? `-${formatAge(-ms)}` : formatAge(ms);
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "—";
  return perSecond < 10 ? `${Math.round(perSecond * 10) / 10}` : `${Math.round(perSecond)}`;
}
