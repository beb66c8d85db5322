import { decimalsOf } from "../protocol/decimal.js";
import { parseFrame } from "../protocol/parse.js";
import { BOOK_DEPTHS } from "../protocol/types.js";
import { readLines } from "../recording/lines.js";
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

/** Smallest depth Kraken offers that holds `levels` levels (1000 when more). */
function depthFor(levels: number): number {
  return BOOK_DEPTHS.find((d) => d >= levels) ?? 1000;
}

/**
 * Reads a recording (`--record` output, or any file of raw Kraken frames, one per line).
 * With `keepFrames` false only the description is gathered (flat memory).
 */
export async function loadRecording(path: string, keepFrames = true): Promise<Recording> {
  const symbols: string[] = [];
  const ackDepths = new Map<string, number>();
  const snapDepths = new Map<string, number>();
  const frames = new Map<string, RecordedFrame[]>();
  const pairs = new Map<string, PairInfo>();
  const see = (symbol: string): void => {
    if (!frames.has(symbol)) {
      frames.set(symbol, []);
      symbols.push(symbol);
    }
  };
  for await (const [line] of readLines(path)) {
    if (line.trim() === "") continue;
    const msg = parseFrame(line);
    if (msg.kind === "ack") {
      if (msg.channel === "book" && msg.method === "subscribe" && msg.symbol !== undefined) {
        see(msg.symbol);
        if (msg.depth !== undefined && !ackDepths.has(msg.symbol)) ackDepths.set(msg.symbol, msg.depth);
      }
      continue;
    }
    if (msg.kind !== "book") continue;
    const snapshot = msg.type === "snapshot";
    const seen = new Set<string>();
    for (const d of msg.data) {
      if (seen.has(d.symbol)) continue;
      seen.add(d.symbol);
      see(d.symbol);
      if (snapshot && !snapDepths.has(d.symbol)) {
        snapDepths.set(d.symbol, depthFor(Math.max(d.bids.length, d.asks.length)));
      }
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
      if (keepFrames) {
        const micros = d.timestamp === undefined ? undefined : parseRfc3339Micros(d.timestamp);
        frames.get(d.symbol)!.push({ text: line, snapshot, micros });
      }
    }
  }
  const depths = new Map<string, number>();
  for (const s of symbols) {
    const d = ackDepths.get(s) ?? snapDepths.get(s);
    if (d !== undefined) depths.set(s, d);
  }
  return { symbols, depths, frames, pairs };
}

/**
 * The symbols (first-seen order) and book depth of a recording, so `kraken-ladder --replay FILE`
 * can take them from it: the depth of the first subscribe ack, else inferred from the first
 * snapshot's level count rounded up to a depth Kraken offers; absent when neither exists.
 */
export async function describeRecording(path: string): Promise<{ symbols: string[]; depth?: number }> {
  const rec = await loadRecording(path, false);
  const first = rec.symbols.find((s) => rec.depths.has(s));
  const depth = first === undefined ? undefined : rec.depths.get(first);
  return depth === undefined ? { symbols: [...rec.symbols] } : { symbols: [...rec.symbols], depth };
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
