import { OrderBook } from "../book/order-book.js";
import type { ApplyOutcome } from "../book/order-book.js";
import { BookScan } from "../protocol/book-scan.js";
import { decimalsOf } from "../protocol/decimal.js";
import { parseGeneric } from "../protocol/parse.js";
import { subscribeBook, unsubscribeBook } from "../protocol/requests.js";
import type { BookData, BookMessage, NackMessage, ParseResult } from "../protocol/types.js";
import { Backoff } from "./backoff.js";
import { ClockOffset } from "./freshness.js";
import { LatencyWindow, RateCounter } from "./stats.js";
import type { FeedEvent, ResyncReason } from "./types.js";

/** A book's own state; `stale` is derived from time by the publisher. */
export type SlotState = "awaiting-snapshot" | "live" | "resyncing" | "rejected";

/** Everything the feed knows about one symbol. */
export class Slot {
  state: SlotState = "awaiting-snapshot";
  reason: string | undefined;
  book: OrderBook | undefined;
  /** Acked, rejected or snapshotted on this connection: the subscription has been answered. */
  answered = false;
  ok = 0;
  failed = 0;
  resyncs = 0;
  time: string | undefined;
  changedAt: number | undefined;
  /** Receive − exchange time (ms) of the newest applied update; undefined until one carries a timestamp. */
  delta: number | undefined;
  priceDecimals = 0;
  qtyDecimals = 0;
  readonly rate = new RateCounter();
  readonly latency = new LatencyWindow();
  /** Backs off resubscribing when this symbol fails again and again. */
  readonly backoff: Backoff;
  /** Failures within the last minute; the first resubscribes at once. */
  failures = 0;
  lastFailureAt = -Infinity;
  retry: NodeJS.Timeout | undefined;

  constructor(
    readonly symbol: string,
    baseMs: number,
    capMs: number,
  ) {
    this.backoff = new Backoff(baseMs, capMs, Math.random, "equal");
  }
}

/** What the session needs from the outside world. */
export type SessionSink = {
  send(text: string): void;
  event(event: FeedEvent): void;
  /** The server is rate-limiting us: drop the connection and come back slowly. */
  slowDown(reason: string): void;
};

export type SessionOptions = {
  readonly symbols: readonly string[];
  readonly depth: number;
  /** Resubscribe backoff for a symbol that keeps failing. */
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  /** A symbol that has not failed for this long starts its resubscribe backoff afresh (default 60 s). */
  readonly failureMemoryMs?: number;
  /** Pongs' `time_out` count as exchange timestamps for the clock offset (default true; see FeedOptions). */
  readonly pongTimes?: boolean;
};

const FAILURE_MEMORY_MS = 60_000;
/** This many rate-limit errors within the window make the connection back off. */
const RATE_LIMIT_STRIKES = 3;
const RATE_LIMIT_WINDOW_MS = 10_000;

/**
 * The books and their subscriptions over one connection after another: subscribe on open, apply
 * and verify every book frame, resync a failed symbol alone, mark rejected symbols. No sockets and
 * no timers except the per-symbol resubscribe delay, so it is driven directly in tests.
 */
export class Session {
  readonly slots: readonly Slot[];
  private readonly bySymbol = new Map<string, Slot>();
  /** Bumped on every change a view could show. */
  version = 0;
  malformed = 0;
  lastReceivedAt = 0;
  /** The smallest receive − exchange figure of recent messages: the zero of every book's lag. */
  readonly offset = new ClockOffset();
  private reqId = 0;
  private rateLimits: number[] = [];
  /** The fast path for book frames (see `frame`). */
  private readonly scan = new BookScan();
  private system = "online";

  constructor(
    private readonly options: SessionOptions,
    private readonly sink: SessionSink,
  ) {
    this.slots = options.symbols.map((s) => new Slot(s, options.retryBaseMs, options.retryCapMs));
    for (const slot of this.slots) this.bySymbol.set(slot.symbol, slot);
  }

  /** A new socket is open: subscribe every symbol that was not rejected, all awaiting a snapshot. */
  opened(): void {
    const wanted: string[] = [];
    for (const slot of this.slots) {
      slot.answered = slot.state === "rejected";
      if (slot.state === "rejected") continue;
      this.reset(slot);
      wanted.push(slot.symbol);
    }
    if (wanted.length > 0) this.subscribe(wanted);
    this.version++;
  }

  /** The socket is gone: every book is void until its next snapshot. */
  closed(): void {
    for (const slot of this.slots) if (slot.state !== "rejected") this.reset(slot);
    this.version++;
  }

  /** Every subscription has been answered on this connection (the connection is live). */
  settled(): boolean {
    for (const slot of this.slots) if (!slot.answered) return false;
    return true;
  }

  /** Every book that was not rejected is verified (live), and at least one is: this connection serves books. */
  verified(): boolean {
    let any = false;
    for (const slot of this.slots) {
      if (slot.state === "live") any = true;
      else if (slot.state !== "rejected") return false;
    }
    return any;
  }

  dispose(): void {
    for (const slot of this.slots) clearTimeout(slot.retry);
  }

  /**
   * One raw frame from the socket. Book updates in Kraken's layout are applied straight from
   * BookScan's positions (no message objects); every other frame, snapshots included (rare and
   * large), goes through `handle` with the parsed message.
   */
  frame(raw: string, receivedAt: number): void {
    const scan = this.scan;
    if (!scan.scan(raw)) return this.handle(parseGeneric(raw), receivedAt);
    if (scan.snapshot) return this.handle(scan.message(), receivedAt);
    this.lastReceivedAt = receivedAt;
    for (let e = 0; e < scan.entries; e++) {
      const slot = this.bySymbol.get(scan.symbol(e));
      if (slot === undefined || slot.state !== "live" || slot.book === undefined) continue;
      this.updated(slot, scan.timestamp(e), slot.book.applyScan(scan, e, false), receivedAt);
    }
  }

  handle(msg: ParseResult, receivedAt: number): void {
    this.lastReceivedAt = receivedAt;
    switch (msg.kind) {
      case "book":
        this.book(msg, receivedAt);
        return;
      case "ack":
        if (msg.method === "subscribe" && msg.channel === "book" && msg.symbol !== undefined) {
          const slot = this.bySymbol.get(msg.symbol);
          if (slot !== undefined) slot.answered = true;
        }
        return;
      case "nack":
        this.nack(msg, receivedAt);
        return;
      case "rate-limit":
        this.rateLimited(msg.error, receivedAt);
        return;
      case "status":
        if (msg.system !== this.system) {
          this.system = msg.system;
          this.sink.event({ type: "notice", message: `exchange status: ${msg.system}` });
        }
        return;
      case "error":
        this.malformed++;
        this.version++;
        this.sink.event({ type: "error", message: `malformed frame: ${msg.message}` });
        for (const symbol of msg.symbols ?? []) {
          const slot = this.bySymbol.get(symbol);
          if (slot !== undefined && slot.state !== "rejected") this.resync(slot, "bad-frame", receivedAt);
        }
        return;
      case "pong":
        // The server's answer time is a prompt timestamp: it bounds the offset when book data lags.
        if (msg.timeOut !== undefined && this.options.pongTimes !== false)
          this.timed(msg.timeOut, receivedAt);
        return;
      case "heartbeat":
      case "instrument":
      case "unknown":
        return;
      default:
        msg satisfies never;
    }
  }

  private book(msg: BookMessage, receivedAt: number): void {
    const snapshot = msg.type === "snapshot";
    for (const data of msg.data) {
      const slot = this.bySymbol.get(data.symbol);
      if (slot === undefined || slot.state === "rejected") continue;
      if (snapshot) this.snapshot(slot, data, receivedAt);
      else if (slot.state === "live" && slot.book !== undefined) {
        this.updated(slot, data.timestamp, slot.book.apply(data, false), receivedAt);
      }
      // Otherwise: updates before the (new) snapshot belong to a book we no longer trust.
    }
  }

  private snapshot(slot: Slot, data: BookData, receivedAt: number): void {
    const book = new OrderBook(slot.symbol, this.options.depth);
    slot.answered = true;
    slot.rate.add(receivedAt);
    const outcome = book.apply(data, true);
    if (outcome !== "ok") return this.failed(slot, outcome, receivedAt);
    slot.ok++;
    slot.book = book;
    slot.state = "live";
    slot.reason = undefined;
    const first = data.bids[0] ?? data.asks[0];
    if (first !== undefined) {
      slot.priceDecimals = decimalsOf(first.price);
      slot.qtyDecimals = decimalsOf(first.qty);
    }
    this.changed(slot, data.timestamp, receivedAt);
  }

  /** An update was applied to a live book, with this outcome. */
  private updated(
    slot: Slot,
    timestamp: string | undefined,
    outcome: ApplyOutcome,
    receivedAt: number,
  ): void {
    slot.rate.add(receivedAt);
    const delta = timestamp === undefined ? undefined : this.timed(timestamp, receivedAt);
    if (delta !== undefined) slot.latency.add(delta, receivedAt);
    if (outcome !== "ok") return this.failed(slot, outcome, receivedAt);
    slot.ok++;
    if (delta !== undefined) slot.delta = delta;
    this.changed(slot, timestamp, receivedAt);
  }

  /** Receive − exchange time of a message stamped `timestamp`, added to the offset window; undefined if unreadable. */
  private timed(timestamp: string, receivedAt: number): number | undefined {
    const exchange = Date.parse(timestamp);
    if (Number.isNaN(exchange)) return undefined;
    const delta = receivedAt - exchange;
    this.offset.add(delta, receivedAt);
    return delta;
  }

  private changed(slot: Slot, timestamp: string | undefined, receivedAt: number): void {
    if (timestamp !== undefined) slot.time = timestamp;
    slot.changedAt = receivedAt;
    this.version++;
  }

  private failed(slot: Slot, outcome: "checksum-mismatch" | "crossed-book", now: number): void {
    if (outcome === "checksum-mismatch") slot.failed++;
    else slot.ok++;
    this.resync(slot, outcome, now);
  }

  /** Discards the symbol's book and resubscribes it alone; its updates are ignored until the snapshot. */
  private resync(slot: Slot, reason: ResyncReason, now: number): void {
    slot.state = "resyncing";
    slot.reason = reason;
    slot.book = undefined;
    slot.resyncs++;
    this.version++;
    this.sink.event({ type: "resync", symbol: slot.symbol, reason });
    this.resubscribe(slot, now);
  }

  /** Unsubscribe (repeating the depth, as Kraken requires), then subscribe, later if it keeps failing. */
  private resubscribe(slot: Slot, now: number): void {
    const depth = this.options.depth;
    this.sink.send(unsubscribeBook({ symbols: [slot.symbol], depth, reqId: ++this.reqId }));
    if (now - slot.lastFailureAt > (this.options.failureMemoryMs ?? FAILURE_MEMORY_MS)) {
      slot.failures = 0;
      slot.backoff.reset();
    }
    slot.lastFailureAt = now;
    clearTimeout(slot.retry);
    slot.retry = undefined;
    // The first failure resubscribes at once; each further one within a minute waits longer.
    const delay = slot.failures === 0 ? 0 : slot.backoff.next();
    slot.failures++;
    if (delay === 0) this.subscribe([slot.symbol]);
    else slot.retry = setTimeout(() => this.subscribe([slot.symbol]), delay);
  }

  private subscribe(symbols: readonly string[]): void {
    this.sink.send(subscribeBook({ symbols, depth: this.options.depth, reqId: ++this.reqId }));
  }

  private nack(msg: NackMessage, now: number): void {
    if (msg.method !== "subscribe") return;
    const targets =
      msg.symbol !== undefined
        ? [this.bySymbol.get(msg.symbol)].filter((s) => s !== undefined)
        : this.slots.filter((s) => s.state !== "live" && s.state !== "rejected");
    for (const slot of targets) {
      if (/already subscribed/i.test(msg.error)) {
        // Our unsubscribe lost the race: try again, politely.
        this.resubscribe(slot, now);
        continue;
      }
      clearTimeout(slot.retry);
      slot.state = "rejected";
      slot.reason = msg.error;
      slot.book = undefined;
      slot.answered = true;
      this.version++;
      this.sink.event({ type: "rejected", symbol: slot.symbol, reason: msg.error });
    }
  }

  private rateLimited(error: string, now: number): void {
    this.rateLimits = this.rateLimits.filter((t) => now - t < RATE_LIMIT_WINDOW_MS);
    this.rateLimits.push(now);
    this.sink.event({ type: "error", message: `rate limited by the server: ${error}` });
    if (this.rateLimits.length >= RATE_LIMIT_STRIKES) {
      this.rateLimits = [];
      this.sink.slowDown(`rate limited ${RATE_LIMIT_STRIKES} times in ${RATE_LIMIT_WINDOW_MS / 1000} s`);
    }
  }

  private reset(slot: Slot): void {
    clearTimeout(slot.retry);
    slot.retry = undefined;
    slot.state = "awaiting-snapshot";
    slot.reason = undefined;
    slot.book = undefined;
    slot.delta = undefined;
    slot.latency.clear();
  }
}
