import type { ServerResponse } from "node:http";

export type SseLimits = {
  /** A client whose socket stays backed up (a write not yet drained) this long is dropped. */
  readonly stallMs: number;
  /** A client holding more than this many bytes unsent (its socket's buffer and its queue) is dropped. */
  readonly maxBufferedBytes: number;
  /**
   * Trades wait at most this long (one frame interval) to leave with the next view's write, so a client
   * gets about one write per frame, not one per trade; absent: at the end of the event loop's turn.
   */
  readonly tradeFlushMs?: number;
};

/** Most `state` events a client may hold unsent; past this it is dropped (it has been stalled for long). */
const MAX_PENDING_STATES = 256;
/**
 * Most `trade` events a client may hold unsent. Trades are a log, not a state: none is replaced by a newer
 * one, so a client backed up past this many is dropped (and counted) rather than told a tape with holes;
 * it reconnects and fills in from `/trades/:symbol` (every trade carries its id).
 */
export const MAX_PENDING_TRADES = 1000;
/** Trades that leave at once, without waiting for the frame's write (see SseLimits.tradeFlushMs). */
const TRADES_PER_WRITE = 100;

type QueueEntry = { kind: "book"; symbol: string } | { kind: "text"; text: string };

/**
 * The writes of one round of flushes (every client after a view, or after the trades' wait): clients whose
 * queues hold the same events, in the same order, write the same bytes, so the bytes are joined and
 * encoded once and the Buffer shared. Events are the hub's shared strings, so finding a queue's node is
 * one map lookup per event on a string whose hash V8 has already cached. Most clients of a server share
 * every round (same stream, same levels, none backed up): a thousand clients cost one encoding, not a
 * thousand, and no garbage per client. A node per distinct queue prefix; one instance is one round's root.
 */
export class SharedWrites {
  #next: Map<string, SharedWrites> | undefined;
  /** The bytes of the queue that ends at this node, once a client has written them. */
  bytes: Buffer | undefined;

  /** The node of the queues that continue with `text`. */
  child(text: string): SharedWrites {
    this.#next ??= new Map();
    let node = this.#next.get(text);
    if (node === undefined) {
      node = new SharedWrites();
      this.#next.set(text, node);
    }
    return node;
  }
}

/**
 * One SSE client. Events wait in its queue until its socket has drained: `book` events hold at most one
 * per symbol (a newer one replaces the older one in place), `state` events and comments keep their order.
 * A write that the socket does not take at once (`write` returns false) stops writing until 'drain'; a
 * client backed up past its limits is destroyed and `onDrop` told, so it never slows anyone else.
 */
export class SseClient {
  private readonly queue: QueueEntry[] = [];
  private readonly books = new Map<string, string>();
  private pendingStates = 0;
  private pendingTrades = 0;
  private blockedSince: number | undefined;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    /**
     * The symbols this client watches: one (`id: version@run`), or `all`, every symbol the feed has or opens
     * (`id: symbol:version@run`).
     */
    private readonly symbols: ReadonlySet<string> | "all",
    /** Levels per side it asked for. */
    readonly levels: number,
    private readonly limits: SseLimits,
    private readonly onDrop: (client: SseClient) => void,
  ) {
    res.on("drain", () => {
      this.blockedSince = undefined;
      this.flush();
    });
  }

  /** One stream of all symbols. */
  get all(): boolean {
    return this.symbols === "all";
  }

  watches(symbol: string): boolean {
    return this.symbols === "all" || this.symbols.has(symbol);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * The newest `book` frame of a symbol: replaces one still waiting. `now` false leaves the write to a
   * later `flush()` (the hub writes a whole view's frames to a client in one write).
   */
  book(symbol: string, frame: string, now = true): void {
    if (this.closed) return;
    if (!this.books.has(symbol)) this.queue.push({ kind: "book", symbol });
    this.books.set(symbol, frame);
    if (now) this.flush();
  }

  /** A `state` event or a comment, in order. */
  text(text: string, now = true): void {
    if (this.closed) return;
    if (++this.pendingStates > MAX_PENDING_STATES) {
      this.drop();
      return;
    }
    this.queue.push({ kind: "text", text });
    if (now) this.flush();
  }

  /** A `trade` event, in order; past MAX_PENDING_TRADES unsent the client is dropped. */
  trade(text: string, now = true): void {
    if (this.closed) return;
    if (++this.pendingTrades > MAX_PENDING_TRADES) {
      this.drop();
      return;
    }
    this.queue.push({ kind: "text", text });
    // Many trades waiting for the frame's write go now: only a backed-up socket lets them pile up.
    if (now || this.pendingTrades >= TRADES_PER_WRITE) this.flush();
  }

  /** A keep-alive comment, only when nothing else waits (anything sent keeps the stream alive). */
  keepAlive(): void {
    if (this.queue.length === 0) this.text(": keep-alive\n\n");
  }

  /** Drops the client if its socket has been backed up too long or holds too much. */
  check(now: number): void {
    if (this.closed || this.blockedSince === undefined) return;
    if (
      now - this.blockedSince >= this.limits.stallMs ||
      this.res.writableLength > this.limits.maxBufferedBytes
    ) {
      this.drop();
    }
  }

  /** Ends the stream (shutdown). */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }

  /** The connection went away. */
  gone(): void {
    this.closed = true;
  }

  private drop(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.books.clear();
    this.res.destroy();
    this.onDrop(this);
  }

  /**
   * Writes what waits, unless the socket is backed up; with `shared`, as the same Buffer as every client of
   * the round whose queue holds the same events.
   */
  flush(shared?: SharedWrites): void {
    if (this.closed || this.blockedSince !== undefined || this.queue.length === 0) return;
    let node = shared;
    if (node !== undefined) for (const entry of this.queue) node = node.child(this.#text(entry));
    let out: Buffer | string | undefined = node?.bytes;
    if (out === undefined) {
      let text = "";
      for (const entry of this.queue) text += this.#text(entry);
      out = node === undefined ? text : (node.bytes = Buffer.from(text));
    }
    this.queue.length = 0;
    this.books.clear();
    this.pendingStates = 0;
    this.pendingTrades = 0;
    // One write per flush; until the socket drains, newer views replace older ones in the queue.
    if (!this.res.write(out)) this.blockedSince = Date.now();
  }

  #text(entry: QueueEntry): string {
    return entry.kind === "text" ? entry.text : (this.books.get(entry.symbol) ?? "");
  }
}
