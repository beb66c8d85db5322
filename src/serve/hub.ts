import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { BookView, ConnectionState, FeedClient, FeedEvent, FeedView } from "../feed/types.js";
import { streamBookData } from "./book-json.js";
import { tradeJson } from "./market.js";
import { SharedWrites, SseClient } from "./sse-client.js";
import type { SseLimits } from "./sse-client.js";

const KEEP_ALIVE_MS = 15_000;
const CHECK_EVERY_MS = 250;

export type StreamRequest = {
  /** One symbol's stream, or `all`: every symbol's, those the feed opens later too (a whole market). */
  readonly symbols: readonly [string] | "all";
  readonly levels: number;
  /** `Last-Event-ID`, if sent. */
  readonly lastEventId?: string;
};

/**
 * Fans the feed's views out to SSE clients. Each book's frame is serialised once per view and levels
 * (and stream kind), and the same string goes to every client; a book is offered only when its version
 * changed. `state` events go out on every change of the connection's or a book's state.
 */
export class StreamHub {
  private readonly clients = new Set<SseClient>();
  private connection: ConnectionState = { state: "connecting", attempt: 1 };
  private readonly books = new Map<string, BookView>();
  /** Frames of the current views: symbol → key (levels, kind) → frame. */
  private readonly frames = new Map<string, Map<string, string>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: () => void = () => undefined;
  /** Within a view: frames wait in each client's queue, written once at the end of the view. */
  private deferred = false;
  private flushPending: NodeJS.Immediate | NodeJS.Timeout | undefined;
  dropped = 0;
  /**
   * This process's mark in every event id: versions start again from 0 in a new process, so a
   * `Last-Event-ID` of another run (a restarted serve) says nothing about what the client has.
   */
  readonly run = randomBytes(4).toString("hex");

  constructor(
    private readonly limits: SseLimits,
    private readonly onDrop: () => void = () => undefined,
  ) {}

  attach(feed: FeedClient): void {
    const latest = feed.latest();
    if (latest !== undefined) this.view(latest);
    this.unsubscribe = feed.subscribe((event) => this.event(event));
    this.timers.push(setInterval(() => this.everyClient((c) => c.keepAlive()), KEEP_ALIVE_MS));
    this.timers.push(
      setInterval(() => {
        const now = Date.now();
        this.everyClient((c) => c.check(now));
      }, CHECK_EVERY_MS),
    );
  }

  get size(): number {
    return this.clients.size;
  }

  open(res: ServerResponse, request: StreamRequest): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    // A HEAD asks only whether the stream is there: Node writes no body to it, and would hold the headers
    // until the end, so a probe waited for ever on a stream it could not see.
    if (res.req.method === "HEAD") {
      res.end();
      return;
    }
    res.socket?.setNoDelay(true);
    const all = request.symbols === "all";
    const client = new SseClient(
      res,
      all ? "all" : new Set(request.symbols),
      request.levels,
      this.limits,
      () => {
        this.clients.delete(client);
        this.dropped++;
        this.onDrop();
      },
    );
    this.clients.add(client);
    res.on("close", () => {
      client.gone();
      this.clients.delete(client);
    });
    client.text(`retry: 1000\n\n`);
    client.text(stateFrame({ scope: "connection", ...this.connection }));
    const resume = parseLastEventId(request.lastEventId, all, this.run);
    for (const symbol of all ? this.books.keys() : request.symbols) {
      const book = this.books.get(symbol);
      if (book === undefined) continue;
      if (resume !== undefined && (resume.symbol === undefined || resume.symbol === symbol)) {
        if (book.version <= resume.version) continue;
      }
      client.book(symbol, this.frame(book, client));
    }
  }

  /** Ends every stream. */
  close(): void {
    this.unsubscribe();
    for (const t of this.timers) clearInterval(t);
    this.cancelFlush();
    this.everyClient((c) => c.end());
    this.clients.clear();
  }

  private event(event: FeedEvent): void {
    if (event.type === "view") {
      this.deferred = true;
      try {
        this.view(event.view);
      } finally {
        this.deferred = false;
      }
      this.cancelFlush();
      this.flushAll();
    } else if (event.type === "connection") {
      const { type: _type, ...connection } = event;
      this.setConnection(connection);
    } else if (event.type === "trade") {
      // Every trade, once, in id order: one shared frame (no id: the stream's ids are book versions).
      const text = `event: trade\ndata: ${JSON.stringify(tradeJson(event))}\n\n`;
      this.everyClient((c) => {
        if (c.watches(event.symbol)) c.trade(text, false);
      });
      this.flushSoon();
    } else if (event.type === "trade-gap") {
      const { symbol, expected, got } = event;
      const text = `event: trade-gap\ndata: ${JSON.stringify({ symbol, expected, got })}\n\n`;
      this.everyClient((c) => {
        if (c.watches(symbol)) c.text(text);
      });
    }
  }

  /**
   * Trades come one event each: they wait in the clients' queues and leave with the next view's write, or
   * after `tradeFlushMs` (one frame interval) when no view comes first: about one write per client per
   * frame, whatever the rate of trades. Each write is a system call and, on loopback, the receiver's TCP
   * work too: the fan-out's cost is in the writes.
   */
  private flushSoon(): void {
    if (this.flushPending !== undefined) return;
    const flush = (): void => {
      this.flushPending = undefined;
      this.flushAll();
    };
    const ms = this.limits.tradeFlushMs;
    this.flushPending = ms === undefined ? setImmediate(flush) : setTimeout(flush, ms);
  }

  /** Writes every client's queue, clients with the same queue sharing one encoded Buffer. */
  private flushAll(): void {
    const shared = new SharedWrites();
    this.everyClient((c) => c.flush(shared));
  }

  private cancelFlush(): void {
    const pending = this.flushPending;
    if (pending === undefined) return;
    if (this.limits.tradeFlushMs === undefined) clearImmediate(pending as NodeJS.Immediate);
    else clearTimeout(pending as NodeJS.Timeout);
    this.flushPending = undefined;
  }

  /**
   * A new connection state: told to every client. The books it changes (servability, their reason) follow
   * in the feed's next view, each a new version (feed/publisher.ts, `socketKey`), so no book frame is ever
   * sent twice under one id with other data.
   */
  private setConnection(connection: ConnectionState): void {
    const changed = connection.state !== this.connection.state;
    this.connection = connection;
    if (!changed) return;
    const text = stateFrame({ scope: "connection", ...connection });
    this.everyClient((c) => c.text(text, !this.deferred));
  }

  private view(view: FeedView): void {
    this.setConnection(view.connection);
    for (const book of view.books) {
      const before = this.books.get(book.symbol);
      if (before !== undefined && before.version === book.version) continue;
      this.books.set(book.symbol, book);
      if (before?.state !== book.state) {
        const text = stateFrame({
          scope: "book",
          symbol: book.symbol,
          state: book.state,
          ...(book.reason === undefined ? {} : { reason: book.reason }),
        });
        this.everyClient((c) => {
          if (c.watches(book.symbol)) c.text(text, !this.deferred);
        });
      }
      this.offer(book);
    }
  }

  private offer(book: BookView): void {
    this.frames.delete(book.symbol);
    this.everyClient((c) => {
      if (c.watches(book.symbol)) c.book(book.symbol, this.frame(book, c), !this.deferred);
    });
  }

  /** The shared frame of a book for a client's levels and stream kind. */
  private frame(book: BookView, client: SseClient): string {
    let byKey = this.frames.get(book.symbol);
    if (byKey === undefined) this.frames.set(book.symbol, (byKey = new Map<string, string>()));
    const key = `${client.levels}${client.all ? "a" : "s"}`;
    let frame = byKey.get(key);
    if (frame === undefined) {
      const id = `${client.all ? `${book.symbol}:` : ""}${book.version}@${this.run}`;
      frame = `event: book\nid: ${id}\ndata: ${streamBookData(book, this.connection, client.levels)}\n\n`;
      byKey.set(key, frame);
    }
    return frame;
  }

  private everyClient(f: (client: SseClient) => void): void {
    for (const client of this.clients) f(client);
  }
}

function stateFrame(data: object): string {
  return `event: state\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * `<version>@<run>` (one symbol) or `<symbol>:<version>@<run>` (all symbols); undefined when absent,
 * unreadable or of another run (then every current view is sent).
 */
function parseLastEventId(
  tagged: string | undefined,
  all: boolean,
  run: string,
): { readonly symbol?: string; readonly version: number } | undefined {
  if (tagged === undefined || !tagged.endsWith(`@${run}`)) return undefined;
  const id = tagged.slice(0, -run.length - 1);
  const at = all ? id.lastIndexOf(":") : -1;
  const version = Number(id.slice(at + 1));
  if (!Number.isSafeInteger(version) || version < 0 || id.slice(at + 1) === "") return undefined;
  return all ? (at > 0 ? { symbol: id.slice(0, at), version } : undefined) : { version };
}
