import type { RawData, WebSocket } from "ws";
import { isBookDepth } from "../protocol/types.js";
import type { FaultOptions } from "./faults.js";
import { FaultyLink } from "./faults.js";
import { nowMicros, rfc3339Micros } from "./format.js";
import { HEARTBEAT, ackFrame, errorFrame, pongFrame, statusFrame } from "./frames.js";
import type { ReqId } from "./frames.js";
import { MIB, formatBytes } from "./limits.js";
import type { SimLimits } from "./limits.js";
import type { Random } from "./random.js";
import { methodOf, parseRequest } from "./requests.js";
import type {
  BookRequest,
  ClientRequest,
  InstrumentRequest,
  TickerRequest,
  TradeRequest,
} from "./requests.js";
import type { BookSource, Subscriber } from "./source.js";
import { TokenBucket } from "./token-bucket.js";

export type ClientSessionContext = {
  readonly source: BookSource;
  readonly faults: FaultOptions;
  readonly heartbeatMs: number;
  readonly rng: Random;
  readonly connectionId: string;
  readonly limits: SimLimits;
  /** This connection's name in log lines (`#3 127.0.0.1:51234`). */
  readonly label: string;
  /** One line for the operator (stderr in the CLI); no trailing newline. */
  readonly log: (line: string) => void;
};

/** Close codes for the two policy drops: a client that does not read, and one that will not slow down. */
export const CLOSE_NOT_READING = 1013;
export const CLOSE_MSG_RATE = 1008;

/** Kraken's reply to a request over the rate. */
export const EXCEEDED_MSG_RATE = "Exceeded msg rate";

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

type BookSub = { readonly requested: number; readonly served: number; readonly stop: () => void };

/**
 * One client connection speaking Kraken v2: status on connect, acks and rejections in Kraken's
 * shapes, pong, heartbeats once anything is subscribed, book frames from the source.
 * Every outgoing frame goes through the connection's `FaultyLink`.
 *
 * Bounded (see `SimLimits`): requests pass a token bucket (over it: Kraken's `Exceeded msg rate`
 * error; a client that keeps going at twice the rate is closed 1008), an oversized request gets
 * one error, and a client holding more than the send bound unsent is closed 1013.
 */
export class ClientSession {
  private readonly link: FaultyLink;
  private readonly books = new Map<string, BookSub>();
  /** Trade and ticker subscriptions by symbol: the function that stops each. */
  private readonly trades = new Map<string, () => void>();
  private readonly tickers = new Map<string, () => void>();
  private instrument: (() => void) | undefined;
  private readonly stopStatus: () => void;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly subscriber: Subscriber;
  /** Requests allowed. */
  private readonly requests: TokenBucket;
  /** Requests refused for the rate, allowed before the client is closed: a second bucket at the same rate. */
  private readonly refusals: TokenBucket;
  private disposed = false;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ClientSessionContext,
  ) {
    const { limits } = ctx;
    this.requests = new TokenBucket(limits.msgRate, limits.msgBurst);
    this.refusals = new TokenBucket(limits.msgRate, limits.msgBurst);
    this.link = new FaultyLink(ws, ctx.faults, ctx.rng, () => this.books.keys().next().value ?? "BTC/USD", {
      maxBytes: limits.maxBufferBytes,
      onOverflow: (held, queued) =>
        this.drop(
          CLOSE_NOT_READING,
          `send buffer over ${formatBytes(limits.maxBufferBytes)}: ` +
            (queued > held / 2 ? "frames held by --drip/--burst" : "client not reading"),
          `${(held / MIB).toFixed(1)} MiB unsent`,
        ),
    });
    this.subscriber = {
      send: (frame, symbol) => this.link.send(frame, symbol),
      backlog: () => this.link.backlog(),
    };
    ws.on("message", (data, isBinary) => {
      if (isBinary || this.disposed) return;
      this.onMessage(data);
    });
    ws.on("close", () => {
      this.dispose();
      if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    });
    ws.on("error", () => this.dispose());
    // Kraken sends the system status to every connection on connect, and again on each change.
    this.stopStatus = ctx.source.watchStatus((system) => this.send(statusFrame(ctx.connectionId, system)));
  }

  dispose(): void {
    this.disposed = true;
    for (const sub of this.books.values()) sub.stop();
    this.books.clear();
    for (const stop of [...this.trades.values(), ...this.tickers.values()]) stop();
    this.trades.clear();
    this.tickers.clear();
    this.instrument?.();
    this.instrument = undefined;
    this.stopStatus();
    this.updateHeartbeat();
    this.link.close();
  }

  /**
   * Stops serving the client and closes with `code` and `reason`. A client that is not reading
   * cannot see the close frame behind what it has not read, so the socket is destroyed if the
   * close has not finished within the grace period.
   */
  private drop(code: number, reason: string, detail: string): void {
    if (this.disposed) return;
    this.dispose();
    this.ctx.log(`simulate: dropped connection ${this.ctx.label}: ${reason} (${detail}), close ${code}`);
    this.ws.close(code, reason);
    this.graceTimer = setTimeout(() => this.ws.terminate(), this.ctx.limits.closeGraceMs);
  }

  private onMessage(data: RawData): void {
    const timeIn = this.now();
    const { limits } = this.ctx;
    const allowed = this.requests.take();
    const size = byteLength(data);
    const req: ClientRequest =
      size > limits.maxRequestBytes
        ? {
            kind: "bad",
            error: `Request too large: ${size} bytes, at most ${limits.maxRequestBytes}`,
            method: undefined,
            reqId: undefined,
          }
        : parseRequest((data as Buffer).toString("utf8"), limits.maxSymbols);
    if (allowed) {
      this.onRequest(req, timeIn);
      return;
    }
    this.send(errorFrame(EXCEEDED_MSG_RATE, methodOf(req), req.reqId, undefined, timeIn, this.now()));
    if (!this.refusals.take()) {
      this.drop(CLOSE_MSG_RATE, EXCEEDED_MSG_RATE, `over ${limits.msgRate} requests/s`);
    }
  }

  /** The time the server's answers carry: the source's exchange clock for this connection (a replay's). */
  private now(): string {
    return rfc3339Micros(this.ctx.source.clock?.(this.subscriber) ?? nowMicros());
  }

  private send(text: string): void {
    this.link.send(text);
  }

  private onRequest(req: ClientRequest, timeIn: string): void {
    switch (req.kind) {
      case "ping":
        this.send(pongFrame(req.reqId, timeIn, this.now()));
        return;
      case "bad":
        this.send(errorFrame(req.error, req.method, req.reqId, undefined, timeIn, this.now()));
        return;
      case "subscribe":
      case "unsubscribe":
        if (req.channel === "instrument") this.onInstrument(req, timeIn);
        else if (req.channel === "trade" || req.channel === "ticker") this.onSymbolChannel(req, timeIn);
        else if (req.kind === "subscribe") this.subscribe(req, timeIn);
        else this.unsubscribe(req, timeIn);
        this.updateHeartbeat();
        return;
      default:
        req satisfies never;
    }
  }

  private onInstrument(req: InstrumentRequest, timeIn: string): void {
    if (req.kind === "subscribe") {
      if (this.instrument !== undefined) {
        this.send(errorFrame("Already subscribed", req.kind, req.reqId, undefined, timeIn, this.now()));
        return;
      }
      this.send(
        ackFrame(
          "subscribe",
          req.reqId,
          { channel: "instrument", snapshot: req.snapshot },
          timeIn,
          this.now(),
        ),
      );
      this.instrument = this.ctx.source.subscribeInstrument(req.snapshot, this.subscriber);
    } else if (this.instrument !== undefined) {
      this.instrument();
      this.instrument = undefined;
      this.send(ackFrame("unsubscribe", req.reqId, { channel: "instrument" }, timeIn, this.now()));
    } else {
      this.send(errorFrame("Subscription Not Found", req.kind, req.reqId, undefined, timeIn, this.now()));
    }
  }

  /** `trade` and `ticker`: one ack (or error) per symbol, as for `book`. */
  private onSymbolChannel(req: TradeRequest | TickerRequest, timeIn: string): void {
    const { source, faults } = this.ctx;
    const subs = req.channel === "trade" ? this.trades : this.tickers;
    const result = (symbol: string, snapshot?: boolean) =>
      req.channel === "trade"
        ? { channel: req.channel, symbol, ...(snapshot === undefined ? {} : { snapshot }) }
        : {
            channel: req.channel,
            symbol,
            trigger: req.trigger,
            ...(snapshot === undefined ? {} : { snapshot }),
          };
    for (const symbol of req.symbols) {
      if (this.disposed) return;
      const stop = subs.get(symbol);
      if (req.kind === "unsubscribe") {
        if (stop === undefined) {
          this.send(errorFrame("Subscription Not Found", req.kind, req.reqId, symbol, timeIn, this.now()));
          continue;
        }
        stop();
        subs.delete(symbol);
        this.send(ackFrame("unsubscribe", req.reqId, result(symbol), timeIn, this.now()));
        continue;
      }
      if (!source.has(symbol) || (faults.rejectSymbols?.includes(symbol) ?? false)) {
        this.send(
          errorFrame(
            `Currency pair not supported ${symbol}`,
            req.kind,
            req.reqId,
            symbol,
            timeIn,
            this.now(),
          ),
        );
        continue;
      }
      if (stop !== undefined) {
        this.send(errorFrame("Already subscribed", req.kind, req.reqId, symbol, timeIn, this.now()));
        continue;
      }
      this.send(ackFrame("subscribe", req.reqId, result(symbol, req.snapshot), timeIn, this.now()));
      const sub = { stop: (): void => undefined };
      subs.set(symbol, () => sub.stop());
      sub.stop =
        req.channel === "trade"
          ? source.subscribeTrades(symbol, req.snapshot, this.subscriber)
          : source.subscribeTicker(symbol, req.snapshot, req.trigger, this.subscriber);
      if (this.disposed) sub.stop();
    }
  }

  private subscribe(req: BookRequest, timeIn: string): void {
    const reqId: ReqId = req.reqId;
    if (!Number.isInteger(req.depth) || !isBookDepth(req.depth)) {
      this.send(
        errorFrame("Subscription depth not supported", "subscribe", reqId, undefined, timeIn, this.now()),
      );
      return;
    }
    const { source, faults } = this.ctx;
    for (const symbol of req.symbols) {
      if (this.disposed) return;
      if (!source.has(symbol) || (faults.rejectSymbols?.includes(symbol) ?? false)) {
        this.send(
          errorFrame(`Currency pair not supported ${symbol}`, "subscribe", reqId, symbol, timeIn, this.now()),
        );
        continue;
      }
      if (faults.unansweredSymbols?.includes(symbol) ?? false) continue;
      if (this.books.has(symbol)) {
        this.send(errorFrame("Already subscribed", "subscribe", reqId, symbol, timeIn, this.now()));
        continue;
      }
      const refused = source.refusal?.(symbol, this.subscriber);
      if (refused !== undefined) {
        this.send(errorFrame(refused, "subscribe", reqId, symbol, timeIn, this.now()));
        continue;
      }
      const served = source.servedDepth(symbol, req.depth);
      this.send(
        ackFrame(
          "subscribe",
          reqId,
          { channel: "book", depth: served, snapshot: req.snapshot, symbol },
          timeIn,
          this.now(),
        ),
      );
      // Registered before the source starts, so a snapshot sent synchronously finds the subscription.
      const sub: { stop: () => void } = { stop: () => undefined };
      this.books.set(symbol, { requested: req.depth, served, stop: () => sub.stop() });
      sub.stop = source.subscribe(symbol, served, req.snapshot, this.subscriber);
      // The snapshot may have overflowed the send bound, which disposed of this session.
      if (this.disposed) sub.stop();
    }
  }

  private unsubscribe(req: BookRequest, timeIn: string): void {
    for (const symbol of req.symbols) {
      if (this.disposed) return;
      const sub = this.books.get(symbol);
      if (sub === undefined || (req.depth !== sub.requested && req.depth !== sub.served)) {
        this.send(errorFrame("Subscription Not Found", "unsubscribe", req.reqId, symbol, timeIn, this.now()));
        continue;
      }
      sub.stop();
      this.books.delete(symbol);
      this.send(
        ackFrame(
          "unsubscribe",
          req.reqId,
          { channel: "book", depth: sub.served, symbol },
          timeIn,
          this.now(),
        ),
      );
    }
  }

  /** Heartbeats run while anything is subscribed. */
  private updateHeartbeat(): void {
    const active =
      !this.disposed &&
      (this.books.size > 0 || this.trades.size > 0 || this.tickers.size > 0 || this.instrument !== undefined);
    if (active && this.heartbeat === undefined) {
      this.heartbeat = setInterval(() => this.send(HEARTBEAT), this.ctx.heartbeatMs);
    } else if (!active && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }
}
