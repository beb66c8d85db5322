import { timerDelay } from "../feed/timers.js";
import { decimalsOf } from "../protocol/decimal.js";
import { parseFrame } from "../protocol/parse.js";
import { REPLAY_ENDED } from "../protocol/types.js";
import { forEachLine } from "../recording/lines.js";
import { NoBookDataError, RecordingOutline } from "../recording/outline.js";
import { findPair, instrumentFrame } from "./catalogue.js";
import type { PairInfo } from "./catalogue.js";
import { parseRfc3339Micros } from "./format.js";
import { ReceiveClock } from "./pauses.js";
import type { Received } from "./pauses.js";
import type { BookSource, Subscriber, TickerTrigger } from "./source.js";

/** One recorded frame, kept verbatim. */
export type RecordedFrame = {
  readonly text: string;
  readonly snapshot: boolean;
  /** When it was received, in the recording's time from its first update (µs; see ReceiveClock). */
  readonly at: number;
  /** The exchange's time then: the newest update timestamp received by then (epoch µs; see ReceiveClock). */
  readonly stamp?: number;
};

export type Recording = {
  /** Book symbols in first-seen order. */
  readonly symbols: readonly string[];
  /** Depth per symbol: its subscribe ack's, else inferred from its first snapshot. */
  readonly depths: ReadonlyMap<string, number>;
  readonly frames: ReadonlyMap<string, readonly RecordedFrame[]>;
  /** Price and qty decimals per symbol, as seen on the wire. */
  readonly pairs: ReadonlyMap<string, PairInfo>;
  /** Recorded `trade` and `ticker` frames per symbol, verbatim, in file order. */
  readonly trades: ReadonlyMap<string, readonly RecordedFrame[]>;
  readonly tickers: ReadonlyMap<string, readonly RecordedFrame[]>;
  /** The recorded `instrument` frames (snapshot and updates), verbatim. */
  readonly instruments: readonly RecordedFrame[];
  /** The first recorded system status, when the recording has one. */
  readonly system: string | undefined;
  /** The exchange's time at the start: the recording's first update timestamp (epoch µs), if it has one. */
  readonly firstStamp: number | undefined;
};

type Obj = { readonly [key: string]: unknown };

/**
 * A `trade`, `ticker`, `instrument` or `status` line: its channel, type, the symbols it names and the
 * latest timestamp in it. Parsed with JSON.parse, since only these fields are read (the text is
 * served verbatim). Undefined for any other line.
 */
function channelLine(line: string):
  | {
      readonly channel: "trade" | "ticker" | "instrument" | "status";
      readonly snapshot: boolean;
      readonly symbols: readonly string[];
      readonly micros: number | undefined;
      readonly system: string | undefined;
    }
  | undefined {
  const m = /^\{"channel":"(trade|ticker|instrument|status)"/.exec(line);
  if (m === null) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const o = json as Obj;
  const data = Array.isArray(o["data"]) ? (o["data"] as unknown[]) : [];
  const symbols: string[] = [];
  let micros: number | undefined;
  let system: string | undefined;
  for (const d of data) {
    if (typeof d !== "object" || d === null) continue;
    const e = d as Obj;
    if (typeof e["symbol"] === "string" && !symbols.includes(e["symbol"])) symbols.push(e["symbol"]);
    if (typeof e["system"] === "string") system ??= e["system"];
    const t = typeof e["timestamp"] === "string" ? parseRfc3339Micros(e["timestamp"]) : undefined;
    if (t !== undefined && (micros === undefined || t > micros)) micros = t;
  }
  return {
    channel: m[1] as "trade" | "ticker" | "instrument" | "status",
    snapshot: o["type"] === "snapshot",
    symbols,
    micros,
    system,
  };
}

/**
 * Reads a recording (`--record` output, or any file of raw Kraken frames, one per line) to serve it:
 * every book frame kept verbatim per symbol, with the depths and symbols `RecordingOutline` finds.
 * Throws NoBookDataError when it holds no book snapshot, and what the file system throws.
 */
export function loadRecording(path: string): Recording {
  const outline = new RecordingOutline();
  const frames = new Map<string, RecordedFrame[]>();
  const pairs = new Map<string, PairInfo>();
  const trades = new Map<string, RecordedFrame[]>();
  const tickers = new Map<string, RecordedFrame[]>();
  const instruments: RecordedFrame[] = [];
  const clock = new ReceiveClock(MAX_REPLAY_PAUSE_S * 1e6);
  let system: string | undefined;
  let lines = 0;
  const onLine = (line: string): void => {
    if (line.trim() === "") return;
    lines++;
    const other = channelLine(line);
    if (other !== undefined) {
      if (other.channel === "status") {
        system ??= other.system;
        return;
      }
      const frame: RecordedFrame & Received = { text: line, snapshot: other.snapshot, at: 0 };
      clock.add(frame, other.snapshot ? undefined : other.micros);
      if (other.channel === "instrument") instruments.push(frame);
      else {
        const lists = other.channel === "trade" ? trades : tickers;
        for (const symbol of other.symbols) {
          let list = lists.get(symbol);
          if (list === undefined) lists.set(symbol, (list = []));
          list.push(frame);
        }
      }
      return;
    }
    const msg = outline.add(parseFrame(line));
    if (msg === undefined) return;
    const snapshot = msg.type === "snapshot";
    let updated: number | undefined;
    if (!snapshot) {
      for (const d of msg.data) {
        const t = d.timestamp === undefined ? undefined : parseRfc3339Micros(d.timestamp);
        if (t !== undefined && (updated === undefined || t > updated)) updated = t;
      }
    }
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
      const frame: RecordedFrame & Received = { text: line, snapshot, at: 0 };
      clock.add(frame, updated);
      let list = frames.get(d.symbol);
      if (list === undefined) frames.set(d.symbol, (list = []));
      list.push(frame);
    }
  };
  // A line too long to read (no frame is that long) is served no more than any line that is not a frame.
  forEachLine(path, onLine, () => lines++);
  clock.end();
  if (outline.snapshots === 0) throw new NoBookDataError(lines);
  // A symbol seen only in a subscribe ack is one the recording has, with no frames to serve.
  for (const s of outline.symbols) if (!frames.has(s)) frames.set(s, []);
  return {
    symbols: outline.symbols,
    depths: outline.depths(),
    frames,
    pairs,
    trades,
    tickers,
    instruments,
    system,
    firstStamp: clock.first,
  };
}

/** Where a connection's stream of one channel and symbol got to: a new subscription goes on from there. */
type Position = {
  /** The index of the snapshot it started at (the frames' length when there was none). */
  readonly snapshot: number;
  /** The index of the first frame it did not send, once it stopped. */
  stoppedAt: number | undefined;
};

/**
 * A connection's replay clock: the recording's time `origin` (µs, see RecordedFrame.at) is `startAt` here;
 * `stamp`, the exchange's time of the newest update sent on it (RecordedFrame.stamp), sent at `stampedAt`.
 */
type Timeline = {
  readonly startAt: number;
  readonly origin: number;
  stamp: number | undefined;
  stampedAt: number;
};

/** At `max` speed, stop writing while this many bytes wait unsent (at most: see `ReplaySource`). */
export const REPLAY_HIGH_WATER = 1 << 20;
/** At `max` speed, yield to the event loop after this many frames even if the socket keeps up. */
const MAX_FRAMES_PER_TURN = 2000;
/**
 * The longest pause a replay keeps, in the recording's time (before the speed divides it): longer ones,
 * where nothing at all was recorded (between runs appended to one file), are shortened to this. A liquid
 * pair's book is never this quiet (the shared BTC/USD capture's longest pause is 3.1 s).
 */
export const MAX_REPLAY_PAUSE_S = 5;
/**
 * Where a stream starts, as the class comment says: the first time on a connection (no `last`) from the
 * first snapshot (or the frame after it when no snapshot is asked for; a list with none, from its start,
 * but a book's not at all); again, from the recorded snapshot after the one `last` started at, or from where
 * `last` stopped when it ran past that one. `next`: that snapshot's index, or −1; `from`: the first frame to
 * send (`frames.length`: none).
 */
function startOf(
  frames: readonly RecordedFrame[],
  last: Position | undefined,
  snapshot: boolean,
  book: boolean,
): { readonly next: number; readonly from: number } {
  const next = frames.findIndex((f, k) => k > (last?.snapshot ?? -1) && f.snapshot);
  if (next < 0) return { next, from: last === undefined && !book ? 0 : frames.length };
  if (last?.stoppedAt !== undefined && next < last.stoppedAt) return { next, from: last.stoppedAt };
  return { next, from: snapshot ? next : next + 1 };
}

/**
 * The recording has ended once no stream has run for this long: a client subscribes its books, trades and
 * tickers in separate requests, and at `max` speed one stream can run out before the next request is read.
 */
const END_GRACE_MS = 100;

/**
 * Serves a recording: a subscription streams that symbol's recorded book frames verbatim, in
 * recorded order (re-snapshots included), from its first snapshot, paced as they were received during
 * the recording (RecordedFrame.at) divided by `speed` (Infinity: as fast as the socket drains). Every
 * stream of a connection keeps to one timeline, which its first subscription starts: frames of
 * different symbols and channels come in step as recorded, so none falls behind the others' timestamps
 * (a client's lag is measured across the connection). A stream's first frame, when it is a snapshot, is
 * sent at once, as the exchange answers a subscribe (it may lie ahead of the timeline: a book the
 * recording subscribed later, a resubscribe); what follows it keeps to the timeline. Each symbol is
 * served at its recorded depth. When the frames run out the subscription simply goes quiet.
 *
 * A stream subscribed again on the same connection (a client's resync, its renewal of a trade feed with a
 * gap) goes on from the recorded snapshot after the one its last stream started at, as the exchange's
 * answer to that during the recording did; starting over would fail the same checksum, or show the same
 * trade gap, again, for ever. When that snapshot was already sent (the last stream ran past it, as at
 * `max` speed), the client has it and what followed: the stream goes on from where the last one stopped,
 * with nothing sent twice. With no later snapshot it sends nothing.
 * At `max` speed it waits while `highWater` bytes are unsent, which must sit below the
 * connection's send bound so that pacing, not the bound, governs a client that reads slowly.
 */
export class ReplaySource implements BookSource {
  private readonly stops = new Set<() => void>();
  /** Streams still sending; once none has run for END_GRACE_MS, the status watchers hear `replay_ended`. */
  private readonly running = new Set<() => void>();
  private endCheck: NodeJS.Timeout | undefined;
  private readonly statusWatchers = new Set<(system: string) => void>();
  /** Per connection, per stream (channel and symbol): the snapshot its last stream started at, where it stopped. */
  private readonly positions = new WeakMap<Subscriber, Map<string, Position>>();
  /** Per connection, the timeline its streams keep to, from its first stream's start. */
  private readonly timelines = new WeakMap<Subscriber, Timeline>();

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

  /**
   * A book this connection has had that the recording holds nothing more of (no later snapshot, and none
   * not yet sent): a subscription would wait for ever, so it is refused, saying why. A new connection (a
   * new replay) starts it again from its first snapshot.
   */
  refusal(symbol: string, subscriber: Subscriber): string | undefined {
    const frames = this.rec.frames.get(symbol) ?? [];
    const { from } = startOf(frames, this.positions.get(subscriber)?.get(`book ${symbol}`), true, true);
    return from < frames.length ? undefined : `Replay has no later snapshot of ${symbol}`;
  }

  subscribe(symbol: string, _depth: number, snapshot: boolean, subscriber: Subscriber): () => void {
    return this.stream(this.rec.frames.get(symbol) ?? [], snapshot, subscriber, `book ${symbol}`, symbol);
  }

  subscribeTrades(symbol: string, snapshot: boolean, subscriber: Subscriber): () => void {
    return this.stream(this.rec.trades.get(symbol) ?? [], snapshot, subscriber, `trade ${symbol}`);
  }

  subscribeTicker(
    symbol: string,
    snapshot: boolean,
    _trigger: TickerTrigger,
    subscriber: Subscriber,
  ): () => void {
    return this.stream(this.rec.tickers.get(symbol) ?? [], snapshot, subscriber, `ticker ${symbol}`);
  }

  /** The recorded instrument frames when there are any, else a snapshot built from the book's decimals. */
  subscribeInstrument(snapshot: boolean, subscriber: Subscriber): () => void {
    if (this.rec.instruments.length > 0) {
      return this.stream(this.rec.instruments, snapshot, subscriber, "instrument");
    }
    if (snapshot) subscriber.send(instrumentFrame([...this.rec.pairs.values()]));
    return () => undefined;
  }

  /**
   * The exchange's time as this connection's replay stands (epoch µs): the newest update timestamp sent on
   * it, moved on by the time since at the replay's speed; before any, the recording's first. The server
   * stamps its own answers with it (a pong's `time_out`), so they keep the recording's clock as its
   * updates do, and a client that measures its lag against them (the feed's offset) finds a replay in step
   * as it was recorded, not behind by the recording's age.
   */
  clock(subscriber: Subscriber): number | undefined {
    const t = this.timelines.get(subscriber);
    if (t?.stamp === undefined) return this.rec.firstStamp;
    if (this.speed === Infinity) return t.stamp;
    return t.stamp + Math.round((performance.now() - t.stampedAt) * 1000 * this.speed);
  }

  /**
   * The recorded status now; then `replay_ended` (a word of this simulator, not Kraken's) once every stream
   * (books, trades, tickers, instruments) has sent its last frame and no new one has started for
   * END_GRACE_MS, so a client can tell the end of the recording from a quiet market.
   */
  watchStatus(onStatus: (system: string) => void): () => void {
    onStatus(this.rec.system ?? "online");
    this.statusWatchers.add(onStatus);
    return () => void this.statusWatchers.delete(onStatus);
  }

  /**
   * Streams recorded frames from where `startOf` says, paced as the class comment says. `key` names the
   * stream; `symbol` marks book frames.
   */
  private stream(
    frames: readonly RecordedFrame[],
    snapshot: boolean,
    subscriber: Subscriber,
    key: string,
    symbol?: string,
  ): () => void {
    let positions = this.positions.get(subscriber);
    if (positions === undefined) this.positions.set(subscriber, (positions = new Map<string, Position>()));
    const { next, from } = startOf(frames, positions.get(key), snapshot, symbol !== undefined);
    const position: Position = { snapshot: next < 0 ? frames.length : next, stoppedAt: undefined };
    positions.set(key, position);
    let i = from;
    // The connection's first stream with a frame to send starts its timeline.
    let timeline = this.timelines.get(subscriber);
    if (timeline === undefined && from < frames.length) {
      timeline = { startAt: performance.now(), origin: frames[from]!.at, stamp: undefined, stampedAt: 0 };
      this.timelines.set(subscriber, timeline);
    }
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
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
        } else if (timeline !== undefined && !(i === from && f.snapshot)) {
          // (A stream's first frame, a snapshot, is sent at once: see the class comment.)
          const due = timeline.startAt + (f.at - timeline.origin) / 1000 / this.speed;
          const wait = due - performance.now();
          if (wait > 0) {
            // The pump sends only what is due: a wait longer than a timer holds (a tiny speed) is waited in parts.
            timer = setTimeout(pump, timerDelay(wait));
            return;
          }
        }
        i++;
        sent++;
        // An update moves the connection's exchange clock on (see clock); a snapshot, which may lie ahead
        // of the timeline (sent at once), does not.
        const newer = f.stamp !== undefined && (timeline?.stamp === undefined || f.stamp > timeline.stamp);
        if (timeline !== undefined && !f.snapshot && newer) {
          timeline.stamp = f.stamp;
          timeline.stampedAt = performance.now();
        }
        if (symbol === undefined) subscriber.send(f.text);
        else subscriber.send(f.text, symbol);
      }
      if (!stopped) {
        stop();
        if (this.running.size === 0) this.checkEnd();
      }
    };
    const stop = (): void => {
      if (!stopped) position.stoppedAt = i;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      this.stops.delete(stop);
      this.running.delete(stop);
    };
    this.stops.add(stop);
    this.running.add(stop);
    // From the next turn: the other symbols of the same request start first, and none runs out alone.
    timer = setTimeout(pump, 0);
    return stop;
  }

  /** Says `replay_ended` if no stream is running still after END_GRACE_MS (one started meanwhile is). */
  private checkEnd(): void {
    clearTimeout(this.endCheck);
    this.endCheck = setTimeout(() => {
      this.endCheck = undefined;
      if (this.running.size > 0) return;
      for (const watcher of [...this.statusWatchers]) watcher(REPLAY_ENDED);
    }, END_GRACE_MS);
  }

  close(): void {
    clearTimeout(this.endCheck);
    for (const stop of [...this.stops]) stop();
  }
}
