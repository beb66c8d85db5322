import type { BookData, BookMessage, WireLevel } from "./types.js";

/**
 * Fast path for book frames in the exact layout Kraken sends:
 * `{"channel":"book","type":"update","data":[{"symbol":"…","bids":[{"price":…,"qty":…}],"asks":[…],"checksum":…,"timestamp":"…"}]}`.
 *
 * It keeps every number's wire text by slicing it out of the frame, and reads each byte once.
 * It only ever answers "here is the message" or "not this layout" (undefined): any deviation —
 * whitespace, other key order, escapes, exponents, bad numbers — goes to the generic parser,
 * which accepts what is valid and explains what is not.
 *
 * Positions are passed and returned as plain numbers (-1: not this layout) and kept in locals:
 * this is the hottest loop of the app, and module-level cursors measured markedly slower.
 */

const PREFIX = '{"channel":"book","type":"';
const UPDATE = 'update","data":[';
const SNAPSHOT = 'snapshot","data":[';
const SYMBOL = '{"symbol":"';
const BIDS = ',"bids":[';
const ASKS = '],"asks":[';
const CHECKSUM = '],"checksum":';
const TIMESTAMP = ',"timestamp":"';
const PRICE = '{"price":';
const QTY = ',"qty":';

/** Longest number text accepted on the fast path; longer ones are judged by the generic parser. */
const MAX_NUMBER_LENGTH = 32;
const MAX_CHECKSUM = 0xffffffff;

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

export function scanBookFrame(s: string): BookMessage | undefined {
  if (!at(s, 0, PREFIX)) return undefined;
  let p = PREFIX.length;
  let type: BookMessage["type"];
  if (at(s, p, UPDATE)) {
    type = "update";
    p += UPDATE.length;
  } else if (at(s, p, SNAPSHOT)) {
    type = "snapshot";
    p += SNAPSHOT.length;
  } else {
    return undefined;
  }
  const data: BookData[] = [];
  for (;;) {
    // {"symbol":"…","bids":[…],"asks":[…],"checksum":N[,"timestamp":"…"]}
    if (!at(s, p, SYMBOL)) return undefined;
    p += SYMBOL.length;
    const symbolEnd = stringEnd(s, p);
    // An empty symbol is an error: the generic parser reports it.
    if (symbolEnd <= p || !at(s, symbolEnd + 1, BIDS)) return undefined;
    const symbol = symbolAt(s, p, symbolEnd);
    const bids: WireLevel[] = [];
    p = scanLevels(s, symbolEnd + 1 + BIDS.length, bids);
    if (p < 0 || !at(s, p, ASKS)) return undefined;
    const asks: WireLevel[] = [];
    p = scanLevels(s, p + ASKS.length, asks);
    if (p < 0 || !at(s, p, CHECKSUM)) return undefined;
    p += CHECKSUM.length;
    const checksumStart = p;
    let checksum = 0;
    let c = s.charCodeAt(p);
    while (c >= ZERO && c <= NINE) {
      checksum = checksum * 10 + (c - ZERO);
      c = s.charCodeAt(++p);
    }
    const digits = p - checksumStart;
    if (digits === 0 || digits > 10 || checksum > MAX_CHECKSUM) return undefined;
    if (digits > 1 && s.charCodeAt(checksumStart) === ZERO) return undefined;
    let timestamp: string | undefined;
    if (c === COMMA) {
      if (!at(s, p, TIMESTAMP)) return undefined;
      p += TIMESTAMP.length;
      const end = stringEnd(s, p);
      if (end < 0) return undefined;
      timestamp = s.slice(p, end);
      p = end + 1;
      c = s.charCodeAt(p);
    }
    if (c !== CLOSE_BRACE) return undefined;
    data.push(
      timestamp === undefined
        ? { symbol, bids, asks, checksum }
        : { symbol, bids, asks, checksum, timestamp },
    );
    c = s.charCodeAt(++p);
    if (c === COMMA) {
      p++;
      continue;
    }
    if (c === CLOSE_BRACKET && s.charCodeAt(p + 1) === CLOSE_BRACE && p + 2 === s.length) break;
    return undefined;
  }
  return { kind: "book", type, data };
}

/**
 * The symbol between `p` and `end`, reusing a string seen before when it is the same: a session
 * has a handful of pairs, and a reused string costs no allocation and keeps its cached hash for
 * the map lookups that route the frame to its book.
 */
const knownSymbols: string[] = [];
const MAX_KNOWN_SYMBOLS = 32;
function symbolAt(s: string, p: number, end: number): string {
  const length = end - p;
  for (let i = 0; i < knownSymbols.length; i++) {
    const known = knownSymbols[i]!;
    if (known.length === length && at(s, p, known)) return known;
  }
  const symbol = s.slice(p, end);
  if (knownSymbols.length < MAX_KNOWN_SYMBOLS) knownSymbols.push(symbol);
  return symbol;
}

/**
 * Whether `literal` stands in `s` at `p`. A plain loop: `String#startsWith` measured ~80 ns for a
 * 26-character literal here, ten times this, and the scanner checks ten literals a message.
 */
function at(s: string, p: number, literal: string): boolean {
  if (p + literal.length > s.length) return false;
  for (let i = 0; i < literal.length; i++) {
    if (s.charCodeAt(p + i) !== literal.charCodeAt(i)) return false;
  }
  return true;
}

/** Index of the closing quote of a string body starting at `p`; -1 for escapes or control characters. */
function stringEnd(s: string, p: number): number {
  for (let i = p; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 32) return -1;
  }
  return -1;
}

/** Levels from `p` up to, not including, the closing `]`, pushed to `out`; returns the `]` index or -1. */
function scanLevels(s: string, p: number, out: WireLevel[]): number {
  if (s.charCodeAt(p) === CLOSE_BRACKET) return p;
  for (;;) {
    if (!at(s, p, PRICE)) return -1;
    const priceStart = p + PRICE.length;
    const priceEnd = decimalEnd(s, priceStart);
    if (priceEnd < 0 || !at(s, priceEnd, QTY)) return -1;
    const qtyStart = priceEnd + QTY.length;
    const qtyEnd = decimalEnd(s, qtyStart);
    if (qtyEnd < 0 || s.charCodeAt(qtyEnd) !== CLOSE_BRACE) return -1;
    out.push({ price: s.slice(priceStart, priceEnd), qty: s.slice(qtyStart, qtyEnd) });
    const c = s.charCodeAt(qtyEnd + 1);
    if (c === CLOSE_BRACKET) return qtyEnd + 1;
    if (c !== COMMA) return -1;
    p = qtyEnd + 2;
  }
}

/**
 * End of a non-negative JSON number without exponent starting at `p` (`0`, `12`, `0.0280`, `63005.0`);
 * -1 for anything else, which the generic parser then judges.
 */
function decimalEnd(s: string, p: number): number {
  const start = p;
  let c = s.charCodeAt(p);
  if (c === ZERO) {
    c = s.charCodeAt(++p);
  } else if (c > ZERO && c <= NINE) {
    do c = s.charCodeAt(++p);
    while (c >= ZERO && c <= NINE);
  } else {
    return -1;
  }
  if (c === DOT) {
    const fractionStart = ++p;
    c = s.charCodeAt(p);
    while (c >= ZERO && c <= NINE) c = s.charCodeAt(++p);
    if (p === fractionStart) return -1;
  }
  // An exponent, a second dot or a digit after a lone zero: not Kraken's form.
  if (c === LOWER_E || c === UPPER_E || c === DOT || (c >= ZERO && c <= NINE)) return -1;
  return p - start > MAX_NUMBER_LENGTH ? -1 : p;
}
