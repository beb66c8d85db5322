import { servable, servedLag, servedReason } from "../feed/servable.js";
import type { BookView, ConnectionState, FeedEvent, RecordingFailure, TickerView } from "../feed/types.js";
import type { BookEvent, BookFeedEvent, ConnectionEvent, TickerEvent } from "./types.js";

/**
 * Which books carry prices:
 * - `verified`: every verified book (live, stale, lagging), as the worker publishes it: NDJSON's rule.
 * - `servable`: only a book that is `live` or `stale` on an open connection (verified and current,
 *   feed/servable.ts), the rule of `serve` and the library: a lagging book, and every book while the
 *   socket is not open, carry their state and counts but no prices.
 */
export type PriceRule = "verified" | "servable";

export type PublicEventOptions = {
  readonly prices: PriceRule;
  /** Include each book's top levels (`bids`, `asks`) as the view carries them. */
  readonly ladder: boolean;
};

/**
 * The public events one feed event stands for, in order: every book of a view (the caller keeps only the
 * changed ones, see BookChanges), a lost connection as an error and the reconnecting state, and so on.
 * Notices are for people (stderr), not for the stream; `stopped` ends the stream and is not an event.
 */
export function publicEvents(event: FeedEvent, options: PublicEventOptions): readonly BookFeedEvent[] {
  switch (event.type) {
    case "view": {
      const connection = event.view.connection.state;
      return event.view.books.map((b) => bookEvent(b, options, connection));
    }
    case "connection":
      return event.state === "reconnecting"
        ? [{ type: "error", message: connectionTrouble(event) }, connectionEvent(event)]
        : [connectionEvent(event)];
    case "resync":
      return [{ type: "resync", symbol: event.symbol, reason: event.reason, retryInMs: event.retryInMs }];
    case "rejected":
      return [{ type: "rejected", symbol: event.symbol, reason: event.reason }];
    case "error":
    case "nothing-to-watch":
      return [{ type: "error", message: event.message }];
    case "recording-failed":
      return [{ type: "error", message: recordingFailedMessage(event) }];
    case "trade":
      return [
        {
          type: "trade",
          symbol: event.symbol,
          side: event.side,
          price: event.price,
          qty: event.qty,
          ordType: event.ordType,
          tradeId: event.tradeId,
          time: event.time,
        },
      ];
    case "trade-gap":
      return [{ type: "trade-gap", symbol: event.symbol, expected: event.expected, got: event.got }];
    case "ticker":
      return [tickerEvent(event)];
    // Instrument parameters and the exchange's status are not public events yet.
    case "notice":
    case "stopped":
    case "instrument":
    case "pairs":
    case "status":
      return [];
    default:
      return event satisfies never;
  }
}

/**
 * Why the connection is reconnecting, as NDJSON's error line, the library's error event and serve's note
 * on stderr say it: `cannot connect: …` when the last try's socket never opened, else `connection lost: …`.
 */
export function connectionTrouble(c: { readonly reason: string; readonly neverOpened?: true }): string {
  return `${c.neverOpened === true ? "cannot connect" : "connection lost"}: ${c.reason}`;
}

/** A ticker in NDJSON's key order, the fields the exchange sent only. */
export function tickerEvent(t: TickerView): TickerEvent {
  return {
    type: "ticker",
    symbol: t.symbol,
    ...(t.last === undefined ? {} : { last: t.last }),
    ...(t.change === undefined ? {} : { change: t.change }),
    ...(t.changePct === undefined ? {} : { changePct: t.changePct }),
    ...(t.high === undefined ? {} : { high: t.high }),
    ...(t.low === undefined ? {} : { low: t.low }),
    ...(t.volume === undefined ? {} : { volume: t.volume }),
    ...(t.vwap === undefined ? {} : { vwap: t.vwap }),
    ...(t.bid === undefined ? {} : { bid: t.bid }),
    ...(t.ask === undefined ? {} : { ask: t.ask }),
    ...(t.timestamp === undefined ? {} : { time: t.timestamp }),
  };
}

/** The connection event of a state, without the fields meant for the screen (`retryAt`, `since`, `reason`). */
export function connectionEvent(c: ConnectionState): ConnectionEvent {
  switch (c.state) {
    case "connecting":
      return { type: "connection", state: c.state, attempt: c.attempt };
    case "reconnecting":
      return { type: "connection", state: c.state, attempt: c.attempt, retryInMs: c.retryInMs };
    case "subscribing":
    case "live":
    case "quiet":
    case "stalled":
    case "ended":
    case "stopped":
      return { type: "connection", state: c.state };
    default:
      return c satisfies never;
  }
}

/**
 * A book in the documented key order; prices per `options.prices` (`servable`: feed/servable.ts, on the
 * connection given), `lagMs` only for a verified book (`servedLag` unless `verified`).
 */
export function bookEvent(
  b: BookView,
  options: PublicEventOptions,
  connection?: ConnectionState["state"],
): BookEvent {
  const priced = options.prices === "verified" || servable(b.state, connection);
  // NDJSON (`verified`) prices a book on any connection: its reason is then the book's own.
  const reason = priced ? b.reason : servedReason(b.reason, connection);
  const lagMs = options.prices === "verified" ? b.lagMs : servedLag(b.lagMs, connection);
  return {
    type: "book",
    symbol: b.symbol,
    state: b.state,
    ...(reason === undefined ? {} : { reason }),
    ...(!priced || b.bid === undefined ? {} : { bid: { price: b.bid.price, qty: b.bid.qty } }),
    ...(!priced || b.ask === undefined ? {} : { ask: { price: b.ask.price, qty: b.ask.qty } }),
    ...(!priced || b.spread === undefined ? {} : { spread: b.spread }),
    ...(!priced || b.mid === undefined ? {} : { mid: b.mid }),
    checksums: { ok: b.checksums.ok, failed: b.checksums.failed },
    resyncs: b.resyncs,
    ...(b.time === undefined ? {} : { time: b.time }),
    ...(lagMs === undefined ? {} : { lagMs }),
    ...(options.ladder
      ? {
          bids: priced ? b.bids.map((l) => ({ price: l.price, qty: l.qty })) : [],
          asks: priced ? b.asks.map((l) => ({ price: l.price, qty: l.qty })) : [],
        }
      : {}),
  };
}

/**
 * Which book events are worth sending: a book's event is new when anything in it changed since the last
 * one sent for that symbol (so at most one per published view, i.e. `fps` per symbol).
 */
export class BookChanges {
  private readonly last = new Map<string, string>();

  /** The event's JSON text when it differs from the last one for its symbol, else undefined. */
  changed(event: BookEvent): string | undefined {
    const json = JSON.stringify(event);
    if (this.last.get(event.symbol) === json) return undefined;
    this.last.set(event.symbol, json);
    return json;
  }
}

/** The error event's message when recording stops early. */
export function recordingFailedMessage(failure: RecordingFailure): string {
  return `recording to ${failure.path} stopped: ${failure.reason}; the recording is incomplete`;
}
