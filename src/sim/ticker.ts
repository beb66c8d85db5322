import { Decimal } from "decimal.js";
import type { Pair } from "./catalogue.js";
import { formatFixed } from "./format.js";
import type { Fill } from "./market.js";
import type { Random } from "./random.js";
import type { SideBook } from "./side-book.js";

/** The ticker's window: Kraken's figures cover the last 24 hours. */
export const DAY_MICROS = 24 * 3600 * 1_000_000;

type WindowTrade = { readonly micros: number; readonly ticks: number; readonly lots: number };

/** An integer count of increments as signed text: (-52, 1) → `-5.2`. */
function signedFixed(n: number, decimals: number): string {
  return n < 0 ? "-" + formatFixed(-n, decimals) : formatFixed(n, decimals);
}

/**
 * One pair's `ticker`: best bid and ask with their sizes from the book's top; last, volume, VWAP,
 * high, low, change and change % over the last 24 hours of simulated trades on top of a seeded
 * reference (the day before the simulation started: an opening price, a volume with its VWAP, a
 * high and a low). Integers throughout (ticks and lots; notional in bigint); decimal.js only for
 * the two divisions.
 */
export class Ticker {
  private readonly openTicks: number;
  private readonly refLots: number;
  private readonly refNotional: bigint;
  private readonly refHigh: number;
  private readonly refLow: number;
  private readonly trades: WindowTrade[] = [];
  private head = 0;
  private lots = 0;
  private notional = 0n;
  private high: number;
  private low: number;
  private lastTicks: number;

  constructor(
    private readonly pair: Pair,
    rng: Random,
    minLots: number,
    lastTicks: number,
  ) {
    const mid = pair.midTicks;
    this.openTicks = Math.max(1, Math.round(mid * (1 + (rng.next() - 0.5) * 0.06)));
    this.refLots = Math.round(minLots * (20_000 + rng.int(200_000)));
    const vwap = Math.round((this.openTicks + mid) / 2);
    this.refNotional = BigInt(vwap) * BigInt(this.refLots);
    this.refHigh = Math.max(this.openTicks, mid) + Math.round(mid * 0.01 * rng.next()) + 1;
    this.refLow = Math.max(1, Math.min(this.openTicks, mid) - Math.round(mid * 0.01 * rng.next()) - 1);
    this.high = this.refHigh;
    this.low = this.refLow;
    this.lastTicks = lastTicks;
  }

  /** Takes one taker order's fills at exchange time `micros`, and drops trades older than 24 hours. */
  add(fills: readonly Fill[], micros: number): void {
    for (const f of fills) {
      this.trades.push({ micros, ticks: f.ticks, lots: f.lots });
      this.lots += f.lots;
      this.notional += BigInt(f.ticks) * BigInt(f.lots);
      if (f.ticks > this.high) this.high = f.ticks;
      if (f.ticks < this.low) this.low = f.ticks;
      this.lastTicks = f.ticks;
    }
    let expired = false;
    while (this.head < this.trades.length && this.trades[this.head]!.micros <= micros - DAY_MICROS) {
      const t = this.trades[this.head++]!;
      this.lots -= t.lots;
      this.notional -= BigInt(t.ticks) * BigInt(t.lots);
      expired = true;
    }
    if (expired) {
      this.trades.splice(0, this.head);
      this.head = 0;
      this.high = this.trades.reduce((h, t) => Math.max(h, t.ticks), this.refHigh);
      this.low = this.trades.reduce((l, t) => Math.min(l, t.ticks), this.refLow);
    }
  }

  /** The ticker as Kraken writes one entry of its `data`. */
  entry(bids: SideBook, asks: SideBook, timestamp: string): string {
    const pp = this.pair.pricePrecision;
    const qp = this.pair.qtyPrecision;
    const price = (ticks: number): string => formatFixed(ticks, pp);
    const lots = this.refLots + this.lots;
    const notional = this.refNotional + this.notional;
    const vwap = new Decimal(notional.toString()).div(lots).div(new Decimal(10).pow(pp)).toFixed(pp);
    const change = this.lastTicks - this.openTicks;
    const pct = new Decimal(change).div(this.openTicks).times(100).toFixed(2);
    return (
      `{"symbol":${JSON.stringify(this.pair.symbol)},` +
      `"bid":${price(bids.ticksAt(0))},"bid_qty":${formatFixed(bids.lots[0]!, qp)},` +
      `"ask":${price(asks.ticksAt(0))},"ask_qty":${formatFixed(asks.lots[0]!, qp)},` +
      `"last":${price(this.lastTicks)},"volume":${formatFixed(lots, qp)},"vwap":${vwap},` +
      `"low":${price(this.low)},"high":${price(this.high)},` +
      `"change":${signedFixed(change, pp)},"change_pct":${pct},"timestamp":"${timestamp}"}`
    );
  }
}

export function tickerFrame(type: "snapshot" | "update", entry: string): string {
  return `{"channel":"ticker","type":"${type}","data":[${entry}]}`;
}
