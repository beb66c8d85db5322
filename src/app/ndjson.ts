import type { BookView, FeedEvent, RecordingFailure } from "../feed/types.js";
import { instrumentLines, statusLine, tickerLine, tradeGapLine, tradeLine } from "./ndjson-market.js";
import { escapeJson } from "../text/sanitize.js";

/**
 * NDJSON output for pipes and `--json`: one object per line, prices as exact strings.
 * Connection lines on every transition, book lines only when their content changed (so at most
 * one per published view, i.e. `--fps` per symbol), resync, rejected and error lines as they happen.
 * Every line goes out through `escapeJson`: server text (symbols, reasons, messages) cannot carry a raw
 * C1 control, bidi override or other invisible character to a terminal showing the stream.
 */
export class NdjsonWriter {
  private readonly lastBook = new Map<string, string>();
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
      case "view": {
        // The changed lines of one view leave in one write: one system call per view, not per book.
        let lines = "";
        for (const book of event.view.books) {
          const line = bookLine(book);
          if (this.lastBook.get(book.symbol) === line) continue;
          this.lastBook.set(book.symbol, line);
          lines = lines === "" ? line : `${lines}\n${line}`;
        }
        if (lines !== "") this.write(lines);
        return;
      }
      case "connection":
        if (event.state === "reconnecting") {
          this.write(JSON.stringify({ type: "error", message: `connection lost: ${event.reason}` }));
          this.write(
            JSON.stringify({
              type: "connection",
              state: event.state,
              attempt: event.attempt,
              retryInMs: event.retryInMs,
            }),
          );
        } else if (event.state === "connecting") {
          this.write(JSON.stringify({ type: "connection", state: event.state, attempt: event.attempt }));
        } else {
          this.write(JSON.stringify({ type: "connection", state: event.state }));
        }
        return;
      case "resync":
        this.write(JSON.stringify({ type: "resync", symbol: event.symbol, reason: event.reason }));
        return;
      case "rejected":
        this.write(JSON.stringify({ type: "rejected", symbol: event.symbol, reason: event.reason }));
        return;
      case "error":
        this.write(JSON.stringify({ type: "error", message: event.message }));
        return;
      case "notice":
        this.notice(event.message);
        return;
      case "recording-failed":
        this.write(JSON.stringify({ type: "error", message: recordingFailedMessage(event) }));
        return;
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
      case "stopped":
        return;
      default:
        event satisfies never;
    }
  }
}

/** `{"type":"book","symbol",…}` in the documented key order; prices and `lagMs` only for a verified book. */
export function bookLine(b: BookView): string {
  return JSON.stringify({
    type: "book",
    symbol: b.symbol,
    state: b.state,
    ...(b.reason === undefined ? {} : { reason: b.reason }),
    ...(b.bid === undefined ? {} : { bid: { price: b.bid.price, qty: b.bid.qty } }),
    ...(b.ask === undefined ? {} : { ask: { price: b.ask.price, qty: b.ask.qty } }),
    ...(b.spread === undefined ? {} : { spread: b.spread }),
    ...(b.mid === undefined ? {} : { mid: b.mid }),
    checksums: { ok: b.checksums.ok, failed: b.checksums.failed },
    resyncs: b.resyncs,
    ...(b.time === undefined ? {} : { time: b.time }),
    ...(b.lagMs === undefined ? {} : { lagMs: b.lagMs }),
  });
}

/** The error line's message when recording stops early. */
export function recordingFailedMessage(failure: RecordingFailure): string {
  return `recording to ${failure.path} stopped: ${failure.reason}; the recording is incomplete`;
}
