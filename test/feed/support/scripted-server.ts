import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { bookChecksum } from "../../../src/book/checksum.js";

/**
 * A small scripted Kraken v2 server for feed tests: status on connect, one ack per symbol,
 * a snapshot, then an update per symbol every `updateMs`, each with a correct checksum by the
 * reference rule, plus hooks to break things on purpose. Loopback, port 0.
 */

type Level = { price: string; qty: string };

/** A model book with exact wire text, one tick 0.1, sizes at 8 decimals. */
export class ModelBook {
  readonly bids = new Map<number, string>();
  readonly asks = new Map<number, string>();
  private n = 0;
  /** The exchange clock its timestamps are written with (epoch ms). */
  clock: () => number = Date.now;

  constructor(
    readonly symbol: string,
    private readonly mid: number,
  ) {
    for (let i = 1; i <= 15; i++) {
      this.bids.set(mid * 10 - i, qty(i));
      this.asks.set(mid * 10 + i, qty(i + 20));
    }
  }

  sorted(side: "bids" | "asks"): Level[] {
    const m = side === "bids" ? this.bids : this.asks;
    const keys = [...m.keys()].sort((a, b) => (side === "bids" ? b - a : a - b));
    return keys.map((k) => ({ price: price(k), qty: m.get(k)! }));
  }

  checksum(): number {
    return bookChecksum(this.sorted("asks").slice(0, 10), this.sorted("bids").slice(0, 10));
  }

  frame(type: "snapshot" | "update", bids: Level[], asks: Level[], checksum = this.checksum()): string {
    const lv = (l: Level): string => `{"price":${l.price},"qty":${l.qty}}`;
    return (
      `{"channel":"book","type":"${type}","data":[{"symbol":"${this.symbol}",` +
      `"bids":[${bids.map(lv).join(",")}],"asks":[${asks.map(lv).join(",")}],` +
      `"checksum":${checksum},"timestamp":"${new Date(this.clock()).toISOString()}"}]}`
    );
  }

  snapshot(depth: number): string {
    return this.frame("snapshot", this.sorted("bids").slice(0, depth), this.sorted("asks").slice(0, depth));
  }

  /** Changes the size of one of the best five levels on alternating sides. */
  update(): string {
    this.n++;
    const side = this.n % 2 === 0 ? "bids" : "asks";
    const key =
      (side === "bids" ? this.mid * 10 - 1 : this.mid * 10 + 1) + (side === "bids" ? -1 : 1) * (this.n % 5);
    const q = qty(this.n * 7);
    (side === "bids" ? this.bids : this.asks).set(key, q);
    const l = [{ price: price(key), qty: q }];
    return side === "bids" ? this.frame("update", l, []) : this.frame("update", [], l);
  }

  /** An update whose checksum is wrong. */
  corruptUpdate(): string {
    const good = this.update();
    return good.replace(/"checksum":(\d+)/, (_m, c: string) => `"checksum":${(Number(c) + 1) % 2 ** 32}`);
  }

  /** An update that puts a bid above the best ask, with a checksum that matches it. */
  crossingUpdate(): string {
    const key = this.mid * 10 + 3;
    this.bids.set(key, qty(1));
    const frame = this.frame("update", [{ price: price(key), qty: qty(1) }], []);
    this.bids.delete(key);
    return frame;
  }
}

const price = (k: number): string => (k / 10).toFixed(1);
const qty = (i: number): string => (0.5 + i / 100).toFixed(8);

export type ClientMessage = {
  readonly method?: string;
  readonly params?: {
    readonly channel?: string;
    readonly symbol?: readonly string[];
    readonly depth?: number;
    readonly snapshot?: boolean;
  };
  readonly req_id?: number;
};

/**
 * How the server answers one subscribe of one symbol: ack and snapshot (then updates), nothing at all,
 * an ack and nothing after it, or an error (naming the symbol or not).
 */
export type SubscribeReply =
  | { readonly kind: "ok" }
  | { readonly kind: "silent" }
  | { readonly kind: "ack-only" }
  | { readonly kind: "error"; readonly error: string; readonly named: boolean };

export type ScriptOptions = {
  readonly mids?: Readonly<Record<string, number>>;
  readonly updateMs?: number;
  readonly heartbeatMs?: number;
  readonly reject?: readonly string[];
  /** The answer to the n-th subscribe of `symbol` (from 1, over all connections); ok when absent. */
  readonly reply?: (symbol: string, n: number) => SubscribeReply;
  /** The exchange clock's offset from this machine's, ms: constant skew (see `timeShiftMs`). */
  readonly timeShiftMs?: number;
  /** Offer permessage-deflate: a large but repetitive frame then crosses the socket at once. */
  readonly deflate?: boolean;
  /**
   * Every frame to a client leaves this long after it is made, in order, pongs included: a server (or a
   * path) that holds everything back from the very first frame, which timestamps alone cannot show.
   */
  readonly sendDelayMs?: number;
  /** Listen on this port (default 0: a free one), e.g. one a client was already told to try. */
  readonly port?: number;
};

export class ScriptedServer {
  readonly wss: WebSocketServer;
  /** Every client message, in order, with the connection it came on (1-based). */
  readonly received: { readonly conn: number; readonly msg: ClientMessage }[] = [];
  readonly books = new Map<string, ModelBook>();
  connections = 0;
  /**
   * Added to every exchange timestamp the server writes, ms: a constant value is a clock offset; a
   * value lowered while running is a feed falling behind (its updates describe moments further back).
   */
  timeShiftMs: number;
  closeCodes: number[] = [];
  /** Subscribes received per symbol, over all connections. */
  readonly subscribes = new Map<string, number>();
  /** Every frame sent, in order, over all connections. */
  readonly sent: string[] = [];
  private silent = false;
  private readonly corrupt = new Set<string>();
  private readonly cross = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    readonly options: ScriptOptions,
    readonly port: number,
    wss: WebSocketServer,
  ) {
    this.wss = wss;
    this.timeShiftMs = options.timeShiftMs ?? 0;
  }

  static async start(options: ScriptOptions = {}): Promise<ScriptedServer> {
    const wss = new WebSocketServer({
      host: "127.0.0.1",
      port: options.port ?? 0,
      // Fastest compression: a large test frame must not hold the server's own frames back for long.
      perMessageDeflate: options.deflate === true ? { zlibDeflateOptions: { level: 1 } } : false,
    });
    await new Promise<void>((resolve) => wss.once("listening", resolve));
    const port = (wss.address() as { port: number }).port;
    const server = new ScriptedServer(options, port, wss);
    wss.on("connection", (ws) => server.accept(ws));
    return server;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  book(symbol: string): ModelBook {
    let b = this.books.get(symbol);
    if (b === undefined) {
      b = new ModelBook(symbol, this.options.mids?.[symbol] ?? 1000 + this.books.size * 500);
      b.clock = () => Date.now() + this.timeShiftMs;
      this.books.set(symbol, b);
    }
    return b;
  }

  /** Book subscribe/unsubscribe requests, as `method symbol@depth` strings, in order. */
  requests(): string[] {
    return this.received
      .filter((r) => r.msg.method === "subscribe" || r.msg.method === "unsubscribe")
      .filter((r) => (r.msg.params?.channel ?? "book") === "book")
      .flatMap((r) => (r.msg.params?.symbol ?? []).map((s) => `${r.msg.method} ${s}@${r.msg.params?.depth}`));
  }

  /** Send no more updates for these symbols (heartbeats and the other books go on). */
  readonly muted = new Set<string>();

  /** Requests for another channel, as `method symbol` (or `method` alone) strings, in order. */
  channelRequests(channel: string): string[] {
    return this.received
      .filter((r) => r.msg.params?.channel === channel)
      .flatMap((r) => {
        const symbols = r.msg.params?.symbol;
        const snap = r.msg.params?.snapshot === true ? "+snapshot" : "";
        return symbols === undefined
          ? [`${r.msg.method}${snap}`]
          : symbols.map((s) => `${r.msg.method} ${s}${snap}`);
      });
  }

  /** Every trade made per symbol (ids consecutive from 1001), whether or not it was sent. */
  readonly tape = new Map<string, string[]>();

  /**
   * Makes `n` trades of `symbol` and sends them in one update to the sockets subscribed to its trades:
   * `drop` leaves the first of them out of the update (the client misses it; a snapshot still has it),
   * `repeat` sends the last trade already sent once more before them.
   */
  trade(symbol: string, n: number, fault: { drop?: boolean; repeat?: boolean } = {}): void {
    const tape = this.tape.get(symbol) ?? [];
    this.tape.set(symbol, tape);
    const out: string[] = [];
    if (fault.repeat === true && tape.length > 0) out.push(tape[tape.length - 1]!);
    for (let i = 0; i < n; i++) {
      const id = 1001 + tape.length;
      const t =
        `{"symbol":"${symbol}","side":"${id % 2 === 0 ? "buy" : "sell"}","price":${(1000 + (id % 7) / 10).toFixed(1)},` +
        `"qty":0.${String(id).padStart(8, "0")},"ord_type":"limit","trade_id":${id},"timestamp":"${new Date().toISOString()}"}`;
      tape.push(t);
      if (!(fault.drop === true && i === 0)) out.push(t);
    }
    const frame = `{"channel":"trade","type":"update","data":[${out.join(",")}]}`;
    // A silent server makes trades (its snapshots hold them) but sends none of them.
    if (this.silent) return;
    for (const [ws, symbols] of this.tradeSubs) {
      if (symbols.has(symbol) && ws.readyState === ws.OPEN) {
        this.sent.push(frame);
        ws.send(frame);
      }
    }
  }

  private readonly tradeSubs = new Map<WebSocket, Set<string>>();

  /** While true, trade snapshots wait (the subscription is acked) until releaseTradeSnapshots(). */
  holdTradeSnapshots = false;
  private readonly heldTradeSnapshots: (() => void)[] = [];

  /** Sends the held trade snapshots, made from the tape as it is now, and stops holding them. */
  releaseTradeSnapshots(): void {
    this.holdTradeSnapshots = false;
    for (const send of this.heldTradeSnapshots.splice(0)) send();
  }

  corruptNext(symbol: string): void {
    this.corrupt.add(symbol);
  }

  crossNext(symbol: string): void {
    this.cross.add(symbol);
  }

  /** Stop sending anything (updates, heartbeats, pongs) while keeping the sockets open. */
  goSilent(): void {
    this.silent = true;
  }

  /** Speak again after `goSilent`, on the same sockets. */
  resume(): void {
    this.silent = false;
  }

  broadcast(text: string): void {
    for (const ws of this.sockets) {
      this.sent.push(text);
      ws.send(text);
    }
  }

  /** Abrupt termination of every open socket. */
  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    const conn = ++this.connections;
    this.sockets.add(ws);
    this.silent = false;
    const subscribed = new Map<string, number>();
    const now = (text: string): void => {
      if (this.silent || ws.readyState !== ws.OPEN) return;
      this.sent.push(text);
      ws.send(text);
    };
    const delay = this.options.sendDelayMs ?? 0;
    // Timers of one duration fire in the order they were set: the frames keep their order.
    const send = delay === 0 ? now : (text: string): void => void setTimeout(() => now(text), delay);
    send(
      '{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"online","api_version":"v2","connection_id":7204881492680171915}]}',
    );
    const updates = setInterval(() => {
      for (const [symbol] of subscribed) {
        if (this.muted.has(symbol)) continue;
        const b = this.book(symbol);
        if (this.corrupt.delete(symbol)) send(b.corruptUpdate());
        else if (this.cross.delete(symbol)) send(b.crossingUpdate());
        else send(b.update());
      }
    }, this.options.updateMs ?? 20);
    const beats = setInterval(() => {
      if (subscribed.size > 0) send('{"channel":"heartbeat"}');
    }, this.options.heartbeatMs ?? 200);
    this.timers.add(updates).add(beats);
    this.tradeSubs.set(ws, new Set());
    ws.on("close", (code) => {
      this.tradeSubs.delete(ws);
      this.closeCodes.push(code);
      this.sockets.delete(ws);
      clearInterval(updates);
      clearInterval(beats);
      this.timers.delete(updates);
      this.timers.delete(beats);
    });
    ws.on("message", (data) => {
      const msg = JSON.parse((data as Buffer).toString("utf8")) as ClientMessage;
      this.received.push({ conn, msg });
      const reqId = msg.req_id === undefined ? "" : `"req_id":${msg.req_id},`;
      if (msg.method === "ping") send(`{"method":"pong",${reqId}"time_in":"x","time_out":"y"}`);
      const channel = msg.params?.channel ?? "book";
      if (channel !== "book") return this.channelRequest(ws, send, msg, reqId);
      const depth = msg.params?.depth ?? 10;
      for (const symbol of msg.params?.symbol ?? []) {
        if (msg.method === "subscribe") {
          const n = (this.subscribes.get(symbol) ?? 0) + 1;
          this.subscribes.set(symbol, n);
          const reply = this.options.reply?.(symbol, n) ?? { kind: "ok" };
          if (reply.kind === "silent") continue;
          if (reply.kind === "error") {
            const named = reply.named ? `,"symbol":"${symbol}"` : "";
            send(
              `{"error":${JSON.stringify(reply.error)},"method":"subscribe",${reqId}"success":false${named},"time_in":"x","time_out":"y"}`,
            );
            continue;
          }
          if (this.options.reject?.includes(symbol)) {
            send(
              `{"error":"Currency pair not supported ${symbol}","method":"subscribe",${reqId}"success":false,"symbol":"${symbol}","time_in":"x","time_out":"y"}`,
            );
            continue;
          }
          send(
            `{"method":"subscribe",${reqId}"result":{"channel":"book","depth":${depth},"snapshot":true,"symbol":"${symbol}"},"success":true,"time_in":"x","time_out":"y"}`,
          );
          if (reply.kind === "ack-only") continue;
          subscribed.set(symbol, depth);
          send(this.book(symbol).snapshot(depth));
        } else if (msg.method === "unsubscribe") {
          subscribed.delete(symbol);
          send(
            `{"method":"unsubscribe",${reqId}"result":{"channel":"book","depth":${depth},"symbol":"${symbol}"},"success":true,"time_in":"x","time_out":"y"}`,
          );
        }
      }
    });
  }

  /** instrument, trade and ticker: acked with their channel; snapshots as Kraken sends them. */
  private channelRequest(
    ws: WebSocket,
    send: (text: string) => void,
    msg: ClientMessage,
    reqId: string,
  ): void {
    const channel = msg.params?.channel ?? "";
    const ack = (symbol?: string): void =>
      send(
        `{"method":"${msg.method}",${reqId}"result":{"channel":"${channel}"${symbol === undefined ? "" : `,"symbol":"${symbol}"`}},"success":true,"time_in":"x","time_out":"y"}`,
      );
    if (channel === "instrument") {
      ack();
      const pairs = [...new Set([...this.books.keys(), ...Object.keys(this.options.mids ?? {})])].map(
        (s) =>
          `{"symbol":"${s}","status":"${this.pairStatus.get(s) ?? "online"}","qty_precision":8,"qty_increment":1e-08,"price_precision":1,"cost_precision":5,"cost_min":0.5,"tick_size":0.1,"price_increment":0.1,"qty_min":5e-05}`,
      );
      send(`{"channel":"instrument","type":"snapshot","data":{"assets":[],"pairs":[${pairs.join(",")}]}}`);
      return;
    }
    for (const symbol of msg.params?.symbol ?? []) {
      ack(symbol);
      if (channel === "trade") {
        const subs = this.tradeSubs.get(ws)!;
        if (msg.method === "unsubscribe") {
          subs.delete(symbol);
          continue;
        }
        subs.add(symbol);
        if (msg.params?.snapshot === true) {
          const snapshot = (): void => {
            const last50 = (this.tape.get(symbol) ?? []).slice(-50);
            send(`{"channel":"trade","type":"snapshot","data":[${last50.join(",")}]}`);
          };
          if (this.holdTradeSnapshots) this.heldTradeSnapshots.push(snapshot);
          else snapshot();
        }
      } else if (channel === "ticker" && msg.method === "subscribe") {
        send(
          `{"channel":"ticker","type":"snapshot","data":[{"symbol":"${symbol}","bid":999.9,"bid_qty":1.50000000,"ask":1000.1,"ask_qty":0.25,"last":1000.0,"volume":1523.90000000,"vwap":998.75,"low":990.0,"high":1010.5,"change":-1.20,"change_pct":-0.12}]}`,
        );
      }
    }
  }

  /** Pair statuses the instrument snapshot reports (online when absent). */
  readonly pairStatus = new Map<string, string>();
}
