import { decimalsOf } from "../protocol/decimal.js";
import { parseFrame } from "../protocol/parse.js";
import { forEachLine } from "../recording/lines.js";
import { RecordingOutline } from "../recording/outline.js";
import { findPair, instrumentFrame } from "./catalogue.js";
import type { PairInfo } from "./catalogue.js";
import { parseRfc3339Micros } from "./format.js";
import type { BookSource, Subscriber } from "./source.js";

/** One recorded book frame, kept verbatim. */
export type RecordedFrame = {
  readonly text: string;
  readonly snapshot: boolean;
  /** Exchange time in microseconds, when the frame carried one. */
  readonly micros: number | undefined;
};

export type Recording = {
  /** Book symbols in first-seen order. */
  readonly symbols: readonly string[];
  /** Depth per symbol: its subscribe ack's, else inferred from its first snapshot. */
  readonly depths: ReadonlyMap<string, number>;
  readonly frames: ReadonlyMap<string, readonly RecordedFrame[]>;
  /** Price and qty decimals per symbol, as seen on the wire. */
  readonly pairs: ReadonlyMap<string, PairInfo>;
};

/**
 * Reads a recording (`--record` output, or any file of raw Kraken frames, one per line) to serve it:
 * every book frame kept verbatim per symbol, with the depths and symbols `RecordingOutline` finds.
 * Throws what the file system throws.
 */
export function loadRecording(path: string): Recording {
  const outline = new RecordingOutline();
  const frames = new Map<string, RecordedFrame[]>();
  const pairs = new Map<string, PairInfo>();
  forEachLine(path, (line) => {
    if (line.trim() === "") return;
    const msg = outline.add(parseFrame(line));
    if (msg === undefined) return;
    const snapshot = msg.type === "snapshot";
    const seen = new Set<string>();
    for (const d of msg.data) {
      if (seen.has(d.symbol)) continue;
      seen.add(d.symbol);
      if (!pairs.has(d.symbol)) {
        const level = d.bids[0] ?? d.asks[0];
        if (level !== undefined) {
          const known = findPair(d.symbol);
          pairs.set(d.symbol, {
            symbol: d.symbol,
            pricePrecision: decimalsOf(level.price),
            qtyPrecision: decimalsOf(level.qty),
            ...(known === undefined ? {} : { qtyMin: known.qtyMin }),
          });
        }
      }
      const micros = d.timestamp === undefined ? undefined : parseRfc3339Micros(d.timestamp);
      let list = frames.get(d.symbol);
      if (list === undefined) frames.set(d.symbol, (list = []));
      list.push({ text: line, snapshot, micros });
    }
  });
  // A symbol seen only in a subscribe ack is one the recording has, with no frames to serve.
  for (const s of outline.symbols) if (!frames.has(s)) frames.set(s, []);
  return { symbols: outline.symbols, depths: outline.depths(), frames, pairs };
}

/** At `max` speed, stop writing while this many bytes wait unsent (at most: see `ReplaySource`). */
export const REPLAY_HIGH_WATER = 1 << 20;
/** At `max` speed, yield to the event loop after this many frames even if the socket keeps up. */
const MAX_FRAMES_PER_TURN = 2000;

/**
 * Serves a recording: a subscription streams that symbol's recorded book frames verbatim, in
 * recorded order (re-snapshots included), from its first snapshot, paced by their exchange
 * timestamps divided by `speed` (Infinity: as fast as the socket drains). Each symbol is served
 * at its recorded depth. When the frames run out the subscription simply goes quiet.
 * At `max` speed it waits while `highWater` bytes are unsent, which must sit below the
 * connection's send bound so that pacing, not the bound, governs a client that reads slowly.
 */
export class ReplaySource implements BookSource {
  private readonly stops = new Set<() => void>();

  constructor(
    private readonly rec: Recording,
    private readonly speed: number,
    private readonly highWater = REPLAY_HIGH_WATER,
  ) {}

  has(symbol: string): boolean {
    return this.rec.frames.has(symbol);
  }

  servedDepth(symbol: string, requested: number): number {
    return this.rec.depths.get(symbol) ?? requested;
  }

  instrumentFrame(): string {
    return instrumentFrame([...this.rec.pairs.values()]);
  }

  subscribe(symbol: string, _depth: number, snapshot: boolean, subscriber: Subscriber): () => void {
    const frames = this.rec.frames.get(symbol) ?? [];
    const first = frames.findIndex((f) => f.snapshot);
    let i = first < 0 ? frames.length : snapshot ? first : first + 1;
    const startAt = performance.now();
    let base: number | undefined;
    let latest = 0;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    /** When frame `i` is due: its timestamp (or the latest before it) relative to the first, over speed. */
    const due = (f: RecordedFrame): number => {
      if (f.micros !== undefined && f.micros > latest) latest = f.micros;
      base ??= f.micros;
      return base === undefined ? startAt : startAt + (latest - base) / 1000 / this.speed;
    };
    const pump = (): void => {
      timer = undefined;
      let sent = 0;
      while (!stopped && i < frames.length) {
        const f = frames[i]!;
        if (this.speed === Infinity) {
          if (subscriber.backlog() > this.highWater || sent >= MAX_FRAMES_PER_TURN) {
            timer = setTimeout(pump, sent >= MAX_FRAMES_PER_TURN ? 0 : 2);
            return;
          }
        } else {
          const wait = due(f) - performance.now();
          if (wait > 0) {
            timer = setTimeout(pump, wait);
            return;
          }
        }
        i++;
        sent++;
        subscriber.send(f.text, symbol);
      }
      if (!stopped) stop();
    };
    const stop = (): void => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    pump();
    return stop;
  }

  close(): void {
    for (const stop of [...this.stops]) stop();
  }
}
