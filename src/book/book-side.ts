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

/** Levels at or above this rank (0 = best) never reach the checksum. */
export const CHECKSUM_LEVELS = 10;
const CLEAN = Number.MAX_SAFE_INTEGER;

/**
 * A level's data, INTS per slot in `ints`: the raw CRC register of its checksum text (price text then
 * qty text, see checksumText) and that text's length (-1: not prepared); the same for the price alone,
 * kept across qty changes; and where its strings are in `texts`.
 */
const CRC = 0;
const CRC_LENGTH = 1;
const PRICE_CRC = 2;
const PRICE_LENGTH = 3;
const TEXT = 4;
const INTS = 5;
/** A level's price and qty text, TEXTS per entry in `texts`. */
const PRICE = 0;
const QTY = 1;
const TEXTS = 2;

/** Slots a new side starts with (a depth-10 book rarely holds more than a few dozen levels). */
const INITIAL_SLOTS = 64;
/** Moves of more levels than this copy the typed arrays natively (copyWithin) instead of by hand. */
const NATIVE_MOVE = 24;
/** Scratch for feedWire's second result. */
const measured = { length: 0 };

/**
 * One side of a book, kept sorted by binary search: no re-sort, no Decimal arithmetic.
 * Distinct fixed-precision prices map to distinct, equally ordered doubles, so the numeric key
 * orders exactly while the text stays exact.
 *
 * Levels live in parallel arrays, not as objects: their keys in a Float64Array, their checksum data in
 * an Int32Array, their price and qty strings in one array. A level therefore costs no allocation but
 * its strings, and nothing the garbage collector has to trace but those strings. The strings stay in
 * their entry of `texts` while the level moves (entries are taken from and given back to a free list),
 * so moving levels copies only typed arrays, natively, with no write barrier per string. At depth 1000 most
 * inserts are long-lived levels at the far end of the range (the book refilling as the touch moves):
 * as objects (a level, its boxed key and CRC fields), each survived young collections and was copied
 * and promoted, which cost more than all the book's other work.
 *
 * The levels run from the worst to the best in slots `head`…`end` of the arrays, with free slots on
 * both sides, so the busy end (the touch) is at `end`, truncation advances `head`, and an insert or
 * delete moves the levels on whichever side of it is shorter: few near either end, at most half the
 * side deep in it. When a side runs out of free slots at one end its levels are re-centred (the arrays
 * grow when less than half of them is free): once per several hundred levels added at that end.
 *
 * The checksum part of a level (its text's CRC) is prepared once, the first time the level reaches the
 * top 10, and again only when its qty changes: levels deep in a 1000-level book that never reach the top
 * cost nothing. A level set from a scanned frame within the top 10 is prepared at once from the frame's
 * bytes, which is cheaper than reading its strings later.
 *
 * Levels come in two ways with the same result: as parsed `{price, qty}` text (set, load: the
 * generic parser's messages, tests) or straight from a frame BookScan accepted whole (setScanned,
 * loadScanned: the hot path of verify and of the feed), which reads keys and zero tests from the scan
 * and makes only the strings the side keeps.
 */
export class BookSide {
  /** Makes keys ascend from worst to best: asks worst = highest price, bids worst = lowest. */
  private readonly sign: 1 | -1;
  private keys = new Float64Array(INITIAL_SLOTS);
  private ints = new Int32Array(INITIAL_SLOTS * INTS);
  /** Entries of TEXTS strings, one per slot, held by levels or free (empty). */
  private texts: string[] = emptyTexts(INITIAL_SLOTS * TEXTS);
  /** The free entries of `texts`, a stack. */
  private free = countUp(INITIAL_SLOTS);
  private freeCount = INITIAL_SLOTS;
  /** The levels are in slots head…end, worst to best. */
  private head = INITIAL_SLOTS >> 1;
  private end = INITIAL_SLOTS >> 1;
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
    const { texts, ints } = this;
    const out: BookLevel[] = [];
    for (let i = this.end - 1; i >= this.head && out.length < n; i--) {
      const t = ints[i * INTS + TEXT]! * TEXTS;
      out.push({ price: texts[t + PRICE]!, qty: texts[t + QTY]! });
    }
    return out;
  }

  get size(): number {
    return this.end - this.head;
  }

  best(): BookLevel | undefined {
    if (this.end === this.head) return undefined;
    const t = this.ints[(this.end - 1) * INTS + TEXT]! * TEXTS;
    return { price: this.texts[t + PRICE]!, qty: this.texts[t + QTY]! };
  }

  /**
   * Whether this side's best price is at or beyond `other`'s (bids: at or above the best ask), for the
   * crossed-book test; false when either side is empty.
   */
  reaches(other: BookSide): boolean {
    if (this.end === this.head || other.end === other.head) return false;
    return this.keys[this.end - 1]! * this.sign >= other.keys[other.end - 1]! * other.sign;
  }

  clear(): void {
    for (let i = this.head; i < this.end; i++) this.release(i);
    this.head = this.end = this.keys.length >> 1;
    this.dirtyFrom = 0;
  }

  /**
   * Replaces the side with a snapshot's levels. They come best first; when they are strictly
   * ordered and none is zero, they are loaded in one pass, else level by level.
   */
  load(levels: readonly WireLevel[]): void {
    this.clear();
    this.reserve(levels.length);
    let previous = -Infinity;
    for (let i = levels.length - 1; i >= 0; i--) {
      const { price, qty } = levels[i]!;
      const key = priceKey(price) * this.sign;
      if (!(key > previous) || isZeroText(qty)) {
        this.clear();
        for (const l of levels) this.set(l.price, l.qty);
        return;
      }
      this.place(this.end++, key, price, qty);
      previous = key;
    }
  }

  /** `load` for levels `from`…`to` of a scanned frame (BookScan), read straight from its text. */
  loadScanned(scan: BookScan, from: number, to: number): void {
    this.clear();
    this.reserve(to - from);
    const sign = this.sign;
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
      this.place(this.end++, key, price, scan.slice(priceEnd + QTY_OFFSET, levels[o + QTY_END]!));
      previous = key;
    }
  }

  /** Sets a level's quantity (absolute), or deletes it when `qty` is zero. */
  set(price: string, qty: string): void {
    const key = priceKey(price) * this.sign;
    const lo = this.search(key);
    if (lo < this.end && this.keys[lo] === key) {
      if (isZeroText(qty)) this.remove(lo);
      else this.setQty(lo, qty);
    } else if (!isZeroText(qty)) {
      this.place(this.insert(lo), key, price, qty);
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
    const sign = this.sign;
    const { bytes, levels, keys } = scan;
    for (let i = from; i < to; i++) {
      const key = keys[i]! * sign;
      const o = i * LEVEL_STRIDE;
      const priceStart = levels[o + PRICE_START]!;
      const priceEnd = levels[o + PRICE_END]!;
      const qtyEnd = levels[o + QTY_END]!;
      let at = this.search(key);
      // Rank (0 = best) of the level set, or taken by the level inserted.
      let rank = this.end - 1 - at;
      if (at < this.end && this.keys[at] === key) {
        if (levels[o + QTY_NONZERO] === 0) {
          this.remove(at);
          continue;
        }
        this.setQty(at, scan.slice(priceEnd + QTY_OFFSET, qtyEnd));
      } else if (levels[o + QTY_NONZERO] !== 0) {
        rank++;
        if (rank - (to - 1 - i) >= depth) continue;
        const price = scan.slice(priceStart, priceEnd);
        at = this.insert(at);
        this.place(at, key, price, scan.slice(priceEnd + QTY_OFFSET, qtyEnd));
      } else {
        continue;
      }
      if (rank < CHECKSUM_LEVELS) this.prepareFrom(at, bytes, priceStart, priceEnd, qtyEnd);
    }
  }

  /**
   * Slot of the first level whose key is >= key (`end` when none is). Most changes land at or near
   * the touch, the end: the search gallops down from there (ranks 0, 1, 3, 7, …), then bisects the
   * last stride, so a change at rank r reads about 2·log2(r) keys. The next most common place is
   * beyond the worst level (a full book at depth 1000 gets one such level every few messages): that
   * is one read of the worst key.
   */
  private search(key: number): number {
    const keys = this.keys;
    const head = this.head;
    const n = this.end;
    // Beyond the worst level: a price that fell out of range, or one the book is too deep to keep.
    if (n === head || !(keys[head]! < key)) return head;
    let lo = head;
    let hi = n;
    for (let step = 1; step <= n - head; step *= 2) {
      if (keys[n - step]! < key) {
        lo = n - step + 1;
        break;
      }
      hi = n - step;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Marks rank (0 = best) `rank` and every worse one changed for the checksum. */
  private touch(rank: number): void {
    if (rank < this.dirtyFrom) this.dirtyFrom = rank;
  }

  /** Fills slot `at` with a level not yet prepared for the checksum, its strings in a free entry. */
  private place(at: number, key: number, price: string, qty: string): void {
    const ints = this.ints;
    const o = at * INTS;
    const entry = this.free[--this.freeCount]!;
    this.keys[at] = key;
    ints[o + CRC_LENGTH] = -1;
    ints[o + PRICE_LENGTH] = -1;
    ints[o + TEXT] = entry;
    this.texts[entry * TEXTS + PRICE] = price;
    this.texts[entry * TEXTS + QTY] = qty;
  }

  /** Gives slot `at`'s strings back to the free entries. */
  private release(at: number): void {
    const entry = this.ints[at * INTS + TEXT]!;
    this.texts[entry * TEXTS + PRICE] = this.texts[entry * TEXTS + QTY] = "";
    this.free[this.freeCount++] = entry;
  }

  private setQty(at: number, qty: string): void {
    const o = at * INTS;
    this.texts[this.ints[o + TEXT]! * TEXTS + QTY] = qty;
    this.ints[o + CRC_LENGTH] = -1;
    this.touch(this.end - 1 - at);
  }

  /** Removes the level in slot `at`, moving the shorter run of levels on either side of it. */
  private remove(at: number): void {
    const { head, end } = this;
    this.touch(end - 1 - at);
    this.release(at);
    if (end - 1 - at <= at - head) {
      this.move(at + 1, at, end - 1 - at);
      this.end = end - 1;
    } else {
      this.move(head, head + 1, at - head);
      this.head = head + 1;
    }
  }

  /**
   * Makes a free slot for a level that goes before the one in slot `at` (taking its rank), moving the
   * shorter run of levels on either side; returns the free slot.
   */
  private insert(at: number): number {
    this.touch(this.end - at);
    if (this.end - at <= at - this.head) {
      if (this.end === this.keys.length) at = this.recentre(at, 1);
      this.move(at, at + 1, this.end - at);
      this.end++;
      return at;
    }
    if (this.head === 0) at = this.recentre(at, 1);
    this.move(this.head, this.head - 1, at - this.head);
    this.head--;
    return at - 1;
  }

  /** Moves `count` levels from slot `from` on to slot `to` on (the runs may overlap). */
  private move(from: number, to: number, count: number): void {
    if (count === 0) return;
    const { keys, ints } = this;
    if (count > NATIVE_MOVE) {
      keys.copyWithin(to, from, from + count);
      ints.copyWithin(to * INTS, from * INTS, (from + count) * INTS);
    } else if (to < from) {
      for (let i = 0; i < count; i++) keys[to + i] = keys[from + i]!;
      const a = to * INTS;
      const b = from * INTS;
      for (let i = 0; i < count * INTS; i++) ints[a + i] = ints[b + i]!;
    } else {
      for (let i = count - 1; i >= 0; i--) keys[to + i] = keys[from + i]!;
      const a = to * INTS;
      const b = from * INTS;
      for (let i = count * INTS - 1; i >= 0; i--) ints[a + i] = ints[b + i]!;
    }
  }

  /** Makes the arrays hold at least `size` levels with room at both ends, the side being empty. */
  private reserve(size: number): void {
    if (size + 2 > this.keys.length) this.resize(2 * size + INITIAL_SLOTS);
    this.head = this.end = (this.keys.length - size) >> 1;
  }

  /**
   * Centres the levels in the arrays (grown first when fewer than half the slots would stay free), so
   * that `extra` more levels fit at either end; returns where slot `at` went.
   */
  private recentre(at: number, extra: number): number {
    const size = this.end - this.head;
    if (2 * (size + extra) > this.keys.length) this.resize(2 * (size + extra) + INITIAL_SLOTS);
    const head = (this.keys.length - size) >> 1;
    const shift = head - this.head;
    if (shift !== 0) {
      this.move(this.head, head, size);
      this.head = head;
      this.end = head + size;
    }
    return at + shift;
  }

  /** New arrays of `slots` slots (and entries) holding the same levels in the same slots and entries. */
  private resize(slots: number): void {
    const old = this.keys.length;
    const keys = new Float64Array(slots);
    const ints = new Int32Array(slots * INTS);
    const { head, end } = this;
    keys.set(this.keys.subarray(head, end), head);
    ints.set(this.ints.subarray(head * INTS, end * INTS), head * INTS);
    this.texts.length = slots * TEXTS;
    this.texts.fill("", old * TEXTS);
    // The new entries go on top of the free ones, the lowest on top.
    const free = new Int32Array(slots);
    free.set(this.free.subarray(0, this.freeCount));
    for (let i = 0; i < slots - old; i++) free[this.freeCount + i] = slots - 1 - i;
    this.freeCount += slots - old;
    this.keys = keys;
    this.ints = ints;
    this.free = free;
  }

  /** Drops levels beyond `depth`, from the worst end (Kraken never sends deletes for them). */
  truncate(depth: number): void {
    const head = this.head;
    const excess = this.end - head - depth;
    if (excess <= 0) return;
    for (let i = head; i < head + excess; i++) this.release(i);
    this.head = head + excess;
  }

  /** Number of levels that reach the checksum. */
  checksumCount(): number {
    const size = this.end - this.head;
    return size < CHECKSUM_LEVELS ? size : CHECKSUM_LEVELS;
  }

  /** Prepares slot `at`'s checksum part from its strings. */
  private prepare(at: number): void {
    const { ints, texts } = this;
    const o = at * INTS;
    const t = ints[o + TEXT]! * TEXTS;
    if (ints[o + PRICE_LENGTH]! < 0) {
      ints[o + PRICE_CRC] = feedWire(0, texts[t + PRICE]!, measured);
      ints[o + PRICE_LENGTH] = measured.length;
    }
    ints[o + CRC] = feedWire(ints[o + PRICE_CRC]!, texts[t + QTY]!, measured);
    ints[o + CRC_LENGTH] = ints[o + PRICE_LENGTH]! + measured.length;
  }

  /** `prepare` from the frame bytes slot `at`'s price and qty were just read from. */
  private prepareFrom(at: number, b: Uint8Array, priceStart: number, priceEnd: number, qtyEnd: number): void {
    const ints = this.ints;
    const o = at * INTS;
    if (ints[o + PRICE_LENGTH]! < 0) {
      ints[o + PRICE_CRC] = feedWireBytes(0, b, priceStart, priceEnd, measured);
      ints[o + PRICE_LENGTH] = measured.length;
    }
    ints[o + CRC] = feedWireBytes(ints[o + PRICE_CRC]!, b, priceEnd + QTY_OFFSET, qtyEnd, measured);
    ints[o + CRC_LENGTH] = ints[o + PRICE_LENGTH]! + measured.length;
  }

  /**
   * Raw CRC register (from zero) of this side's top-10 checksum text, and that text's length;
   * the book combines the two sides. Recomputes only from the best-ranked level changed since last time.
   */
  checksumPart(): { readonly crc: number; readonly length: number } {
    const { registers, lengths } = this;
    const n = this.checksumCount();
    if (this.dirtyFrom < n || n !== this.checkedCount) {
      const last = this.end - 1;
      const ints = this.ints;
      for (let i = Math.min(this.dirtyFrom, n); i < n; i++) {
        const at = last - i;
        if (ints[at * INTS + CRC_LENGTH]! < 0) this.prepare(at);
        const length = ints[at * INTS + CRC_LENGTH]!;
        registers[i + 1] = shifted(shiftTable(length), registers[i]!) ^ ints[at * INTS + CRC]!;
        lengths[i + 1] = lengths[i]! + length;
      }
      this.dirtyFrom = CLEAN;
      this.checkedCount = n;
    }
    this.part.crc = registers[n]!;
    this.part.length = lengths[n]!;
    return this.part;
  }
}

/** `n` empty strings (filled natively: a side's first snapshot runs before any of this is compiled). */
function emptyTexts(n: number): string[] {
  return new Array<string>(n).fill("");
}

/** A stack of the entries 0…n, the lowest on top. */
function countUp(n: number): Int32Array {
  const stack = new Int32Array(n);
  for (let i = 0; i < n; i++) stack[i] = n - 1 - i;
  return stack;
}
