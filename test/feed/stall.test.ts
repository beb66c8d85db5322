import { describe, expect, it } from "vitest";
import { AWAY_MS, BEAT_EVERY_MS, MIN_STALL_MS, StallWatch, stallLimit } from "../../src/feed/stall.js";
import type { StallCheck } from "../../src/feed/stall.js";
import type { BookView, FeedEvent, FeedView } from "../../src/feed/types.js";
import { bookView, feedView } from "./support/views.js";

/** The worker's books as of version 7. */
const book = (symbol: string, over: Partial<BookView> = {}): BookView =>
  bookView(symbol, { version: 7, ...over });

/** The worker's view made at `at` (ms, the watch's clock). */
function view(books: BookView[], at = 0): FeedEvent {
  return { type: "view", view: { ...feedView(books), publishedAt: at } };
}

const LIMIT = 3_000;

/** A watch over a counter the test beats for the worker (the same shared memory the worker bumps). */
function setup() {
  const beat = new SharedArrayBuffer(4);
  const counter = new Int32Array(beat);
  const watch = new StallWatch(beat, LIMIT);
  // The worker's first beat, seen at 0.
  Atomics.add(counter, 0, 1);
  watch.check(0);
  let lookedAt = 0;
  /** The main thread's looks every BEAT_EVERY_MS up to `t` (none of which may say anything), then at `t`. */
  const look = (t: number): StallCheck => {
    for (let at = lookedAt + BEAT_EVERY_MS; at < t; at += BEAT_EVERY_MS) {
      expect(watch.check(at)).toEqual({ events: [], refresh: false });
    }
    lookedAt = t;
    return watch.check(t);
  };
  return { watch, look, beat: () => Atomics.add(counter, 0, 1) };
}

const views = (events: readonly FeedEvent[]): FeedView[] =>
  events.flatMap((e) => (e.type === "view" ? [e.view] : []));

describe("the feed worker's stall watch", () => {
  it("takes the connection's quiet limit, never under two seconds", () => {
    expect(stallLimit(3_000)).toBe(3_000);
    expect(stallLimit(10_000)).toBe(10_000);
    expect(stallLimit(300)).toBe(MIN_STALL_MS);
  });

  it("says nothing while the worker beats, however long between its views", () => {
    const { watch, beat } = setup();
    watch.fromWorker(view([book("BTC/USD")]), 0);
    for (let t = 250; t <= 60_000; t += 250) {
      beat();
      expect(watch.check(t)).toEqual({ events: [], refresh: false });
    }
    expect(watch.stalled).toBe(false);
  });

  it("judges nothing before the worker first beats or speaks", () => {
    const watch = new StallWatch(new SharedArrayBuffer(4), LIMIT);
    expect(watch.check(0).events).toEqual([]);
    expect(watch.check(60_000).events).toEqual([]);
  });

  it("calls a silent worker stalled after the limit: every verified book lagging by the silence, with a new version", () => {
    const { watch, look } = setup();
    const books = [
      book("BTC/USD"),
      book("ETH/USD", { state: "stale", version: 3 }),
      book("SOL/USD", { state: "lagging", lagMs: 9_000, version: 4 }),
      book("XRP/USD", {
        state: "resyncing",
        version: 2,
        bids: [],
        asks: [],
        reason: "checksum-mismatch",
      }),
    ];
    watch.fromWorker(view(books), 1_100);
    expect(look(3_999).events).toEqual([]);
    const said = look(4_100);
    expect(said.refresh).toBe(false);
    expect(said.events[0]).toEqual({ type: "connection", state: "stalled", since: 1_100 });
    const [stalled] = views(said.events);
    expect(stalled!.connection).toEqual({ state: "stalled", since: 1_100 });
    const stalledReason = "feed worker stalled: nothing heard from it";
    expect(stalled!.books.map((b) => [b.symbol, b.state, b.version, b.lagMs, b.reason])).toEqual([
      ["BTC/USD", "lagging", 8, 3_000, stalledReason],
      ["ETH/USD", "lagging", 4, 3_000, stalledReason],
      ["SOL/USD", "lagging", 5, 9_000, stalledReason],
      ["XRP/USD", "resyncing", 2, undefined, "checksum-mismatch"],
    ]);
    // Prices stay (labelled lagging, never live); the book that was not verified stays as it was.
    expect(stalled!.books[0]!.bids).toEqual(books[0]!.bids);
    expect(stalled!.books[3]).toEqual({
      ...books[3],
      messagesPerSecond: 0,
      latencyP50: null,
      latencyP99: null,
    });
    // A worker that applies nothing has no rate or latency of now (the last ones were 3/s, 1 and 2 ms).
    for (const b of stalled!.books) {
      expect([b.messagesPerSecond, b.latencyP50, b.latencyP99]).toEqual([0, null, null]);
    }
    expect(watch.stalled).toBe(true);
  });

  it("says it again each second as the silence grows, each time with new versions", () => {
    const { watch } = setup();
    watch.fromWorker(view([book("BTC/USD")]), 0);
    const lags: (number | undefined)[] = [];
    const versions: number[] = [];
    for (let t = 250; t <= 8_000; t += 250) {
      for (const v of views(watch.check(t).events)) {
        lags.push(v.books[0]!.lagMs);
        versions.push(v.books[0]!.version);
      }
    }
    expect(lags).toEqual([3_000, 4_000, 5_000, 6_000, 7_000, 8_000]);
    expect(versions).toEqual([8, 9, 10, 11, 12, 13]);
  });

  it("asks a worker that beats again for a whole view, once, and ends the stall with it: versions only grow", () => {
    const { watch, look, beat } = setup();
    const btc = book("BTC/USD");
    watch.fromWorker(view([btc, book("ETH/USD", { state: "awaiting-snapshot", version: 0 })]), 0);
    look(3_000);
    look(4_000);
    const said = look(5_000);
    expect(views(said.events)[0]!.books[0]!.version).toBe(10);
    beat();
    expect(watch.check(5_250)).toEqual({ events: [], refresh: true });
    beat();
    expect(watch.check(5_500)).toEqual({ events: [], refresh: false });
    expect(watch.stalled).toBe(true);
    // The worker's view of the same book, unchanged (version 7), comes after the lagging ones (8–10).
    const back = watch.fromWorker(
      view([btc, book("ETH/USD", { state: "awaiting-snapshot", version: 0 })], 5_600),
      5_600,
    );
    expect(back[0]).toEqual({ type: "connection", state: "live" });
    const [live] = views(back);
    expect(live!.books.map((b) => [b.state, b.version])).toEqual([
      ["live", 11],
      ["awaiting-snapshot", 0],
    ]);
    expect(watch.stalled).toBe(false);
    // Later versions of the worker are shifted alike; an unchanged book keeps its object.
    const next = book("BTC/USD", { version: 8 });
    const [later] = views(watch.fromWorker(view([next], 5_700), 5_700));
    expect(later!.books[0]!.version).toBe(12);
    const [again] = views(watch.fromWorker(view([next], 5_800), 5_800));
    expect(again!.books[0]).toBe(later!.books[0]);
  });

  it("says a view taken the limit or more after the worker made it (a stop) lagging by its age, with a version of its own", () => {
    const { watch } = setup();
    const btc = book("BTC/USD");
    const waiting = book("ETH/USD", { state: "awaiting-snapshot", version: 0 });
    // Made at 1 000, taken at 7 000: the process was stopped while it was on its way.
    const [late] = views(watch.fromWorker(view([btc, waiting], 1_000), 7_000));
    expect(late!.books.map((b) => [b.state, b.version, b.lagMs])).toEqual([
      ["lagging", 8, 6_000],
      ["awaiting-snapshot", 0, undefined],
    ]);
    expect(late!.books[0]!.reason).toBe("stopped: this view waited to be read");
    // The worker's next view of the same book, unchanged and made now, is live again past that version.
    const [now] = views(watch.fromWorker(view([btc, waiting], 7_050), 7_100));
    expect(now!.books.map((b) => [b.state, b.version])).toEqual([
      ["live", 9],
      ["awaiting-snapshot", 0],
    ]);
    // Taken within the limit, a view is as the worker made it.
    const [prompt] = views(
      watch.fromWorker(view([book("BTC/USD", { version: 9 })], 8_000), 8_000 + LIMIT - 1),
    );
    expect(prompt!.books[0]).toMatchObject({ state: "live", version: 11 });
  });

  it("ends a stall with the worker's connection event too, and leaves other events as they are", () => {
    const { watch, look } = setup();
    watch.fromWorker(view([book("BTC/USD")]), 0);
    look(3_000);
    const trade: FeedEvent = {
      type: "trade",
      symbol: "BTC/USD",
      side: "buy",
      price: "1",
      qty: "1",
      ordType: "market",
      tradeId: 1,
      time: "t",
    };
    expect(watch.fromWorker(trade, 3_100)).toEqual([trade]);
    expect(watch.stalled).toBe(true);
    const quiet: FeedEvent = { type: "connection", state: "quiet", since: 0 };
    expect(watch.fromWorker(quiet, 3_200)).toEqual([quiet]);
    expect(watch.stalled).toBe(false);
  });

  it("does not take a main thread that was busy itself for a silent worker", () => {
    const { watch, beat } = setup();
    watch.fromWorker(view([book("BTC/USD")]), 0);
    // The main thread looks again only 10 s later; the worker beat meanwhile.
    beat();
    expect(watch.check(10_000)).toEqual({ events: [], refresh: false });
  });

  it("judges afresh a silence it did not watch (the whole process stopped, as by Ctrl-Z), and still finds a stuck worker", () => {
    const { watch, look } = setup();
    watch.fromWorker(view([book("BTC/USD")]), 0);
    look(1_000);
    // Neither thread ran for a minute: no beat came, and none could have.
    expect(watch.check(61_000)).toEqual({ events: [], refresh: false });
    // A gap only just longer than the looks' own spacing is the same.
    expect(watch.check(61_000 + AWAY_MS + 1)).toEqual({ events: [], refresh: false });
    // Looking again as usual, a worker that still does not beat is stalled a limit after the last gap.
    const from = 61_000 + AWAY_MS + 1;
    let said: StallCheck | undefined;
    for (let t = from + BEAT_EVERY_MS; said === undefined; t += BEAT_EVERY_MS) {
      const check = watch.check(t);
      if (check.events.length > 0) said = check;
      else expect(t - from).toBeLessThan(LIMIT);
    }
    expect(said.events[0]).toEqual({ type: "connection", state: "stalled", since: from });
  });
});
