import type { WebSocket } from "ws";
import type { Random } from "./random.js";

export type MalformedKind = "json" | "types" | "channel";
export const MALFORMED_KINDS: readonly MalformedKind[] = ["json", "types", "channel"];

/** A pair's `instrument` status changes to `status` at `atMs` after the server starts. */
export type TimedPairStatus = { readonly symbol: string; readonly status: string; readonly atMs: number };
/** The system `status` changes at `atMs` after the server starts. */
export type TimedSystemStatus = { readonly status: string; readonly atMs: number };
/** The first trade of `symbol` at or after `atMs` from the server's start has its id skipped or repeated. */
export type TimedTradeIdFault = { readonly symbol: string; readonly atMs: number };

/**
 * Faults to inject. Connection faults: times in milliseconds from the connection's opening. Market
 * faults (`pairStatus`, `systemStatus`, `skipTradeId`, `repeatTradeId`): every connection sees
 * the same market, so their times count from the server's start (demo market only).
 */
export type FaultOptions = {
  /** Pair status changes (instrument updates; a pair not online stops trading, or limit_only trades limit orders only). */
  readonly pairStatus?: readonly TimedPairStatus[];
  /** System status changes, sent on the `status` channel to every connection. */
  readonly systemStatus?: readonly TimedSystemStatus[];
  /** A trade id left out of the sequence: the next trade's id is one further on. */
  readonly skipTradeId?: readonly TimedTradeIdFault[];
  /** A trade id sent twice: the next trade repeats the previous trade's id. */
  readonly repeatTradeId?: readonly TimedTradeIdFault[];
  /** Drop each connection this long after it opens (a client that reconnects is dropped again). */
  readonly dropEveryMs?: number;
  /** `close`: a clean close frame (1001); `terminate`: the TCP socket is destroyed, no close frame. */
  readonly dropMode?: "close" | "terminate";
  /** Go silent for this long (socket open, nothing sent, not even heartbeats or pongs). */
  readonly silenceMs?: number;
  /** When the silence starts (default 5000). */
  readonly silenceAfterMs?: number;
  /** Probability that a book frame's checksum is corrupted. */
  readonly corruptProbability?: number;
  /** Corrupt the checksum of the first book frame sent at or after this time (once per connection). */
  readonly corruptAtMs?: number;
  /** Only corrupt this symbol's frames (default: any symbol). */
  readonly corruptSymbol?: string;
  /** Probability of a malformed frame after each book frame. */
  readonly malformedProbability?: number;
  /** Send a malformed frame this often. */
  readonly malformedEveryMs?: number;
  /** Which malformed frames to send, in turn (default all). */
  readonly malformedKinds?: readonly MalformedKind[];
  /** Reject subscriptions to these symbols as unknown pairs. */
  readonly rejectSymbols?: readonly string[];
  /** Never answer a book subscribe of these symbols: no ack, no error, no snapshot. */
  readonly unansweredSymbols?: readonly string[];
  /** Release at most one frame (or one burst) per this many ms; frames queue meanwhile. */
  readonly dripMs?: number;
  /** Hold frames and release them `burst` at a time, in one go (a partial group waits at most `burstWaitMs`). */
  readonly burst?: number;
  /** Longest a partial burst is held (default 1000). */
  readonly burstWaitMs?: number;
};

const DEFAULT_SILENCE_AFTER_MS = 5000;
const DEFAULT_BURST_WAIT_MS = 1000;

export function hasFaults(f: FaultOptions): boolean {
  return Object.values(f).some((v) => v !== undefined);
}

/** Changes a book frame's checksum to a different unsigned 32-bit value. */
export function corruptChecksum(frame: string): string {
  return frame.replace(/"checksum":(\d+)/, (_m, n: string) => `"checksum":${(Number(n) + 1) % 4294967296}`);
}

/** A malformed frame of the given kind, naming `symbol` where a book frame would. */
export function malformedFrame(kind: MalformedKind, symbol: string): string {
  switch (kind) {
    case "json":
      return `{"channel":"book","type":"update","data":[{"symbol":${JSON.stringify(symbol)},"bids":[{"price":`;
    case "types":
      return `{"channel":"book","type":"update","data":[{"symbol":${JSON.stringify(symbol)},"bids":[{"price":"1.0","qty":true}],"asks":{},"checksum":"none","timestamp":12}]}`;
    case "channel":
      return `{"channel":"sparkles","type":"update","data":[{"symbol":${JSON.stringify(symbol)},"glitter":1}]}`;
    default:
      return kind satisfies never;
  }
}

/** The most a link may hold unsent, and who is told (once) when it holds more. */
export type SendBound = {
  readonly maxBytes: number;
  /** `heldBytes` in all; `queuedBytes` of them held back by `--drip` or `--burst`, not by the socket. */
  readonly onOverflow: (heldBytes: number, queuedBytes: number) => void;
};

/**
 * Everything a connection sends passes through here, so fault injection stays out of the market
 * model and the protocol code: silence, corruption, malformed frames, drip, bursts and drops.
 * With no faults configured it is a direct `ws.send`. After each frame it checks the bytes held
 * unsent against `bound`: past it the link closes itself and reports, and sends nothing more.
 * Frames are never skipped to make room (a missing book update would break the client's
 * checksum); a client that cannot keep up is dropped instead.
 */
export class FaultyLink {
  private readonly openedAt = performance.now();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private dripTimer: NodeJS.Timeout | undefined;
  private partialTimer: NodeJS.Timeout | undefined;
  private lastRelease = -Infinity;
  private corruptAtDone = false;
  private malformedTurn = 0;
  private closed = false;
  private silent = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly f: FaultOptions,
    private readonly rng: Random,
    /** A symbol the client follows, for malformed book frames. */
    private readonly someSymbol: () => string,
    private readonly bound: SendBound,
  ) {
    if (f.dropEveryMs !== undefined) {
      this.later(f.dropEveryMs, () => {
        if (f.dropMode === "terminate") ws.terminate();
        else ws.close(1001, "simulated drop");
      });
    }
    if (f.silenceMs !== undefined) {
      this.later(f.silenceAfterMs ?? DEFAULT_SILENCE_AFTER_MS, () => {
        this.silent = true;
        this.later(f.silenceMs!, () => (this.silent = false));
      });
    }
    if (f.malformedEveryMs !== undefined) {
      const every = f.malformedEveryMs;
      const tick = (): void => {
        this.sendMalformed(this.someSymbol());
        this.later(every, tick);
      };
      this.later(every, tick);
    }
  }

  /** Whether the link is in a silence (half-open) period. */
  get isSilent(): boolean {
    return this.silent;
  }

  /** Sends a frame; `symbol` marks a book frame of that symbol. */
  send(text: string, symbol?: string): void {
    if (this.closed || this.silent) return;
    const f = this.f;
    let out = text;
    if (symbol !== undefined && (f.corruptSymbol === undefined || f.corruptSymbol === symbol)) {
      let corrupt = f.corruptProbability !== undefined && this.rng.chance(f.corruptProbability);
      if (
        !this.corruptAtDone &&
        f.corruptAtMs !== undefined &&
        performance.now() - this.openedAt >= f.corruptAtMs
      ) {
        this.corruptAtDone = true;
        corrupt = true;
      }
      if (corrupt) out = corruptChecksum(out);
    }
    this.deliver(out);
    if (
      symbol !== undefined &&
      f.malformedProbability !== undefined &&
      this.rng.chance(f.malformedProbability)
    ) {
      this.sendMalformed(symbol);
    }
  }

  /** Bytes not yet on the wire: the socket's buffer plus frames held by drip or burst. */
  backlog(): number {
    return this.ws.bufferedAmount + this.queuedBytes;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    if (this.dripTimer !== undefined) clearTimeout(this.dripTimer);
    if (this.partialTimer !== undefined) clearTimeout(this.partialTimer);
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private sendMalformed(symbol: string): void {
    if (this.closed || this.silent) return;
    const kinds = this.f.malformedKinds ?? MALFORMED_KINDS;
    const kind = kinds[this.malformedTurn++ % kinds.length];
    if (kind !== undefined) this.deliver(malformedFrame(kind, symbol));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      const i = this.timers.indexOf(t);
      if (i >= 0) this.timers.splice(i, 1);
      if (!this.closed) fn();
    }, ms);
    this.timers.push(t);
  }

  private deliver(text: string): void {
    const { dripMs, burst } = this.f;
    if (dripMs === undefined && burst === undefined) {
      this.write(text);
    } else {
      this.queue.push(text);
      this.queuedBytes += text.length;
      this.pump();
    }
    const held = this.backlog();
    if (held > this.bound.maxBytes && !this.closed) {
      const queued = this.queuedBytes;
      this.close();
      this.bound.onOverflow(held, queued);
    }
  }

  /** Releases held frames: a unit is one frame (drip) or `burst` frames, at most one unit per `dripMs`. */
  private readonly pump = (): void => {
    const unit = this.f.burst ?? 1;
    const drip = this.f.dripMs ?? 0;
    while (!this.closed && this.queue.length > 0) {
      if (this.dripTimer !== undefined) return;
      const wait = this.lastRelease + drip - performance.now();
      if (wait > 0) {
        this.dripTimer = setTimeout(() => {
          this.dripTimer = undefined;
          this.pump();
        }, wait);
        return;
      }
      if (this.queue.length < unit) {
        this.partialTimer ??= setTimeout(() => {
          this.partialTimer = undefined;
          this.release(this.queue.length);
          this.pump();
        }, this.f.burstWaitMs ?? DEFAULT_BURST_WAIT_MS);
        return;
      }
      this.release(unit);
    }
  };

  private release(n: number): void {
    if (this.queue.length <= n && this.partialTimer !== undefined) {
      clearTimeout(this.partialTimer);
      this.partialTimer = undefined;
    }
    this.lastRelease = performance.now();
    for (const text of this.queue.splice(0, n)) {
      this.queuedBytes -= text.length;
      if (!this.silent) this.write(text);
    }
  }

  private write(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }
}
