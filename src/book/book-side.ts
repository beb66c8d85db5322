import { checksumText, crc32 as crc } from "./checksum.js";

/** A price level held by a book; `price` and `qty` are exact wire text. */
export type BookLevel = {
  readonly price: string;
  readonly qty: string;
};

/** Internal mutable level: sort key and checksum text are prepared once, when the level is set. */
class Level implements BookLevel {
  constructor(
    readonly price: string,
    public qty: string,
    /** Ascending sort key: the price for asks, its negation for bids. */
    readonly key: number,
    readonly priceText: string,
    /** This level's part of the checksum string: price text then qty text. */
    public text: string,
  ) {}
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
  dirtyFrom = 0;
  /** How many levels reached the checksum when it was last taken. */
  private checkedCount = 0;

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
    const key = +price * this.sign;
    // Binary search for the first level whose key is >= key.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    const found = list[lo];
    if (+qty === 0) {
      if (found !== undefined && found.key === key) {
        list.splice(lo, 1);
        if (lo < this.dirtyFrom) this.dirtyFrom = lo;
      }
      return;
    }
    if (found !== undefined && found.key === key) {
      found.qty = qty;
      found.text = found.priceText + checksumText(qty);
    } else {
      const priceText = checksumText(price);
      const level = new Level(price, qty, key, priceText, priceText + checksumText(qty));
      if (lo === list.length) list.push(level);
      else list.splice(lo, 0, level);
    }
    if (lo < this.dirtyFrom) this.dirtyFrom = lo;
  }

  /** Drops levels beyond `depth` (Kraken never sends deletes for them). */
  truncate(depth: number): void {
    if (this.list.length > depth) this.list.length = depth;
  }

  /** Continues `seed` over this side's top-10 checksum text starting at `from`, filling `prefix`. */
  checksumInto(prefix: Int32Array, from: number): number {
    const list = this.list;
    const n = list.length < CHECKSUM_LEVELS ? list.length : CHECKSUM_LEVELS;
    for (let i = from; i < n; i++) prefix[i + 1] = crc(list[i]!.text, prefix[i]!);
    this.dirtyFrom = CLEAN;
    this.checkedCount = n;
    return prefix[n]!;
  }

  /** Number of levels that reach the checksum. */
  checksumCount(): number {
    return this.list.length < CHECKSUM_LEVELS ? this.list.length : CHECKSUM_LEVELS;
  }

  /** Whether the top-10 checksum text changed since it was last taken. */
  checksumStale(): boolean {
    const n = this.checksumCount();
    return this.dirtyFrom < n || n !== this.checkedCount;
  }
}
