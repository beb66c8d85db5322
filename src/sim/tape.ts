import type { Pair } from "./catalogue.js";
import { formatFixed, rfc3339Micros } from "./format.js";
import type { Fill } from "./market.js";
import type { Random } from "./random.js";

/** Trades a `trade` snapshot carries, as Kraken's does. */
export const TRADE_SNAPSHOT_SIZE = 50;

/**
 * One pair's trade tape: `trade_id`s in sequence from a seeded start (one id per fill), the last 50
 * trades for snapshots, and the `--skip-trade-id` / `--repeat-trade-id` faults, which act on the
 * next trade.
 */
export class Tape {
  private nextId: number;
  private readonly recent: string[] = [];
  private skip = false;
  private repeat = false;
  /** Price in ticks of the latest trade (the seeded history's until the market trades). */
  lastTicks: number;

  /**
   * Starts with 50 seeded trades near the pair's mid in the minute before `startMicros`, so a
   * snapshot is never empty and names its pair, as Kraken's are for a traded pair.
   */
  constructor(
    private readonly pair: Pair,
    rng: Random,
    minLots: number,
    startMicros: number,
  ) {
    this.nextId = 10_000_000 + rng.int(90_000_000);
    this.lastTicks = pair.midTicks;
    for (let k = TRADE_SNAPSHOT_SIZE; k > 0; k--) {
      const buy = rng.chance(0.5);
      const ticks = pair.midTicks + (buy ? 1 : 0) - rng.int(3);
      const fill: Fill = {
        side: buy ? "buy" : "sell",
        ticks,
        lots: minLots * (1 + rng.int(40)),
        ordType: rng.chance(0.6) ? "market" : "limit",
      };
      this.entry(fill, rfc3339Micros(startMicros - k * 1_200_000 - rng.int(1_000_000)));
    }
  }

  /** The id the next trade gets (before any fault). */
  get expectedId(): number {
    return this.nextId;
  }

  /** The next trade's id jumps one ahead: one id is never sent. */
  skipNextId(): void {
    this.skip = true;
  }

  /** The next trade repeats the id of the one before. */
  repeatNextId(): void {
    this.repeat = true;
  }

  /** Records the fills of one taker order; returns the `trade` update frame, or undefined when none. */
  record(fills: readonly Fill[], timestamp: string): string | undefined {
    if (fills.length === 0) return undefined;
    const parts = fills.map((f) => this.entry(f, timestamp));
    return tradeFrame("update", parts);
  }

  /** The last 50 trades, oldest first, as a `trade` snapshot frame (empty `data` before any trade). */
  snapshot(): string {
    return tradeFrame("snapshot", this.recent);
  }

  private entry(f: Fill, timestamp: string): string {
    if (this.skip) {
      this.skip = false;
      this.nextId++;
    }
    this.lastTicks = f.ticks;
    let id = this.nextId++;
    if (this.repeat) {
      this.repeat = false;
      id -= 1;
      this.nextId--;
    }
    const text =
      `{"symbol":${JSON.stringify(this.pair.symbol)},"side":"${f.side}",` +
      `"price":${formatFixed(f.ticks, this.pair.pricePrecision)},"qty":${formatFixed(f.lots, this.pair.qtyPrecision)},` +
      `"ord_type":"${f.ordType}","trade_id":${id},"timestamp":"${timestamp}"}`;
    this.recent.push(text);
    if (this.recent.length > TRADE_SNAPSHOT_SIZE) this.recent.shift();
    return text;
  }
}

function tradeFrame(type: "snapshot" | "update", entries: readonly string[]): string {
  return `{"channel":"trade","type":"${type}","data":[${entries.join(",")}]}`;
}
