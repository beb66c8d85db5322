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
 * `scanBytes` takes a frame that is bytes already (verify reads its file as bytes): they are copied
 * into the same buffer, no string is made unless a reader asks for one, and a frame with any byte of
 * 128 or more (any non-ASCII character) is left to the generic parser the same way.
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
   * The last frame scanned, as bytes (ASCII when the scan succeeded), then a zero and SLACK bytes of
   * room. A Buffer, for latin1 strings made straight from it (see text).
   */
  bytes: Buffer = Buffer.alloc(0);
  private view = new DataView(this.bytes.buffer);
  /** The frame last scanned successfully as text, once made ("" after a failure; undefined: not yet). */
  private frameText: string | undefined = "";
  /** Its length in bytes (and characters: it is ASCII). */
  private frameLength = 0;
  /** Level positions and flags, LEVEL_STRIDE per level (sized with `bytes`, see reserve). */
  levels = new Int32Array(0);
  /** Each level's price as a double. */
  keys = new Float64Array(0);
  private entryData = new Int32Array(0);
  private readonly symbols: string[] = [];
  /** Levels recorded so far in the current scan. */
  private count = 0;

  constructor() {
    this.reserve(340 * 3);
  }

  /**
   * Scans a frame; true when it is a book frame in Kraken's layout, then readable through this object.
   * After false, the scan holds no entries: nothing of a frame that failed half-way can be read.
   */
  scan(s: string): boolean {
    const length = s.length;
    if (length * 3 + 1 + SLACK > this.bytes.length) this.reserve(length * 3);
    const { read, written } = encoder.encodeInto(s, this.bytes);
    // Not all ASCII (string and byte positions would differ): left to the generic parser.
    if (read === length && written === length && this.read(length, s)) {
      this.frameText = s;
      this.frameLength = length;
      return true;
    }
    this.failed();
    return false;
  }

  /**
   * `scan` for a frame given as UTF-8 bytes, `src[start…end)`: the same answer as `scan` of its text.
   * The bytes are copied (the scan needs room after the frame), and no string is made: the ones a
   * reader asks for (`text`, `slice`, …) come from the copy. A frame with a byte of 128 or more is not
   * ASCII, and is left to the generic parser, like `scan` does.
   */
  scanBytes(src: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (length + 1 + SLACK > this.bytes.length) this.reserve(length);
    this.bytes.set(new Uint8Array(src.buffer, src.byteOffset + start, length));
    if (this.read(length, undefined)) {
      this.frameText = undefined;
      this.frameLength = length;
      return true;
    }
    this.failed();
    return false;
  }

  /** After a failed scan: nothing of the frame can be read. */
  private failed(): void {
    this.frameText = "";
    this.frameLength = 0;
    this.entries = 0;
  }

  /**
   * The frame last scanned successfully (positions refer to it); "" after a failed scan. Made from
   * the bytes on first use after `scanBytes` (a frame that passed is ASCII: latin1 is its text).
   */
  get text(): string {
    return (this.frameText ??= this.bytes.toString("latin1", 0, this.frameLength));
  }

  /**
   * Text `start`…`end` of the frame last scanned, as a string that never keeps the frame alive: what
   * a book stores. After `scanBytes`, made from the bytes.
   */
  slice(start: number, end: number): string {
    return detachedSlice(this.text, start, end);
  }

  /** Validates the frame in `bytes[0…length)`; `s` is its text when the scan was given one. */
  private read(length: number, s: string | undefined): boolean {
    const b = this.bytes;
    const view = this.view;
    // A zero after the frame matches no literal, digit or string character: every loop stops there,
    // and no position passes it (literals read at most SLACK bytes beyond).
    b[length] = 0;
    let snapshot: boolean;
    let p: number;
    if (at(view, 0, UPDATE)) {
      snapshot = false;
      p = UPDATE.length;
    } else if (at(view, 0, SNAPSHOT)) {
      snapshot = true;
      p = SNAPSHOT.length;
    } else {
      return false;
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
        if (end <= p || !at(view, end, BIDS)) return false;
        symbol = s === undefined ? b.toString("latin1", p, end) : s.slice(p, end);
        learnSymbol(symbol);
        p = end + BIDS.length;
      }
      const o = e * ENTRY_STRIDE;
      symbols[e] = symbol;
      entryData[o + BIDS_FROM] = this.count;
      p = this.scanLevels(b, view, p);
      if (p < 0 || !at(view, p, ASKS)) return false;
      entryData[o + ASKS_FROM] = this.count;
      p = this.scanLevels(b, view, p + ASKS.length);
      if (p < 0 || !at(view, p, CHECKSUM)) return false;
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
      if (digits === 0 || digits > 10 || checksum > MAX_CHECKSUM) return false;
      if (digits > 1 && b[checksumStart] === ZERO) return false;
      entryData[o + CHECKSUM_BITS] = checksum | 0;
      entryData[o + TIMESTAMP_START] = -1;
      if (c === COMMA) {
        if (!at(view, p, TIMESTAMP)) return false;
        p += TIMESTAMP.length;
        const end = stringEnd(b, p);
        if (end < 0) return false;
        entryData[o + TIMESTAMP_START] = p;
        entryData[o + TIMESTAMP_END] = end;
        p = end + 1;
        c = b[p]!;
      }
      if (c !== CLOSE_BRACE) return false;
      e++;
      p++;
      c = b[p]!;
      if (c === COMMA && at(view, p + 1, SYMBOL)) {
        p += 1 + SYMBOL.length;
        continue;
      }
      if (c === CLOSE_BRACKET && p + 2 === length && b[p + 1] === CLOSE_BRACE) break;
      return false;
    }
    this.snapshot = snapshot;
    this.entries = e;
    return true;
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
    return start < 0 ? undefined : this.text.slice(start, this.entryData[o + TIMESTAMP_END]);
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
    return this.text.slice(this.levels[o + PRICE_START], this.levels[o + PRICE_END]);
  }

  qty(i: number): string {
    const o = i * LEVEL_STRIDE;
    return this.text.slice(this.levels[o + PRICE_END]! + QTY_OFFSET, this.levels[o + QTY_END]);
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

  /**
   * Makes room for a frame of `size` bytes, the zero after it and SLACK, and as many levels and
   * entries as a frame that fits the byte buffer can hold.
   */
  private reserve(size: number): void {
    const capacity = Math.max(size + 1 + SLACK, this.bytes.length * 2);
    this.bytes = Buffer.alloc(capacity);
    this.view = new DataView(this.bytes.buffer);
    const levels = Math.ceil(capacity / MIN_LEVEL_CHARS);
    this.levels = new Int32Array(levels * LEVEL_STRIDE);
    this.keys = new Float64Array(levels);
    this.entryData = new Int32Array(Math.ceil(capacity / MIN_ENTRY_CHARS) * ENTRY_STRIDE);
  }

  /**
   * Levels from `p` up to, not including, the closing `]`, recorded from `this.count` on; returns the
   * `]` index or -1. Numbers are plain non-negative decimals without exponent (`0`, `12`, `0.0280`,
   * `63005.0`), at most MAX_NUMBER_LENGTH characters; anything else is left to the generic parser.
   * A long number's digits may overflow the mantissa: such a key comes from Number (see below).
   */
  private scanLevels(b: Uint8Array, view: DataView, p: number): number {
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
          ? Number(this.textOf(b, priceStart, priceEnd))
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

  /** ASCII text of bytes `from`…`to` (rare: a price too long for the fast key). */
  private textOf(b: Uint8Array, from: number, to: number): string {
    return String.fromCharCode(...b.subarray(from, to));
  }
}

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
 * any byte of a non-ASCII character (possible only after scanBytes: those strings are left to the
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

/** Remembers a symbol read from a frame (a plain string body: no quote, escape or control character). */
function learnSymbol(symbol: string): void {
  if (knownSymbols.length < MAX_KNOWN_SYMBOLS && isPrintable(symbol)) {
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
