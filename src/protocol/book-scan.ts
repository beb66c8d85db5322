import { at, isPrintable, Literal } from "./literal.js";
import type { BookData, BookMessage, WireLevel } from "./types.js";

/**
 * Fast path for book frames in the exact layout Kraken sends:
 * `{"channel":"book","type":"update","data":[{"symbol":"…","bids":[{"price":…,"qty":…}],"asks":[…],"checksum":…,"timestamp":"…"}]}`.
 *
 * `scan(frame)` validates the WHOLE frame first and records where each field lies in reused typed
 * arrays: no object, array or string per level (the symbol is interned, see knownSymbolAt). It answers
 * only "this is Kraken's layout" (true) or "not this layout" (false): any deviation — whitespace,
 * other key order, escapes, exponents, bad numbers — leaves the frame to the generic parser, which
 * accepts what is valid and explains what is not. Nothing is read from a frame that failed.
 *
 * After a successful scan, readers take what they need straight from the text and the positions:
 * the book applies levels (OrderBook.applyScan, slicing only the strings it keeps), `message()`
 * builds the plain BookMessage that parseFrame returns to everyone else. The scan also reads each
 * price's value (the book's sort key) and whether each qty is zero while its digits go by, so the
 * book never reads those characters again.
 *
 * Level i of the frame (bids of entry 0, asks of entry 0, bids of entry 1, …) is described by
 * `levels[i * LEVEL_STRIDE + …]` (PRICE_START, PRICE_END, QTY_END, QTY_NONZERO; the qty starts
 * QTY_OFFSET after the price ends) and `keys[i]`, the price as a double, identical to
 * `Number(price)` (see priceKey). Entry e's levels are `bidsFrom(e)`…`asksFrom(e)`…`asksTo(e)`.
 *
 * The scan reads bytes, not the string: the frame is first encoded as UTF-8 into a reused buffer
 * (one native call, ~80 ns for a 255-character frame), then read as a Uint8Array, which costs about a
 * third of `charCodeAt` per character (a frame line is usually a slice of a larger string, and every
 * `charCodeAt` of a slice goes through it). A frame with any non-ASCII character (its UTF-8 is longer
 * than the string) is left to the generic parser, so byte positions are string positions.
 * `scanLine` takes a line of a file read as bytes (verify) and scans it in place, where it lies in the
 * reader's buffer: no copy, no decoding, and no string unless a reader asks for one (positions then
 * index that buffer); a line with any byte of 128 or more is left to the generic parser the same way.
 *
 * Positions are passed and returned as plain numbers (-1: not this layout) and kept in locals: this
 * is the hottest loop of the app, and module-level cursors measured markedly slower.
 */

const encoder = new TextEncoder();

// The frame's start, with the first entry's opening, for each type.
const UPDATE = new Literal('{"channel":"book","type":"update","data":[{"symbol":"');
const SNAPSHOT = new Literal('{"channel":"book","type":"snapshot","data":[{"symbol":"');
const SYMBOL = new Literal('{"symbol":"');
const BIDS = new Literal('","bids":[');
const ASKS = new Literal('],"asks":[');
const CHECKSUM = new Literal('],"checksum":');
const TIMESTAMP = new Literal(',"timestamp":"');
const PRICE = new Literal('{"price":');
/** `,"qty":`, 7 bytes: matched as two overlapping 32-bit words (see atQty). */
const QTY = ',"qty":';
const QTY_LOW = new DataView(encoder.encode(QTY).buffer).getInt32(0, true);
const QTY_HIGH = new DataView(encoder.encode(QTY).buffer).getInt32(3, true);
/** Bytes the scanner may read past a frame's end (the longest literal), kept in the buffer. */
const SLACK = 64;

export const LEVEL_STRIDE = 4;
export const PRICE_START = 0;
export const PRICE_END = 1;
export const QTY_END = 2;
/** 0 when the qty is zero (`0`, `0.00000000`): a delete. */
export const QTY_NONZERO = 3;
/** The qty starts this far after the price ends (`,"qty":`). */
export const QTY_OFFSET = QTY.length;

const ENTRY_STRIDE = 6;
const CHECKSUM_BITS = 0;
const TIMESTAMP_START = 1;
const TIMESTAMP_END = 2;
const BIDS_FROM = 3;
const ASKS_FROM = 4;
const ASKS_TO = 5;

/** The shortest level (`{"price":0,"qty":0}`) and entry: bounds on how many a frame of n characters holds. */
const MIN_LEVEL_CHARS = 19;
const MIN_ENTRY_CHARS = 46;

/** Longest number text accepted on the fast path; longer ones are judged by the generic parser. */
const MAX_NUMBER_LENGTH = 32;
const MAX_CHECKSUM = 0xffffffff;
const POWERS = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];
const EXACT_LIMIT = 2 ** 53;

const LF = 10;
const CR = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const CLOSE_BRACKET = 93;
const CLOSE_BRACE = 125;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;

export class BookScan {
  snapshot = false;
  /** Entries in `data`. */
  entries = 0;
  /**
   * The bytes the positions of the last scan refer to: this scan's own buffer, which `scan` encodes a
   * frame into (followed by a zero and SLACK bytes of room), or the caller's buffer after `scanLine`.
   * ASCII from `frameStart` to `frameEnd` when the scan succeeded. A Buffer, for latin1 strings.
   */
  bytes: Buffer;
  private view: DataView;
  private own: Buffer;
  private ownView: DataView;
  /** Where the frame last scanned successfully lies in `bytes` (0, 0 after a failure). */
  private frameStart = 0;
  private frameEnd = 0;
  /** That frame as text, once made ("" after a failure; undefined: not made yet, see text). */
  private frameText: string | undefined = "";
  /** Longest frame, in bytes, whose levels and entries fit the arrays (see reserveLevels). */
  private maxFrame = 0;
  /** Level positions and flags, LEVEL_STRIDE per level (see reserveLevels). */
  levels = new Int32Array(0);
  /** Each level's price as a double. */
  keys = new Float64Array(0);
  private entryData = new Int32Array(0);
  private readonly symbols: string[] = [];
  /** Levels recorded so far in the current scan. */
  private count = 0;

  constructor() {
    this.own = this.bytes = Buffer.alloc(340 * 3 + 1 + SLACK);
    this.ownView = this.view = new DataView(this.own.buffer, this.own.byteOffset, this.own.length);
    this.reserveLevels(this.own.length);
  }

  /**
   * Scans a frame; true when it is a book frame in Kraken's layout, then readable through this object.
   * After false, the scan holds no entries: nothing of a frame that failed half-way can be read.
   */
  scan(s: string): boolean {
    const length = s.length;
    if (length * 3 + 1 + SLACK > this.own.length) this.grow(length * 3);
    const b = this.own;
    this.bytes = b;
    this.view = this.ownView;
    const { read, written } = encoder.encodeInto(s, b);
    // Not all ASCII (string and byte positions would differ): left to the generic parser. A zero
    // after the frame ends it for the scan (see read).
    if (read === length && written === length) {
      b[length] = 0;
      if (this.read(0, s) === length) {
        this.accepted(0, length, s);
        return true;
      }
    }
    this.failed();
    return false;
  }

  /**
   * `scan` for a line of a file read as bytes, in place: the line starts at `start` in `buf`, and ends
   * at the first `\n` (a `\r` before it is not part of it) or at `limit`, the end of the bytes read.
   * When the line is one book frame in Kraken's layout and nothing else, the same answer as `scan` of
   * the line's text: returns the index where the line ends (before its `\r\n` or `\n`). Otherwise -1,
   * and the scan holds nothing; the caller finds the line's end and hands the line to the generic
   * parser. No string is made: a reader's (`text`, `slice`, …) are made from `buf` when asked for.
   *
   * The scan stops at the first byte below 32 (a `\n`, or a zero at `limit` when the bytes read end
   * without one), so it needs no line end beforehand, and reads at most SLACK bytes past it: a buffer
   * without that room, or without such a byte at `limit`, is scanned from a copy of the line. Any byte
   * of 128 or more (a non-ASCII character, or bytes that are not UTF-8) leaves the line to the generic
   * parser, as `scan` does.
   */
  scanLine(buf: Buffer, start: number, limit: number): number {
    if (limit + SLACK > buf.length || (buf[limit - 1] !== LF && buf[limit] !== 0)) {
      return this.scanCopy(buf, start, limit);
    }
    if (buf !== this.bytes) {
      this.bytes = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    }
    if (limit - start > this.maxFrame) this.reserveLevels(limit - start);
    const end = this.read(start, undefined);
    if (end >= 0) {
      const c = buf[end];
      if (end === limit || c === LF || (c === CR && (end + 1 === limit || buf[end + 1] === LF))) {
        this.accepted(start, end, undefined);
        return end;
      }
    }
    this.failed();
    return -1;
  }

  /** `scanLine` of a line copied into this scan's own buffer, with a zero and SLACK bytes after it. */
  private scanCopy(buf: Buffer, start: number, limit: number): number {
    let end = buf.indexOf(LF, start);
    if (end < 0 || end > limit) end = limit;
    if (end > start && buf[end - 1] === CR) end--;
    const length = end - start;
    if (length + 1 + SLACK > this.own.length) this.grow(length);
    buf.copy(this.own, 0, start, end);
    this.own[length] = 0;
    const scanned = this.scanLine(this.own, 0, length);
    return scanned < 0 ? -1 : end;
  }

  private accepted(start: number, end: number, s: string | undefined): void {
    this.frameStart = start;
    this.frameEnd = end;
    this.frameText = s;
  }

  /** After a failed scan: nothing of the frame can be read. */
  private failed(): void {
    this.frameStart = this.frameEnd = 0;
    this.frameText = "";
    this.entries = 0;
  }

  /**
   * The frame last scanned successfully; "" after a failed scan. Positions are `bytes` indices: the
   * text starts at `frameStart` (0 after `scan`). Made from the bytes on first use after `scanLine`
   * (a frame that passed is ASCII: latin1 is its text).
   */
  get text(): string {
    return (this.frameText ??= latin1(this.bytes, this.frameStart, this.frameEnd));
  }

  /**
   * The frame's text between positions `start` and `end`, as a string that never keeps the frame
   * alive: what a book stores. After `scanLine`, made from the bytes.
   */
  slice(start: number, end: number): string {
    if (this.frameText === undefined) return bytesText(this.bytes, start, end);
    return detachedSlice(this.frameText, start - this.frameStart, end - this.frameStart);
  }

  /** The frame's text between positions `start` and `end` (may be a view of the frame's text). */
  private textOf(start: number, end: number): string {
    return this.text.slice(start - this.frameStart, end - this.frameStart);
  }

  /**
   * Validates the frame starting at `start` in `bytes`, which a byte below 32 ends (see scanLine);
   * returns the index after its last `}`, or -1. `s` is its text when the scan was given one.
   */
  private read(start: number, s: string | undefined): number {
    const b = this.bytes;
    const view = this.view;
    let snapshot: boolean;
    let p: number;
    if (at(view, start, UPDATE)) {
      snapshot = false;
      p = start + UPDATE.length;
    } else if (at(view, start, SNAPSHOT)) {
      snapshot = true;
      p = start + SNAPSHOT.length;
    } else {
      return -1;
    }
    const entryData = this.entryData;
    const symbols = this.symbols;
    this.count = 0;
    let e = 0;
    for (;;) {
      // {"symbol":"…","bids":[…],"asks":[…],"checksum":N[,"timestamp":"…"]}, the first `{"symbol":"` read above.
      const known = knownSymbolAt(view, p);
      let symbol: string;
      if (known >= 0) {
        symbol = knownSymbols[known]!;
        p += knownSymbolLiterals[known]!.length;
      } else {
        const end = stringEnd(b, p);
        // An empty symbol is an error: the generic parser reports it.
        if (end <= p || !at(view, end, BIDS)) return -1;
        symbol = s === undefined ? latin1(b, p, end) : s.slice(p - start, end - start);
        learnSymbol(symbol);
        p = end + BIDS.length;
      }
      const o = e * ENTRY_STRIDE;
      symbols[e] = symbol;
      entryData[o + BIDS_FROM] = this.count;
      p = this.scanLevels(b, view, p);
      if (p < 0 || !at(view, p, ASKS)) return -1;
      entryData[o + ASKS_FROM] = this.count;
      p = this.scanLevels(b, view, p + ASKS.length);
      if (p < 0 || !at(view, p, CHECKSUM)) return -1;
      entryData[o + ASKS_TO] = this.count;
      p += CHECKSUM.length;
      const checksumStart = p;
      let checksum = 0;
      let c = b[p]!;
      while (c >= ZERO && c <= NINE) {
        checksum = checksum * 10 + (c - ZERO);
        c = b[++p]!;
      }
      const digits = p - checksumStart;
      if (digits === 0 || digits > 10 || checksum > MAX_CHECKSUM) return -1;
      if (digits > 1 && b[checksumStart] === ZERO) return -1;
      entryData[o + CHECKSUM_BITS] = checksum | 0;
      entryData[o + TIMESTAMP_START] = -1;
      if (c === COMMA) {
        if (!at(view, p, TIMESTAMP)) return -1;
        p += TIMESTAMP.length;
        const end = stringEnd(b, p);
        if (end < 0) return -1;
        entryData[o + TIMESTAMP_START] = p;
        entryData[o + TIMESTAMP_END] = end;
        p = end + 1;
        c = b[p]!;
      }
      if (c !== CLOSE_BRACE) return -1;
      e++;
      p++;
      c = b[p]!;
      if (c === COMMA && at(view, p + 1, SYMBOL)) {
        p += 1 + SYMBOL.length;
        continue;
      }
      if (c === CLOSE_BRACKET && b[p + 1] === CLOSE_BRACE) break;
      return -1;
    }
    this.snapshot = snapshot;
    this.entries = e;
    return p + 2;
  }

  symbol(e: number): string {
    return this.symbols[e]!;
  }

  /** The checksum entry `e` carries (unsigned). */
  checksum(e: number): number {
    return this.entryData[e * ENTRY_STRIDE + CHECKSUM_BITS]! >>> 0;
  }

  timestamp(e: number): string | undefined {
    const o = e * ENTRY_STRIDE;
    const start = this.entryData[o + TIMESTAMP_START]!;
    return start < 0 ? undefined : this.textOf(start, this.entryData[o + TIMESTAMP_END]!);
  }

  bidsFrom(e: number): number {
    return this.entryData[e * ENTRY_STRIDE + BIDS_FROM]!;
  }

  asksFrom(e: number): number {
    return this.entryData[e * ENTRY_STRIDE + ASKS_FROM]!;
  }

  asksTo(e: number): number {
    return this.entryData[e * ENTRY_STRIDE + ASKS_TO]!;
  }

  price(i: number): string {
    const o = i * LEVEL_STRIDE;
    return this.textOf(this.levels[o + PRICE_START]!, this.levels[o + PRICE_END]!);
  }

  qty(i: number): string {
    const o = i * LEVEL_STRIDE;
    return this.textOf(this.levels[o + PRICE_END]! + QTY_OFFSET, this.levels[o + QTY_END]!);
  }

  /** The scanned frame as the plain message the generic parser would return for it. */
  message(): BookMessage {
    const data: BookData[] = [];
    for (let e = 0; e < this.entries; e++) {
      const base = {
        symbol: this.symbol(e),
        bids: this.wireLevels(this.bidsFrom(e), this.asksFrom(e)),
        asks: this.wireLevels(this.asksFrom(e), this.asksTo(e)),
        checksum: this.checksum(e),
      };
      const timestamp = this.timestamp(e);
      data.push(timestamp === undefined ? base : { ...base, timestamp });
    }
    return { kind: "book", type: this.snapshot ? "snapshot" : "update", data };
  }

  private wireLevels(from: number, to: number): WireLevel[] {
    const out: WireLevel[] = [];
    for (let i = from; i < to; i++) out.push({ price: this.price(i), qty: this.qty(i) });
    return out;
  }

  /** Makes this scan's own buffer room for a frame of `size` bytes, the zero after it and SLACK. */
  private grow(size: number): void {
    this.own = Buffer.alloc(Math.max(size + 1 + SLACK, this.own.length * 2));
    this.ownView = new DataView(this.own.buffer, this.own.byteOffset, this.own.length);
    this.reserveLevels(this.own.length);
  }

  /** Makes room for as many levels and entries as a frame of `size` bytes can hold. */
  private reserveLevels(size: number): void {
    if (size <= this.maxFrame) return;
    this.maxFrame = Math.max(size, this.maxFrame * 2);
    const levels = Math.ceil(this.maxFrame / MIN_LEVEL_CHARS);
    this.levels = new Int32Array(levels * LEVEL_STRIDE);
    this.keys = new Float64Array(levels);
    this.entryData = new Int32Array(Math.ceil(this.maxFrame / MIN_ENTRY_CHARS) * ENTRY_STRIDE);
  }

  /**
   * Levels from `p` up to, not including, the closing `]`, recorded from `this.count` on; returns the
   * `]` index or -1. Numbers are plain non-negative decimals without exponent (`0`, `12`, `0.0280`,
   * `63005.0`), at most MAX_NUMBER_LENGTH characters; anything else is left to the generic parser.
   * A long number's digits may overflow the mantissa: such a key comes from Number (see below).
   */
  private scanLevels(b: Buffer, view: DataView, p: number): number {
    if (b[p] === CLOSE_BRACKET) return p;
    const levels = this.levels;
    const keys = this.keys;
    let n = this.count;
    for (;;) {
      if (!at(view, p, PRICE)) return -1;
      // Price: its value as mantissa / 10^scale while the digits go by. One loop for every digit (a
      // leading zero is judged after), so the code is the same whatever the first prices look like.
      p += PRICE.length;
      const priceStart = p;
      let c = b[p]!;
      let mantissa = 0;
      while (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        c = b[++p]!;
      }
      if (!integerPart(b, priceStart, p)) return -1;
      let scale = 0;
      if (c === DOT) {
        const fractionStart = ++p;
        c = b[p]!;
        while (c >= ZERO && c <= NINE) {
          mantissa = mantissa * 10 + (c - ZERO);
          c = b[++p]!;
        }
        scale = p - fractionStart;
        if (scale === 0) return -1;
      }
      // An exponent or a second point: not Kraken's form.
      if (c === LOWER_E || c === UPPER_E || c === DOT) return -1;
      const priceEnd = p;
      if (priceEnd - priceStart > MAX_NUMBER_LENGTH || !atQty(view, p)) return -1;
      // Qty: only whether it is zero.
      p += QTY_OFFSET;
      const qtyStart = p;
      let nonzero = 0;
      c = b[p]!;
      while (c >= ZERO && c <= NINE) {
        nonzero |= c - ZERO;
        c = b[++p]!;
      }
      if (!integerPart(b, qtyStart, p)) return -1;
      if (c === DOT) {
        const fractionStart = ++p;
        c = b[p]!;
        while (c >= ZERO && c <= NINE) {
          nonzero |= c - ZERO;
          c = b[++p]!;
        }
        if (p === fractionStart) return -1;
      }
      if (c === LOWER_E || c === UPPER_E || c === DOT) return -1;
      if (p - qtyStart > MAX_NUMBER_LENGTH || c !== CLOSE_BRACE) return -1;
      const o = n * LEVEL_STRIDE;
      levels[o + PRICE_START] = priceStart;
      levels[o + PRICE_END] = priceEnd;
      levels[o + QTY_END] = p;
      levels[o + QTY_NONZERO] = nonzero;
      // Identical to priceKey(price): exact when the digits and the scale fit a double exactly.
      keys[n] =
        mantissa >= EXACT_LIMIT || scale >= POWERS.length
          ? Number(latin1(b, priceStart, priceEnd))
          : scale === 0
            ? mantissa
            : mantissa / POWERS[scale]!;
      n++;
      this.count = n;
      c = b[++p]!;
      if (c === CLOSE_BRACKET) return p;
      if (c !== COMMA) return -1;
      p++;
    }
  }
}

/** Buffer's latin1Slice (undocumented in Node's types, but part of Buffer since its start). */
type Latin1 = { latin1Slice(start: number, end: number): string };

/** Bytes `start`…`end` as a latin1 string (ASCII for every frame that passed a scan). */
function latin1(b: Buffer, start: number, end: number): string {
  return (b as unknown as Latin1).latin1Slice(start, end);
}

const char = String.fromCharCode;

/**
 * `latin1` for the strings a book keeps from a frame read as bytes, most of them short prices and
 * quantities: up to 12 characters (V8 copies strings that short anyway) from the character codes,
 * ~25 ns against ~55 ns for the native call; longer ones with it. Never a view of a larger string.
 * The 12 bytes are read whatever the length (the buffer has SLACK bytes after any frame): one load
 * site each, which the optimizing compiler has seen from the first call on.
 */
function bytesText(b: Buffer, s: number, e: number): string {
  if (e - s > 12) return latin1(b, s, e);
  const c0 = b[s]!;
  const c1 = b[s + 1]!;
  const c2 = b[s + 2]!;
  const c3 = b[s + 3]!;
  const c4 = b[s + 4]!;
  const c5 = b[s + 5]!;
  const c6 = b[s + 6]!;
  const c7 = b[s + 7]!;
  const c8 = b[s + 8]!;
  const c9 = b[s + 9]!;
  const c10 = b[s + 10]!;
  const c11 = b[s + 11]!;
  // prettier-ignore
  switch (e - s) {
    case 1: return char(c0);
    case 2: return char(c0, c1);
    case 3: return char(c0, c1, c2);
    case 4: return char(c0, c1, c2, c3);
    case 5: return char(c0, c1, c2, c3, c4);
    case 6: return char(c0, c1, c2, c3, c4, c5);
    case 7: return char(c0, c1, c2, c3, c4, c5, c6);
    case 8: return char(c0, c1, c2, c3, c4, c5, c6, c7);
    case 9: return char(c0, c1, c2, c3, c4, c5, c6, c7, c8);
    case 10: return char(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9);
    case 11: return char(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10);
    case 12: return char(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
    default: return "";
  }
}

// Each case's call gets its type feedback now (V8 records none for a function's first few calls):
// otherwise the optimized code deoptimizes (4 times in a run of verify) as each length turns up.
const WARM = Buffer.alloc(16 + SLACK, 48);
for (let round = 0; round < 4; round++) for (let n = 1; n <= 16; n++) bytesText(WARM, 0, n);

/** Whether digits `from`…`to` are a JSON number's integer part: at least one, no leading zero. */
function integerPart(b: Uint8Array, from: number, to: number): boolean {
  return to > from && (to === from + 1 || b[from] !== ZERO);
}

/** Whether `,"qty":` stands in the frame at `p` (32-bit words compare exactly). */
function atQty(view: DataView, p: number): boolean {
  return view.getInt32(p, true) === QTY_LOW && view.getInt32(p + 3, true) === QTY_HIGH;
}

/**
 * Index of the closing quote of a string body starting at `p`; -1 for escapes, control characters and
 * any byte of a non-ASCII character (possible only after scanLine: those strings are left to the
 * generic parser, which decodes them).
 */
function stringEnd(b: Uint8Array, p: number): number {
  for (let i = p; ; i++) {
    const c = b[i]!;
    if (c === QUOTE) return i;
    // Also stops at the zero after the frame.
    if (c === BACKSLASH || c < 32 || c >= 128) return -1;
  }
}

/**
 * Symbols seen before, each matched with what follows it (`BTC/USD","bids":[`) as one literal: a
 * session has a handful of pairs, and a reused string costs no allocation and keeps its cached hash
 * for the map lookups that route the frame to its book.
 */
const knownSymbols: string[] = [];
const knownSymbolLiterals: Literal[] = [];
const MAX_KNOWN_SYMBOLS = 32;

/** Index of the known symbol (with its closing `","bids":[`) at `p`, or -1. */
function knownSymbolAt(view: DataView, p: number): number {
  for (let i = 0; i < knownSymbolLiterals.length; i++) {
    if (at(view, p, knownSymbolLiterals[i]!)) return i;
  }
  return -1;
}

/** Longest symbol remembered: its literal stays within SLACK, the most a scan reads past a byte. */
const MAX_KNOWN_SYMBOL_LENGTH = 32;

/** Remembers a symbol read from a frame (a plain string body: no quote, escape or control character). */
function learnSymbol(symbol: string): void {
  if (
    knownSymbols.length < MAX_KNOWN_SYMBOLS &&
    symbol.length <= MAX_KNOWN_SYMBOL_LENGTH &&
    isPrintable(symbol)
  ) {
    knownSymbols.push(symbol);
    knownSymbolLiterals.push(new Literal(symbol + BIDS.text));
  }
}

/** V8 makes a slice of this many characters or more a view that keeps its whole parent string alive. */
const MIN_VIEW_LENGTH = 13;

/**
 * `text.slice(start, end)` that never keeps `text` alive: a book keeps its levels' strings for minutes,
 * and a view into a frame would keep the frame (in verify, the whole 64 KiB chunk it was read from).
 * Shorter slices are copies already; a longer one is joined from copied pieces.
 */
export function detachedSlice(text: string, start: number, end: number): string {
  if (end - start < MIN_VIEW_LENGTH) return text.slice(start, end);
  let out = "";
  for (let i = start; i < end; i += MIN_VIEW_LENGTH - 1) {
    out += text.slice(i, Math.min(i + MIN_VIEW_LENGTH - 1, end));
  }
  return out;
}
