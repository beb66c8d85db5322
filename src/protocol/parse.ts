import { isObject, parseJson, safeInteger, WireNumber } from "./json.js";
import type { Json, JsonObject } from "./json.js";
import { BookScan } from "./book-scan.js";
import { ChannelError, instrument, ticker, trade } from "./channels.js";
import type { AckMethod, BookData, Message, ParseError, ParseResult, WireLevel } from "./types.js";

/** Plain non-negative decimal as Kraken writes prices and sizes: no sign, no exponent. */
const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const MAX_DECIMAL_LENGTH = 32;
const MAX_CHECKSUM = 0xffffffff;

/** Thrown only inside this module to carry a field-level complaint to `parseFrame`. */
class FieldError extends Error {}

/** parseFrame's own scanner: its positions are read before parseFrame returns. */
const scanner = new BookScan();

/**
 * Turns one raw frame into a typed message or a typed error. Never throws.
 * Book frames in Kraken's own layout take a byte-scanning fast path; everything else,
 * and anything the fast path does not recognise, goes through a lossless JSON parse.
 * The hot loops (verify, the feed session) call BookScan themselves and apply books straight from
 * its positions, handing only what it rejects to parseGeneric.
 */
export function parseFrame(raw: string): ParseResult {
  return scanner.scan(raw) ? scanner.message() : parseGeneric(raw);
}

/** The generic path alone: the same result as parseFrame, for a frame BookScan has already rejected. */
export function parseGeneric(raw: string): ParseResult {
  if (raw.trim() === "") return unreadable("empty frame", raw);
  let json: Json;
  try {
    json = parseJson(raw);
  } catch (e) {
    return unreadable(`malformed JSON: ${(e as Error).message}`, raw);
  }
  // Every Kraken v2 message is an object: anything else is malformed, and no book frame unless its text
  // shows book fields.
  if (!isObject(json))
    return BOOK_FIELDS.test(raw)
      ? unreadable("book fields outside an object", raw)
      : { kind: "error", message: `${describe(json)}, not an object`, raw, book: false };
  try {
    return classify(json, raw);
  } catch (e) {
    if (e instanceof ChannelError) return { kind: "error", message: e.message, raw, book: false };
    if (!(e instanceof FieldError)) throw e;
    const symbols = bookSymbols(json);
    return symbols === undefined
      ? { kind: "error", message: e.message, raw, book: true }
      : { kind: "error", message: e.message, raw, book: true, symbols };
  }
}

/** Fields only book entries have, in a frame's text. */
const BOOK_FIELDS = /bids|asks|checksum/;
/** Text showing a frame is one that never carries levels: a method's answer, heartbeat, status, instrument, trade, ticker. */
const NOT_BOOK = /"(?:method|heartbeat|status|instrument|trade|ticker)"/;
/** An entry's name as BookScan reads it: printable ASCII without quote or backslash. */
const SYMBOL_NAME = /"symbol":"([!#-[\]-~]{1,64})"/g;

/**
 * A frame that is not readable JSON, judged by its text alone. It may have carried book data unless
 * its text names no book field and shows it is a frame that never does; text that cannot be classified
 * at all counts as book data. Its symbols are the names its text gives, kept only when there are at
 * least as many as the entries it shows (`"symbol"`, `bids`, `asks` or `checksum` counted): any entry
 * whose name cannot be read leaves every book affected.
 */
function unreadable(message: string, raw: string): ParseError {
  const book = BOOK_FIELDS.test(raw) || !NOT_BOOK.test(raw);
  if (!book) return { kind: "error", message, raw, book };
  const names = Array.from(raw.matchAll(SYMBOL_NAME), (m) => m[1]!);
  const entries = Math.max(
    count(raw, /"symbol"/g),
    count(raw, /bids/g),
    count(raw, /asks/g),
    count(raw, /checksum/g),
  );
  return names.length > 0 && names.length >= entries
    ? { kind: "error", message, raw, book, symbols: names }
    : { kind: "error", message, raw, book };
}

const count = (raw: string, re: RegExp): number => raw.match(re)?.length ?? 0;

const unknown = (raw: string): Message => ({ kind: "unknown", raw });

function classify(o: JsonObject, raw: string): ParseResult {
  const channel = o["channel"];
  if (channel === "book") return book(o);
  // Levels under any other channel name (or none) are a book frame with a broken name, not another channel.
  if (carriesLevels(o)) {
    throw new FieldError(
      `book levels under ${channel === undefined ? "no channel" : `channel ${describe(channel)}`}`,
    );
  }
  if (channel === "heartbeat") return { kind: "heartbeat" };
  if (channel === "status") return status(o, raw);
  if (channel === "instrument") return instrument(o);
  if (channel === "trade") return trade(o);
  if (channel === "ticker") return ticker(o);
  const method = o["method"];
  if (method === "pong") {
    const reqId = safeInteger(o["req_id"]);
    const timeOut = o["time_out"];
    return {
      kind: "pong",
      ...(reqId === undefined ? {} : { reqId }),
      ...(typeof timeOut === "string" ? { timeOut } : {}),
    };
  }
  if (method === "subscribe" || method === "unsubscribe") return ack(o, method);
  const bare = typeof o["Error"] === "string" ? o["Error"] : o["error"];
  if (method === undefined && channel === undefined) {
    if (typeof bare === "string") return { kind: "rate-limit", error: bare };
    // Kraken names a channel or a method in every other message; one with a name not known here is
    // a channel or an answer this app does not use, and is passed over.
    return { kind: "error", message: "an object with neither channel nor method", raw, book: false };
  }
  return unknown(raw);
}

function status(o: JsonObject, raw: string): Message {
  const d = Array.isArray(o["data"]) ? (o["data"] as readonly Json[])[0] : undefined;
  if (!isObject(d)) return unknown(raw);
  const id = d["connection_id"];
  return {
    kind: "status",
    system: typeof d["system"] === "string" ? d["system"] : "unknown",
    version: typeof d["version"] === "string" ? d["version"] : "",
    apiVersion: typeof d["api_version"] === "string" ? d["api_version"] : "",
    connectionId: id instanceof WireNumber ? id.text : typeof id === "string" ? id : "",
  };
}

function ack(o: JsonObject, method: AckMethod): Message {
  const reqId = safeInteger(o["req_id"]);
  const withReq = reqId === undefined ? {} : { reqId };
  if (o["success"] === true) {
    const r = isObject(o["result"]) ? o["result"] : {};
    const symbol = typeof r["symbol"] === "string" ? r["symbol"] : undefined;
    const depth = safeInteger(r["depth"]);
    return {
      kind: "ack",
      method,
      channel: typeof r["channel"] === "string" ? r["channel"] : "",
      ...(symbol === undefined ? {} : { symbol }),
      ...(depth === undefined ? {} : { depth }),
      ...withReq,
    };
  }
  const err = typeof o["error"] === "string" ? o["error"] : "request failed";
  const symbol = typeof o["symbol"] === "string" ? o["symbol"] : undefined;
  if (/rate/i.test(err) && /exceed|limit/i.test(err)) {
    return { kind: "rate-limit", error: err, method, ...(symbol === undefined ? {} : { symbol }) };
  }
  return { kind: "nack", method, error: err, ...(symbol === undefined ? {} : { symbol }), ...withReq };
}

function book(o: JsonObject): Message {
  const type = o["type"];
  if (type !== "snapshot" && type !== "update")
    throw new FieldError(`book frame: bad type ${describe(type)}`);
  const data = o["data"];
  if (!Array.isArray(data) || data.length === 0)
    throw new FieldError("book frame: data is not a non-empty array");
  return { kind: "book", type, data: (data as readonly Json[]).map((d, i) => bookData(d, `data[${i}]`)) };
}

function bookData(d: Json, at: string): BookData {
  if (!isObject(d)) throw new FieldError(`book frame: ${at} is not an object`);
  const symbol = d["symbol"];
  if (typeof symbol !== "string" || symbol === "")
    throw new FieldError(`book frame: ${at}.symbol is ${symbol === "" ? "empty" : describe(symbol)}`);
  const bids = levels(d["bids"], `${at}.bids`);
  const asks = levels(d["asks"], `${at}.asks`);
  const checksum = d["checksum"];
  if (!(checksum instanceof WireNumber))
    throw new FieldError(
      `book frame: ${at}.checksum is ${checksum === undefined ? "missing" : `${describe(checksum)}, not a number`}`,
    );
  if (!/^\d{1,10}$/.test(checksum.text) || Number(checksum.text) > MAX_CHECKSUM) {
    throw new FieldError(`book frame: ${at}.checksum ${checksum.text} is not an unsigned 32-bit integer`);
  }
  const timestamp = d["timestamp"];
  if (timestamp !== undefined && typeof timestamp !== "string") {
    throw new FieldError(`book frame: ${at}.timestamp is not a string`);
  }
  const base = { symbol, bids, asks, checksum: Number(checksum.text) };
  return timestamp === undefined ? base : { ...base, timestamp };
}

function levels(v: Json | undefined, at: string): WireLevel[] {
  if (v === undefined) throw new FieldError(`book frame: ${at} is missing`);
  if (!Array.isArray(v)) throw new FieldError(`book frame: ${at} is not an array`);
  return (v as readonly Json[]).map((l, i) => {
    if (!isObject(l)) throw new FieldError(`book frame: ${at}[${i}] is not an object`);
    return { price: decimal(l["price"], `${at}[${i}].price`), qty: decimal(l["qty"], `${at}[${i}].qty`) };
  });
}

function decimal(v: Json | undefined, at: string): string {
  if (v === undefined) throw new FieldError(`book frame: ${at} is missing`);
  if (!(v instanceof WireNumber)) throw new FieldError(`book frame: ${at} is ${describe(v)}, not a number`);
  if (v.text.length > MAX_DECIMAL_LENGTH)
    throw new FieldError(`book frame: ${at} is too long (${v.text.length} characters)`);
  if (!DECIMAL.test(v.text))
    throw new FieldError(`book frame: ${at} ${v.text} is not a plain non-negative decimal`);
  return v.text;
}

function describe(v: Json | undefined): string {
  if (v === undefined) return "missing";
  if (v === null) return "null";
  if (v instanceof WireNumber) return `the number ${v.text}`;
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + "…" : v)}`;
  return typeof v;
}

/** `data` holds an entry with `bids` or `asks`. */
function carriesLevels(o: JsonObject): boolean {
  const data = o["data"];
  const entries: readonly Json[] = Array.isArray(data) ? data : isObject(data) ? [data] : [];
  return entries.some((d) => isObject(d) && (d["bids"] !== undefined || d["asks"] !== undefined));
}

/** Symbols a broken book frame names, so only those books resync; undefined unless every entry's can be read. */
function bookSymbols(o: JsonObject): readonly string[] | undefined {
  if (!Array.isArray(o["data"])) return undefined;
  const out: string[] = [];
  for (const d of o["data"] as readonly Json[]) {
    if (!isObject(d) || typeof d["symbol"] !== "string" || d["symbol"] === "") return undefined;
    out.push(d["symbol"]);
  }
  return out.length > 0 ? out : undefined;
}
