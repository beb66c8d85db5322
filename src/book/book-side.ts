import { checksumText } from "./checksum.js";
import { appendCrc, rawCrc } from "./crc-combine.js";
import { isZeroText, priceKey } from "./price-key.js";

/** A price level held by a book; `price` and `qty` are exact wire text. */
export type BookLevel = {
  readonly price: string;
  readonly qty: string;
};

/**
 * Internal mutable level. Its checksum part (price text then qty text, see checksumText) is
 * prepared once, the first time the level reaches the top 10, and again only when its qty changes:
 * levels set deep in a 1000-level book that never reach the top cost nothing.
 */
class Level implements BookLevel {
  /** Raw CRC register of this level's checksum text, and that text's length (-1: not prepared). */
  crc = 0;
  crcLength = -1;
  private priceText: string | undefined;

  constructor(
    readonly price: string,
    public qty: string,
    /** Ascending sort key: the price for asks, its negation for bids. */
    readonly key: number,
  ) {}

  prepare(): void {
    this.priceText ??= checksumText(this.price);
    const text = this.priceText + checksumText(this.qty);
    this.crc = rawCrc(text);
    this.crcLength = text.length;
  }
}

/** Levels at or above this index never reach the checksum. */
export const CHECKSUM_LEVELS = 10;
const CLEAN = Number.MAX_SAFE_INTEGER;

/**
 * One side of a book, best level first, kept sorted by binary search and splice:
 * no re-sort, no Decimal arithmetic. Distinct fixed-precision prices map to distinct,
 * equally ordered doubles, so the numeric key orders exactly while the text stays exact.
 */
export class BookSide {
  private readonly sign: 1 | -1;
  private readonly list: Level[] = [];
  /** Lowest index changed since the checksum was last taken (CLEAN: none). */
  private dirtyFrom = 0;
  /** How many levels reached the checksum when it was last taken. */
  private checkedCount = 0;
  /** Raw CRC register after the first i checksum levels, from a zero register, and their text length. */
  private readonly registers = new Int32Array(CHECKSUM_LEVELS + 1);
  private readonly lengths = new Int32Array(CHECKSUM_LEVELS + 1);
  private readonly part = { crc: 0, length: 0 };

  constructor(readonly side: "bids" | "asks") {
    this.sign = side === "bids" ? -1 : 1;
  }

  get levels(): readonly BookLevel[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  best(): BookLevel | undefined {
    return this.list[0];
  }

  /** Price of the best level as a number, for the crossed-book test; NaN when empty. */
  bestKey(): number {
    const l = this.list[0];
    return l === undefined ? NaN : l.key * this.sign;
  }

  clear(): void {
    this.list.length = 0;
    this.dirtyFrom = 0;
  }

  /** Sets a level's quantity (absolute), or deletes it when `qty` is zero. */
  set(price: string, qty: string): void {
    const list = this.list;
    const key = priceKey(price) * this.sign;
    // Binary search for the first level whose key is >= key.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    const found = list[lo];
    if (isZeroText(qty)) {
      if (found === undefined || found.key !== key) return;
      list.splice(lo, 1);
    } else if (found !== undefined && found.key === key) {
      found.qty = qty;
      found.crcLength = -1;
    } else if (lo === list.length) {
      list.push(new Level(price, qty, key));
    } else {
      list.splice(lo, 0, new Level(price, qty, key));
    }
    if (lo < this.dirtyFrom) this.dirtyFrom = lo;
  }

  /** Drops levels beyond `depth` (Kraken never sends deletes for them). */
  truncate(depth: number): void {
    if (this.list.length > depth) this.list.length = depth;
  }

  /** Number of levels that reach the checksum. */
  checksumCount(): number {
    return this.list.length < CHECKSUM_LEVELS ? this.list.length : CHECKSUM_LEVELS;
  }

  /**
   * Raw CRC register (from zero) of this side's top-10 checksum text, and that text's length;
   * the book combines the two sides. Recomputes only from the first level changed since last time.
   */
  checksumPart(): { readonly crc: number; readonly length: number } {
    const { list, registers, lengths } = this;
    const n = this.checksumCount();
    if (this.dirtyFrom < n || n !== this.checkedCount) {
      for (let i = Math.min(this.dirtyFrom, n); i < n; i++) {
        const level = list[i]!;
        if (level.crcLength < 0) level.prepare();
        registers[i + 1] = appendCrc(registers[i]!, level.crc, level.crcLength);
        lengths[i + 1] = lengths[i]! + level.crcLength;
      }
      this.dirtyFrom = CLEAN;
      this.checkedCount = n;
    }
    this.part.crc = registers[n]!;
    this.part.length = lengths[n]!;
    return this.part;
  }
}
