import type { Pair } from "./catalogue.js";
import type { Random } from "./random.js";
import { SideBook } from "./side-book.js";

export const BIDS = 0;
export const ASKS = 1;
export type SideIndex = typeof BIDS | typeof ASKS;

/** One level change in the full book, in the order it happened; `lots` 0 deletes. */
export type LevelChange = { readonly side: SideIndex; readonly key: number; readonly lots: number };

/** The full book keeps this many levels per side, so depth 1000 can always be served with room below. */
export const MIN_LEVELS = 1150;
const MAX_LEVELS = 1400;
const START_LEVELS = 1250;

/** Units of `10^-decimals` in a plain decimal text: ("0.0001", 8) → 10000. */
export function toUnits(text: string, decimals: number): number {
  const [whole = "0", frac = ""] = text.split(".");
  return Number(whole + frac.padEnd(decimals, "0").slice(0, decimals));
}

/**
 * One pair's full order book and how it moves: a mean-reverting random-walk mid, inserts,
 * changes and deletes concentrated near the touch, occasional activity around the depth-1000
 * edge, and the same price touched twice in one message. Integers only (ticks and lots).
 * The model knows nothing about subscribers, depths, text or time: see `SymbolFeed` and `Pacer`.
 */
export class Market {
  readonly bids = new SideBook(-1);
  readonly asks = new SideBook(1);
  readonly sides: readonly [SideBook, SideBook] = [this.bids, this.asks];
  private readonly minLots: number;
  private changes: LevelChange[] = [];
  /** The price, in ticks, the mid's walk is pulled toward: the pair's mid unless a drift moves it. */
  anchorTicks: number;

  constructor(
    readonly pair: Pair,
    private readonly rng: Random,
  ) {
    this.minLots = Math.max(1, toUnits(pair.qtyMin, pair.qtyPrecision));
    this.anchorTicks = pair.midTicks;
    const ask = pair.midTicks + 1;
    const bid = pair.midTicks - rng.int(3);
    this.bids.set(-bid, this.newLots());
    this.asks.set(ask, this.newLots());
    for (const side of this.sides) {
      while (side.size < START_LEVELS && this.appendWorst(side) !== undefined);
    }
  }

  /** Applies one message's worth of changes to the book and returns them in order. */
  step(): readonly LevelChange[] {
    const rng = this.rng;
    this.changes = [];
    const r = rng.next();
    const ops = r < 0.55 ? 1 : r < 0.85 ? 2 : 3 + rng.int(4);
    for (let i = 0; i < ops; i++) {
      const u = rng.next();
      const side: SideIndex = rng.int(2) === 0 ? BIDS : ASKS;
      let key: number | undefined;
      if (u < 0.4) key = this.modify(side);
      else if (u < 0.6) key = this.insertNear(side);
      else if (u < 0.8) key = this.deleteNear(side);
      else this.walk();
      if (key !== undefined && rng.chance(0.08)) this.repeat(side, key);
    }
    this.maintain(BIDS);
    this.maintain(ASKS);
    return this.changes;
  }

  private apply(side: SideIndex, key: number, lots: number): void {
    this.sides[side].set(key, lots);
    this.changes.push({ side, key, lots });
  }

  /** A random quantity: log-uniform over a few thousand minimum orders, sometimes a round number. */
  private newLots(): number {
    const rng = this.rng;
    let x = this.minLots * Math.exp(rng.next() * Math.log(rng.chance(0.05) ? 60000 : 3000));
    if (rng.chance(0.3)) {
      const mag = 10 ** Math.max(0, Math.floor(Math.log10(x)) - 1);
      x = Math.round(x / mag) * mag;
    }
    return Math.max(1, Math.round(x));
  }

  /** A rank (0 = best) mostly near the touch, sometimes deep, sometimes around the depth-1000 edge. */
  private rank(size: number): number {
    const rng = this.rng;
    const r = rng.next();
    let i: number;
    if (r < 0.8) i = rng.geometric(0.7);
    else if (r < 0.9) i = rng.int(60);
    else if (r < 0.95) i = 990 + rng.int(20);
    else i = rng.int(size);
    return Math.min(i, size - 1);
  }

  private gap(): number {
    return 1 + this.rng.geometric(0.45);
  }

  private modify(side: SideIndex): number | undefined {
    const s = this.sides[side];
    const key = s.keys[this.rank(s.size)];
    if (key === undefined) return undefined;
    this.apply(side, key, this.newLots());
    return key;
  }

  private deleteNear(side: SideIndex): number | undefined {
    const s = this.sides[side];
    if (s.size <= 1) return undefined;
    const key = s.keys[this.rank(s.size)];
    if (key === undefined) return undefined;
    this.apply(side, key, 0);
    return key;
  }

  /** A new level at a free price near the touch: inside the spread, or between two existing levels. */
  private insertNear(side: SideIndex): number | undefined {
    const s = this.sides[side];
    for (let attempt = 0; attempt < 3; attempt++) {
      let key: number | undefined;
      const bid = this.bids.ticksAt(0);
      const ask = this.asks.ticksAt(0);
      if (this.rng.chance(0.25) && ask - bid > 1) {
        const t = bid + 1 + this.rng.int(ask - bid - 1);
        key = side === ASKS ? t : -t;
      } else {
        const i = this.rank(s.size);
        const a = s.keys[i];
        const b = s.keys[i + 1];
        if (a !== undefined && b !== undefined && b - a > 1) key = a + 1 + this.rng.int(b - a - 1);
      }
      if (key !== undefined) {
        this.apply(side, key, this.newLots());
        return key;
      }
    }
    return undefined;
  }

  /** Touches `key` again within the same message: a second change, or a delete and a re-add. */
  private repeat(side: SideIndex, key: number): void {
    const s = this.sides[side];
    if (!s.has(key)) {
      if (this.crosses(side, key)) return;
      this.apply(side, key, this.newLots());
    } else if (this.rng.chance(0.5) || s.size <= 1) {
      this.apply(side, key, this.newLots());
    } else {
      this.apply(side, key, 0);
      this.apply(side, key, this.newLots());
    }
  }

  /** Whether a level at `key` on `side` would meet or cross the other side's best. */
  private crosses(side: SideIndex, key: number): boolean {
    return side === ASKS ? key <= this.bids.ticksAt(0) : -key >= this.asks.ticksAt(0);
  }

  /**
   * The mid's random walk, pulled back toward the anchor (the pair's starting price unless drifted): the touch on one side
   * is taken out (one or two levels) and a new best level appears on the other side.
   */
  private walk(): void {
    const rng = this.rng;
    const bid = this.bids.ticksAt(0);
    const ask = this.asks.ticksAt(0);
    const dev = ((bid + ask) / 2 - this.anchorTicks) / this.anchorTicks;
    const up = rng.chance(Math.min(0.9, Math.max(0.1, 0.5 - dev * 40)));
    const taken = rng.chance(0.3) ? 2 : 1;
    if (up) {
      for (let i = 0; i < taken && this.asks.size > 1; i++) this.apply(ASKS, this.asks.keys[0]!, 0);
      const newAsk = this.asks.ticksAt(0);
      if (newAsk - bid > 1) this.apply(BIDS, -Math.max(bid + 1, newAsk - 1 - rng.int(2)), this.newLots());
    } else {
      for (let i = 0; i < taken && this.bids.size > 1; i++) this.apply(BIDS, this.bids.keys[0]!, 0);
      const newBid = this.bids.ticksAt(0);
      if (ask - newBid > 1) this.apply(ASKS, Math.min(ask - 1, newBid + 1 + rng.int(2)), this.newLots());
    }
  }

  /** Keeps each side between MIN_LEVELS and MAX_LEVELS deep by adding or removing its worst levels. */
  private maintain(side: SideIndex): void {
    const s = this.sides[side];
    while (s.size < MIN_LEVELS) {
      const key = this.appendWorst(s);
      if (key === undefined) break;
      this.changes.push({ side, key, lots: s.lots[s.size - 1]! });
    }
    while (s.size > MAX_LEVELS) this.apply(side, s.keys[s.size - 1]!, 0);
  }

  /** Adds a level below the worst one (never at or under a zero price); returns its key. */
  private appendWorst(s: SideBook): number | undefined {
    const key = s.keys[s.size - 1]! + this.gap();
    if (s.sign === -1 && key > -1) return undefined;
    s.set(key, this.newLots());
    return key;
  }
}

/**
 * When the next message comes: exponential gaps around the mean, quiet spells of 50–90 mean
 * gaps (5–9 s at 10 messages a second, like a quiet real book) and bursts of fast messages.
 */
export class Pacer {
  private burstLeft = 0;

  constructor(private readonly rng: Random) {}

  /** Seconds until the next message, for `rate` messages a second on average. */
  next(rate: number): number {
    const rng = this.rng;
    const mean = 1 / rate;
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return rng.exponential(mean / 25);
    }
    const u = rng.next();
    if (u < 0.002) return (50 + rng.next() * 40) * mean;
    if (u < 0.012) {
      this.burstLeft = 5 + rng.int(30);
      return rng.exponential(mean / 25);
    }
    return rng.exponential(mean * 0.8);
  }
}
