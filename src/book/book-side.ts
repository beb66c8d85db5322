import {
  LEVEL_STRIDE,
  PRICE_END,
  PRICE_START,
  QTY_END,
  QTY_NONZERO,
  QTY_OFFSET,
} from "../protocol/book-scan.js";
import type { BookScan } from "../protocol/book-scan.js";
import type { WireLevel } from "../protocol/types.js";
import { feedWire, feedWireBytes, shifted, shiftTable } from "./crc-combine.js";
import { isZeroText, priceKey } from "./price-key.js";

/** A price level held by a book; `price` and `qty` are exact wire text. */
export type BookLevel = {
  readonly price: string;
  readonly qty: string;
};

const NO_SHIFT = new Int32Array(0);
/** Scratch for feedWire's second result. */
const measured = { length: 0 };

/**
 * Internal mutable level. Its part of the checksum (price text then qty text, see checksumText)
 * is prepared once, the first time the level reaches the top 10, and again only when its qty
 * changes: levels set deep in a 1000-level book that never reach the top cost nothing. A level set
 * from a scanned frame within the top 10 is prepared at once from the frame's bytes (prepareFrom),
 * which is cheaper than reading its strings later.
 */
class Level implements BookLevel {
  /** Raw CRC register of this level's checksum text, and that text's length (-1: not prepared). */
  crc = 0;
  crcLength = -1;
  /** shiftTable(crcLength), kept with the level: the checksum appends it once a message or so. */
  shift: Int32Array = NO_SHIFT;
  /** The price's part, kept across qty changes (priceLength -1: not prepared). */
  private priceCrc = 0;
  private priceLength = -1;

  constructor(
    readonly price: string,
    public qty: string,
    /** Ascending along the array, which runs worst to best: see BookSide. */
    readonly key: number,
  ) {}

  prepare(): void {
    if (this.priceLength < 0) {
      this.priceCrc = feedWire(0, this.price, measured);
      this.priceLength = measured.length;
    }
    this.crc = feedWire(this.priceCrc, this.qty, measured);
    this.crcLength = this.priceLength + measured.length;
    this.shift = shiftTable(this.crcLength);
  }

  /** `prepare` from the frame bytes this level's price and qty were just read from. */
  prepareFrom(b: Uint8Array, priceStart: number, priceEnd: number, qtyEnd: number): void {
    if (this.priceLength < 0) {
      this.priceCrc = feedWireBytes(0, b, priceStart, priceEnd, measured);
      this.priceLength = measured.length;
    }
    this.crc = feedWireBytes(this.priceCrc, b, priceEnd + QTY_OFFSET, qtyEnd, measured);
    this.crcLength = this.priceLength + measured.length;
    this.shift = shiftTable(this.crcLength);
  }
}

/** Levels at or above this rank (0 = best) never reach the checksum. */
export const CHECKSUM_LEVELS = 10;
const CLEAN = Number.MAX_SAFE_INTEGER;
/** Up to this many levels are moved by hand on an insert or delete (see remove). */
const SHORT_MOVE = 16;
/** Free slots made at a side's front at once for inserts near its worst end, and the most it keeps. */
const FRONT_ROOM = 64;
const MAX_FRONT_ROOM = 256;
/** FRONT_ROOM free slots, added in place (a side's methods keep the array in locals). */
const FRONT: undefined[] = new Array<undefined>(FRONT_ROOM).fill(undefined);

/**
 * One side of a book, kept sorted by binary search: no re-sort, no Decimal arithmetic.
 * Distinct fixed-precision prices map to distinct, equally ordered doubles, so the numeric key
 * orders exactly while the text stays exact.
 *
 * The array runs from the worst level to the best, so the busy end (the touch) is the array's end:
 * inserting or deleting there moves few elements, and truncation drops from the front with
 * `shift()`, which V8 does in O(1). Best-first storage measured ~2 µs per level change at depth
 * 1000, almost all of it `splice` moving a thousand pointers.
 *
 * Levels come in two ways with the same result: as parsed `{price, qty}` text (set, load: the
 * generic parser's messages, tests) or straight from a frame BookScan accepted whole (setScanned,
 * loadScanned: the hot path of verify and of the feed), which reads keys and zero tests from the scan
 * and makes only the strings the side keeps.
 */
export class BookSide {
  /** Makes keys ascend from worst to best: asks worst = highest price, bids worst = lowest. */
  private readonly sign: 1 | -1;
  /**
   * The levels, worst to best, from `head` on: the slots before `head` are free (undefined), so that a
   * level inserted near the worst end moves the few levels below it down into a free slot instead of
   * the many above it up. At depth 1000 about 40% of the inserts land among the 10 worst levels (the
   * book refilling its far end), and `splice` moved ~1000 levels for each.
   */
  private readonly list: (Level | undefined)[] = [];
  private head = 0;
  /** Lowest rank (0 = best) changed since the checksum was last taken (CLEAN: none). */
  private dirtyFrom = 0;
  /** How many levels reached the checksum when it was last taken. */
  private checkedCount = 0;
  /** Raw CRC register after the first i checksum levels, from a zero register, and their text length. */
  private readonly registers = new Int32Array(CHECKSUM_LEVELS + 1);
  private readonly lengths = new Int32Array(CHECKSUM_LEVELS + 1);
  private readonly part = { crc: 0, length: 0 };

  constructor(readonly side: "bids" | "asks") {
    this.sign = side === "bids" ? 1 : -1;
  }

  /** All levels, best first (a copy: O(size)). */
  get levels(): readonly BookLevel[] {
    return this.top(this.size);
  }

  /** The best `n` levels, best first, as plain copies. */
  top(n: number): BookLevel[] {
    const list = this.list;
    const out: BookLevel[] = [];
    for (let i = list.length - 1; i >= this.head && out.length < n; i--)
      out.push({ price: list[i]!.price, qty: list[i]!.qty });
    return out;
  }

  get size(): number {
    return this.list.length - this.head;
  }

  best(): BookLevel | undefined {
    return this.list[this.list.length - 1];
  }

  /**
   * Whether this side's best price is at or beyond `other`'s (bids: at or above the best ask), for the
   * crossed-book test; false when either side is empty. Compared here, the two prices need no heap
   * boxes (a price returned from a call did: ~2 per message).
   */
  reaches(other: BookSide): boolean {
    const mine = this.list[this.list.length - 1];
    const theirs = other.list[other.list.length - 1];
    return mine !== undefined && theirs !== undefined && mine.key * this.sign >= theirs.key * other.sign;
  }

  clear(): void {
    this.list.length = 0;
    this.head = 0;
    this.dirtyFrom = 0;
  }

  /**
   * Replaces the side with a snapshot's levels. They come best first; when they are strictly
   * ordered and none is zero, they are loaded in one pass, else level by level.
   */
  load(levels: readonly WireLevel[]): void {
    this.clear();
    const list = this.list;
    let previous = -Infinity;
    for (let i = levels.length - 1; i >= 0; i--) {
      const { price, qty } = levels[i]!;
      const key = priceKey(price) * this.sign;
      if (!(key > previous) || isZeroText(qty)) {
        this.clear();
        for (const l of levels) this.set(l.price, l.qty);
        return;
      }
      list.push(new Level(price, qty, key));
      previous = key;
    }
  }

  /** `load` for levels `from`…`to` of a scanned frame (BookScan), read straight from its text. */
  loadScanned(scan: BookScan, from: number, to: number): void {
    this.clear();
    const { list, sign } = this;
    const { levels, keys } = scan;
    let previous = -Infinity;
    for (let i = to - 1; i >= from; i--) {
      const key = keys[i]! * sign;
      const o = i * LEVEL_STRIDE;
      if (!(key > previous) || levels[o + QTY_NONZERO] === 0) {
        this.clear();
        this.setScanned(scan, from, to, Infinity);
        return;
      }
      const priceEnd = levels[o + PRICE_END]!;
      const price = scan.slice(levels[o + PRICE_START]!, priceEnd);
      list.push(new Level(price, scan.slice(priceEnd + QTY_OFFSET, levels[o + QTY_END]!), key));
      previous = key;
    }
  }

  /** Sets a level's quantity (absolute), or deletes it when `qty` is zero. */
  set(price: string, qty: string): void {
    const list = this.list;
    const key = priceKey(price) * this.sign;
    const lo = this.search(key);
    const found = list[lo];
    if (found !== undefined && found.key === key) {
      if (isZeroText(qty)) this.remove(lo);
      else this.setQty(lo, found, qty);
    } else if (!isZeroText(qty)) {
      this.insert(lo, new Level(price, qty, key));
    }
  }

  /**
   * `set` for levels `from`…`to` of a scanned frame, in wire order, on a side kept to `depth` levels.
   * Keys and zero tests come from the scan; the only strings made are the ones the book keeps: a set
   * level's qty, a new level's price. A level within the top 10 is prepared for the checksum from the
   * frame's bytes at once. A new level that lands so deep that it cannot climb back within `depth`
   * before the message ends (each later level of this side removes at most one level above it) is not
   * stored at all: `truncate` would drop it.
   */
  setScanned(scan: BookScan, from: number, to: number, depth: number): void {
    const { list, sign } = this;
    const { bytes, levels, keys } = scan;
    for (let i = from; i < to; i++) {
      const key = keys[i]! * sign;
      const o = i * LEVEL_STRIDE;
      const priceStart = levels[o + PRICE_START]!;
      const priceEnd = levels[o + PRICE_END]!;
      const qtyEnd = levels[o + QTY_END]!;
      const lo = this.search(key);
      // Rank (0 = best) of the level set, or taken by the level inserted.
      let rank = list.length - 1 - lo;
      let level = list[lo];
      if (level !== undefined && level.key === key) {
        if (levels[o + QTY_NONZERO] === 0) {
          this.remove(lo);
          continue;
        }
        this.setQty(lo, level, scan.slice(priceEnd + QTY_OFFSET, qtyEnd));
      } else if (levels[o + QTY_NONZERO] !== 0) {
        rank++;
        if (rank - (to - 1 - i) >= depth) continue;
        const price = scan.slice(priceStart, priceEnd);
        level = new Level(price, scan.slice(priceEnd + QTY_OFFSET, qtyEnd), key);
        this.insert(lo, level);
      } else {
        continue;
      }
      if (rank < CHECKSUM_LEVELS) level.prepareFrom(bytes, priceStart, priceEnd, qtyEnd);
    }
  }

  /**
   * Index of the first level whose key is >= key (the list's length when none is). Most changes land
   * at or near the touch, the array's end: the search gallops down from there (ranks 0, 1, 3, 7, …),
   * then bisects the last stride, so a change at rank r reads about 2·log2(r) levels, all near the
   * cache-warm touch, instead of log2(size) spread over the whole array. The next most common place
   * is beyond the worst level (a full book at depth 1000 gets one such level every few messages):
   * that is one read of the array's first level.
   */
  private search(key: number): number {
    const list = this.list;
    const head = this.head;
    const n = list.length;
    // Beyond the worst level: a price that fell out of range, or one the book is too deep to keep.
    if (n === head || !(list[head]!.key < key)) return head;
    let lo = head;
    let hi = n;
    for (let step = 1; step <= n - head; step *= 2) {
      if (list[n - step]!.key < key) {
        lo = n - step + 1;
        break;
      }
      hi = n - step;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Marks rank (0 = best) `rank` and every worse one changed for the checksum. */
  private touch(rank: number): void {
    if (rank < this.dirtyFrom) this.dirtyFrom = rank;
  }

  /**
   * Removes the level at `index`. Near the touch (the array's end, where most changes land) the few
   * levels above it move down one by one; deeper, `splice` moves them natively (a loop measured slower
   * for hundreds of elements, and `splice` allocates its result array, which costs more for a few).
   */
  private remove(index: number): void {
    const list = this.list;
    const last = list.length - 1;
    const head = this.head;
    this.touch(last - index);
    if (last - index <= SHORT_MOVE) {
      for (let i = index; i < last; i++) list[i] = list[i + 1]!;
      list.pop();
    } else if (index - head <= SHORT_MOVE) {
      // Near the worst end: the levels below move up, freeing a slot at the front.
      for (let i = index; i > head; i--) list[i] = list[i - 1]!;
      list[head] = undefined;
      this.head = head + 1;
    } else {
      list.splice(index, 1);
    }
  }

  private setQty(index: number, level: Level, qty: string): void {
    level.qty = qty;
    level.crcLength = -1;
    this.touch(this.list.length - 1 - index);
  }

  /** Inserts before the level at `index`, taking that level's rank (moving levels as `remove` does). */
  private insert(index: number, level: Level): void {
    const list = this.list;
    const length = list.length;
    this.touch(length - index);
    if (index === length) {
      list.push(level);
    } else if (length - index <= SHORT_MOVE) {
      list.push(list[length - 1]!);
      for (let i = length - 1; i > index; i--) list[i] = list[i - 1]!;
      list[index] = level;
    } else if (index - this.head <= SHORT_MOVE) {
      // Near the worst end: the levels below move down into a free slot at the front, and the new
      // level takes the slot just below the one at `index`.
      let at = index - 1;
      if (this.head === 0) {
        list.unshift(...FRONT);
        this.head = FRONT_ROOM;
        at += FRONT_ROOM;
      }
      const head = --this.head;
      for (let i = head; i < at; i++) list[i] = list[i + 1]!;
      list[at] = level;
    } else {
      list.splice(index, 0, level);
    }
  }

  /** Drops levels beyond `depth`, from the worst end (Kraken never sends deletes for them). */
  truncate(depth: number): void {
    const list = this.list;
    const head = this.head;
    const excess = list.length - head - depth;
    if (excess <= 0) return;
    const end = head + excess;
    for (let i = head; i < end; i++) list[i] = undefined;
    this.head = end;
    // Free slots beyond what front inserts use are given back (once per MAX_FRONT_ROOM dropped levels).
    if (end > MAX_FRONT_ROOM) {
      list.splice(0, end - FRONT_ROOM);
      this.head = FRONT_ROOM;
    }
  }

  /** Number of levels that reach the checksum. */
  checksumCount(): number {
    const size = this.list.length - this.head;
    return size < CHECKSUM_LEVELS ? size : CHECKSUM_LEVELS;
  }

  /**
   * Raw CRC register (from zero) of this side's top-10 checksum text, and that text's length;
   * the book combines the two sides. Recomputes only from the best-ranked level changed since last time.
   */
  checksumPart(): { readonly crc: number; readonly length: number } {
    const { list, registers, lengths } = this;
    const n = this.checksumCount();
    if (this.dirtyFrom < n || n !== this.checkedCount) {
      const last = list.length - 1;
      for (let i = Math.min(this.dirtyFrom, n); i < n; i++) {
        const level = list[last - i]!;
        if (level.crcLength < 0) level.prepare();
        registers[i + 1] = shifted(level.shift, registers[i]!) ^ level.crc;
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
