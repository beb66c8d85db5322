import WebSocket from "ws";
import { OrderBook } from "../../src/book/order-book.js";
import { parseFrame } from "../../src/protocol/parse.js";
import type { BookData } from "../../src/protocol/types.js";

/**
 * A test client written from the protocol notes (shared/docs/kraken-v2-protocol.md): it records every
 * frame with its arrival time, and can check book frames through the real book engine.
 */

export type Received = { readonly text: string; readonly at: number };

export class TestClient {
  readonly frames: Received[] = [];
  readonly openedAt = performance.now();
  closeCode: number | undefined;
  closeReason = "";
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.frames.push({ text: (data as Buffer).toString("utf8"), at: performance.now() });
      for (const w of [...this.waiters]) w();
    });
    ws.on("close", (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString("utf8");
      for (const w of [...this.waiters]) w();
    });
    ws.on("error", () => undefined);
  }

  static connect(url: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new TestClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
    });
  }

  send(request: object | string): void {
    this.ws.send(typeof request === "string" ? request : JSON.stringify(request));
  }

  subscribe(symbols: readonly string[], depth: number, reqId?: number): void {
    this.send({
      method: "subscribe",
      params: { channel: "book", symbol: symbols, depth, snapshot: true },
      ...(reqId === undefined ? {} : { req_id: reqId }),
    });
  }

  unsubscribe(symbols: readonly string[], depth: number, reqId?: number): void {
    this.send({
      method: "unsubscribe",
      params: { channel: "book", symbol: symbols, depth },
      ...(reqId === undefined ? {} : { req_id: reqId }),
    });
  }

  /** Resolves with the index of the first frame at or after `from` that matches, or rejects after `timeoutMs`. */
  waitFor(
    match: (text: string) => boolean,
    opts: { from?: number; timeoutMs?: number } = {},
  ): Promise<number> {
    const from = opts.from ?? 0;
    return this.until(
      () => {
        for (let i = from; i < this.frames.length; i++) if (match(this.frames[i]!.text)) return i;
        return undefined;
      },
      opts.timeoutMs ?? 5000,
      "a matching frame",
    );
  }

  /** Resolves once `count` frames match. */
  waitForCount(match: (text: string) => boolean, count: number, timeoutMs = 10_000): Promise<number> {
    let seen = 0;
    let scanned = 0;
    return this.until(
      () => {
        for (; scanned < this.frames.length; scanned++) if (match(this.frames[scanned]!.text)) seen++;
        return seen >= count ? seen : undefined;
      },
      timeoutMs,
      `${count} matching frames`,
    );
  }

  /** Resolves with the close code once the server has closed the connection. */
  waitClosed(timeoutMs = 5000): Promise<number> {
    return this.until(() => this.closeCode, timeoutMs, "the connection to close");
  }

  /** Parsed JSON of frames matching a predicate (non-book frames only: numbers lose their text). */
  json(match: (text: string) => boolean): Record<string, unknown>[] {
    return this.frames.filter((f) => match(f.text)).map((f) => JSON.parse(f.text) as Record<string, unknown>);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.terminate();
    this.waiters.clear();
  }

  private until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        const v = check();
        if (v === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.frames.length} frames)`),
        );
      }, timeoutMs);
      this.waiters.add(done);
      done();
    });
  }
}

export const isBook = (t: string): boolean => t.startsWith(`{"channel":"book"`);
export const isUpdate = (t: string): boolean => t.startsWith(`{"channel":"book","type":"update"`);
export const isHeartbeat = (t: string): boolean => t === `{"channel":"heartbeat"}`;
export const isBookOf =
  (symbol: string) =>
  (t: string): boolean =>
    isBook(t) && t.includes(`"symbol":${JSON.stringify(symbol)}`);

export type CheckTotals = {
  ok: number;
  mismatched: number;
  crossed: number;
  snapshots: number;
  updates: number;
};

/** Applies book frames to one OrderBook per symbol at `depth`, as a correct client would, and counts outcomes. */
export class BookChecker {
  readonly books = new Map<string, OrderBook>();
  readonly totals: CheckTotals = { ok: 0, mismatched: 0, crossed: 0, snapshots: 0, updates: 0 };
  /** Every book data entry seen, for format checks. */
  readonly seen: { readonly type: "snapshot" | "update"; readonly data: BookData }[] = [];

  constructor(readonly depth: number) {}

  apply(text: string): void {
    const msg = parseFrame(text);
    if (msg.kind !== "book") throw new Error(`not a book frame: ${text.slice(0, 120)}`);
    for (const data of msg.data) {
      const snapshot = msg.type === "snapshot";
      this.seen.push({ type: msg.type, data });
      if (snapshot) {
        this.totals.snapshots++;
        this.books.set(data.symbol, new OrderBook(data.symbol, this.depth));
      } else this.totals.updates++;
      const book = this.books.get(data.symbol);
      if (book === undefined) throw new Error(`update before snapshot for ${data.symbol}`);
      const outcome = book.apply(data, snapshot);
      if (outcome === "ok") this.totals.ok++;
      else if (outcome === "crossed-book") this.totals.crossed++;
      else this.totals.mismatched++;
    }
  }
}
