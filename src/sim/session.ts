import type { WebSocket } from "ws";
import { isBookDepth } from "../protocol/types.js";
import type { FaultOptions } from "./faults.js";
import { FaultyLink } from "./faults.js";
import { nowMicros, rfc3339Micros } from "./format.js";
import { HEARTBEAT, ackFrame, errorFrame, pongFrame, statusFrame } from "./frames.js";
import type { ReqId } from "./frames.js";
import type { Random } from "./random.js";
import { parseRequest } from "./requests.js";
import type { BookRequest, InstrumentRequest } from "./requests.js";
import type { BookSource, Subscriber } from "./source.js";

export type SessionContext = {
  readonly source: BookSource;
  readonly faults: FaultOptions;
  readonly heartbeatMs: number;
  readonly rng: Random;
  readonly connectionId: string;
};

type BookSub = { readonly requested: number; readonly served: number; readonly stop: () => void };

const now = (): string => rfc3339Micros(nowMicros());

/**
 * One client connection speaking Kraken v2: status on connect, acks and rejections in Kraken's
 * shapes, pong, heartbeats once anything is subscribed, book frames from the source.
 * Every outgoing frame goes through the connection's `FaultyLink`.
 */
export class Session {
  private readonly link: FaultyLink;
  private readonly books = new Map<string, BookSub>();
  private instrument = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly subscriber: Subscriber;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: SessionContext,
  ) {
    this.link = new FaultyLink(ws, ctx.faults, ctx.rng, () => this.books.keys().next().value ?? "BTC/USD");
    this.subscriber = {
      send: (frame, symbol) => this.link.send(frame, symbol),
      backlog: () => this.link.backlog(),
    };
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      this.onRequest(String(data));
    });
    ws.on("close", () => this.dispose());
    ws.on("error", () => this.dispose());
    this.link.send(statusFrame(ctx.connectionId));
  }

  dispose(): void {
    for (const sub of this.books.values()) sub.stop();
    this.books.clear();
    this.instrument = false;
    this.updateHeartbeat();
    this.link.close();
  }

  private send(text: string): void {
    this.link.send(text);
  }

  private onRequest(text: string): void {
    const timeIn = now();
    const req = parseRequest(text);
    switch (req.kind) {
      case "ping":
        this.send(pongFrame(req.reqId, timeIn, now()));
        return;
      case "bad":
        this.send(errorFrame(req.error, req.method, req.reqId, undefined, timeIn, now()));
        return;
      case "subscribe":
      case "unsubscribe":
        if (req.channel === "instrument") this.onInstrument(req, timeIn);
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
      if (this.instrument) {
        this.send(errorFrame("Already subscribed", req.kind, req.reqId, undefined, timeIn, now()));
        return;
      }
      this.instrument = true;
      this.send(
        ackFrame("subscribe", req.reqId, { channel: "instrument", snapshot: req.snapshot }, timeIn, now()),
      );
      if (req.snapshot) this.send(this.ctx.source.instrumentFrame());
    } else if (this.instrument) {
      this.instrument = false;
      this.send(ackFrame("unsubscribe", req.reqId, { channel: "instrument" }, timeIn, now()));
    } else {
      this.send(errorFrame("Subscription Not Found", req.kind, req.reqId, undefined, timeIn, now()));
    }
  }

  private subscribe(req: BookRequest, timeIn: string): void {
    const reqId: ReqId = req.reqId;
    if (!Number.isInteger(req.depth) || !isBookDepth(req.depth)) {
      this.send(errorFrame("Subscription depth not supported", "subscribe", reqId, undefined, timeIn, now()));
      return;
    }
    const { source, faults } = this.ctx;
    for (const symbol of req.symbols) {
      if (!source.has(symbol) || (faults.rejectSymbols?.includes(symbol) ?? false)) {
        this.send(
          errorFrame(`Currency pair not supported ${symbol}`, "subscribe", reqId, symbol, timeIn, now()),
        );
        continue;
      }
      if (this.books.has(symbol)) {
        this.send(errorFrame("Already subscribed", "subscribe", reqId, symbol, timeIn, now()));
        continue;
      }
      const served = source.servedDepth(symbol, req.depth);
      this.send(
        ackFrame(
          "subscribe",
          reqId,
          { channel: "book", depth: served, snapshot: req.snapshot, symbol },
          timeIn,
          now(),
        ),
      );
      // Registered before the source starts, so a snapshot sent synchronously finds the subscription.
      const sub: { stop: () => void } = { stop: () => undefined };
      this.books.set(symbol, { requested: req.depth, served, stop: () => sub.stop() });
      sub.stop = source.subscribe(symbol, served, req.snapshot, this.subscriber);
    }
  }

  private unsubscribe(req: BookRequest, timeIn: string): void {
    for (const symbol of req.symbols) {
      const sub = this.books.get(symbol);
      if (sub === undefined || (req.depth !== sub.requested && req.depth !== sub.served)) {
        this.send(errorFrame("Subscription Not Found", "unsubscribe", req.reqId, symbol, timeIn, now()));
        continue;
      }
      sub.stop();
      this.books.delete(symbol);
      this.send(
        ackFrame("unsubscribe", req.reqId, { channel: "book", depth: sub.served, symbol }, timeIn, now()),
      );
    }
  }

  /** Heartbeats run while anything is subscribed. */
  private updateHeartbeat(): void {
    const active = this.books.size > 0 || this.instrument;
    if (active && this.heartbeat === undefined) {
      this.heartbeat = setInterval(() => this.send(HEARTBEAT), this.ctx.heartbeatMs);
    } else if (!active && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }
}
