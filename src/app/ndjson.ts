import type { AnalyticsOptions } from "../analytics/types.js";
import { BookChanges, bookEvent, publicEvents } from "../events/from-feed.js";
import type { PublicEventOptions } from "../events/from-feed.js";
import type { BookEvent } from "../events/types.js";
import type { BookView, FeedEvent } from "../feed/types.js";
import { escapeJson } from "../text/sanitize.js";
import { LineAnalytics } from "./ndjson-analytics.js";
import { instrumentLines, statusLine, tickerLine, tradeGapLine, tradeLine } from "./ndjson-market.js";

export { recordingFailedMessage } from "../events/from-feed.js";

/** NDJSON prints every verified book's touch (a lagging book's too, with its lag), and no ladders. */
const NDJSON_EVENTS: PublicEventOptions = { prices: "verified", ladder: false };

/** What book lines carry beyond the touch. */
export type NdjsonOptions = {
  /** `--analytics`: liquidity, cost and imbalance on each line of a live book. */
  readonly analytics?: AnalyticsOptions;
  /** `--json-levels N`: the top N levels of each side (`bids`, `asks`, best first) on each verified book's line. */
  readonly levels?: number;
};

/**
 * NDJSON output for pipes and `--json`: the public events (events/from-feed.ts), one object per line,
 * prices as exact strings. Connection lines on every transition, book lines only when their content
 * changed (so at most one per published view, i.e. `--fps` per symbol), resync, rejected and error lines
 * as they happen. Every line goes out through `escapeJson`: server text (symbols, reasons, messages)
 * cannot carry a raw C1 control, bidi override or other invisible character to a terminal showing the
 * stream.
 */
export class NdjsonWriter {
  private readonly books = new BookChanges();
  /** The book views the last view's lines were made from, and its connection: the feed publishes an unchanged book as the same object. */
  private lastBooks = new Map<string, BookView>();
  private lastConnection = "";
  /** The view each book's last line was written from. */
  private readonly written = new Map<string, BookView>();
  private readonly write: (lines: string, books?: readonly string[]) => void;
  private readonly analytics: LineAnalytics | undefined;
  private readonly levels: number;

  constructor(
    /**
     * One line, or the lines of one view joined by "\n"; the caller ends it with "\n". `books`: a view's
     * lines are book lines, and this is each one's symbol (see LineOut).
     */
    write: (lines: string, books?: readonly string[]) => void,
    /** Notices are for people, not for the stream: they go to stderr. */
    private readonly notice: (message: string) => void,
    options: NdjsonOptions = {},
  ) {
    this.write = (lines, books) => write(escapeJson(lines), books);
    this.analytics = options.analytics === undefined ? undefined : new LineAnalytics(options.analytics);
    this.levels = options.levels ?? 0;
  }

  event(event: FeedEvent): void {
    switch (event.type) {
      case "notice":
        this.notice(event.message);
        return;
      // The market-context channels (issue 16) have NDJSON lines of their own, not yet public events.
      case "trade":
        this.write(tradeLine(event));
        return;
      case "trade-gap":
        this.write(tradeGapLine(event));
        return;
      case "ticker":
        this.write(tickerLine(event));
        return;
      case "instrument":
        this.write(instrumentLines(event.pairs));
        return;
      case "status":
        this.write(statusLine(event));
        return;
      default:
        break;
    }
    if (event.type === "view") {
      // The changed lines of one view leave in one write: one system call per view, not per book.
      const connection = event.view.connection.state;
      const same = connection === this.lastConnection ? this.lastBooks : undefined;
      // Once the feed is over (`ended`, `stopped`) a book that has not changed keeps its last line: a new one
      // would differ only by the analytics it loses on a closed socket, and stand after `stopped` as the
      // book's last word, still saying live.
      const over = connection === "ended" || connection === "stopped";
      const seen = new Map<string, BookView>();
      let lines = "";
      const symbols: string[] = [];
      for (const b of event.view.books) {
        seen.set(b.symbol, b);
        if (same?.get(b.symbol) === b) continue;
        if (over && sameBook(this.written.get(b.symbol), b)) continue;
        const line = this.books.changed(this.bookEvent(b, connection));
        if (line === undefined) continue;
        this.written.set(b.symbol, b);
        lines = lines === "" ? line : `${lines}\n${line}`;
        symbols.push(b.symbol);
      }
      this.lastBooks = seen;
      this.lastConnection = connection;
      if (lines !== "") this.write(lines, symbols);
      return;
    }
    for (const e of publicEvents(event, NDJSON_EVENTS)) this.write(JSON.stringify(e));
  }

  /** A book's line: the public event, then the analytics and levels asked for. */
  private bookEvent(b: BookView, connection: string): BookEvent {
    const base = bookEvent(b, NDJSON_EVENTS);
    if (this.analytics === undefined && this.levels === 0) return base;
    const fields = this.analytics?.fields(b, connection);
    const verified = base.bid !== undefined || base.ask !== undefined;
    return {
      ...base,
      ...fields,
      ...(this.levels > 0 && verified
        ? { bids: levels(b.bids, this.levels), asks: levels(b.asks, this.levels) }
        : {}),
    };
  }
}

/**
 * Whether a book is as it was in an earlier view: its state and reason, and not a frame applied since
 * (each one verified moves the checksum counts). Its version says more than that: it also moves when the
 * socket opens or closes, which changes what serve shows, not the book.
 */
function sameBook(a: BookView | undefined, b: BookView): boolean {
  return (
    a !== undefined &&
    a.state === b.state &&
    a.reason === b.reason &&
    a.checksums.ok === b.checksums.ok &&
    a.checksums.failed === b.checksums.failed &&
    a.resyncs === b.resyncs
  );
}

function levels(side: BookView["bids"], n: number): { price: string; qty: string }[] {
  return side.slice(0, n).map((l) => ({ price: l.price, qty: l.qty }));
}

/** `{"type":"book","symbol",…}` in the documented key order; prices and `lagMs` only for a verified book. */
export function bookLine(b: BookView): string {
  return JSON.stringify(bookEvent(b, NDJSON_EVENTS));
}
