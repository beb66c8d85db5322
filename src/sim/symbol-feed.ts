import { checksumText, crc32 } from "../book/checksum.js";
import type { Pair } from "./catalogue.js";
import { formatFixed, rfc3339Micros } from "./format.js";
import { bookFrame } from "./frames.js";
import { ASKS, BIDS, Market, toUnits } from "./market.js";
import type { LevelChange, SideIndex } from "./market.js";
import { Random, deriveSeed } from "./random.js";
import type { SideBook } from "./side-book.js";
import { Tape } from "./tape.js";
import { Ticker, tickerFrame } from "./ticker.js";

const CHECKSUM_LEVELS = 10;

/** What one market message produced, for every channel. */
export type StepFrames = {
  /** The book update frame for each depth asked for (same order); undefined where nothing visible changed. */
  readonly books: readonly (string | undefined)[];
  /** The `trade` update frame when the message was a taker order. */
  readonly trade: string | undefined;
  /** Whether the best bid or ask, or the size at either, changed (the ticker's `bbo` trigger). */
  readonly bboChanged: boolean;
};

/**
 * One pair's market rendered as Kraken frames for any subscribed depths. The same market serves
 * every depth; each depth gets exactly what Kraken would send it:
 * - changes inside the subscriber's range (its top `depth` before or after the message), in order;
 * - an insert for each level that came into range without being touched (after a delete above it);
 * - nothing for levels pushed out of range (the client truncates), nothing for deeper changes.
 * A depth for which nothing visible changed gets no frame. The checksum covers the top 10, which
 * every depth shares, so it is computed once per message.
 */
export class SymbolFeed {
  readonly market: Market;
  readonly tape: Tape;
  private readonly ticker: Ticker;
  private timestamp: string;
  private checksum = 0;

  constructor(
    readonly pair: Pair,
    seed: number,
    startMicros: number,
  ) {
    this.market = new Market(pair, new Random(deriveSeed(seed, pair.symbol)));
    const minLots = Math.max(1, toUnits(pair.qtyMin, pair.qtyPrecision));
    this.tape = new Tape(pair, new Random(deriveSeed(seed, pair.symbol + "#tape")), minLots, startMicros);
    this.ticker = new Ticker(
      pair,
      new Random(deriveSeed(seed, pair.symbol + "#ticker")),
      minLots,
      this.tape.lastTicks,
    );
    this.timestamp = rfc3339Micros(startMicros);
    this.checksum = this.computeChecksum();
  }

  get symbol(): string {
    return this.pair.symbol;
  }

  /** The book's top `depth` levels per side as a snapshot frame. */
  snapshot(depth: number): string {
    return bookFrame(
      "snapshot",
      this.pair.symbol,
      this.topText(BIDS, depth),
      this.topText(ASKS, depth),
      this.checksum,
      this.timestamp,
    );
  }

  /** The last 50 trades as a `trade` snapshot frame. */
  tradeSnapshot(): string {
    return this.tape.snapshot();
  }

  /** The ticker now, as a `ticker` frame. */
  tickerFrame(type: "snapshot" | "update"): string {
    return tickerFrame(type, this.ticker.entry(this.market.bids, this.market.asks, this.timestamp));
  }

  /**
   * Moves the market one message at exchange time `micros`; returns the book update frame for
   * each of `depths` and, when the message was a taker order, its trade frame. The trades and the
   * book update agree: the update holds exactly the size the fills took from each level.
   */
  step(depths: readonly number[], micros: number): StepFrames {
    const { bids, asks } = this.market;
    const before = depths.map((d) => [bids.edge(d), asks.edge(d)] as const);
    const bbo = [bids.keys[0], bids.lots[0], asks.keys[0], asks.lots[0]];
    const changes = this.market.step();
    this.timestamp = rfc3339Micros(micros);
    this.checksum = this.computeChecksum();
    const fills = this.market.lastFills;
    this.ticker.add(fills, micros);
    const books = depths.map((depth, i) => {
      const [bidEdge, askEdge] = before[i]!;
      const b = this.visible(BIDS, depth, bidEdge, changes);
      const a = this.visible(ASKS, depth, askEdge, changes);
      if (b === "" && a === "") return undefined;
      return bookFrame("update", this.pair.symbol, b, a, this.checksum, this.timestamp);
    });
    const bboChanged =
      bbo[0] !== bids.keys[0] ||
      bbo[1] !== bids.lots[0] ||
      bbo[2] !== asks.keys[0] ||
      bbo[3] !== asks.lots[0];
    return { books, trade: this.tape.record(fills, this.timestamp), bboChanged };
  }

  /** What a subscriber at `depth` is sent for one side (see the class comment). */
  private visible(
    side: SideIndex,
    depth: number,
    edgeBefore: number,
    changes: readonly LevelChange[],
  ): string {
    const s = this.market.sides[side];
    const edgeAfter = s.edge(depth);
    const bound = edgeBefore > edgeAfter ? edgeBefore : edgeAfter;
    let out = "";
    for (const c of changes) {
      if (c.side !== side || c.key > bound) continue;
      out += (out === "" ? "" : ",") + this.levelText(s, c.key, c.lots);
    }
    // Levels now inside the range that were outside it before and were not touched: inserts.
    const n = Math.min(depth, s.size);
    let first = n;
    while (first > 0 && s.keys[first - 1]! > edgeBefore) first--;
    for (let i = first; i < n; i++) {
      const key = s.keys[i]!;
      if (changes.some((c) => c.side === side && c.key === key)) continue;
      out += (out === "" ? "" : ",") + this.levelText(s, key, s.lots[i]!);
    }
    return out;
  }

  private levelText(s: SideBook, key: number, lots: number): string {
    return `{"price":${formatFixed(key * s.sign, this.pair.pricePrecision)},"qty":${formatFixed(lots, this.pair.qtyPrecision)}}`;
  }

  private topText(side: SideIndex, depth: number): string {
    const s = this.market.sides[side];
    const n = Math.min(depth, s.size);
    const parts = new Array<string>(n);
    for (let i = 0; i < n; i++) parts[i] = this.levelText(s, s.keys[i]!, s.lots[i]!);
    return parts.join(",");
  }

  /** Kraken's CRC32 over the top 10 asks then bids, from the wire text each level is sent as. */
  private computeChecksum(): number {
    let crc = 0;
    for (const side of [ASKS, BIDS] as const) {
      const s = this.market.sides[side];
      const n = Math.min(CHECKSUM_LEVELS, s.size);
      for (let i = 0; i < n; i++) {
        const price = formatFixed(s.keys[i]! * s.sign, this.pair.pricePrecision);
        const qty = formatFixed(s.lots[i]!, this.pair.qtyPrecision);
        crc = crc32(checksumText(price) + checksumText(qty), crc);
      }
    }
    return crc >>> 0;
  }
}
