import { servable as servableState, servedLag, servedReason } from "../feed/servable.js";
import { pairOf } from "../feed/symbols.js";
import type { BookView, ConnectionState, LevelView } from "../feed/types.js";

/** Whether a book's prices may be served (feed/servable.ts). Every other book carries no prices anywhere. */
export function servable(book: BookView, connection: ConnectionState): boolean {
  return servableState(book.state, connection.state);
}

/** The body of `GET /book/:symbol` for a servable book, exact decimal strings. */
export type BookBody = {
  readonly symbol: string;
  readonly state: BookView["state"];
  readonly version: number;
  readonly checksum: number | null;
  readonly lagMs: number | null;
  readonly time: string | null;
  readonly bids: readonly LevelView[];
  readonly asks: readonly LevelView[];
  readonly spread: string | null;
  readonly mid: string | null;
};

export function bookBody(book: BookView, levels: number): BookBody {
  return {
    symbol: book.symbol,
    state: book.state,
    version: book.version,
    checksum: book.checksum ?? null,
    lagMs: book.lagMs ?? null,
    time: book.time ?? null,
    bids: book.bids.slice(0, levels),
    asks: book.asks.slice(0, levels),
    spread: book.spread ?? null,
    mid: book.mid ?? null,
  };
}

/**
 * The body of a 503: the state and why, no prices; `lagMs` of a lagging book (how far behind it is: its
 * state's reason); `retryInMs` while the book waits out its resubscribe backoff (it cannot be servable
 * before then).
 */
export function unservableBody(
  book: BookView,
  connection: ConnectionState,
  now: number,
): {
  readonly symbol: string;
  readonly state: string;
  readonly reason: string | null;
  readonly lagMs?: number;
  readonly retryInMs?: number;
} {
  return {
    symbol: book.symbol,
    state: book.state,
    reason: servedReason(book.reason, connection.state) ?? null,
    ...lagOf(book, connection),
    ...retryIn(book, now),
  };
}

/** `{lagMs}` while the socket is open (`servedLag`), else nothing. */
function lagOf(book: BookView, connection: ConnectionState): { readonly lagMs?: number } {
  const lagMs = servedLag(book.lagMs, connection.state);
  return lagMs === undefined ? {} : { lagMs };
}

/** `{retryInMs}` while the book waits out its resubscribe backoff, else nothing. */
export function retryIn(book: BookView, now: number): { readonly retryInMs?: number } {
  return book.retryAt === undefined ? {} : { retryInMs: Math.max(0, book.retryAt - now) };
}

/**
 * The `data` of an SSE `book` event: bids/asks empty and no spread/mid, checksum or time unless servable;
 * lag while the socket is open (`servedLag`: a lagging book's too).
 */
export function streamBookData(book: BookView, connection: ConnectionState, levels: number): string {
  const ok = servable(book, connection);
  const reason = servedReason(book.reason, connection.state);
  return JSON.stringify({
    symbol: book.symbol,
    state: book.state,
    version: book.version,
    ...(ok && book.checksum !== undefined ? { checksum: book.checksum } : {}),
    ...lagOf(book, connection),
    ...(ok && book.time !== undefined ? { time: book.time } : {}),
    bids: ok ? book.bids.slice(0, levels) : [],
    asks: ok ? book.asks.slice(0, levels) : [],
    ...(ok && book.spread !== undefined ? { spread: book.spread } : {}),
    ...(ok && book.mid !== undefined ? { mid: book.mid } : {}),
    checksums: book.checksums,
    resyncs: book.resyncs,
    ...(reason === undefined ? {} : { reason }),
    ...(book.retryAt === undefined ? {} : { retryAt: book.retryAt }),
  });
}

/** One entry of `GET /symbols`. */
export function symbolEntry(book: BookView, connection: ConnectionState, depth: number, now: number): object {
  return {
    symbol: book.symbol,
    state: book.state,
    servable: servable(book, connection),
    version: book.version,
    depth,
    lagMs: servedLag(book.lagMs, connection.state) ?? null,
    checksums: book.checksums,
    resyncs: book.resyncs,
    tradeGaps: book.tradeGaps,
    messagesPerSecond: book.messagesPerSecond,
    reason: servedReason(book.reason, connection.state) ?? null,
    ...retryIn(book, now),
  };
}

/**
 * The watched symbol a path names: as written (`BTC/USD`), URL-encoded (`BTC%2FUSD`) or dashed
 * (`BTC-USD`), any case, and by the legacy names the command line and the library take (`XBT-USD` is
 * BTC/USD: pairOf, the mapping the command line uses). Undefined when it names none (or does not decode).
 */
export function findSymbol(segment: string, symbols: readonly string[]): string | undefined {
  const wanted = decodeSegment(segment)?.toUpperCase();
  if (wanted === undefined) return undefined;
  const same = (name: string): string | undefined =>
    symbols.find((s) => s.toUpperCase() === name || s.toUpperCase().replace("/", "-") === name);
  return same(wanted) ?? same(pairOf(wanted.includes("/") ? wanted : wanted.replace("-", "/")) ?? "");
}

/** The 404 of a path naming a symbol this server does not serve: what was asked, and what it serves. */
export function unknownSymbolBody(segment: string, symbols: readonly string[]): object {
  const asked = (decodeSegment(segment) ?? segment).slice(0, 64);
  return {
    error: `unknown symbol ${JSON.stringify(asked)}: this server serves ${symbols.join(", ")}`,
    symbols,
  };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
