import type { BookData, BookMessage, WireLevel } from "./types.js";

/**
 * Fast path for book frames in the exact layout Kraken sends:
 * `{"channel":"book","type":"update","data":[{"symbol":"…","bids":[{"price":…,"qty":…}],"asks":[…],"checksum":…,"timestamp":"…"}]}`.
 *
 * It keeps every number's wire text by slicing it out of the frame, and reads each byte once.
 * It only ever answers "here is the message" or "not this layout" (undefined): any deviation —
 * whitespace, other key order, escapes, exponents, bad numbers — goes to the generic parser,
 * which accepts what is valid and explains what is not.
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

/** Longest number text accepted on the fast path; longer ones are checked by the generic parser. */
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

// Cursor shared by the helpers below; the scanner is synchronous and not re-entrant.
let s = "";
let pos = 0;

export function scanBookFrame(frame: string): BookMessage | undefined {
  if (!frame.startsWith(PREFIX)) return undefined;
  s = frame;
  pos = PREFIX.length;
  let type: BookMessage["type"];
  if (s.startsWith(UPDATE, pos)) {
    type = "update";
    pos += UPDATE.length;
  } else if (s.startsWith(SNAPSHOT, pos)) {
    type = "snapshot";
    pos += SNAPSHOT.length;
  } else {
    return undefined;
  }
  const data: BookData[] = [];
  for (;;) {
    const entry = scanEntry();
    if (entry === undefined) return undefined;
    data.push(entry);
    const c = s.charCodeAt(pos);
    if (c === COMMA) {
      pos++;
      continue;
    }
    if (c === CLOSE_BRACKET && s.charCodeAt(pos + 1) === CLOSE_BRACE && pos + 2 === s.length) break;
    return undefined;
  }
  s = "";
  return { kind: "book", type, data };
}

function scanEntry(): BookData | undefined {
  if (!s.startsWith(SYMBOL, pos)) return undefined;
  pos += SYMBOL.length;
  const symbol = scanStringBody();
  if (symbol === undefined || !s.startsWith(BIDS, pos)) return undefined;
  pos += BIDS.length;
  const bids = scanLevels();
  if (bids === undefined || !s.startsWith(ASKS, pos)) return undefined;
  pos += ASKS.length;
  const asks = scanLevels();
  if (asks === undefined || !s.startsWith(CHECKSUM, pos)) return undefined;
  pos += CHECKSUM.length;
  const checksum = scanChecksum();
  if (checksum === undefined) return undefined;
  let timestamp: string | undefined;
  if (s.startsWith(TIMESTAMP, pos)) {
    pos += TIMESTAMP.length;
    timestamp = scanStringBody();
    if (timestamp === undefined) return undefined;
  }
  if (s.charCodeAt(pos) !== CLOSE_BRACE) return undefined;
  pos++;
  return timestamp === undefined
    ? { symbol, bids, asks, checksum }
    : { symbol, bids, asks, checksum, timestamp };
}

/** Reads up to the closing quote; strings with escapes or control characters take the slow path. */
function scanStringBody(): string | undefined {
  const start = pos;
  for (let i = pos; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      pos = i + 1;
      return s.slice(start, i);
    }
    if (c === BACKSLASH || c < 32) return undefined;
  }
  return undefined;
}

/** Levels up to, not including, the closing `]`. */
function scanLevels(): WireLevel[] | undefined {
  const levels: WireLevel[] = [];
  if (s.charCodeAt(pos) === CLOSE_BRACKET) return levels;
  for (;;) {
    if (!s.startsWith(PRICE, pos)) return undefined;
    pos += PRICE.length;
    const price = scanDecimal();
    if (price === undefined || !s.startsWith(QTY, pos)) return undefined;
    pos += QTY.length;
    const qty = scanDecimal();
    if (qty === undefined || s.charCodeAt(pos) !== CLOSE_BRACE) return undefined;
    pos++;
    levels.push({ price, qty });
    const c = s.charCodeAt(pos);
    if (c === CLOSE_BRACKET) return levels;
    if (c !== COMMA) return undefined;
    pos++;
  }
}

/** A non-negative JSON number without exponent: `0`, `12`, `0.0280`, `63005.0`. */
function scanDecimal(): string | undefined {
  const start = pos;
  let c = s.charCodeAt(pos);
  if (c === ZERO) {
    c = s.charCodeAt(++pos);
  } else if (c > ZERO && c <= NINE) {
    do c = s.charCodeAt(++pos);
    while (c >= ZERO && c <= NINE);
  } else {
    return undefined;
  }
  if (c === DOT) {
    const fractionStart = ++pos;
    c = s.charCodeAt(pos);
    while (c >= ZERO && c <= NINE) c = s.charCodeAt(++pos);
    if (pos === fractionStart) return undefined;
  }
  // An exponent, a second dot or a digit after a lone zero: not Kraken's form, let the slow path judge.
  if (c === 101 || c === 69 || c === DOT || (c >= ZERO && c <= NINE)) return undefined;
  if (pos - start > MAX_NUMBER_LENGTH) return undefined;
  return s.slice(start, pos);
}

function scanChecksum(): number | undefined {
  const start = pos;
  let value = 0;
  let c = s.charCodeAt(pos);
  while (c >= ZERO && c <= NINE) {
    value = value * 10 + (c - ZERO);
    c = s.charCodeAt(++pos);
  }
  const length = pos - start;
  if (length === 0 || length > 10 || value > MAX_CHECKSUM) return undefined;
  if (length > 1 && s.charCodeAt(start) === ZERO) return undefined;
  if (c === DOT || c === 101 || c === 69) return undefined;
  return value;
}
