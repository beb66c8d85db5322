import { OrderBook } from "../book/order-book.js";
import { BookScan } from "../protocol/book-scan.js";
import { parseGeneric } from "../protocol/parse.js";
import type { ApplyOutcome } from "../book/order-book.js";
import { longLineMessage, MAX_LINE_BYTES, readBlocks } from "../recording/lines.js";
import { TradeSequence } from "../feed/trade-sequence.js";

const LF = 10;
const CR = 13;

export type SymbolReport = {
  snapshots: number;
  updates: number;
  /** Updates not applied: before a snapshot, after an unsubscribe, or while the book is broken. */
  skipped: number;
  ok: number;
  failed: number;
  crossed: number;
};

/** A break in a pair's trade ids, where the recording shows it. */
export type TradeIdGap = {
  readonly expected: number;
  readonly got: number;
  readonly file: string;
  readonly line: number;
};

/** One pair's trades: how many new ones, and every break in their ids (a jump or a repeat). */
export type TradeReport = { trades: number; gaps: TradeIdGap[] };

export type FrameError = { readonly file: string; readonly line: number; readonly message: string };

/**
 * Invalid lines kept with their messages; the rest are only counted. A file of garbage has a line every
 * two bytes, and keeping them all (~150 bytes each) ran a 60 MB file out of heap after ten minutes.
 */
export const MAX_KEPT_ERRORS = 1000;

export type VerifyReport = {
  frames: number;
  checksums: { ok: number; failed: number };
  /**
   * Keyed by symbols read from the file: a null-prototype object, so no symbol (`__proto__`,
   * `constructor`, `toString`) can reach Object.prototype or be mistaken for one of its members.
   */
  symbols: Record<string, SymbolReport>;
  /** Every line that is not a valid frame. */
  invalidLines: number;
  /** The first MAX_KEPT_ERRORS of them, in order. */
  errors: FrameError[];
  /**
   * Trade-id continuity per pair, checked as the live feed checks it (feed/trade-sequence.ts: snapshots
   * overlapping what was seen are skipped), except that after a gap the ids are read on from it rather
   * than awaiting a renewal the file may not hold; keyed like `symbols`.
   */
  trades: Record<string, TradeReport>;
};

/** Trade-id gaps over every pair. */
export function tradeGapCount(report: VerifyReport): number {
  let n = 0;
  for (const t of Object.values(report.trades)) n += t.gaps.length;
  return n;
}

export function emptyReport(): VerifyReport {
  return {
    frames: 0,
    checksums: { ok: 0, failed: 0 },
    symbols: Object.create(null) as Record<string, SymbolReport>,
    invalidLines: 0,
    errors: [],
    trades: Object.create(null) as Record<string, TradeReport>,
  };
}

type Track = {
  book: OrderBook | undefined;
  /** Depth from this recording's subscribe ack, if any. */
  depth: number | undefined;
  /** No snapshot since the last unsubscribe or checksum mismatch: updates are skipped. */
  broken: boolean;
  /** This symbol's line of the report, from its first book entry on. */
  stats: SymbolReport | undefined;
};

/**
 * Replays one recording through the same parse and book code as the live app, adding to `report`.
 * Each file starts from a fresh state. Throws only if the file cannot be read.
 *
 * Book frames in Kraken's layout are applied straight from BookScan's positions; every other line,
 * and any book frame the scanner does not accept whole, goes through the generic parser.
 */
export function verifyFile(
  path: string,
  report: VerifyReport,
  defaultDepth: number,
  /** The file as the report names it (`stdin` for `-`). */
  name = path,
  /** The longest line read (MAX_LINE_BYTES; smaller in tests). */
  maxLine = MAX_LINE_BYTES,
): void {
  const invalid = (line: number, message: string): void => {
    if (report.invalidLines++ < MAX_KEPT_ERRORS) report.errors.push({ file: name, line, message });
  };
  const tracks = new Map<string, Track>();
  const sequences = new Map<string, TradeSequence>();
  const scan = new BookScan();
  const track = (symbol: string): Track => {
    let t = tracks.get(symbol);
    if (t === undefined) {
      t = { book: undefined, depth: undefined, broken: true, stats: undefined };
      tracks.set(symbol, t);
    }
    return t;
  };
  /** The track of a book entry for `symbol`, counted in its stats; undefined when the update is skipped. */
  const entry = (symbol: string, snapshot: boolean): Track | undefined => {
    const t = track(symbol);
    const s =
      (t.stats ??=
      report.symbols[symbol] ??=
        {
          snapshots: 0,
          updates: 0,
          skipped: 0,
          ok: 0,
          failed: 0,
          crossed: 0,
        });
    if (snapshot) {
      s.snapshots++;
      t.book = new OrderBook(symbol, t.depth ?? defaultDepth);
      t.broken = false;
    } else {
      s.updates++;
      if (t.broken || t.book === undefined) {
        s.skipped++;
        return undefined;
      }
    }
    return t;
  };
  const record = (t: Track, outcome: ApplyOutcome): void => {
    const s = t.stats!;
    if (outcome === "checksum-mismatch") {
      s.failed++;
      report.checksums.failed++;
      t.broken = true;
    } else {
      s.ok++;
      report.checksums.ok++;
      if (outcome === "crossed-book") s.crossed++;
    }
  };

  /** Any line but a book frame BookScan accepts: decoded as UTF-8, through the generic parser. */
  const other = (line: string, lineNo: number): void => {
    if (line.trim() === "") return;
    report.frames++;
    const msg = parseGeneric(line);
    switch (msg.kind) {
      case "book": {
        const snapshot = msg.type === "snapshot";
        for (const data of msg.data) {
          const t = entry(data.symbol, snapshot);
          if (t !== undefined) record(t, t.book!.apply(data, snapshot));
        }
        break;
      }
      case "ack":
        if (msg.channel === "book" && msg.symbol !== undefined) {
          const t = track(msg.symbol);
          if (msg.method === "subscribe") {
            if (msg.depth !== undefined) t.depth = msg.depth;
          } else {
            t.broken = true;
          }
        }
        break;
      case "error":
        invalid(lineNo, msg.message);
        // A book frame we cannot read may have changed that book: treat it as broken until its next snapshot.
        for (const symbol of msg.symbols ?? []) track(symbol).broken = true;
        break;
      case "trade": {
        const bySymbol = new Map<string, (typeof msg.trades)[number][]>();
        for (const t of msg.trades) {
          const list = bySymbol.get(t.symbol) ?? [];
          bySymbol.set(t.symbol, list);
          list.push(t);
        }
        for (const [symbol, trades] of bySymbol) {
          let seq = sequences.get(symbol);
          if (seq === undefined) sequences.set(symbol, (seq = new TradeSequence({ renews: false })));
          const verdict = seq.take(trades, msg.type === "snapshot");
          const r = (report.trades[symbol] ??= { trades: 0, gaps: [] });
          r.trades += verdict.fresh.length;
          for (const g of verdict.gaps) r.gaps.push({ ...g, file: name, line: lineNo });
        }
        break;
      }
      case "status":
      case "heartbeat":
      case "nack":
      case "pong":
      case "rate-limit":
      case "instrument":
      case "ticker":
      case "unknown":
        break;
      default:
        msg satisfies never;
    }
  };

  // Each line is scanned in place where it starts; a line BookScan does not take whole is found by
  // its newline and decoded for the generic parser. Lines as forEachLine splits them: up to a `\n`, a `\r`
  // before it dropped, and a last line without one when it is not empty.
  let lineNo = 0;
  const lines = (bytes: Buffer, start: number, end: number): void => {
    while (start < end) {
      lineNo++;
      const frameEnd = scan.scanLine(bytes, start, end);
      if (frameEnd >= 0) {
        report.frames++;
        const snapshot = scan.snapshot;
        for (let e = 0; e < scan.entries; e++) {
          const t = entry(scan.symbol(e), snapshot);
          if (t !== undefined) record(t, t.book!.applyScan(scan, e, snapshot));
        }
        start = frameEnd === end ? end : frameEnd + (bytes[frameEnd] === LF ? 1 : 2);
        continue;
      }
      let nl = bytes.indexOf(LF, start);
      if (nl < 0 || nl >= end) nl = end;
      other(bytes.toString("utf8", start, nl > start && bytes[nl - 1] === CR ? nl - 1 : nl), lineNo);
      start = nl + 1;
    }
  };
  // A line too long to hold is an invalid line like any other, listed and counted as a frame. It is no
  // frame the feed could have taken (see MAX_LINE_BYTES), so no book is marked broken for it.
  const longLine = (bytes: number): void => {
    lineNo++;
    report.frames++;
    invalid(lineNo, longLineMessage(bytes, maxLine));
  };
  readBlocks(path, lines, longLine, maxLine);
}
