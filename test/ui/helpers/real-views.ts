import type { BookView, FeedView } from "../../../src/feed/types.js";
import { Publisher } from "../../../src/feed/publisher.js";
import { Session } from "../../../src/feed/session.js";
import { parseFrame } from "../../../src/protocol/parse.js";
import { generateFrames } from "../../../src/sim/generate.js";
import type { StaticFrameOptions } from "../../../src/ui/render-frame.js";

export const REAL_SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "DOGE/USD"] as const;

/**
 * Views from a real feed session and publisher fed generated frames (5 pairs, depth 25, 5 × 1,000 msg/s on a
 * virtual clock), one per publisher interval, as test/ui/fixtures/ladder-frames.mjs makes them.
 */
export function realViews(count: number, seed = 11): FeedView[] {
  const session = new Session(
    { symbols: REAL_SYMBOLS, depth: 25, retryBaseMs: 250, retryCapMs: 30_000 },
    { send: () => undefined, event: () => undefined, slowDown: () => undefined },
  );
  session.opened();
  let view: FeedView | undefined;
  const publisher = new Publisher(
    session,
    () => ({ state: "live" }),
    (v) => (view = v),
    { fps: 30, levels: 25, staleAfterMs: 60_000, maxLagMs: 3000 },
  );
  const perView = 167;
  const source = generateFrames({
    symbols: REAL_SYMBOLS,
    depth: 25,
    seed,
    messages: (count + 5) * perView,
    rate: 1000,
  });
  let now = Date.UTC(2026, 0, 1);
  const views: FeedView[] = [];
  while (views.length < count) {
    for (let i = 0; i < perView; i++) {
      const next = source.next();
      if (next.done === true) return views;
      now += 0.2;
      session.handle(parseFrame(next.value), Math.round(now));
    }
    view = undefined;
    publisher.tick(Math.round(now));
    if (view !== undefined) views.push(view);
  }
  return views;
}

/** The view with some books not live and, now and then, the connection lost (as ladder-frames.mjs). */
export function troubled(v: FeedView, f: number): FeedView {
  const books = v.books.map((b, i): BookView => {
    if (f % 7 === 1 && i === 1)
      return { ...b, state: "resyncing", reason: "checksum-mismatch", bids: [], asks: [] };
    if (f % 5 === 2 && i === 2) return { ...b, state: "stale" };
    if (f % 11 === 3 && i === 3) return { ...b, state: "rejected", reason: "Currency pair not supported" };
    // Wide and combining characters: those lines are drawn in a <Text> of their own.
    if (f % 19 === 6) return { ...b, state: "rejected", reason: "通貨ペア 🚫 e\u0301" };
    return b;
  });
  const connection: FeedView["connection"] =
    f % 13 === 4
      ? {
          state: "reconnecting",
          attempt: 2,
          retryInMs: 500,
          retryAt: v.publishedAt + 400,
          reason: "read timeout",
        }
      : v.connection;
  return { ...v, books, connection };
}

const SIZES = [
  [200, 60],
  [120, 40],
  [80, 24],
  [41, 10],
  [30, 8],
] as const;

/** The frame options ladder-frames.mjs draws view `f` with: sizes, selection, grouping, help, clock. */
export function realOptions(v: FeedView, f: number): StaticFrameOptions {
  const [columns, rows] = SIZES[f % SIZES.length] ?? [80, 24];
  return {
    symbols: REAL_SYMBOLS,
    columns,
    rows,
    selected: Math.floor(f / 2) % REAL_SYMBOLS.length,
    coarser: f % 4,
    help: f % 17 === 5,
    now: v.publishedAt + (f % 9) * 1000,
  };
}
