import { parseFrame } from "../protocol/parse.js";
import { BOOK_DEPTHS } from "../protocol/types.js";
import type { BookMessage, ParseResult } from "../protocol/types.js";
import { forEachLine } from "./lines.js";

/** What `--replay FILE` takes from a recording when not told: its symbols and book depth. */
export type RecordingDescription = { readonly symbols: readonly string[]; readonly depth?: number };

/** A recording without one book snapshot: a replay of it would show nothing but "syncing" for ever. */
export class NoBookDataError extends Error {
  override readonly name = "NoBookDataError";
  /** `lines`: the recording's non-blank lines. */
  constructor(readonly lines: number) {
    super(
      `no book data (${lines === 0 ? "the file is empty" : `none of its ${lines} line${lines === 1 ? "" : "s"} is a book snapshot`})`,
    );
  }
}

/** Smallest depth Kraken offers that holds `levels` levels (1000 when more). */
function depthFor(levels: number): number {
  return BOOK_DEPTHS.find((d) => d >= levels) ?? 1000;
}

/**
 * The book symbols of a recording in first-seen order, and the depth of each: its first subscribe
 * ack's, else its first snapshot's level count rounded up to a depth Kraken offers. Fed one parsed
 * frame at a time, in file order.
 */
export class RecordingOutline {
  private readonly order: string[] = [];
  private readonly seen = new Set<string>();
  private readonly ackDepths = new Map<string, number>();
  private readonly snapDepths = new Map<string, number>();
  /** Book snapshots seen: a replay of a recording with none has no book to show. */
  snapshots = 0;

  /** Takes one frame; returns it as a book message when it is one, for a caller that wants more. */
  add(msg: ParseResult): BookMessage | undefined {
    if (msg.kind === "ack") {
      if (msg.channel === "book" && msg.method === "subscribe" && msg.symbol !== undefined) {
        this.see(msg.symbol);
        if (msg.depth !== undefined && !this.ackDepths.has(msg.symbol)) {
          this.ackDepths.set(msg.symbol, msg.depth);
        }
      }
      return undefined;
    }
    if (msg.kind !== "book") return undefined;
    if (msg.type === "snapshot") this.snapshots++;
    for (const d of msg.data) {
      this.see(d.symbol);
      if (msg.type === "snapshot" && !this.snapDepths.has(d.symbol)) {
        this.snapDepths.set(d.symbol, depthFor(Math.max(d.bids.length, d.asks.length)));
      }
    }
    return msg;
  }

  get symbols(): readonly string[] {
    return this.order;
  }

  depths(): Map<string, number> {
    const depths = new Map<string, number>();
    for (const s of this.order) {
      const d = this.ackDepths.get(s) ?? this.snapDepths.get(s);
      if (d !== undefined) depths.set(s, d);
    }
    return depths;
  }

  /** The symbols, and the depth of the first symbol that has one (absent when none has). */
  describe(): RecordingDescription {
    const depths = this.depths();
    const first = this.order.find((s) => depths.has(s));
    const depth = first === undefined ? undefined : depths.get(first);
    return depth === undefined ? { symbols: [...this.order] } : { symbols: [...this.order], depth };
  }

  private see(symbol: string): void {
    if (this.seen.has(symbol)) return;
    this.seen.add(symbol);
    this.order.push(symbol);
  }
}

/**
 * Reads a recording (`--record` output, or any file of raw Kraken frames, one per line) for what
 * `kraken-ladder --replay FILE` takes from it (see RecordingOutline). Flat memory. Throws NoBookDataError
 * when it holds no book snapshot (nothing to replay), and what the file system throws.
 */
export function describeRecording(path: string): RecordingDescription {
  const outline = new RecordingOutline();
  let lines = 0;
  const onLine = (line: string): void => {
    if (line.trim() === "") return;
    lines++;
    outline.add(parseFrame(line));
  };
  // A line too long to read (no frame is that long) is passed over as any line that is not a frame.
  forEachLine(path, onLine, () => lines++);
  if (outline.snapshots === 0) throw new NoBookDataError(lines);
  return outline.describe();
}
