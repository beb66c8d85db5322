import { BookChanges, bookEvent, publicEvents } from "../events/from-feed.js";
import type { PublicEventOptions } from "../events/from-feed.js";
import type { BookView, FeedEvent } from "../feed/types.js";
import { escapeJson } from "../text/sanitize.js";
import { instrumentLines, statusLine, tickerLine, tradeGapLine, tradeLine } from "./ndjson-market.js";

export { recordingFailedMessage } from "../events/from-feed.js";

/** NDJSON prints every verified book's touch (a lagging book's too, with its lag), and no ladders. */
const NDJSON_EVENTS: PublicEventOptions = { prices: "verified", ladder: false };

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
  private readonly write: (lines: string) => void;

  constructor(
    /** One line, or the lines of one view joined by "\n"; the caller ends it with "\n". */
    write: (lines: string) => void,
    /** Notices are for people, not for the stream: they go to stderr. */
    private readonly notice: (message: string) => void,
  ) {
    this.write = (lines) => write(escapeJson(lines));
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
    const events = publicEvents(event, NDJSON_EVENTS);
    if (event.type === "view") {
      // The changed lines of one view leave in one write: one system call per view, not per book.
      let lines = "";
      for (const book of events) {
        const line = book.type === "book" ? this.books.changed(book) : undefined;
        if (line !== undefined) lines = lines === "" ? line : `${lines}\n${line}`;
      }
      if (lines !== "") this.write(lines);
      return;
    }
    for (const e of events) this.write(JSON.stringify(e));
  }
}

/** `{"type":"book","symbol",…}` in the documented key order; prices and `lagMs` only for a verified book. */
export function bookLine(b: BookView): string {
  return JSON.stringify(bookEvent(b, NDJSON_EVENTS));
}
