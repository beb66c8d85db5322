import { verifiedState } from "./servable.js";
import type { BookView, FeedEvent, FeedView } from "./types.js";

/**
 * The main thread's watch over the feed worker. Every state the feed publishes is the worker's verdict, and
 * a worker that stops answering (a bug that loops, a write to a pipe or disk that blocks, a collection that
 * takes seconds) would leave its last verdict standing: a book shown as live that is no longer current. So
 * the worker beats (a counter in shared memory, bumped by a timer of its own event loop) and the main thread
 * looks at the counter, also on a timer; a counter that has not moved for the stall limit makes the feed
 * `stalled`:
 *
 * - a `connection` event `stalled` (since the worker was last heard from), then a view of the worker's last
 *   books in which every verified one is `lagging`, its lag at least the silence (as the worker itself
 *   says of a quiet connection), and no book has a message rate or latency; again each second, as the
 *   lag grows;
 * - once the counter moves again the worker is asked for a whole view (`refresh`), and its next view (or
 *   connection event) ends the stall.
 *
 * Shared memory, not messages: a main thread that was busy itself reads beats that came meanwhile, so its
 * own delay never reads as the worker's; and a silence it did not watch (no beat came while it was not
 * looking either, as when the whole process was stopped) is judged afresh from its next look.
 *
 * Consumers compare books by version (SSE ids, NDJSON, analytics), so a view said here gives each changed
 * book the next version, and the worker's later versions of that book are shifted past it: versions seen
 * by consumers only ever grow.
 */

/** How often the worker beats and the main thread looks. */
export const BEAT_EVERY_MS = 500;

/**
 * Looks further apart than this mean the main thread was not running either: busy, or the whole process
 * stopped (Ctrl-Z, a machine asleep). A counter that did not move meanwhile says nothing about the worker,
 * so its silence is judged afresh from the look after the gap.
 */
export const AWAY_MS = 2 * BEAT_EVERY_MS;

/** A stall is never judged on less silence than this: a loaded machine delays a thread's timers by hundreds of ms. */
export const MIN_STALL_MS = 2_000;

/** The silence that makes a worker stalled: as long as makes a connection quiet (`--quiet-after`), at least MIN_STALL_MS. */
export function stallLimit(quietAfterMs: number): number {
  return Math.max(MIN_STALL_MS, quietAfterMs);
}

/** The worker's side: beats while its event loop turns; the timer does not keep the worker alive. */
export function startBeating(beat: SharedArrayBuffer): NodeJS.Timeout {
  const counter = new Int32Array(beat);
  Atomics.add(counter, 0, 1);
  const timer = setInterval(() => Atomics.add(counter, 0, 1), BEAT_EVERY_MS);
  timer.unref();
  return timer;
}

/** What a look at the beat calls for: events for the consumers, and whether to ask the worker for a view. */
export type StallCheck = { readonly events: readonly FeedEvent[]; readonly refresh: boolean };

const NOTHING: StallCheck = { events: [], refresh: false };

/**
 * A stalled worker applies no message and times none: its last rate and latency are not figures of now.
 * (Neither counts in a book's version, so they change without one.)
 */
const NOTHING_MEASURED = { messagesPerSecond: 0, latencyP50: null, latencyP99: null } as const;

/** A verified book's reason while the worker is stalled: why it is lagging (as `LAG_REASONS`, feed/publisher.ts). */
const STALLED_REASON = "feed worker stalled: nothing heard from it";

/** A verified book's reason in a view taken the stall limit or more after the worker made it. */
const LATE_REASON = "stopped: this view waited to be read";

/**
 * A verified book whose last word is not known to be current (a stalled worker, a process that was stopped),
 * as lagging, at least `lagMs` behind, for `reason`; any other book as it is.
 */
export function laggingBy(book: BookView, lagMs: number, reason: string): BookView {
  if (!verifiedState(book.state)) return book;
  return { ...book, state: "lagging", reason, lagMs: Math.max(book.lagMs ?? 0, lagMs) };
}

/** The main thread's side (see above). Feed it every event of the worker and a look at the beat every BEAT_EVERY_MS. */
export class StallWatch {
  private readonly counter: Int32Array;
  private count = 0;
  /** When the worker was last known to run (a beat seen, or a message); undefined until it first beats. */
  private heardAt: number | undefined;
  /** When the main thread last looked at the beat. */
  private lookedAt: number | undefined;
  /** While stalled: since when the worker has not answered, when that was said, the lag second last said. */
  private stall: { since: number; saidAt: number; second: number; refreshAsked: boolean } | undefined;
  /** The worker's last view, versions as the worker gave them. */
  private raw: FeedView | undefined;
  /** Per symbol: how far the versions consumers see are ahead of the worker's. */
  private readonly offsets = new Map<string, number>();
  /** Each of the worker's books as consumers see it, with the offset it was made for (unchanged books keep their object). */
  private readonly shifted = new WeakMap<BookView, { offset: number; book: BookView }>();

  constructor(
    beat: SharedArrayBuffer,
    private readonly limitMs: number,
  ) {
    this.counter = new Int32Array(beat);
  }

  /** Whether the feed is stalled now. */
  get stalled(): boolean {
    return this.stall !== undefined;
  }

  /** One event of the worker, as the consumers are to see it (a view after a stall is preceded by its connection). */
  fromWorker(event: FeedEvent, now: number): readonly FeedEvent[] {
    this.heardAt = now;
    if (event.type === "view") {
      const ended = this.endStall();
      this.raw = event.view;
      const age = now - event.view.publishedAt;
      const view = age >= this.limitMs ? this.lateView(event.view, age) : this.shift(event.view);
      return ended
        ? [
            { type: "connection", ...view.connection },
            { type: "view", view },
          ]
        : [{ type: "view", view }];
    }
    if (event.type === "connection") this.endStall();
    return [event];
  }

  /** A look at the beat, at `now`. */
  check(now: number): StallCheck {
    const count = Atomics.load(this.counter, 0);
    const away = this.lookedAt !== undefined && now - this.lookedAt > AWAY_MS;
    this.lookedAt = now;
    if (count !== this.count) {
      this.count = count;
      this.heardAt = now;
    } else if (away && this.stall === undefined && this.heardAt !== undefined) {
      this.heardAt = now;
    }
    const heardAt = this.heardAt;
    if (heardAt === undefined) return NOTHING;
    const stall = this.stall;
    if (stall === undefined) {
      if (now - heardAt < this.limitMs) return NOTHING;
      this.stall = { since: heardAt, saidAt: now, second: -1, refreshAsked: false };
      return {
        events: [{ type: "connection", state: "stalled", since: heardAt }, ...this.stalledView(now)],
        refresh: false,
      };
    }
    if (heardAt > stall.saidAt) {
      // Running again: its next view (or connection event) ends the stall; ask for one at once.
      if (stall.refreshAsked) return NOTHING;
      stall.refreshAsked = true;
      return { events: [], refresh: true };
    }
    return { events: this.stalledView(now), refresh: false };
  }

  /** The worker's last view with every verified book lagging by at least the silence; once per lag second. */
  private stalledView(now: number): readonly FeedEvent[] {
    const stall = this.stall!;
    const silence = now - stall.since;
    const second = Math.floor(silence / 1000);
    if (this.raw === undefined || second === stall.second) return [];
    stall.second = second;
    const lag = Math.floor(silence / 10) * 10;
    const books = this.raw.books.map((b): BookView => {
      if (!verifiedState(b.state)) return { ...this.shiftBook(b), ...NOTHING_MEASURED };
      const offset = (this.offsets.get(b.symbol) ?? 0) + 1;
      this.offsets.set(b.symbol, offset);
      return { ...laggingBy(b, lag, STALLED_REASON), ...NOTHING_MEASURED, version: b.version + offset };
    });
    const view: FeedView = { ...this.raw, connection: { state: "stalled", since: stall.since }, books };
    return [{ type: "view", view }];
  }

  /**
   * A view taken `age` ms after the worker made it: the whole process was stopped (Ctrl-Z, SIGSTOP) while it
   * was on its way, or this thread held up. It is not a word of now: every verified book in it is lagging by
   * its age, with a version of its own, and the worker's later versions are shifted past it.
   */
  private lateView(raw: FeedView, age: number): FeedView {
    const books = raw.books.map((b): BookView => {
      if (!verifiedState(b.state)) return this.shiftBook(b);
      const offset = (this.offsets.get(b.symbol) ?? 0) + 1;
      this.offsets.set(b.symbol, offset + 1);
      return { ...laggingBy(b, age, LATE_REASON), version: b.version + offset };
    });
    return { ...raw, books };
  }

  /** Ends a stall; the books said lagging in it (those of the worker's view before) get versions past what was said. */
  private endStall(): boolean {
    if (this.stall === undefined) return false;
    if (this.stall.second >= 0) {
      for (const b of this.raw?.books ?? []) {
        if (verifiedState(b.state)) this.offsets.set(b.symbol, (this.offsets.get(b.symbol) ?? 0) + 1);
      }
    }
    this.stall = undefined;
    return true;
  }

  private shift(view: FeedView): FeedView {
    if (this.offsets.size === 0) return view;
    return { ...view, books: view.books.map((b) => this.shiftBook(b)) };
  }

  private shiftBook(book: BookView): BookView {
    const offset = this.offsets.get(book.symbol) ?? 0;
    if (offset === 0) return book;
    const cached = this.shifted.get(book);
    if (cached !== undefined && cached.offset === offset) return cached.book;
    const shifted = { ...book, version: book.version + offset };
    this.shifted.set(book, { offset, book: shifted });
    return shifted;
  }
}
