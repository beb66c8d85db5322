import type { Pair } from "./catalogue.js";
import type { Random } from "./random.js";
import { SideBook } from "./side-book.js";

export const BIDS = 0;
export const ASKS = 1;
export type SideIndex = typeof BIDS | typeof ASKS;

/** One level change in the full book, in the order it happened; `lots` 0 deletes. */
export type LevelChange = { readonly side: SideIndex; readonly key: number; readonly lots: number };

/**
 * One fill of a taker order against one resting level: `side` is the taker's (a buy takes asks),
 * `ticks` the level's price, `lots` the size taken from it.
 */
export type Fill = {
  readonly side: "buy" | "sell";
  readonly ticks: number;
  readonly lots: number;
  readonly ordType: "market" | "limit";
};

/** Which taker orders the pair accepts (its instrument status decides: see `tradingFor`). */
export type Trading = "all" | "limit" | "none";

/** Wider than this many ticks, the next resting-order message starts with a re-quote inside the spread. */
const MAX_QUIET_SPREAD = 3;

/** Most levels one taker order reaches. */
const MAX_SWEEP = 4;

/** Share of messages that are a taker order (when the pair trades at all). */
const TAKER_SHARE = 0.12;

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
  private fills: Fill[] = [];
  /** Which taker orders arrive; a pair that is not online takes none or only limit orders. */
  trading: Trading = "all";
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

  /** The fills of the last `step` (empty unless it was a taker order), in the order they happened. */
  get lastFills(): readonly Fill[] {
    return this.fills;
  }

  /**
   * Applies one message's worth of changes to the book and returns them in order. A message is
   * either a taker order (its fills, then any rest of a limit order, then depth upkeep far from the
   * touch) or resting-order activity: never both, so a trade's book update holds only the trade.
   */
  step(): readonly LevelChange[] {
    const rng = this.rng;
    this.changes = [];
    this.fills = [];
    if (this.trading !== "none" && rng.chance(TAKER_SHARE)) {
      this.take(this.trading === "limit" || rng.chance(0.4) ? "limit" : "market");
      this.maintain(BIDS);
      this.maintain(ASKS);
      return this.changes;
    }
    // Makers re-quote into a spread a sweep has widened, so the touch stays a few ticks wide.
    if (this.asks.ticksAt(0) - this.bids.ticksAt(0) > MAX_QUIET_SPREAD) this.requote();
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

  /**
   * A taker order: a buy takes asks from the best up, a sell takes bids from the best down. Its size
   * is mostly part of the best level, sometimes a sweep of a few levels. A limit order stops at its
   * limit price (the last level it reaches) and the rest, if any, rests there on its own side, which
   * the sweep has just emptied of the other side's orders, so the book never crosses.
   */
  private take(ordType: "market" | "limit"): void {
    const rng = this.rng;
    // Takers lean against the mid's deviation from the anchor, as the walk does, so sweeps never
    // carry the price away (a cheap pair's bids must keep room for depth 1000 above zero).
    const buy = rng.chance(this.upChance());
    const makerSide: SideIndex = buy ? ASKS : BIDS;
    const maker = this.sides[makerSide];
    const reach = Math.min(rng.geometric(0.35), MAX_SWEEP - 1, maker.size - 2);
    let want = 0;
    for (let i = 0; i < reach; i++) want += maker.lots[i]!;
    const limitKey = maker.keys[reach]!;
    // A limit order larger than what rests up to its price takes all of it and rests the extra.
    const extra = ordType === "limit" && rng.chance(0.3) ? this.newLots() : 0;
    want +=
      extra > 0
        ? maker.lots[reach]! + extra
        : Math.max(1, Math.round(maker.lots[reach]! * (0.05 + 0.95 * rng.next())));
    const side = buy ? "buy" : "sell";
    while (want > 0 && maker.size > 1 && maker.keys[0]! <= limitKey) {
      const key = maker.keys[0]!;
      const lots = maker.lots[0]!;
      const taken = Math.min(want, lots);
      this.fills.push({ side, ticks: key * maker.sign, lots: taken, ordType });
      this.apply(makerSide, key, lots - taken);
      want -= taken;
    }
    if (extra > 0 && want > 0 && maker.keys[0]! > limitKey) {
      const ticks = limitKey * maker.sign;
      this.apply(buy ? BIDS : ASKS, buy ? -ticks : ticks, want);
    }
  }

  /** A new best level one to three ticks inside the spread: a bid when the mid leans up, else an ask. */
  private requote(): void {
    const bid = this.bids.ticksAt(0);
    const ask = this.asks.ticksAt(0);
    const step = 1 + this.rng.int(Math.min(3, ask - bid - 1));
    if (this.rng.chance(this.upChance())) this.apply(BIDS, -(bid + step), this.newLots());
    else this.apply(ASKS, ask - step, this.newLots());
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
    const up = rng.chance(this.upChance());
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

  /** How likely the next move is up: below one half while the mid is above its anchor, above it while below. */
  private upChance(): number {
    const dev = ((this.bids.ticksAt(0) + this.asks.ticksAt(0)) / 2 - this.anchorTicks) / this.anchorTicks;
    return Math.min(0.9, Math.max(0.1, 0.5 - dev * 40));
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
