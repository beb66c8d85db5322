import { Decimal } from "decimal.js";
import type { BookLevel } from "../book/book-side.js";
import type { OrderBook } from "../book/order-book.js";
import { lagOf } from "./freshness.js";
import { connectionOpen, verifiedState } from "./servable.js";
import type { Session, Slot } from "./session.js";
import type { BookState, BookView, ConnectionState, DeepLevels, FeedView, LevelView } from "./types.js";

export type PublisherOptions = {
  readonly fps: number;
  readonly levels: number;
  readonly staleAfterMs: number;
  readonly maxLagMs: number;
  /** No frame for this long is a quiet connection (`--quiet-after`; see `freshness`). */
  readonly quietAfterMs?: number;
};

/**
 * Views give a book's lag in steps of this many ms. Below that it is the jitter of clocks and sockets, and
 * a figure that moved by a millisecond with every message of any book would make every book's view new in
 * every interval (each book's lag follows the newest update of the connection: see `freshness`).
 */
const LAG_STEP_MS = 10;

/** How often figures that move with time alone (messages per second, a book going stale) are looked at. */
const STATS_EVERY_MS = 1000;

/**
 * How long after its interval a change waits for a timer of its own, as a share of the interval. A change
 * that arrives within the interval after a publication is published by the next change to arrive once the
 * interval has passed, in that change's turn; the timer is for a change that no other follows. Under a
 * steady feed changes come more often than this, so the worker wakes for messages only, never for timers.
 */
const TRAILING_GRACE = 0.5;

/**
 * Turns the session into views at most `fps` times a second, and only when something a view
 * shows has changed: a book, a state (including a book going stale), a count, the connection.
 * Every wire message has already been applied by then; only the views are coalesced.
 *
 * Publication is driven by changes (`changed`), not by polling: a change publishes at once when the last
 * view is at least an interval old, else it waits for the next change past the interval or, failing one,
 * a timer. Figures that move with time alone are looked at once a second.
 */
export class Publisher {
  private levels: number;
  /** Books given more levels than `levels` (see FeedClient.setLevels), and how many. */
  private deep: ReadonlySet<string> = new Set();
  private deepLevels = 0;
  private readonly intervalMs: number;
  private statsTimer: NodeJS.Timeout | undefined;
  private trailing: NodeJS.Timeout | undefined;
  private stopped = false;
  private publishedAt = Number.NEGATIVE_INFINITY;
  private publishedVersion = -1;
  /** A publication found the consumer busy; the next `resume` publishes. */
  private held = false;
  private publishedConnection: ConnectionState | undefined;
  private publishedStates = "";
  private publishedRates = "";
  private statsCheckedAt = 0;
  /** Per slot: what its last view showed (see versionOf), its version, and the lag published with it. */
  private readonly bookVersions = new WeakMap<
    Slot,
    { key: string; version: number; lagMs: number | undefined }
  >();
  /** Per slot: its last view and what it was built from. */
  private readonly views = new WeakMap<Slot, { inputs: BookInputs; view: BookView }>();
  private readonly parts = new WeakMap<Slot, LevelsPart>();
  /** The inputs of the book being looked at (see bookView). */
  private readonly inputs: Writable<BookInputs> = [
    "awaiting-snapshot",
    undefined,
    undefined,
    0,
    0,
    undefined,
    0,
    0,
    0,
    0,
    0,
    false,
    undefined,
    0,
    null,
    null,
    undefined,
    "",
  ];

  constructor(
    private readonly session: Session,
    private readonly connection: () => ConnectionState,
    private readonly post: (view: FeedView) => void,
    private readonly options: PublisherOptions,
    /**
     * Whether the consumer can take a view now. The worker holds views while one is still on its way to
     * a busy main thread, so a consumer slower than `fps` gets fewer, fresher views instead of a queue
     * that grows in memory and in latency. Nothing is lost: `resume` publishes the latest state.
     */
    private readonly ready: () => boolean = () => true,
  ) {
    this.levels = options.levels;
    this.intervalMs = 1000 / Math.max(1, options.fps);
  }

  start(): void {
    this.statsTimer = setInterval(() => this.changed(Date.now()), STATS_EVERY_MS);
  }

  /** No more timers; `tick(now, true)` still publishes (the last views on stop). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.statsTimer);
    clearTimeout(this.trailing);
    this.trailing = undefined;
  }

  /**
   * Something a view shows may have changed (a wire message was applied, the connection moved): publishes
   * now if the last view is an interval old, else makes sure the change is published within
   * `interval × (1 + TRAILING_GRACE)`.
   */
  changed(now: number): void {
    if (this.held || this.stopped) return;
    if (now - this.publishedAt >= this.intervalMs) {
      this.tick(now);
      return;
    }
    if (this.trailing !== undefined) return;
    const wait = this.publishedAt + this.intervalMs * (1 + TRAILING_GRACE) - now;
    this.trailing = setTimeout(
      () => {
        this.trailing = undefined;
        this.tick(Date.now());
      },
      Math.max(1, Math.ceil(wait)),
    );
  }

  /** Publishes a whole view now, changed or not and past a busy consumer (the main thread found the worker stalled). */
  republish(now: number): void {
    this.publishedVersion = -1;
    this.tick(now, true);
  }

  /** The consumer took the last view: publish at once what was held back. */
  resume(now: number): void {
    if (this.held) this.tick(now);
  }

  setLevels(levels: number, deep?: DeepLevels): void {
    const before = new Map(this.session.slots.map((s) => [s, this.levelsOf(s)]));
    this.levels = levels;
    this.deep = new Set(deep?.symbols ?? []);
    this.deepLevels = deep?.levels ?? 0;
    let changed = false;
    // The views of the books now shown with other levels are new versions.
    for (const [slot, n] of before) {
      if (this.levelsOf(slot) === n) continue;
      changed = true;
      const v = this.bookVersions.get(slot);
      if (v !== undefined) v.key = "";
    }
    if (changed) this.publishedVersion = -1;
  }

  private levelsOf(slot: Slot): number {
    return this.deep.has(slot.symbol) ? Math.max(this.levels, this.deepLevels) : this.levels;
  }

  /** Publishes now if anything changed and the consumer is ready, or regardless with `force` (the last view on stop). */
  tick(now: number, force = false): void {
    if (!force && !this.ready()) {
      this.held = true;
      return;
    }
    this.held = false;
    clearTimeout(this.trailing);
    this.trailing = undefined;
    const connection = this.connection();
    const wire: WireTiming = {
      baseline: this.session.offset.baseline(now),
      newestDelta: this.session.newestDelta,
      awaitingReplySince: this.session.awaitingReplySince,
      roundTripMs: this.session.roundTripMs,
      heardAt: this.session.lastReceivedAt,
    };
    const fresh = this.session.slots.map((s) => freshness(s, connection, now, this.options, wire));
    const states = fresh.map(freshnessKey).join();
    let changed =
      this.session.version !== this.publishedVersion ||
      connection !== this.publishedConnection ||
      states !== this.publishedStates;
    if (!changed && now - this.statsCheckedAt >= STATS_EVERY_MS) {
      this.statsCheckedAt = now;
      changed = this.rates(now) !== this.publishedRates;
    }
    if (!changed) return;
    this.publishedVersion = this.session.version;
    this.publishedConnection = connection;
    this.publishedStates = states;
    this.publishedRates = this.rates(now);
    this.publishedAt = now;
    this.post(this.view(connection, fresh, now));
  }

  private rates(now: number): string {
    return this.session.slots.map((s) => s.rate.perSecond(now)).join();
  }

  /** The view of every slot, given each one's freshness (in slot order). */
  private view(connection: ConnectionState, fresh: readonly Freshness[], now: number): FeedView {
    return {
      connection,
      books: this.session.slots.map((s, i) => this.bookView(s, fresh[i]!, socketKey(connection), now)),
      publishedAt: now,
      receivedAt: this.session.lastReceivedAt,
      malformed: this.session.malformed,
    };
  }

  /**
   * A book's view, built again only when something it shows may have changed: in a whole market most
   * books are as they were one interval ago, and the same object is published again (a consumer may
   * compare views by identity).
   */
  private bookView(
    slot: Slot,
    { state, lagMs: measured, cause }: Freshness,
    socket: string,
    now: number,
  ): BookView {
    const lagMs = measured === undefined ? undefined : Math.floor(measured / LAG_STEP_MS) * LAG_STEP_MS;
    // A live slot has no reason of its own: a lagging book's is why it lags.
    const reason = slot.reason ?? (cause === undefined ? undefined : LAG_REASONS[cause]);
    const latency = slot.latency.percentiles(now);
    // Filled in place: most books are unchanged, and then nothing is allocated for them.
    const inputs = this.inputs;
    inputs[0] = state;
    inputs[1] = lagMs;
    inputs[2] = slot.book;
    inputs[3] = slot.revision;
    inputs[4] = this.levelsOf(slot);
    inputs[5] = reason;
    inputs[6] = slot.ok;
    inputs[7] = slot.failed;
    inputs[8] = slot.resyncs;
    inputs[9] = slot.depth;
    inputs[10] = slot.trades.gaps;
    inputs[11] = slot.trades.awaiting;
    inputs[12] = slot.pairStatus;
    inputs[13] = slot.rate.perSecond(now);
    inputs[14] = latency === null ? null : latency.p50;
    inputs[15] = latency === null ? null : latency.p99;
    inputs[16] = slot.retryAt;
    inputs[17] = socket;
    const cached = this.views.get(slot);
    if (cached !== undefined && sameInputs(cached.inputs, inputs)) return cached.view;
    const kept: BookInputs = [...inputs];
    const view = this.buildBookView(slot, state, lagMs, reason, socket, kept);
    this.views.set(slot, { inputs: kept, view });
    return view;
  }

  private buildBookView(
    slot: Slot,
    state: BookState,
    lagMs: number | undefined,
    reason: string | undefined,
    socket: string,
    inputs: BookInputs,
  ): BookView {
    // A book that failed or has not verified yet is never shown: no levels, no prices.
    const book = verifiedState(state) ? slot.book : undefined;
    const { checksum, part } = this.levelsPart(slot, book);
    const { version, lagMs: shownLag } = this.versionOf(slot, state, checksum, lagMs, reason, socket);
    return {
      symbol: slot.symbol,
      state,
      version,
      ...(checksum === undefined ? {} : { checksum }),
      ...(reason === undefined ? {} : { reason }),
      ...(slot.retryAt === undefined ? {} : { retryAt: slot.retryAt }),
      ...part,
      priceDecimals: slot.priceDecimals,
      qtyDecimals: slot.qtyDecimals,
      depth: slot.depth,
      checksums: { ok: slot.ok, failed: slot.failed },
      resyncs: slot.resyncs,
      tradeGaps: slot.trades.gaps,
      tradesAwaiting: slot.trades.awaiting,
      ...(slot.watchTrades ? {} : { tradesWatched: false as const }),
      ...(slot.pairStatus === undefined ? {} : { pairStatus: slot.pairStatus }),
      ...(slot.time === undefined ? {} : { time: slot.time }),
      ...(slot.changedAt === undefined ? {} : { changedAt: slot.changedAt }),
      ...(shownLag === undefined ? {} : { lagMs: shownLag }),
      messagesPerSecond: inputs[13],
      latencyP50: inputs[14],
      latencyP99: inputs[15],
    };
  }

  /** The levels, touch, spread and mid of a view; worked out again only when the book or the levels asked changed. */
  private levelsPart(slot: Slot, book: OrderBook | undefined): LevelsPart {
    const levels = this.levelsOf(slot);
    const cached = this.parts.get(slot);
    if (
      cached !== undefined &&
      cached.book === book &&
      cached.revision === slot.revision &&
      cached.levels === levels
    )
      return cached;
    const bid = book?.bids.best();
    const ask = book?.asks.best();
    const cut = book !== undefined && (book.bids.size > levels || book.asks.size > levels);
    const part: LevelsPart = {
      book,
      revision: slot.revision,
      levels,
      checksum: book?.checksum,
      part: {
        bids: book === undefined ? [] : book.bids.top(levels),
        asks: book === undefined ? [] : book.asks.top(levels),
        ...(cut ? { cut } : {}),
        ...(bid === undefined ? {} : { bid: level(bid) }),
        ...(ask === undefined ? {} : { ask: level(ask) }),
        ...(bid === undefined || ask === undefined ? {} : spreadAndMid(bid.price, ask.price)),
      },
    };
    this.parts.set(slot, part);
    return part;
  }

  /**
   * The book's version: bumped when what its view shows changed since the last view (a change of the book
   * moves its revision, even one past the checksummed levels within the same millisecond; states, reasons
   * and counts are compared as they are; a lagging book's lag in whole seconds, as it is published; and
   * `socketKey`: a book that keeps its state when the feed ends is a new version, served without prices).
   * With it, the lag to show: the one measured when the version began. A lag that moves on within a
   * version (a quiet pair's, with the stream's newest update) is left for its next one, so one version
   * is one view wherever it is served.
   */
  private versionOf(
    slot: Slot,
    state: BookState,
    checksum: number | undefined,
    lagMs: number | undefined,
    reason: string | undefined,
    socket: string,
  ): { readonly version: number; readonly lagMs: number | undefined } {
    const key = `${freshnessKey({ state, lagMs })}|${socket}|${slot.depth}|${reason}|${slot.retryAt}|${slot.revision}|${checksum}|${slot.ok}|${slot.failed}|${slot.resyncs}`;
    const v = this.bookVersions.get(slot);
    if (v === undefined) {
      const first = { key, version: 0, lagMs };
      this.bookVersions.set(slot, first);
      return first;
    }
    if (v.key !== key) {
      v.key = key;
      v.version++;
      v.lagMs = lagMs;
    }
    return v;
  }
}

/**
 * Everything a book's view is built from, besides what moves only with its revision (levels, time,
 * decimals): state, lag, book, revision, levels asked, reason, checksum counts, resyncs, depth, trade gaps
 * and wait, pair status, messages a second, latency p50 and p99, the time of a subscribe waiting out its
 * backoff, the socket's `socketKey`.
 */
type BookInputs = readonly [
  BookState,
  number | undefined,
  unknown,
  number,
  number,
  string | undefined,
  number,
  number,
  number,
  number,
  number,
  boolean,
  string | undefined,
  number,
  number | null,
  number | null,
  number | undefined,
  string,
];

type Writable<T> = { -readonly [K in keyof T]: T[K] };

function sameInputs(a: BookInputs, b: BookInputs): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What of a view comes from the book's levels, and what it was worked out from. */
type LevelsPart = {
  readonly book: OrderBook | undefined;
  readonly revision: number;
  readonly levels: number;
  readonly checksum: number | undefined;
  readonly part: Pick<BookView, "bids" | "asks" | "cut" | "bid" | "ask" | "spread" | "mid">;
};

/** Why a verified book is lagging (see `freshness`). */
export type LagCause = "quiet" | "answers" | "timestamps";

/** A lagging book's reason, per cause, as every surface gives it. */
export const LAG_REASONS: Readonly<Record<LagCause, string>> = {
  quiet: "connection quiet: nothing received",
  answers: "the exchange is slow to answer pings",
  timestamps: "updates arrive behind the exchange's timestamps",
};

/** A book's published state and lag, and why it lags when it does. */
export type Freshness = {
  readonly state: BookState;
  readonly lagMs: number | undefined;
  readonly cause?: LagCause;
};

/** What the connection's frames tell of its delay (see `freshness`). */
export type WireTiming = {
  /** The session's smallest recent receive − exchange figure: the zero of every lag. */
  readonly baseline: number | undefined;
  /** The receive − exchange figure of the newest update of any book on the connection. */
  readonly newestDelta?: number | undefined;
  /** When the oldest ping the server has not answered was sent (epoch ms). */
  readonly awaitingReplySince?: number | undefined;
  /** How long the newest ping answered took (ms). */
  readonly roundTripMs?: number | undefined;
  /** When the newest frame was read (epoch ms; 0 before the first). */
  readonly heardAt?: number | undefined;
};

/**
 * Freshness of one book at `now`: a verified book is `lagging` while the connection is quiet, or nothing
 * has been read for as long (its lag is then at least the silence), when its newest update is more than `maxLagMs` behind the exchange, or
 * when the server's answers to pings are that slow: the newest answer took longer, or one has waited
 * longer (the lag is then given as that time); otherwise `stale` after `staleAfterMs` without a change on
 * a live connection. Lag is judged on messages that arrive, silence by the connection: a quiet market is
 * never lagging.
 *
 * Frames on one socket arrive in order. A book is at least as far behind as the newest update that
 * arrived for any book (`newestDelta`), since its own updates, if any, wait behind that one. And frames
 * come in line with the answers to pings: a server that takes seconds to answer delivers everything else
 * that late too. Timestamps alone cannot show a delay that holds back everything from the first frame
 * (the simulator's `--drip`), as the offset cancels it; the answers' round trip does.
 */
export function freshness(
  slot: Slot,
  connection: ConnectionState,
  now: number,
  limits: { readonly staleAfterMs: number; readonly maxLagMs: number; readonly quietAfterMs?: number },
  wire: WireTiming,
): Freshness {
  if (slot.state !== "live") return { state: slot.state, lagMs: undefined };
  const { newestDelta } = wire;
  const delta =
    slot.delta === undefined
      ? newestDelta
      : newestDelta === undefined
        ? slot.delta
        : Math.max(slot.delta, newestDelta);
  const measured = lagOf(delta, wire.baseline);
  if (connection.state === "quiet") {
    return { state: "lagging", lagMs: Math.max(measured ?? 0, now - connection.since), cause: "quiet" };
  }
  // A silence as long is quiet whether or not the connection's timer has said so yet: after the thread was
  // stopped (Ctrl-Z, SIGSTOP) or held up, a timer due meanwhile may publish before the socket's backlog is
  // read, and the book, its newest update long ago, would show as live.
  const silence = connectionOpen(connection.state) && wire.heardAt ? now - wire.heardAt : 0;
  if (limits.quietAfterMs !== undefined && silence >= limits.quietAfterMs) {
    return { state: "lagging", lagMs: Math.max(measured ?? 0, silence), cause: "quiet" };
  }
  // Answers are awaited on an open connection only: after a replay's end nothing is read any more.
  const answering = !connectionOpen(connection.state)
    ? 0
    : Math.max(
        wire.roundTripMs ?? 0,
        wire.awaitingReplySince === undefined ? 0 : now - wire.awaitingReplySince,
      );
  if (answering > limits.maxLagMs) {
    return { state: "lagging", lagMs: Math.max(measured ?? 0, answering), cause: "answers" };
  }
  if (measured !== undefined && measured > limits.maxLagMs) {
    return { state: "lagging", lagMs: measured, cause: "timestamps" };
  }
  const stale =
    connectionOpen(connection.state) &&
    slot.changedAt !== undefined &&
    now - slot.changedAt >= limits.staleAfterMs;
  return { state: stale ? "stale" : "live", lagMs: measured };
}

/**
 * What of a book's freshness makes a new view worth publishing: its state, and a lagging book's lag in whole
 * seconds and its cause.
 */
function freshnessKey(f: Freshness): string {
  return f.state === "lagging" ? `lagging ${Math.floor((f.lagMs ?? 0) / 1000)} ${f.cause}` : f.state;
}

/**
 * What of the connection a book's served view shows (feed/servable.ts): while the socket is open, that it
 * is (its verified books are served with prices); while it is not, its state (the books' reason then, as
 * `connection reconnecting`). A book's version moves with it, so no two served views share a version.
 */
function socketKey(connection: ConnectionState): string {
  return connectionOpen(connection.state) ? "open" : connection.state;
}

/** A plain copy: book levels carry internal fields that must not cross the worker boundary. */
function level(l: BookLevel): LevelView {
  return { price: l.price, qty: l.qty };
}

/** Exact decimal text, never exponent notation. */
function spreadAndMid(bid: string, ask: string): { spread: string; mid: string } {
  const b = new Decimal(bid);
  const a = new Decimal(ask);
  return { spread: a.minus(b).toFixed(), mid: a.plus(b).div(2).toFixed() };
}
