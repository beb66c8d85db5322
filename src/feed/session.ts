import { OrderBook } from "../book/order-book.js";
import type { ApplyOutcome } from "../book/order-book.js";
import { BookScan } from "../protocol/book-scan.js";
import { decimalsOf } from "../protocol/decimal.js";
import { parseGeneric } from "../protocol/parse.js";
import { isBookDepth, REPLAY_ENDED } from "../protocol/types.js";
import {
  subscribeBook,
  subscribeInstrument,
  subscribeTicker,
  unsubscribeInstrument,
  subscribeTrade,
  unsubscribeBook,
  unsubscribeTicker,
  unsubscribeTrade,
} from "../protocol/requests.js";
import type {
  BookData,
  BookMessage,
  InstrumentMessage,
  NackMessage,
  ParseResult,
  RateLimitMessage,
  TradeMessage,
} from "../protocol/types.js";
import { TradeSequence } from "./trade-sequence.js";
import { FailureBackoff } from "./backoff.js";
import { ClockOffset } from "./freshness.js";
import { LatencyWindow, RateCounter } from "./stats.js";
import { retryingIn } from "./retrying.js";
import type { FeedEvent, MarketSelection, ResyncReason } from "./types.js";

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
  /** Counts the book's changes: two within one millisecond are two (changedAt is the same for both). */
  revision = 0;
  /** Receive − exchange time (ms) of the newest applied update; undefined until one carries a timestamp. */
  delta: number | undefined;
  priceDecimals = 0;
  qtyDecimals = 0;
  /** Trade-id continuity of this pair's tape; its `gaps` count is the view's `tradeGaps`. */
  readonly trades = new TradeSequence();
  /** Gives up on a trade snapshot that does not come (see TradeSequence.restart). */
  tradeWait: NodeJS.Timeout | undefined;
  /**
   * Backs off renewing the trade subscription when its ids keep breaking (an exchange that skips or
   * repeats ids on every update): the first renewal goes at once, later ones within the failure memory
   * wait, as a book's resubscribes do.
   */
  readonly tradeBackoff: FailureBackoff;
  /** A trade renewal waiting out its backoff. */
  tradeRetry: NodeJS.Timeout | undefined;
  /** The pair's status from the `instrument` channel (`online`, `post_only`, …), once heard. */
  pairStatus: string | undefined;
  readonly rate = new RateCounter();
  readonly latency = new LatencyWindow();
  /** The Kraken depth this book is subscribed at (the session's depth until `setDepth`). */
  depth: number;
  /**
   * The server acked another depth than asked (a replay server serves its recording's): it serves only
   * that one, so asking another is pointless, and a new subscribe would skip a replay ahead to its next snapshot.
   */
  fixedDepth = false;
  /** Backs off resubscribing when this symbol fails again and again (the first resubscribes at once). */
  readonly backoff: FailureBackoff;
  /** A subscribe waiting out its backoff (none is in flight meanwhile), and when it goes (epoch ms). */
  retry: NodeJS.Timeout | undefined;
  retryAt: number | undefined;
  /** What the subscription in flight waits for, and the timer that gives up on it. */
  pending: "ack" | "snapshot" | undefined;
  wait: NodeJS.Timeout | undefined;

  constructor(
    readonly symbol: string,
    baseMs: number,
    capMs: number,
    /** Failures further apart than this start a backoff afresh (--backoff-reset). */
    memoryMs: number,
    depth = 10,
    /**
     * Its trades and ticker are subscribed with its book: every pair, but those a market run (`--quote`,
     * `--all`) watches from the pair list, which are books only; a pair added to such a run has them.
     */
    readonly watchTrades = true,
  ) {
    this.depth = depth;
    this.backoff = new FailureBackoff(baseMs, capMs, memoryMs);
    this.tradeBackoff = new FailureBackoff(baseMs, capMs, memoryMs);
  }

  /** Calls off the trade renewal waiting out its backoff and the wait for a trade snapshot. */
  cancelTradeTimers(): void {
    clearTimeout(this.tradeRetry);
    this.tradeRetry = undefined;
    clearTimeout(this.tradeWait);
    this.tradeWait = undefined;
  }

  /** Calls off the subscribe waiting out its backoff, if any. */
  cancelRetry(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.retryAt = undefined;
  }
}

/** What the session needs from the outside world. */
export type SessionSink = {
  send(text: string): void;
  event(event: FeedEvent): void;
  /** The server is rate-limiting us: drop the connection and come back slowly. */
  slowDown(reason: string): void;
  /**
   * A book left live (a resync) or a tape became current: every face must see it in the next view, not
   * one coalesced an interval later, since the events that tell of it go out at once.
   */
  urgent?(): void;
  /** The server said its feed has ended (REPLAY_ENDED): nothing on this connection will change again. */
  ended?(): void;
};

export type SessionOptions = {
  readonly symbols: readonly string[];
  readonly depth: number;
  /** Resubscribe backoff for a symbol that keeps failing. */
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  /** A symbol that has not failed for this long starts its resubscribe backoff afresh (default 60 s). */
  readonly failureMemoryMs?: number;
  /** A subscribe unacknowledged, or an ack without its snapshot, for this long is sent again (default 5 s). */
  readonly subscribeTimeoutMs?: number;
  /** The book timestamps are a recording's: pongs set no offset, no latency is measured (see FeedOptions). */
  readonly replayTimes?: boolean;
  /**
   * Watch the online pairs of the first `instrument` snapshot (one quote, or all) instead of `symbols`:
   * books only, no trade or ticker (hundreds of tapes are not what such a run shows).
   */
  readonly market?: MarketSelection;
};

const FAILURE_MEMORY_MS = 60_000;
const SUBSCRIBE_TIMEOUT_MS = 5_000;
/**
 * Most symbols one book subscribe names. Kraken documents no limit on symbols per request, only a dynamic
 * rate limit on requests, so few large requests are the polite shape; 100 a request keeps each one small
 * (a few KB) while a whole market (over a thousand pairs) takes a dozen requests.
 */
export const SUBSCRIBE_BATCH = 100;
/** Subscribe errors that reject a symbol for good; any other is retried. */
const PERMANENT = /currency pair not supported|not in ISO 4217|invalid (?:symbol|pair)/i;
/** A channel-level subscribe error: this server does not offer the channel. */
const CHANNEL_NOT_OFFERED = /channel \S+ not supported/i;
/** Subscribe errors that mean "slow down": their retry takes the slow backoff step. */
const RATE_LIMITED = /too many requests|rate.?limit|exceeded.*rate/i;
/** This many rate-limit errors within the window make the connection back off. */
const RATE_LIMIT_STRIKES = 3;
const RATE_LIMIT_WINDOW_MS = 10_000;
/** Longest exchange status word a notice repeats. */
const STATUS_WORD_MAX = 64;
/** Unanswered pings remembered: at one every 5 s, over five minutes of a server that stopped answering. */
const MAX_PINGS_AWAITED = 64;
/**
 * A ping is lost, not late, once a message the server stamped this long after the ping went out has come
 * without its answer: longer than any round trip to a healthy server (so the ping had reached it), and
 * shorter than --max-lag's default, so a lost ping is forgotten before it could make a book lagging.
 */
const LOST_PING_AFTER_MS = 1000;

/**
 * The books and their subscriptions over one connection after another: subscribe on open, apply
 * and verify every book frame, resync a failed symbol alone, mark rejected symbols. No sockets and
 * no timers except the per-symbol resubscribe delay, so it is driven directly in tests.
 */
export class Session {
  private readonly slotList: Slot[];
  private readonly bySymbol = new Map<string, Slot>();
  /**
   * Symbols removed at run time: book frames still on the way for them are dropped quietly, not taken
   * for a corrupted name (which would resync every book).
   */
  private readonly removed = new Set<string>();
  /** Whether a socket is open (between `opened` and `closed`): symbols added now subscribe at once. */
  private open = false;
  /** Every pair's status from the latest instrument snapshot, for symbols added later. */
  private readonly pairStatuses = new Map<string, string>();
  /** Bumped on every change a view could show. */
  version = 0;
  malformed = 0;
  lastReceivedAt = 0;
  /** The smallest receive − exchange figure of recent messages: the zero of every book's lag. */
  readonly offset = new ClockOffset();
  /** Receive − exchange figure of the newest book update on this connection, of any book. */
  newestDelta: number | undefined;
  /** Our pings on this connection that the server has not answered yet, oldest first (see `pinged`). */
  private readonly pings: { readonly reqId: number; readonly at: number }[] = [];
  /** How long the server took to answer the newest ping it answered on this connection (ms). */
  roundTripMs: number | undefined;
  /**
   * The server's clock less this machine's (ms), from the newest ping answered on this connection: its
   * `time_out` against the middle of the round trip (0 when the answer carries no readable time). Feed
   * latency is read through it, so this machine's clock error does not count, and a recording served as
   * a replay (whose answers keep the recording's clock) shows its own latency, not the recording's age.
   * Undefined before the first answer: no latency is measured until then.
   */
  clockSkewMs: number | undefined;
  private reqId = 0;
  private rateLimits: number[] = [];
  /** The fast path for book frames (see `frame`). */
  private readonly scan = new BookScan();
  /** The exchange's system status last heard, on any connection of this run. */
  private system: string | undefined;
  /** Subscribes sent for channels other than `book`, by req_id: their failures touch no book. */
  private readonly channelReqs = new Map<number, string>();
  /** The symbols are known: given, or (with `market`) taken from the first instrument snapshot. */
  private listed: boolean;
  /** With `market`: gives up on an instrument snapshot that does not come, and asks again. */
  private listWait: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: SessionOptions,
    private readonly sink: SessionSink,
  ) {
    this.listed = options.market === undefined;
    this.slotList = this.listed ? options.symbols.map((s) => this.newSlot(s)) : [];
    for (const slot of this.slotList) this.bySymbol.set(slot.symbol, slot);
  }

  /** The symbols' books, in the order they were given and added. */
  get slots(): readonly Slot[] {
    return this.slotList;
  }

  private newSlot(symbol: string, watchTrades = true): Slot {
    const { retryBaseMs, retryCapMs, failureMemoryMs = FAILURE_MEMORY_MS, depth } = this.options;
    return new Slot(symbol, retryBaseMs, retryCapMs, failureMemoryMs, depth, watchTrades);
  }

  /**
   * Adds a symbol at run time: on an open socket its book, trades and ticker are subscribed at once, as
   * for the symbols given at start; otherwise with the others on the next open. False if already watched.
   * A pair the exchange does not list is rejected by its answer, that pair alone.
   */
  add(symbol: string): boolean {
    if (this.bySymbol.has(symbol)) return false;
    const slot = this.newSlot(symbol);
    const status = this.pairStatuses.get(symbol);
    if (status !== undefined) slot.pairStatus = status;
    this.removed.delete(symbol);
    this.slotList.push(slot);
    this.bySymbol.set(symbol, slot);
    if (this.open) {
      this.subscribe([symbol]);
      slot.trades.expectSnapshot();
      this.channel("trade", (id) => subscribeTrade([symbol], id));
      this.channel("ticker", (id) => subscribeTicker([symbol], id));
    }
    this.version++;
    return true;
  }

  /** Stops watching a symbol: unsubscribed (book at its depth, trades, ticker) and its book dropped. */
  remove(symbol: string): boolean {
    const slot = this.bySymbol.get(symbol);
    if (slot === undefined) return false;
    // A book waiting out its backoff has no subscription to end.
    const bookSubscribed = slot.state !== "rejected" && slot.retry === undefined;
    slot.cancelRetry();
    clearTimeout(slot.wait);
    slot.cancelTradeTimers();
    this.bySymbol.delete(symbol);
    this.slotList.splice(this.slotList.indexOf(slot), 1);
    this.removed.add(symbol);
    if (this.open && slot.state !== "rejected") {
      if (bookSubscribed) {
        this.sink.send(unsubscribeBook({ symbols: [symbol], depth: slot.depth, reqId: ++this.reqId }));
      }
      if (slot.watchTrades) {
        this.channel("trade", (id) => unsubscribeTrade([symbol], id));
        this.channel("ticker", (id) => unsubscribeTicker([symbol], id));
      }
    }
    this.version++;
    return true;
  }

  /**
   * Subscribes a symbol's book at another Kraken depth: unsubscribed at the old one, subscribed at the new
   * one; the book waits for the new snapshot (not live meanwhile), without counting as a resync. Not on a
   * server that serves one depth only (fixedDepth). A book waiting out its resubscribe backoff (nothing
   * subscribed meanwhile) keeps waiting: its delayed subscribe asks the new depth.
   */
  setDepth(symbol: string, depth: number): boolean {
    const slot = this.bySymbol.get(symbol);
    if (slot === undefined || slot.depth === depth || slot.fixedDepth) return false;
    const old = slot.depth;
    slot.depth = depth;
    this.version++;
    if (slot.state === "rejected" || slot.retry !== undefined) return true;
    if (this.open) {
      this.sink.send(unsubscribeBook({ symbols: [symbol], depth: old, reqId: ++this.reqId }));
      this.reset(slot);
      slot.reason = `depth ${old} → ${depth}`;
      this.subscribe([symbol]);
    }
    return true;
  }

  /** A new socket is open: subscribe every symbol that was not rejected, all awaiting a snapshot. */
  opened(): void {
    this.open = true;
    if (!this.listed) {
      // The books come from the pair list: ask for it, and subscribe them when it arrives (see `list`).
      this.channel("instrument", subscribeInstrument);
      this.awaitList();
      this.version++;
      return;
    }
    const wanted: string[] = [];
    for (const slot of this.slotList) {
      slot.answered = slot.state === "rejected";
      if (slot.state === "rejected") continue;
      this.reset(slot);
      wanted.push(slot.symbol);
    }
    if (wanted.length > 0) this.subscribe(wanted);
    this.channel("instrument", subscribeInstrument);
    // A market's listed pairs are books only; a pair added to it keeps its tape across reconnects.
    const tapes = wanted.filter((symbol) => this.bySymbol.get(symbol)?.watchTrades === true);
    if (tapes.length > 0) {
      for (const symbol of tapes) this.bySymbol.get(symbol)?.trades.expectSnapshot();
      this.channel("trade", (id) => subscribeTrade(tapes, id));
      this.channel("ticker", (id) => subscribeTicker(tapes, id));
    }
    this.version++;
  }

  /** A ping went out on this connection at `at` (epoch ms), asking for an answer tagged `reqId`. */
  pinged(reqId: number, at: number): void {
    // The oldest unanswered one is what counts; a server that never answers does not grow the list.
    if (this.pings.length < MAX_PINGS_AWAITED) this.pings.push({ reqId, at });
  }

  /**
   * When the oldest ping the server has not answered was sent (epoch ms), if one is waiting. Its answer
   * comes in order with every other frame, so while it is overdue whatever did come is late too: at
   * least as far as anyone can show (see `freshness`). One that a newer message shows was lost is not
   * waited for (see `forgetLostPings`).
   */
  get awaitingReplySince(): number | undefined {
    return this.pings[0]?.at;
  }

  /** The socket is gone: every book is void until its next snapshot. */
  closed(): void {
    this.open = false;
    clearTimeout(this.listWait);
    this.listWait = undefined;
    this.newestDelta = undefined;
    this.pings.length = 0;
    this.roundTripMs = undefined;
    this.clockSkewMs = undefined;
    this.channelReqs.clear();
    for (const slot of this.slotList) {
      // The next connection subscribes every tape with its snapshot: a renewal waiting is not needed.
      slot.cancelTradeTimers();
      slot.trades.expectSnapshot();
    }
    for (const slot of this.slotList) if (slot.state !== "rejected") this.reset(slot);
    this.version++;
  }

  /**
   * The connection, quiet (no frame for `--quiet-after`), is heard again on the same socket. What the
   * server sent meanwhile may never come (one that drops what it could not send, as the simulator's
   * `--silence` does), and a book that missed an update is wrong until its next one fails the checksum:
   * on a quiet pair, long after. So no book verified before the silence is vouched for after it: each
   * live one resubscribes at once (not counted against its backoff: nothing of its own failed). The trade
   * tapes are renewed with them, all in one request: each would otherwise find its own gap and renew
   * alone, two requests a pair, which a server's rate limit answers by closing the connection. A
   * recording's replay is not: a resubscribe would skip it on to its next recorded snapshot.
   */
  resumed(now: number): void {
    if (this.options.replayTimes === true) return;
    this.resyncAll(
      this.slotList.filter((slot) => slot.state === "live"),
      "connection-quiet",
      now,
      false,
    );
    const tapes = this.slotList.filter((slot) => slot.watchTrades && slot.state !== "rejected");
    for (const slot of tapes) slot.cancelTradeTimers();
    if (tapes.length > 0) this.renewTrades(tapes);
  }

  /** Every subscription has been answered on this connection (the connection is live). */
  settled(): boolean {
    if (!this.listed) return false;
    for (const slot of this.slotList) if (!slot.answered) return false;
    return true;
  }

  /** Every book that was not rejected is verified (live), and at least one is: this connection serves books. */
  verified(): boolean {
    let any = false;
    for (const slot of this.slotList) {
      if (slot.state === "live") any = true;
      else if (slot.state !== "rejected") return false;
    }
    return any;
  }

  dispose(): void {
    clearTimeout(this.listWait);
    for (const slot of this.slotList) {
      slot.cancelRetry();
      clearTimeout(slot.wait);
      slot.cancelTradeTimers();
    }
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
      if (slot === undefined) {
        if (this.removed.has(scan.symbol(e))) continue;
        this.stray(scan.symbol(e), receivedAt);
        continue;
      }
      if (slot.state !== "live" || slot.book === undefined) {
        // Not applied: if it was another book's update under a corrupted name, that book missed it.
        if (slot.state !== "rejected") this.misaddressed(slot, scan.message().data[e]!, receivedAt);
        continue;
      }
      const outcome = slot.book.applyScan(scan, e, false);
      if (outcome === "checksum-mismatch") this.misaddressed(slot, scan.message().data[e]!, receivedAt);
      this.updated(slot, scan.timestamp(e), outcome, receivedAt);
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
          if (slot === undefined) return;
          slot.answered = true;
          // The depth the server says it serves is the one the book is kept at (Kraken's is the one asked;
          // a replay server serves its recording's): truncated at another, the book would fail its checks.
          if (
            msg.depth !== undefined &&
            isBookDepth(msg.depth) &&
            msg.depth !== slot.depth &&
            slot.pending === "ack"
          ) {
            slot.depth = msg.depth;
            slot.fixedDepth = true;
          }
          if (slot.pending === "ack") this.await(slot, "snapshot");
        }
        return;
      case "nack":
        if (msg.reqId !== undefined && this.channelReqs.has(msg.reqId)) this.channelNack(msg);
        else this.nack(msg, receivedAt);
        return;
      case "rate-limit":
        this.rateLimited(msg, receivedAt);
        return;
      case "status": {
        // Not the exchange's status but the end of the feed: the connection's `ended` says it, after the
        // books' last state. The word itself is never passed on as a status (it is none of Kraken's, and
        // nothing is published after `ended`), nor noticed.
        if (msg.system === REPLAY_ENDED) {
          this.sink.ended?.();
          return;
        }
        this.sink.event({
          type: "status",
          system: msg.system,
          ...(msg.apiVersion === "" ? {} : { apiVersion: msg.apiVersion }),
          ...(msg.version === "" ? {} : { version: msg.version }),
        });
        // Server text: a flapping status makes one notice per frame (the worker rate-limits notices),
        // and the word is clipped so a notice stays one short line. Sanitised where it is printed.
        // The first status heard is news only when it is not `online`, and has no `was`.
        if (msg.system !== (this.system ?? "online")) {
          const clip = (w: string): string =>
            w.length > STATUS_WORD_MAX ? `${w.slice(0, STATUS_WORD_MAX)}…` : w;
          const was = this.system === undefined ? "" : ` (was ${clip(this.system)})`;
          this.sink.event({ type: "notice", message: `exchange status: ${clip(msg.system)}${was}` });
        }
        this.system = msg.system;
        return;
      }
      case "error":
        this.malformed++;
        this.version++;
        this.sink.event({ type: "error", message: `malformed frame: ${msg.message}` });
        if (msg.book) this.unreadable(msg.symbols, receivedAt);
        return;
      case "pong": {
        // The answer to a ping and those before it (answers come in order); untagged, to all of them.
        const answered = msg.reqId;
        const left = answered === undefined ? -1 : this.pings.findIndex((p) => p.reqId > answered);
        const settled = this.pings.splice(0, left < 0 ? this.pings.length : left);
        const asked = settled.at(-1);
        if (asked !== undefined) {
          this.roundTripMs = receivedAt - asked.at;
          const out = msg.timeOut === undefined ? NaN : Date.parse(msg.timeOut);
          this.clockSkewMs = Number.isNaN(out) ? 0 : out - (asked.at + receivedAt) / 2;
        }
        // The server's answer time is a prompt timestamp: it bounds the offset when book data lags.
        if (msg.timeOut !== undefined && this.options.replayTimes !== true)
          this.timed(msg.timeOut, receivedAt);
        return;
      }
      case "trade":
        this.trade(msg, receivedAt);
        return;
      case "ticker":
        for (const t of msg.tickers) {
          if (this.bySymbol.has(t.symbol)) this.sink.event({ type: "ticker", ...t });
        }
        return;
      case "instrument":
        this.instrument(msg);
        return;
      case "heartbeat":
      case "unknown":
        return;
      default:
        msg satisfies never;
    }
  }

  /**
   * Trades of the subscribed pairs, checked for id continuity (see TradeSequence): new ones become `trade`
   * events, breaks `trade-gap` events, and a break in an update renews that pair's trade subscription.
   */
  private trade(msg: TradeMessage, now: number): void {
    const snapshot = msg.type === "snapshot";
    const bySymbol = new Map<Slot, TradeMessage["trades"][number][]>();
    for (const t of msg.trades) {
      const slot = this.bySymbol.get(t.symbol);
      if (slot === undefined) continue;
      let list = bySymbol.get(slot);
      if (list === undefined) bySymbol.set(slot, (list = []));
      list.push(t);
    }
    for (const [slot, trades] of bySymbol) {
      if (snapshot) {
        clearTimeout(slot.tradeWait);
        slot.tradeWait = undefined;
      }
      const awaiting = slot.trades.awaiting;
      const verdict = slot.trades.take(trades, snapshot);
      // The tape became current: the next view says so (tradesAwaiting), before its trades are served.
      if (awaiting !== slot.trades.awaiting) {
        this.version++;
        this.sink.urgent?.();
      }
      for (const t of verdict.fresh) {
        this.sink.event({
          type: "trade",
          symbol: t.symbol,
          side: t.side,
          price: t.price,
          qty: t.qty,
          ordType: t.ordType,
          tradeId: t.tradeId,
          time: t.timestamp,
        });
      }
      if (verdict.fresh.length > 0) this.timed(verdict.fresh[verdict.fresh.length - 1]!.timestamp, now);
      for (const gap of verdict.gaps) {
        this.version++;
        this.sink.event({ type: "trade-gap", symbol: slot.symbol, expected: gap.expected, got: gap.got });
      }
      if (verdict.resubscribe) this.resubscribeTrades(slot, now);
    }
  }

  /**
   * Unsubscribe, then subscribe with a snapshot: the last 50 trades fill in what was missed. The first
   * break within the failure memory renews at once; each later one waits out the pair's trade backoff
   * (the tape stays awaiting its snapshot meanwhile; breaks seen then wait for the same renewal), so ids
   * that keep breaking cannot make a request storm.
   */
  private resubscribeTrades(slot: Slot, now: number): void {
    // A renewal already waiting out its backoff will fetch a snapshot after this break too.
    if (slot.tradeRetry !== undefined) return;
    slot.cancelTradeTimers();
    const delay = this.options.replayTimes === true ? 0 : slot.tradeBackoff.delay(now, "first-now");
    if (delay === 0) this.renewTrades([slot]);
    else
      slot.tradeRetry = setTimeout(() => {
        slot.tradeRetry = undefined;
        this.renewTrades([slot]);
      }, delay);
  }

  /** Renews these pairs' trade subscriptions with one unsubscribe and one subscribe (with snapshot). */
  private renewTrades(slots: readonly Slot[]): void {
    const symbols = slots.map((slot) => slot.symbol);
    this.channel("trade", (id) => unsubscribeTrade(symbols, id));
    this.channel("trade", (id) => subscribeTrade(symbols, id));
    for (const slot of slots) {
      // After a backoff, updates that went on from the last id may have ended the wait: it starts again.
      if (!slot.trades.awaiting) {
        slot.trades.expectSnapshot();
        this.version++;
      }
      slot.tradeWait = setTimeout(() => {
        slot.tradeWait = undefined;
        slot.trades.restart();
        this.version++;
      }, this.options.subscribeTimeoutMs ?? SUBSCRIBE_TIMEOUT_MS);
    }
  }

  /** Pair status and parameters of the subscribed pairs (Kraken lists over a thousand; the rest are ignored). */
  private instrument(msg: InstrumentMessage): void {
    if (msg.type === "snapshot") {
      this.pairStatuses.clear();
      this.sink.event({ type: "pairs", symbols: msg.pairs.map((p) => p.symbol) });
    }
    for (const p of msg.pairs) this.pairStatuses.set(p.symbol, p.status);
    if (!this.listed && msg.type === "snapshot") this.list(msg);
    const pairs = msg.pairs.filter((p) => this.bySymbol.has(p.symbol));
    if (pairs.length === 0) return;
    for (const p of pairs) this.bySymbol.get(p.symbol)!.pairStatus = p.status;
    this.version++;
    this.sink.event({ type: "instrument", pairs });
  }

  /**
   * `market`: the first instrument snapshot names the books to watch, its online pairs of the quote (or
   * all of them), in symbol order. They are subscribed at once and kept for the run: after a reconnect the
   * same books are subscribed again, and a pair listed later is not added.
   */
  private list(msg: InstrumentMessage): void {
    const market = this.options.market!;
    const wanted = new Set<string>();
    for (const p of msg.pairs) {
      if (p.status !== "online") continue;
      if (market.kind === "quote" && p.symbol.slice(p.symbol.lastIndexOf("/") + 1) !== market.quote) continue;
      wanted.add(p.symbol);
    }
    const symbols = [...wanted].sort();
    // A pair added before the list came is watched already (with its tape): not subscribed twice.
    const fresh = symbols.filter((symbol) => !this.bySymbol.has(symbol));
    for (const symbol of fresh) {
      const slot = this.newSlot(symbol, false);
      this.slotList.push(slot);
      this.bySymbol.set(symbol, slot);
    }
    this.listed = true;
    clearTimeout(this.listWait);
    this.listWait = undefined;
    this.version++;
    const which = market.kind === "all" ? "online pairs" : `online pairs quoted in ${market.quote}`;
    if (symbols.length === 0) {
      this.sink.event({
        type: "nothing-to-watch",
        message: `the exchange lists no ${which}: nothing to watch`,
      });
      return;
    }
    this.sink.event({ type: "notice", message: `watching ${symbols.length} ${which}` });
    this.subscribe(fresh);
  }

  /** No instrument snapshot within the subscribe timeout: say so, and ask again. */
  private awaitList(): void {
    clearTimeout(this.listWait);
    const ms = this.options.subscribeTimeoutMs ?? SUBSCRIBE_TIMEOUT_MS;
    this.listWait = setTimeout(() => {
      this.listWait = undefined;
      if (this.listed) return;
      this.sink.event({
        type: "error",
        message: `no pair list (instrument snapshot) within ${ms} ms; asking again`,
      });
      this.channel("instrument", (id) => unsubscribeInstrument(id));
      this.channel("instrument", subscribeInstrument);
      this.awaitList();
    }, ms);
  }

  /** Sends a request for a channel other than `book`, remembering its req_id. */
  private channel(name: string, request: (reqId: number) => string): void {
    const id = ++this.reqId;
    this.channelReqs.set(id, name);
    this.sink.send(request(id));
  }

  /**
   * A subscribe to `trade`, `ticker` or `instrument` failed: reported, no book touched. Not for a pair
   * already rejected (its book's rejection says it), a pair Kraken does not list, nor a server that does
   * not offer the channel at all (`Channel trade not supported`): the books are served all the same.
   */
  private channelNack(msg: NackMessage): void {
    const channel = this.channelReqs.get(msg.reqId!) ?? "a channel";
    if (channel === "instrument" && !this.listed) {
      // Without the list there is nothing to watch: always said (the timer asks again).
      this.sink.event({
        type: "error",
        message: `${msg.method} instrument failed: ${msg.error}; no pair list to watch`,
      });
      return;
    }
    const slot = msg.symbol === undefined ? undefined : this.bySymbol.get(msg.symbol);
    if (slot?.state === "rejected" || PERMANENT.test(msg.error) || CHANNEL_NOT_OFFERED.test(msg.error))
      return;
    const what = msg.symbol === undefined ? channel : `${channel} ${msg.symbol}`;
    this.sink.event({ type: "error", message: `${msg.method} ${what} failed: ${msg.error}` });
  }

  private book(msg: BookMessage, receivedAt: number): void {
    const snapshot = msg.type === "snapshot";
    for (const data of msg.data) {
      const slot = this.bySymbol.get(data.symbol);
      if (slot === undefined) {
        if (this.removed.has(data.symbol)) continue;
        this.stray(data.symbol, receivedAt);
        continue;
      }
      if (slot.state === "rejected") continue;
      if (snapshot) this.snapshot(slot, data, receivedAt);
      else if (slot.state === "live" && slot.book !== undefined) {
        const outcome = slot.book.apply(data, false);
        if (outcome === "checksum-mismatch") this.misaddressed(slot, data, receivedAt);
        this.updated(slot, data.timestamp, outcome, receivedAt);
      } else {
        // Updates before the (new) snapshot belong to a book we no longer trust; unless it was another
        // book's update under a corrupted name, and that book missed it.
        this.misaddressed(slot, data, receivedAt);
      }
    }
  }

  private snapshot(slot: Slot, data: BookData, receivedAt: number): void {
    const book = new OrderBook(slot.symbol, slot.depth);
    slot.answered = true;
    this.stopWaiting(slot);
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
    // A replay's timestamps are the recording's: receive − exchange time is its age, not a latency.
    const skew = this.clockSkewMs;
    if (delta !== undefined && skew !== undefined && this.options.replayTimes !== true)
      slot.latency.add(Math.max(0, delta + skew), receivedAt);
    if (outcome !== "ok") return this.failed(slot, outcome, receivedAt);
    slot.ok++;
    if (delta !== undefined) slot.delta = delta;
    if (delta !== undefined) this.newestDelta = delta;
    this.changed(slot, timestamp, receivedAt);
  }

  /** Receive − exchange time of a message stamped `timestamp`, added to the offset window; undefined if unreadable. */
  private timed(timestamp: string, receivedAt: number): number | undefined {
    const exchange = Date.parse(timestamp);
    if (Number.isNaN(exchange)) return undefined;
    const delta = receivedAt - exchange;
    this.offset.add(delta, receivedAt);
    if (this.pings.length > 0 && this.options.replayTimes !== true)
      this.forgetLostPings(exchange, receivedAt);
    return delta;
  }

  /**
   * Forgets the pings a message stamped `exchange` shows were lost. Its stamp on this machine's clock (plus
   * the fastest delivery seen: the offset's baseline) is when the server made it; a ping sent more than
   * LOST_PING_AFTER_MS before that had reached the server, whose answer would have come first (answers come
   * in order with the rest). So it will never come: a server that went silent for a while dropped it (as the
   * simulator's `--silence` does), and waiting for it would call books lagging whose every update is current.
   */
  private forgetLostPings(exchange: number, receivedAt: number): void {
    const baseline = this.offset.baseline(receivedAt);
    if (baseline === undefined) return;
    const made = exchange + baseline;
    let lost = 0;
    while (lost < this.pings.length && this.pings[lost]!.at + LOST_PING_AFTER_MS < made) lost++;
    if (lost > 0) this.pings.splice(0, lost);
  }

  private changed(slot: Slot, timestamp: string | undefined, receivedAt: number): void {
    if (timestamp !== undefined) slot.time = timestamp;
    slot.changedAt = receivedAt;
    slot.revision++;
    this.version++;
  }

  private failed(slot: Slot, outcome: "checksum-mismatch" | "crossed-book", now: number): void {
    if (outcome === "checksum-mismatch") slot.failed++;
    else slot.ok++;
    this.resync(slot, outcome, now);
  }

  /** Discards the symbol's book and resubscribes it alone; its updates are ignored until the snapshot. */
  private resync(slot: Slot, reason: ResyncReason, now: number): void {
    this.resyncAll([slot], reason, now);
  }

  /**
   * Discards the books and resubscribes them; their updates are ignored until their snapshots. Requests
   * go out in batches (one unsubscribe and one subscribe per depth and SUBSCRIBE_BATCH symbols), not two
   * a book: a whole market resyncing at once is hundreds of books.
   */
  private resyncAll(slots: readonly Slot[], reason: ResyncReason, now: number, counted = true): void {
    if (slots.length === 0) return;
    for (const slot of slots) {
      slot.state = "resyncing";
      slot.reason = reason;
      slot.book = undefined;
      slot.resyncs++;
    }
    this.version++;
    this.resubscribeAll(slots, now, counted);
    for (const slot of slots) {
      const retryInMs = slot.retryAt === undefined ? 0 : slot.retryAt - now;
      this.sink.event({ type: "resync", symbol: slot.symbol, reason, retryInMs });
    }
    this.sink.urgent?.();
  }

  /**
   * A frame that may have carried book data could not be read, or named a book we do not hold: every
   * book it could have touched leaves live and resyncs. Those are the books it names when every name is
   * one of ours, else every book subscribed at the moment (live, or waiting for its ack or snapshot).
   * Kraken sends one symbol per book frame, so a frame cut off names every book it could have touched.
   */
  private unreadable(symbols: readonly string[] | undefined, now: number): void {
    const named = symbols?.map((s) => this.bySymbol.get(s));
    const targets = named?.every((s) => s !== undefined) === true ? named : this.slotList;
    // A symbol waiting out its backoff has no subscription: no frame of it can be on the way.
    const hit = targets.filter(
      (slot): slot is Slot =>
        slot !== undefined &&
        slot.state !== "rejected" &&
        (slot.state === "live" || slot.retry === undefined),
    );
    this.resyncAll(hit, "bad-frame", now);
  }

  /**
   * An update failed the checksum of the book it names, or names a book waiting for its snapshot. When
   * it verifies on another live book instead, its name was corrupted into this one's: that other book
   * missed it and resyncs too. Off the common path: a trial copy per live book.
   */
  private misaddressed(named: Slot, data: BookData, now: number): void {
    for (const other of this.slotList) {
      const book = other.book;
      if (other === named || other.state !== "live" || book === undefined) continue;
      const trial = new OrderBook(other.symbol, other.depth);
      const levels = { symbol: other.symbol, bids: book.bids.levels, asks: book.asks.levels };
      trial.apply({ ...levels, checksum: book.checksum }, true);
      if (trial.apply(data, false) !== "ok") continue;
      this.sink.event({
        type: "error",
        message: `an update named ${named.symbol} verifies on ${other.symbol}: its name was corrupted`,
      });
      this.resync(other, "bad-frame", now);
    }
  }

  /** Book data for a symbol never subscribed: a corrupted name, so some book may have missed this update. */
  private stray(symbol: string, now: number): void {
    this.malformed++;
    this.version++;
    const name = JSON.stringify(symbol.length > 40 ? symbol.slice(0, 40) + "…" : symbol);
    this.sink.event({ type: "error", message: `book frame for ${name}, a symbol not subscribed` });
    this.unreadable(undefined, now);
  }

  /** Unsubscribe (repeating the depth, as Kraken requires), then subscribe again. */
  private resubscribe(slot: Slot, now: number): void {
    this.resubscribeAll([slot], now);
  }

  /**
   * `resubscribe` for several books: batched requests, each book after its own backoff, or all at once
   * when the resubscribe is no failure of theirs (`counted` false).
   */
  private resubscribeAll(slots: readonly Slot[], now: number, counted = true): void {
    for (const [depth, symbols] of byDepth(
      slots.map((s) => s.symbol),
      (s) => this.depthOf(s),
    )) {
      for (let i = 0; i < symbols.length; i += SUBSCRIBE_BATCH) {
        const batch = symbols.slice(i, i + SUBSCRIBE_BATCH);
        this.sink.send(unsubscribeBook({ symbols: batch, depth, reqId: ++this.reqId }));
      }
    }
    const due = counted ? slots.filter((slot) => this.again(slot, now, "first-now", false) === 0) : slots;
    this.subscribe(due.map((s) => s.symbol));
  }

  /**
   * Subscribes the symbol again after its backoff: "first-now" sends the first failure's at once (a
   * resync), "slow" takes the slow step (rate limits). Returns the delay.
   */
  private again(slot: Slot, now: number, step: "first-now" | "backoff" | "slow", send = true): number {
    slot.cancelRetry();
    this.stopWaiting(slot);
    // A replay's resync is served from its recording, which does not wait: a backoff on this machine's clock
    // would let it run on without the book (at a high --speed, to its end).
    const delay =
      step === "first-now" && this.options.replayTimes === true ? 0 : slot.backoff.delay(now, step);
    if (delay === 0) {
      // Without `send`, the caller subscribes it (with others).
      if (send) this.subscribe([slot.symbol]);
    } else {
      slot.retryAt = now + delay;
      slot.retry = setTimeout(() => {
        slot.retry = undefined;
        slot.retryAt = undefined;
        this.version++;
        this.subscribe([slot.symbol]);
      }, delay);
    }
    return delay;
  }

  /** One subscribe per depth in use (a request names one depth). */
  private subscribe(symbols: readonly string[]): void {
    for (const [depth, list] of byDepth(symbols, (s) => this.depthOf(s))) {
      for (let i = 0; i < list.length; i += SUBSCRIBE_BATCH) {
        const batch = list.slice(i, i + SUBSCRIBE_BATCH);
        this.sink.send(subscribeBook({ symbols: batch, depth, reqId: ++this.reqId }));
      }
    }
    for (const symbol of symbols) {
      const slot = this.bySymbol.get(symbol);
      if (slot !== undefined) this.await(slot, "ack");
    }
  }

  private depthOf(symbol: string): number {
    return this.bySymbol.get(symbol)?.depth ?? this.options.depth;
  }

  /** The subscription in flight now waits for this; without it in time, the symbol resubscribes. */
  private await(slot: Slot, what: "ack" | "snapshot"): void {
    clearTimeout(slot.wait);
    slot.pending = what;
    slot.wait = setTimeout(() => {
      slot.wait = undefined;
      slot.pending = undefined;
      this.resync(slot, what === "ack" ? "subscribe-timeout" : "snapshot-timeout", Date.now());
    }, this.options.subscribeTimeoutMs ?? SUBSCRIBE_TIMEOUT_MS);
  }

  private stopWaiting(slot: Slot): void {
    clearTimeout(slot.wait);
    slot.wait = undefined;
    slot.pending = undefined;
  }

  /**
   * A subscribe failed. Only an unknown pair (or a malformed name) rejects its symbol for good; any
   * other error retries after the symbol's backoff, and an error naming no symbol retries every symbol
   * whose subscribe is still unanswered. The error stays the book's reason until it goes live.
   */
  private nack(msg: NackMessage, now: number): void {
    if (msg.method !== "subscribe") return;
    for (const slot of this.failedSubscribes(msg.symbol)) {
      if (/already subscribed/i.test(msg.error)) {
        // Our unsubscribe lost the race: try again, politely.
        this.resubscribe(slot, now);
      } else if (msg.symbol !== undefined && PERMANENT.test(msg.error)) {
        this.reject(slot, msg.error);
      } else {
        this.retry(slot, msg.error, RATE_LIMITED.test(msg.error), now);
      }
    }
  }

  /** The symbols a failed subscribe is about: the one it names, else those still waiting for an ack. */
  private failedSubscribes(symbol: string | undefined): Slot[] {
    const out: Slot[] = [];
    for (const slot of this.slotList) {
      if (slot.state === "live" || slot.state === "rejected") continue;
      if (symbol === undefined ? slot.pending === "ack" : slot.symbol === symbol) out.push(slot);
    }
    return out;
  }

  private reject(slot: Slot, reason: string): void {
    slot.cancelRetry();
    this.stopWaiting(slot);
    slot.state = "rejected";
    slot.reason = reason;
    slot.book = undefined;
    slot.answered = true;
    this.version++;
    this.sink.event({ type: "rejected", symbol: slot.symbol, reason });
    if (this.slotList.every((s) => s.state === "rejected")) {
      const names = this.slotList.map((s) => s.symbol);
      const more = names.length > 5 ? ` and ${names.length - 5} more` : "";
      const which =
        names.length === 1
          ? `${slot.symbol} (${reason})`
          : `every pair watched: ${names.slice(0, 5).join(", ")}${more}`;
      this.sink.event({
        type: "nothing-to-watch",
        message: `nothing left to watch: the exchange rejected ${which}`,
      });
    }
  }

  private retry(slot: Slot, error: string, slow: boolean, now: number): void {
    slot.reason = error;
    this.version++;
    const delay = this.again(slot, now, slow ? "slow" : "backoff");
    this.sink.event({
      type: "error",
      message: `subscribe ${slot.symbol} failed: ${error}${retryingIn(delay)}`,
      retryInMs: delay,
    });
  }

  private rateLimited(msg: RateLimitMessage, now: number): void {
    this.rateLimits = this.rateLimits.filter((t) => now - t < RATE_LIMIT_WINDOW_MS);
    this.rateLimits.push(now);
    this.sink.event({ type: "error", message: `rate limited by the server: ${msg.error}` });
    if (msg.method === "subscribe") {
      for (const slot of this.failedSubscribes(msg.symbol)) this.retry(slot, msg.error, true, now);
    }
    if (this.rateLimits.length >= RATE_LIMIT_STRIKES) {
      this.rateLimits = [];
      this.sink.slowDown(`rate limited ${RATE_LIMIT_STRIKES} times in ${RATE_LIMIT_WINDOW_MS / 1000} s`);
    }
  }

  private reset(slot: Slot): void {
    slot.cancelRetry();
    this.stopWaiting(slot);
    slot.state = "awaiting-snapshot";
    slot.reason = undefined;
    slot.book = undefined;
    slot.delta = undefined;
    slot.latency.clear();
  }
}

/** Symbols grouped by their depth (a request names one depth), in order. */
function byDepth(symbols: readonly string[], depthOf: (symbol: string) => number): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const symbol of symbols) {
    const depth = depthOf(symbol);
    let list = groups.get(depth);
    if (list === undefined) groups.set(depth, (list = []));
    list.push(symbol);
  }
  return groups;
}
