import { afterEach, describe, expect, it, vi } from "vitest";
import { MarketFigures } from "../../src/analytics/market-figures.js";
import type { BookView } from "../../src/feed/types.js";
import { keyAction, PLAIN_KEY } from "../../src/ui/keys.js";
import { BOARD_FRAME_MS, LadderStore } from "../../src/ui/store.js";
import type { BoardInput } from "../../src/ui/view-model/board.js";
import {
  boardLines,
  boardTop,
  compactAmount,
  nextSort,
  roundText,
  sparkline,
} from "../../src/ui/view-model/board.js";
import { screenLines } from "../../src/ui/view-model/screen.js";
import { btcBook, ethBook, feedView, levels, LIVE, MemoryFeed, NOW } from "./helpers/views.js";

/** A book around `mid` with `count` levels a side, `step` apart, each worth about `value` in quote. */
function book(
  symbol: string,
  mid: number,
  step: number,
  count: number,
  qty: string,
  extra: Partial<BookView> = {},
) {
  const side = (sign: number) =>
    levels(Array.from({ length: count }, (_, i) => [(mid + sign * step * (i + 1)).toFixed(2), qty] as const));
  const bids = side(-1);
  const asks = side(1);
  return ethBook({ symbol, bids, asks, bid: bids[0]!, ask: asks[0]!, priceDecimals: 2, depth: 10, ...extra });
}

// AAA/USD: 2 bps wide, deep; BBB/USD: 20 bps wide; CCC/USD: 10 bps wide, thin (a 10,000 buy runs off it).
const AAA = book("AAA/USD", 100, 0.01, 10, "500.000");
const BBB = book("BBB/USD", 100, 0.1, 10, "500.000");
const CCC = book("CCC/USD", 100, 0.05, 10, "1.000");
const DDD = ethBook({
  symbol: "DDD/USD",
  state: "resyncing",
  bids: [],
  asks: [],
  reason: "checksum-mismatch",
});
const BOOKS = [AAA, BBB, CCC, DDD];
const SYMBOLS = BOOKS.map((b) => b.symbol);

function figuresOf(books: readonly BookView[]): MarketFigures {
  const f = new MarketFigures({ bands: ["10", "50"], notional: "10000" });
  f.update(books, "live", NOW);
  return f;
}

function input(over: Partial<BoardInput> = {}): BoardInput {
  return {
    symbols: SYMBOLS,
    books: new Map(BOOKS.map((b) => [b.symbol, b])),
    connection: LIVE,
    figures: figuresOf(BOOKS),
    sort: "spread",
    selected: "AAA/USD",
    top: 0,
    width: 220,
    height: 20,
    now: NOW,
    bands: ["10", "50"],
    notional: "10000",
    ...over,
  };
}

const rowOf = (board: ReturnType<typeof boardLines>, symbol: string) =>
  board.rows.find((r) => r.text.includes(symbol))?.text ?? "";

describe("the board's view-model", () => {
  it("sorts by spread, liquidity, cost and symbol; a book that is not live goes last", () => {
    expect(boardLines(input({ sort: "spread" })).order).toEqual(["AAA/USD", "CCC/USD", "BBB/USD", "DDD/USD"]);
    // Liquidity: deepest first (AAA and BBB hold the same within ±10 bps? AAA all 10 levels, BBB only level 1–0).
    expect(boardLines(input({ sort: "liquidity" })).order).toEqual([
      "AAA/USD",
      "BBB/USD",
      "CCC/USD",
      "DDD/USD",
    ]);
    // Cost: CCC's walk runs off its book (a bound) and so comes after every complete cost.
    expect(boardLines(input({ sort: "cost" })).order).toEqual(["AAA/USD", "BBB/USD", "CCC/USD", "DDD/USD"]);
    expect(boardLines(input({ sort: "symbol" })).order).toEqual(["AAA/USD", "BBB/USD", "CCC/USD", "DDD/USD"]);
    expect(nextSort("spread")).toBe("liquidity");
    expect(nextSort("symbol")).toBe("spread");
    expect(boardLines(input({ sort: "cost" })).title.text).toContain("sorted by cost");
  });

  it("draws a live book's prices and figures, and marks bounds (≥) and levels past the checksummed 10 (~)", () => {
    const deep = book("EEE/USD", 1000, 0.06, 20, "1.000");
    const books = [AAA, CCC, deep];
    const board = boardLines(
      input({
        symbols: books.map((b) => b.symbol),
        books: new Map(books.map((b) => [b.symbol, b])),
        figures: figuresOf(books),
      }),
    );
    const aaa = rowOf(board, "AAA/USD");
    expect(aaa).toContain("● live");
    expect(aaa).toContain("99.99");
    expect(aaa).toContain("100.01");
    expect(aaa).toContain("2.00"); // spread bps
    expect(aaa).toContain("100"); // mid
    // CCC: 1 unit a level, ≈1,000 a side within ±50 bps, all of its 10 levels: a bound, and the cost too.
    const ccc = rowOf(board, "CCC/USD");
    expect(ccc).toMatch(/≥\d/);
    // EEE: 20 levels 0.6 bps apart: ±10 bps reaches past level 10 (~), ±50 bps runs off the book (≥~).
    const eee = rowOf(board, "EEE/USD");
    expect(eee).toContain("~");
    expect(eee).toContain("≥~");
    expect(board.columns.text).toMatch(/BID±10 +ASK±10 +BID±50 +ASK±50 +BUY 10k +SELL 10k +IMB +MED5m +P95/);
  });

  it("draws a live book's figures while another pair keeps the connection subscribing, none once the socket is gone", () => {
    const subscribing = rowOf(boardLines(input({ connection: { state: "subscribing" } })), "AAA/USD");
    expect(subscribing).toContain("● live");
    expect(subscribing).toEqual(rowOf(boardLines(input()), "AAA/USD"));
    const gone = rowOf(boardLines(input({ connection: { state: "connecting", attempt: 2 } })), "AAA/USD");
    expect(gone).toContain("○ disconnected");
    expect(gone).not.toContain("99.99");
  });

  it("shows a book that is not live by its state alone, with no prices or figures", () => {
    const board = boardLines(input());
    const ddd = rowOf(board, "DDD/USD");
    expect(ddd).toContain("↻ resyncing");
    expect(ddd).toContain("checksum-mismatch");
    expect(ddd).not.toMatch(/\d\.\d/);
    expect(ddd).not.toContain("again in");
    // Waiting out its resubscribe backoff: when it is subscribed again, counting down, then why.
    const waiting = { ...DDD, retryAt: NOW + 12_400 };
    const backoff = (now: number) =>
      rowOf(
        boardLines(input({ books: new Map([[DDD.symbol, waiting]]), symbols: [DDD.symbol], now })),
        "DDD",
      );
    expect(backoff(NOW)).toMatch(/↻ resyncing +again in 12s: checksum-mismatch/);
    expect(backoff(NOW + 10_000)).toContain("again in 2.4s: checksum-mismatch");
    // A lagging book keeps its prices in the feed's view, but the board shows none of them: how far
    // behind it is instead.
    const lagging = { ...AAA, state: "lagging" as const, lagMs: 4_200 };
    const quiet = boardLines(input({ books: new Map([[AAA.symbol, lagging]]), symbols: [AAA.symbol] }));
    expect(quiet.rows[0]!.text).toMatch(/◔ lagging +lag 4\.2 s behind the exchange/);
    expect(quiet.rows[0]!.text).not.toContain("99.99");
    // And the pair's status badge when it is not online.
    const post = { ...AAA, pairStatus: "post_only" };
    const badged = boardLines(input({ books: new Map([[AAA.symbol, post]]), symbols: [AAA.symbol] }));
    expect(badged.rows[0]!.text).toContain("[POST_ONLY]");
  });

  it("marks the selected row inverse, bold only while its book is live: a stale row's figures stay dim under it", () => {
    const selectedRow = (books: readonly BookView[], selected: string) => {
      const board = boardLines(
        input({
          books: new Map(books.map((b) => [b.symbol, b])),
          symbols: books.map((b) => b.symbol),
          selected,
        }),
      );
      return board.rows.find((r) => r.text.startsWith("▶"))!;
    };
    const live = selectedRow([AAA], "AAA/USD");
    expect(live.segments.every((s) => s.inverse === true && s.bold === true)).toBe(true);
    const stale = selectedRow([{ ...AAA, state: "stale" }], "AAA/USD");
    expect(stale.text).toContain("◐ stale");
    expect(stale.text).toContain("99.99");
    expect(stale.segments.every((s) => s.inverse === true && s.bold !== true)).toBe(true);
    const figure = stale.segments.find((s) => s.text.includes("99.99"))!;
    expect(figure.dim).toBe(true);
    const resyncing = selectedRow([DDD], "DDD/USD");
    expect(resyncing.segments.every((s) => s.inverse === true && s.bold !== true)).toBe(true);
  });

  it("drops columns from the right on a narrow pane, never the symbol, state or prices", () => {
    const wide = boardLines(input({ width: 220 }));
    const narrow = boardLines(input({ width: 60 }));
    const tiny = boardLines(input({ width: 40 }));
    expect(wide.columns.text).toContain("LAG");
    expect(narrow.columns.text).not.toContain("LAG");
    expect(narrow.columns.text).toContain("BPS");
    for (const board of [narrow, tiny]) {
      for (const row of board.rows) expect(row.text.length).toBeLessThanOrEqual(board === tiny ? 40 : 60);
      expect(rowOf(board, "AAA/USD")).toContain("99.99");
      expect(rowOf(board, "AAA/USD")).toContain("100.01");
      expect(rowOf(board, "AAA/USD")).not.toContain("…");
    }
  });

  it("scrolls to keep the selection in view, moving no further than it needs", () => {
    expect(boardTop(300, 0, 20, 0)).toBe(0);
    expect(boardTop(300, 25, 20, 0)).toBe(6);
    expect(boardTop(300, 10, 20, 6)).toBe(6);
    expect(boardTop(300, 3, 20, 6)).toBe(3);
    expect(boardTop(10, 9, 20, 5)).toBe(0);
    const board = boardLines(input({ height: 4, selected: "BBB/USD" })); // two rows shown
    expect(board.rows.map((r) => r.text.slice(1, 8))).toEqual(["CCC/USD", "BBB/USD"]);
    expect(board.title.text).toContain("2–3 of 4");
  });

  it("formats exactly: half-even or down for a bound, compact amounts rounded down, a sparkline", () => {
    expect(roundText("1.2350", 4, 2, false)).toBe("1.24");
    expect(roundText("1.2250", 4, 2, false)).toBe("1.22");
    expect(roundText("1.2299", 4, 2, true)).toBe("1.22");
    expect(roundText("-0.5050", 4, 2, false)).toBe("-0.50");
    expect(compactAmount("999.99")).toBe("999");
    expect(compactAmount("12.39")).toBe("12.3");
    expect(compactAmount("1.239")).toBe("1.23");
    expect(compactAmount("0.0012399")).toBe("0.00123");
    expect(compactAmount("0")).toBe("0");
    expect(compactAmount("12399.5")).toBe("12.3k");
    expect(compactAmount("4569999")).toBe("4.56M");
    expect(compactAmount("123456789012")).toBe("123B");
    expect(sparkline(["1", "2", "3", "4", "5", "6", "7", "8"], 8)).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline(["2", "2"], 8)).toBe("▁▁");
    expect(sparkline(["1", "9", "1", "1"], 2)).toBe("█▁");
  });
});

const stores: LadderStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.dispose();
});

function boardStore(feed: MemoryFeed, board = true) {
  const store = new LadderStore(feed, {
    symbols: SYMBOLS,
    columns: 200,
    rows: 30,
    now: () => NOW,
    board,
    figures: { bands: ["10", "50"], notional: "10000" },
    // Every view drawn (the clock stands still here); the board's own rate has a test of its own.
    boardFrameMs: 0,
  });
  stores.push(store);
  store.start();
  return store;
}

const press = (store: LadderStore, input: string, key: Record<string, boolean> = {}) => {
  const flags = { ...PLAIN_KEY, ...key };
  const action = keyAction(input, flags, store.mode);
  if (action !== undefined && action.type !== "quit" && action.type !== "suspend" && action.type !== "redraw")
    store.dispatch(action);
  return action;
};

const text = (store: LadderStore) =>
  screenLines(store.getSnapshot())
    .map((l) => l.text)
    .join("\n");

describe("the board in the store", () => {
  it("starts on the board with --board: every level for the rows shown, the touch for the others; all when sorted by a walk", () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      book(`S${String(i).padStart(2, "0")}/USD`, 100, 0.01 * (i + 1), 10, "5.000"),
    );
    const feed = new MemoryFeed(feedView(many));
    const store = new LadderStore(feed, {
      symbols: many.map((b) => b.symbol),
      columns: 200,
      rows: 20,
      now: () => NOW,
      board: true,
      boardFrameMs: 0,
    });
    stores.push(store);
    store.start();
    expect(store.getSnapshot().kind).toBe("board");
    expect(text(store)).toContain("BOARD");
    const screen = store.getSnapshot();
    if (screen.kind !== "board") throw new Error("not the board");
    const shown = screen.order.slice(screen.top, screen.top + screen.page);
    expect(feed.levelRequests.at(-1)).toBe(1);
    const deep = feed.deepRequests.at(-1);
    expect(deep?.levels).toBe(10);
    for (const s of shown) expect(deep?.symbols).toContain(s);
    expect(deep?.symbols.length).toBeLessThan(many.length);
    // A row whose view has not every level yet waits for the next view: no walked figure, no bound.
    feed.publish(feedView(many.map((b) => (b.symbol === shown[0] ? { ...b, cut: true, version: 2 } : b))));
    const row = screenLines(store.getSnapshot()).find((l) => l.text.includes(shown[0]!))?.text ?? "";
    expect(row).toContain("…");
    expect(row).not.toContain("≥");
    // Sorted by liquidity, every book's figures decide the order: every level of every book.
    press(store, "o");
    expect(feed.levelRequests.at(-1)).toBe(10);
    expect(feed.deepRequests.at(-1)).toBeUndefined(); // The board is the screen the app started on: Esc quits from it.
    expect(store.mode).toBe("board");
    expect(press(store, "", { escape: true })).toEqual({ type: "quit" });
  });

  it("moves the selection through the sorted rows; it follows the symbol when the sort changes", () => {
    const feed = new MemoryFeed(feedView(BOOKS));
    const store = boardStore(feed);
    // Sorted by spread: AAA, CCC, BBB, DDD.
    press(store, "j");
    expect(store.selectedSymbol).toBe("CCC/USD");
    press(store, "", { downArrow: true });
    expect(store.selectedSymbol).toBe("BBB/USD");
    press(store, "o"); // liquidity: AAA, BBB, CCC, DDD
    expect(store.selectedSymbol).toBe("BBB/USD");
    const screen = store.getSnapshot();
    expect(screen.kind === "board" ? screen.order : []).toEqual(["AAA/USD", "BBB/USD", "CCC/USD", "DDD/USD"]);
    expect(text(store)).toContain("sorted by liquidity");
    press(store, "k");
    expect(store.selectedSymbol).toBe("AAA/USD");
    press(store, "k"); // no wrap
    expect(store.selectedSymbol).toBe("AAA/USD");
  });

  it("opens the selected symbol's ladder with Enter; Esc or b goes back to the board; b from the ladder opens it, and Esc there goes back", () => {
    const feed = new MemoryFeed(feedView([btcBook({ depth: 10 }), ethBook({ depth: 10 })]));
    const store = new LadderStore(feed, {
      symbols: ["BTC/USD", "ETH/USD"],
      columns: 120,
      rows: 30,
      now: () => NOW,
    });
    stores.push(store);
    store.start();
    expect(store.getSnapshot().kind).toBe("ladder");
    expect(press(store, "b")).toEqual({ type: "toggle-board" });
    expect(store.getSnapshot().kind).toBe("board");
    press(store, "j");
    press(store, "", { return: true });
    expect(store.getSnapshot().kind).toBe("ladder");
    expect(store.selectedSymbol).toBe(store.symbols[1]);
    expect(store.mode).toBe("from-board");
    press(store, "", { escape: true });
    expect(store.getSnapshot().kind).toBe("board");
    press(store, "", { return: true });
    press(store, "b");
    expect(store.getSnapshot().kind).toBe("board");
    press(store, "b");
    expect(store.getSnapshot().kind).toBe("ladder");
    // A ladder not opened from the board: Esc quits, as before.
    expect(press(store, "", { escape: true })).toEqual({ type: "quit" });
    // A board opened from a ladder: Esc goes back to the ladder, q quits.
    press(store, "b");
    expect(store.mode).toBe("board-from-ladder");
    press(store, "", { escape: true });
    expect(store.getSnapshot().kind).toBe("ladder");
    press(store, "b");
    expect(press(store, "q")).toEqual({ type: "quit" });
  });

  it("computes a book's figures once per version, however many frames draw it", () => {
    const feed = new MemoryFeed(feedView(BOOKS));
    const store = boardStore(feed);
    let asked = 0;
    const counted = BOOKS.map((b) => {
      const bids = new Proxy(b.bids, {
        get(target, p, r) {
          if (p === "map") asked++;
          return Reflect.get(target, p, r) as unknown;
        },
      });
      return { ...b, bids, version: b.version + 1 };
    });
    feed.publish(feedView(counted)); // new versions: figures once each
    const afterFirst = asked;
    expect(afterFirst).toBeGreaterThan(0);
    // The same versions again, and keys: no figure is computed again.
    feed.publish(feedView(counted.map((b) => ({ ...b }))));
    press(store, "o");
    press(store, "j");
    expect(asked).toBe(afterFirst);
  });

  it("draws views at most every BOARD_FRAME_MS, but a change of a book's state or of the connection at once", () => {
    vi.useFakeTimers();
    try {
      let now = NOW;
      const feed = new MemoryFeed(feedView(BOOKS));
      const store = new LadderStore(feed, {
        symbols: SYMBOLS,
        columns: 200,
        rows: 30,
        now: () => now,
        board: true,
      });
      stores.push(store);
      store.start();
      const first = store.getSnapshot();
      // A price moved 10 ms later: not drawn yet.
      now += 10;
      const moved = BOOKS.map((b, i) =>
        i === 0 ? { ...b, version: b.version + 1, bids: b.bids.slice(1) } : b,
      );
      feed.publish(feedView(moved));
      expect(store.getSnapshot()).toBe(first);
      // Drawn when the interval is up.
      now += BOARD_FRAME_MS;
      vi.advanceTimersByTime(BOARD_FRAME_MS);
      const second = store.getSnapshot();
      expect(second).not.toBe(first);
      // A book leaving live, 1 ms after that frame: drawn at once, its prices gone.
      now += 1;
      const symbol = moved[1]!.symbol;
      feed.publish(
        feedView(
          moved.map((b, i) =>
            i === 1 ? { ...b, state: "resyncing" as const, version: b.version + 1, bids: [], asks: [] } : b,
          ),
        ),
      );
      const row = screenLines(store.getSnapshot()).find((l) => l.text.includes(symbol))?.text ?? "";
      expect(row).toContain("resyncing");
    } finally {
      vi.useRealTimers();
    }
  });
});
