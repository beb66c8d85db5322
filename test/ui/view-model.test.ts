import { describe, expect, it } from "vitest";
import { groupLevels, cumulative, coarser, finer, GROUP_STEPS } from "../../src/ui/view-model/grouping.js";
import { flashAt, flashCount, nextFlashEnd, updateFlash } from "../../src/ui/view-model/flash.js";
import { ladderLines, groupBook } from "../../src/ui/view-model/ladder.js";
import { buildScreen, MIN_COLUMNS, MIN_ROWS, screenLines } from "../../src/ui/view-model/screen.js";
import type { ScreenInput } from "../../src/ui/view-model/screen.js";
import type { BookView, ConnectionState } from "../../src/feed/types.js";
import { headerLines } from "../../src/ui/view-model/header.js";
import { statusLine } from "../../src/ui/view-model/status.js";
import {
  bookPriceDecimals,
  bookQtyDecimals,
  spreadOf,
  formatLatency,
  formatPrice,
} from "../../src/ui/view-model/numbers.js";
import { sanitize } from "../../src/text/sanitize.js";
import { formatUnits, toUnits } from "../../src/ui/view-model/units.js";
import { displayState } from "../../src/ui/view-model/state.js";
import { line, sameLine } from "../../src/ui/view-model/line.js";
import { btcBook, ethBook, feedView, levels, LIVE, NOW } from "./helpers/views.js";

function screen(overrides: Partial<ScreenInput> = {}) {
  return buildScreen({
    view: feedView([btcBook(), ethBook()]),
    symbols: ["BTC/USD", "ETH/USD"],
    selected: 0,
    group: 1,
    help: false,
    columns: 80,
    rows: 24,
    flash: undefined,
    now: NOW,
    ...overrides,
  });
}

const texts = (lines: readonly { text: string }[]) => lines.map((l) => l.text);

describe("exact units", () => {
  it("turn wire text into integers at a precision and back", () => {
    expect(toUnits("63388.7", 1)).toBe(633887n);
    expect(toUnits("0.1", 8)).toBe(10_000_000n);
    expect(toUnits("12", 2)).toBe(1200n);
    expect(formatUnits(633887n, 1)).toBe("63388.7");
    expect(formatUnits(5n, 8)).toBe("0.00000005");
    expect(formatUnits(42n, 0)).toBe("42");
  });

  it("sum sizes without float drift", () => {
    const cums = cumulative(
      groupLevels(
        levels([
          ["1.0", "0.1"],
          ["0.9", "0.2"],
        ]),
        "bid",
        1,
        1,
        8,
      ),
    );
    expect(cums.map((c) => formatUnits(c, 8))).toEqual(["0.10000000", "0.30000000"]);
  });
});

describe("price grouping", () => {
  const bids = levels([
    ["63388.7", "0.25761908"],
    ["63388.2", "0.50000000"],
    ["63387.0", "1.00000000"],
    ["63386.9", "0.01000000"],
  ]);
  const asks = levels([
    ["63388.8", "0.34887114"],
    ["63389.0", "1.20000000"],
    ["63389.5", "0.05000000"],
  ]);

  it("at one tick keeps every level", () => {
    expect(groupLevels(bids, "bid", 1, 1, 8)).toHaveLength(4);
  });

  it("rounds bids down and asks up into buckets of whole ticks, summing sizes exactly", () => {
    const b = groupLevels(bids, "bid", 10, 1, 8).map((l) => [formatUnits(l.price, 1), formatUnits(l.qty, 8)]);
    expect(b).toEqual([
      ["63388.0", "0.75761908"],
      ["63387.0", "1.00000000"],
      ["63386.0", "0.01000000"],
    ]);
    const a = groupLevels(asks, "ask", 10, 1, 8).map((l) => [formatUnits(l.price, 1), formatUnits(l.qty, 8)]);
    expect(a).toEqual([
      ["63389.0", "1.54887114"],
      ["63390.0", "0.05000000"],
    ]);
  });

  it("re-aggregates cumulative sizes from the grouped levels", () => {
    const lines = ladderLines({
      book: btcBook(),
      state: "live",
      rowsPerSide: 3,
      width: 80,
      group: 10,
      flash: undefined,
      now: NOW,
    });
    const bestBid = lines[5]?.text ?? "";
    expect(bestBid).toContain("63388.0");
    expect(bestBid).toContain("0.75761908");
    const secondBid = lines[6]?.text ?? "";
    expect(secondBid).toContain("63387.0");
    expect(secondBid).toContain("1.75761908");
    expect(lines[0]?.text).toContain("group 1.0");
  });

  it("steps through multiples of the tick and stops at both ends", () => {
    expect(coarser(1)).toBe(2);
    expect(coarser(2)).toBe(5);
    expect(finer(5)).toBe(2);
    expect(finer(1)).toBe(1);
    const last = GROUP_STEPS[GROUP_STEPS.length - 1] ?? 1;
    expect(coarser(last)).toBe(last);
  });
});

describe("ladder rows", () => {
  const input = { book: btcBook(), state: "live" as const, width: 80, group: 1, flash: undefined, now: NOW };

  it("leave figures off the spread row whole where it is too narrow for them, never cutting a price", () => {
    const spreadRow = (width: number): string => ladderLines({ ...input, width, rowsPerSide: 2 })[3]!.text;
    expect(spreadRow(38)).toBe(" spread 0.1 · 0.02 bps · mid 63388.75 ");
    expect(spreadRow(37)).toMatch(/^─* spread 0\.1 · 0\.02 bps ─*$/);
    expect(spreadRow(30)).toMatch(/^─* spread 0\.1 · 0\.02 bps ─*$/);
    expect(spreadRow(20)).toMatch(/^─* spread 0\.1 ─*$/);
  });

  it("are exactly 2n + 2 lines: titles, asks with the best ask next to the spread row, bids", () => {
    const lines = ladderLines({ ...input, rowsPerSide: 4 });
    expect(lines).toHaveLength(10);
    expect(lines[0]?.text).toMatch(/PRICE\s+SIZE\s+CUM\s+DEPTH/);
    // Asks from the 4th best at the top down to the best ask just above the spread row.
    expect(texts(lines.slice(1, 5)).map((t) => t.trim().split(/\s+/)[0])).toEqual([
      "63390.1",
      "63389.5",
      "63389.0",
      "63388.8",
    ]);
    expect(lines[5]?.text).toMatch(/spread 0\.1 · 0\.02 bps · mid 63388\.75/);
    expect(texts(lines.slice(6)).map((t) => t.trim().split(/\s+/)[0])).toEqual([
      "63388.7",
      "63388.2",
      "63387.0",
      "63386.9",
    ]);
  });

  it("align prices, sizes and cumulative sizes on the decimal point", () => {
    const lines = ladderLines({ ...input, rowsPerSide: 6 });
    const rows = texts(lines).filter((t) => /^\s+\d/.test(t));
    const dots = (column: number) =>
      new Set(
        rows.map((t) => {
          let index = -1;
          for (let i = 0; i <= column; i++) index = t.indexOf(".", index + 1);
          return index;
        }),
      );
    expect(dots(0).size).toBe(1);
    expect(dots(1).size).toBe(1);
    expect(dots(2).size).toBe(1);
  });

  it("show the pair's precision, widened to the most digits any price or size on the wire has", () => {
    expect(bookPriceDecimals(btcBook())).toBe(1);
    expect(bookQtyDecimals(btcBook())).toBe(8);
    const deeper = levels([
      ["63388.8", "1"],
      ["63389.25", "0.123456789"],
    ]);
    expect(bookPriceDecimals(btcBook({ asks: deeper }))).toBe(2);
    expect(bookQtyDecimals(btcBook({ bids: deeper }))).toBe(9);
    // The best bid or ask counts too, even when the level lists are shorter.
    expect(bookPriceDecimals(btcBook({ bid: { price: "63388.705", qty: "1" } }))).toBe(3);
    const lines = ladderLines({ ...input, book: btcBook({ asks: deeper }), rowsPerSide: 2 });
    expect(lines.some((l) => l.text.includes("63388.80 "))).toBe(true);
  });

  it("pad a thin book with empty rows so the spread row stays in the middle", () => {
    const book = btcBook({ asks: levels([["63388.8", "1"]]), bids: levels([["63388.7", "2"]]) });
    const lines = ladderLines({ ...input, book, rowsPerSide: 3 });
    expect(lines).toHaveLength(8);
    expect(texts(lines.slice(1, 3))).toEqual(["", ""]);
    expect(lines[3]?.text).toContain("63388.8");
    expect(lines[4]?.text).toContain("spread");
    expect(lines[5]?.text).toContain("63388.7");
  });

  it("say `no asks` or `no bids`, dim, next to the spread row on a verified book's empty side", () => {
    const noAsks = ladderLines({ ...input, book: btcBook({ asks: [] }), rowsPerSide: 3 });
    expect(texts(noAsks.slice(1, 4))).toEqual(["", "", " no asks"]);
    expect(noAsks[3]?.segments.every((s) => s.dim === true && s.bold !== true)).toBe(true);
    expect(noAsks[4]?.text).toContain("spread —");
    expect(noAsks[5]?.text).toContain("63388.7");
    const noBids = ladderLines({ ...input, book: btcBook({ bids: [] }), rowsPerSide: 3 });
    expect(noBids[3]?.text).toContain("63388.8");
    expect(texts(noBids.slice(5))).toEqual([" no bids", "", ""]);
    // Lagging (or stale) the book is still verified: its empty side is still said, dimmed as the rest.
    const lagging = btcBook({ state: "lagging", lagMs: 5_000, asks: [], bids: [] });
    const both = ladderLines({ ...input, book: lagging, state: "lagging", rowsPerSide: 2 });
    expect(texts(both)).toContain(" no asks");
    expect(texts(both)).toContain(" no bids");
    // A book that is not verified has no levels to show: its sides are not said to be empty.
    const resyncing = btcBook({ state: "resyncing", asks: [], bids: [] });
    const waiting = ladderLines({ ...input, book: resyncing, state: "resyncing", rowsPerSide: 2 });
    expect(texts(waiting).join("\n")).not.toMatch(/no (asks|bids)/);
    expect(texts(ladderLines({ ...input, book: undefined, state: "syncing", rowsPerSide: 2 }))).not.toContain(
      " no asks",
    );
  });

  it("draw a depth bar proportional to the cumulative size", () => {
    const lines = ladderLines({ ...input, rowsPerSide: 6 });
    const barLength = (t: string) => (t.match(/[█▏▎▍▌▋▊▉]+/)?.[0] ?? "").length;
    const deepestBid = lines[lines.length - 1]?.text ?? "";
    const bestBid = lines[8]?.text ?? "";
    expect(barLength(deepestBid)).toBeGreaterThan(barLength(bestBid) * 5);
  });

  it("never exceed the width and drop the bar, then the cumulative column, when narrow", () => {
    for (const width of [40, 33, 30, 25, 90, 200]) {
      const lines = ladderLines({ ...input, rowsPerSide: 6, width });
      for (const l of lines) expect(l.text.length).toBeLessThanOrEqual(width);
    }
    expect(ladderLines({ ...input, rowsPerSide: 2, width: 33 })[0]?.text).not.toContain("DEPTH");
    expect(ladderLines({ ...input, rowsPerSide: 2, width: 25 })[0]?.text).not.toContain("CUM");
    // Narrowing only ever takes columns away, in that order: the bar never comes back once CUM has gone.
    const shown = (width: number): { bar: boolean; cum: boolean } => {
      const lines = ladderLines({ ...input, rowsPerSide: 4, width });
      return {
        bar: lines.slice(1).some((l) => /[█▏▎▍▌▋▊▉]/.test(l.text)),
        cum: lines[0]?.text.includes("CUM") === true,
      };
    };
    for (let width = 20; width < 120; width++) {
      const now = shown(width);
      const wider = shown(width + 1);
      expect(now.bar && !now.cum, `width ${width}`).toBe(false);
      expect(now.bar && !wider.bar, `width ${width}`).toBe(false);
      expect(now.cum && !wider.cum, `width ${width}`).toBe(false);
    }
  });

  it("dim a book that is not live and label it in the spread row, with the reason, never as live", () => {
    const book = btcBook({ state: "resyncing", reason: "checksum-mismatch" });
    const lines = ladderLines({ ...input, book, state: "resyncing", rowsPerSide: 3 });
    expect(lines[4]?.text).toContain("RESYNCING");
    expect(lines[4]?.text).toContain("checksum-mismatch");
    expect(lines[4]?.text).not.toContain("spread");
    for (const l of lines.slice(1, 4)) expect(l.segments.every((s) => s.dim === true)).toBe(true);
    const stale = ladderLines({ ...input, state: "stale", rowsPerSide: 3 });
    expect(stale[4]?.text).toContain("STALE");
  });

  it("say when a book waiting out its resubscribe backoff is subscribed again, not that a snapshot is coming", () => {
    const book = btcBook({ state: "resyncing", reason: "checksum-mismatch", retryAt: input.now + 12_400 });
    const lines = ladderLines({ ...input, book, state: "resyncing", rowsPerSide: 3, width: 90 });
    expect(lines[4]?.text).toContain("↻ RESYNCING — not live, subscribing again in 12s: checksum-mismatch");
    const later = ladderLines({
      ...input,
      now: input.now + 9_000,
      book,
      state: "resyncing",
      rowsPerSide: 3,
      width: 90,
    });
    expect(later[4]?.text).toContain("subscribing again in 3.4s");
    // A narrow pane keeps the wait, which cutting the long label would lose.
    const narrow = ladderLines({ ...input, book, state: "resyncing", rowsPerSide: 3, width: 44 });
    expect(narrow[4]?.text).toContain("↻ RESYNCING, again in 12s");
    expect(narrow[4]?.text.length).toBeLessThanOrEqual(44);
    // A subscribe error being retried, before any snapshot: the wait without the RESYNCING word.
    const first = btcBook({
      state: "awaiting-snapshot",
      reason: "EService:Unavailable",
      retryAt: input.now + 800,
    });
    const syncing = ladderLines({ ...input, book: first, state: "syncing", rowsPerSide: 3, width: 90 });
    expect(syncing[4]?.text).toContain("◌ subscribing again in 800ms: EService:Unavailable");
  });

  it("keep a lagging book's verified prices, dimmed, and label its lag in the spread row", () => {
    const book = btcBook({ state: "lagging", lagMs: 24_400 });
    const lines = ladderLines({ ...input, book, state: "lagging", rowsPerSide: 3 });
    expect(lines[4]?.text).toContain("◔ LAGGING — lag 24 s behind the exchange");
    expect(lines[4]?.text).not.toContain("spread");
    expect(lines[4]?.segments[0]?.role).toBe("warn");
    expect(texts(lines.slice(1, 4)).map((t) => t.trim().split(/\s+/)[0])).toEqual([
      "63389.5",
      "63389.0",
      "63388.8",
    ]);
    for (const l of [...lines.slice(1, 4), ...lines.slice(5)]) {
      expect(l.segments.every((s) => s.dim === true)).toBe(true);
    }
    const brief = ladderLines({
      ...input,
      book: { ...book, lagMs: 3_450 },
      state: "lagging",
      rowsPerSide: 3,
    });
    expect(brief[4]?.text).toContain("lag 3.4 s");
  });
});

describe("flash state", () => {
  const grouped = (book = btcBook()) => groupBook(book, 1);

  it("does not flash on the first view of a book", () => {
    const g = grouped();
    const memory = updateFlash(undefined, "BTC/USD|1", g.asks, g.bids, NOW);
    expect(flashCount(memory)).toBe(0);
  });

  it("flashes a size that grew up and one that shrank down, briefly", () => {
    const g = grouped();
    const first = updateFlash(undefined, "k", g.asks, g.bids, NOW);
    const changed = grouped(
      btcBook({
        bids: levels([
          ["63388.7", "0.30000000"],
          ["63388.2", "0.10000000"],
          ["63387.0", "1.00000000"],
        ]),
      }),
    );
    const second = updateFlash(first, "k", changed.asks, changed.bids, NOW + 100, 600);
    expect(flashAt(second, "bid", toUnits("63388.7", 1), NOW + 100)).toBe("up");
    expect(flashAt(second, "bid", toUnits("63388.2", 1), NOW + 100)).toBe("down");
    expect(flashAt(second, "bid", toUnits("63387.0", 1), NOW + 100)).toBeUndefined();
    expect(flashAt(second, "bid", toUnits("63388.7", 1), NOW + 800)).toBeUndefined();
    expect(nextFlashEnd(second, NOW + 100)).toBe(NOW + 700);
  });

  it("flashes a new level inside the seen range but not one scrolling in at the far end", () => {
    const g = grouped();
    const first = updateFlash(undefined, "k", g.asks, g.bids, NOW);
    const bids = levels([
      ["63388.7", "0.25761908"],
      ["63388.5", "0.40000000"],
      ["63388.2", "0.50000000"],
      ["63387.0", "1.00000000"],
      ["63386.9", "0.01000000"],
      ["63385.0", "3.50000000"],
      ["63380.0", "0.20000000"],
      ["63379.0", "9.00000000"],
    ]);
    const next = grouped(btcBook({ bids }));
    const second = updateFlash(first, "k", next.asks, next.bids, NOW + 50);
    expect(flashAt(second, "bid", toUnits("63388.5", 1), NOW + 50)).toBe("up");
    expect(flashAt(second, "bid", toUnits("63379.0", 1), NOW + 50)).toBeUndefined();
  });

  it("starts over without flashing when the book or grouping changes", () => {
    const g = grouped();
    const first = updateFlash(undefined, "BTC/USD|1", g.asks, g.bids, NOW);
    const other = grouped(btcBook({ bids: levels([["63388.7", "9"]]) }));
    expect(flashCount(updateFlash(first, "BTC/USD|2", other.asks, other.bids, NOW))).toBe(0);
  });

  it("shows ▲ and ▼ next to flashing sizes, readable without colour", () => {
    const g = grouped();
    const first = updateFlash(undefined, "k", g.asks, g.bids, NOW);
    const changed = grouped(
      btcBook({
        asks: levels([
          ["63388.8", "0.1"],
          ["63389.0", "5"],
        ]),
      }),
    );
    const memory = updateFlash(first, "k", changed.asks, changed.bids, NOW);
    const lines = ladderLines({
      book: btcBook({
        asks: levels([
          ["63388.8", "0.1"],
          ["63389.0", "5"],
        ]),
      }),
      state: "live",
      rowsPerSide: 2,
      width: 80,
      group: 1,
      flash: memory,
      now: NOW,
    });
    expect(lines[1]?.text).toContain("5.00000000▲");
    expect(lines[2]?.text).toContain("0.10000000▼");
  });
});

describe("the whole screen", () => {
  it("fills the pane and never exceeds it: at most rows - 1 lines, none wider than the pane", () => {
    for (const [columns, rows] of [
      [80, 24],
      [40, 10],
      [41, 11],
      [120, 50],
      [200, 60],
      [60, 13],
    ] as const) {
      const s = screen({ columns, rows });
      const all = screenLines(s);
      expect(all.length).toBe(rows - 1);
      expect(s.height).toBe(rows - 1);
      for (const l of all) expect(l.text.length).toBeLessThanOrEqual(columns);
      expect(s.rowsPerSide).toBeGreaterThanOrEqual(2);
    }
  });

  it("gives more ladder rows to a taller pane", () => {
    expect(screen({ rows: 40 }).rowsPerSide).toBeGreaterThan(screen({ rows: 24 }).rowsPerSide);
  });

  it("says the pane is too small below the minimum instead of drawing a broken ladder", () => {
    for (const [columns, rows] of [
      [20, 6],
      [MIN_COLUMNS - 1, 30],
      [100, MIN_ROWS - 1],
    ] as const) {
      const s = screen({ columns, rows });
      expect(s.kind).toBe("too-small");
      const lines = screenLines(s);
      expect(lines[0]?.text).toBe("pane too small");
      expect(lines.length).toBeLessThanOrEqual(rows - 1);
      for (const l of lines) expect(l.text.length).toBeLessThanOrEqual(columns);
    }
    expect(screen({ columns: MIN_COLUMNS, rows: MIN_ROWS }).kind).toBe("ladder");
    expect(screen({ columns: 5, rows: 2 }).height).toBeLessThanOrEqual(1);
  });

  it("shows the help overlay in place of the ladder, listing every key", () => {
    const s = screen({ help: true, rows: 60 });
    if (s.kind !== "help") throw new Error(`a help screen, not ${s.kind}`);
    const text = texts(s.help).join("\n");
    for (const key of [
      "→",
      "l",
      "Tab",
      "←",
      "h",
      "Shift-Tab",
      "1 – 9",
      "+",
      "−",
      "?",
      "q",
      "Esc",
      "Ctrl-C",
    ]) {
      expect(text).toContain(key);
    }
    expect(text).toContain("◔ lagging");
    expect(text).toMatch(/lagging +over --max-lag behind; or feed quiet, stalled/);
    expect(text).toMatch(/stale +verified, no change for --stale-after/);
  });

  it("keeps the selected symbol in the header when symbols do not fit", () => {
    const books = Array.from({ length: 9 }, (_, i) => btcBook({ symbol: `S${i}/USD` }));
    const s = buildScreen({
      view: feedView(books),
      symbols: books.map((b) => b.symbol),
      selected: 8,
      group: 1,
      help: false,
      columns: 60,
      rows: 12,
      flash: undefined,
      now: NOW,
    });
    expect(screenLines(s).some((l) => l.text.includes("▶9 S8/USD"))).toBe(true);
    expect(s.height).toBe(11);
  });
});

describe("header", () => {
  it("lists every symbol in order with state glyph and word, bid / ask and bps; the selected one marked", () => {
    const books = new Map([
      ["BTC/USD", btcBook()],
      ["ETH/USD", ethBook({ state: "stale" })],
    ]);
    const lines = headerLines(["BTC/USD", "ETH/USD", "FOO/BAR"], books, LIVE, 1, 200, 5);
    const text = texts(lines).join("\n");
    expect(text).toMatch(/ 1 BTC\/USD\s+● live\s+63388\.7 \/ 63388\.8\s+0\.02 bps/);
    expect(text).toMatch(/▶2 ETH\/USD\s+◐ stale\s+3120\.50 \/ 3120\.55\s+0\.16 bps/);
    expect(text).toContain("3 FOO/BAR");
    expect(text.indexOf("BTC/USD")).toBeLessThan(text.indexOf("ETH/USD"));
    expect(text.indexOf("ETH/USD")).toBeLessThan(text.indexOf("FOO/BAR"));
  });

  it("shows every state word", () => {
    const view = (state: "live" | "resyncing" | "stale" | "rejected" | "lagging") =>
      headerLines(["BTC/USD"], new Map([["BTC/USD", btcBook({ state })]]), LIVE, 0, 100, 1)[0]?.text;
    expect(view("live")).toContain("● live");
    expect(view("resyncing")).toContain("↻ resyncing");
    expect(view("stale")).toContain("◐ stale");
    expect(view("rejected")).toContain("✕ rejected");
    expect(view("lagging")).toContain("◔ lagging");
    const down = headerLines(
      ["BTC/USD"],
      new Map([["BTC/USD", btcBook()]]),
      { state: "connecting", attempt: 2 },
      0,
      100,
      1,
    );
    expect(down[0]?.text).toContain("○ disconnected");
  });

  it("marks the selected tab inverse, bold only while its book is live; not live it is dimmed, as the others are", () => {
    const tab = (book: BookView, connection: ConnectionState = LIVE, selected = 0) =>
      headerLines(["BTC/USD"], new Map([["BTC/USD", book]]), connection, selected, 100, 1)[0]!;
    const live = tab(btcBook());
    expect(live.segments.every((s) => s.inverse === true && s.bold === true && s.dim !== true)).toBe(true);
    const notLive = [
      tab(btcBook({ state: "resyncing" })),
      tab(btcBook({ state: "awaiting-snapshot" })),
      tab(btcBook({ state: "stale" })),
      tab(btcBook({ state: "lagging", lagMs: 5_000 })),
      tab(btcBook(), { state: "reconnecting", attempt: 2, retryInMs: 1_000, retryAt: NOW, reason: "x" }),
    ];
    for (const t of notLive) {
      expect(t.text.startsWith("▶1 BTC/USD")).toBe(true);
      expect(t.segments.every((s) => s.inverse === true && s.dim === true && s.bold !== true)).toBe(true);
    }
    // Not selected: dimmed alike, and not inverse.
    const other = tab(btcBook({ state: "stale" }), LIVE, 1);
    expect(other.segments.every((s) => s.dim === true && s.inverse !== true && s.bold !== true)).toBe(true);
  });

  it("draws a pair's status badge as its tab: bold while the book is live, dimmed and not bold when not", () => {
    const tab = (book: BookView, selected = 0) =>
      headerLines(["BTC/USD"], new Map([["BTC/USD", book]]), LIVE, selected, 100, 1)[0]!;
    const badge = (t: ReturnType<typeof tab>) => t.segments.find((s) => s.text.includes("[POST_ONLY]"))!;
    for (const selected of [0, 1]) {
      const live = badge(tab(btcBook({ pairStatus: "post_only" }), selected));
      expect(live).toMatchObject({ role: "warn", bold: true });
      expect(live.dim).not.toBe(true);
      for (const state of ["stale", "resyncing", "awaiting-snapshot"] as const) {
        const t = tab(btcBook({ state, pairStatus: "post_only" }), selected);
        expect(t.segments.every((s) => s.dim === true && s.bold !== true)).toBe(true);
        expect(badge(t).role).toBe("warn");
      }
    }
  });

  it("strips control characters from symbols before they reach the terminal", () => {
    const lines = headerLines(["EVIL\u001b[2J/USD"], new Map(), LIVE, 0, 100, 1);
    expect(lines[0]?.text).not.toContain("\u001b");
    expect(lines[0]?.text).toContain("EVIL[2J/USD");
  });
});

describe("state", () => {
  it("is disconnected whenever the socket is not open, ended once the feed has ended, except a rejected book", () => {
    expect(
      displayState(btcBook(), { state: "reconnecting", attempt: 2, retryInMs: 500, retryAt: 0, reason: "x" }),
    ).toBe("disconnected");
    expect(displayState(btcBook(), { state: "connecting", attempt: 1 })).toBe("disconnected");
    expect(displayState(btcBook(), { state: "stopped" })).toBe("disconnected");
    // A replay that ran out: the book is as it was, live, but nothing on an ended feed is.
    expect(displayState(btcBook(), { state: "ended" })).toBe("ended");
    expect(displayState(btcBook({ state: "rejected" }), { state: "connecting", attempt: 1 })).toBe(
      "rejected",
    );
    expect(displayState(btcBook({ state: "awaiting-snapshot" }), LIVE)).toBe("syncing");
    expect(displayState(undefined, LIVE)).toBe("syncing");
  });

  it("is connecting, not disconnected, for a book not yet verified in this run while the feed is still trying", () => {
    const fresh = btcBook({
      state: "awaiting-snapshot",
      checksums: { ok: 0, failed: 0 },
      bids: [],
      asks: [],
    });
    const waiting = { state: "reconnecting", attempt: 2, retryInMs: 500, retryAt: 0, reason: "x" } as const;
    expect(displayState(undefined, undefined)).toBe("connecting");
    expect(displayState(undefined, { state: "connecting", attempt: 1 })).toBe("connecting");
    expect(displayState(fresh, { state: "connecting", attempt: 1 })).toBe("connecting");
    expect(displayState(fresh, waiting)).toBe("connecting");
    // Once verified, a lost socket is a disconnection; a stopped feed is not trying.
    expect(displayState(btcBook({ state: "awaiting-snapshot" }), waiting)).toBe("disconnected");
    expect(displayState(fresh, { state: "stopped" })).toBe("disconnected");
    expect(displayState(fresh, { state: "ended" })).toBe("ended");
    expect(displayState(btcBook({ state: "rejected" }), { state: "ended" })).toBe("rejected");
  });

  it("is the book's own state while other pairs are still being answered (subscribing): one slow pair hides no other", () => {
    const subscribing = { state: "subscribing" } as const;
    expect(displayState(btcBook(), subscribing)).toBe("live");
    expect(displayState(btcBook({ state: "awaiting-snapshot" }), subscribing)).toBe("syncing");
    expect(displayState(undefined, subscribing)).toBe("syncing");
    expect(displayState(btcBook({ state: "lagging", lagMs: 5000 }), subscribing)).toBe("lagging");
  });

  it("is lagging for a lagging book, on a live or a quiet connection, and never live while quiet", () => {
    const quiet = { state: "quiet", since: NOW - 4000 } as const;
    expect(displayState(btcBook({ state: "lagging", lagMs: 5000 }), LIVE)).toBe("lagging");
    expect(displayState(btcBook({ state: "lagging", lagMs: 5000 }), quiet)).toBe("lagging");
    expect(displayState(btcBook({ state: "resyncing" }), quiet)).toBe("resyncing");
  });
});

describe("status bar", () => {
  it("shows connection, msg/s, checksums, resyncs, latency p50/p99 and the age of the last change", () => {
    const text = statusLine(LIVE, ethBook(), NOW, 200).text;
    expect(text).toContain("● connected");
    expect(text).toContain("7.5 msg/s");
    expect(text).toContain("✓80 ✗1");
    expect(text).toContain("resyncs 1");
    expect(text).toContain("p50 3.3ms p99 19ms");
    expect(text).toContain("updated 2s ago");
  });

  it("writes a latency far from the usual (a clock set wrong) as coarsely as an age, and none as —", () => {
    expect([3.25, 19, 9_999, 12_400, 200_000, 9_000_000, -4, -45_000].map(formatLatency)).toEqual([
      "3.3ms",
      "19ms",
      "9999ms",
      "12s",
      "3m",
      "2h",
      "-4ms",
      "-45s",
    ]);
    expect(formatLatency(null)).toBe("—");
    const none = statusLine(LIVE, ethBook({ latencyP50: null, latencyP99: null }), NOW, 200).text;
    expect(none).toContain("p50 — p99 —");
  });

  it("counts down to the next reconnect attempt", () => {
    const connection = {
      state: "reconnecting",
      attempt: 3,
      retryInMs: 4000,
      retryAt: NOW + 3200,
      reason: "closed\u001b]0;pwned\u0007",
    } as const;
    const text = statusLine(connection, btcBook(), NOW, 200).text;
    expect(text).toContain("reconnecting in 3.2s (attempt 3");
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u001f]/);
    expect(statusLine(connection, btcBook(), NOW + 1200, 200).text).toContain("in 2.0s");
    // Why, kept over the counts of a connection that is gone when the pane is narrow: at 100 columns the
    // stats gave way to it, and at 40 the countdown stays.
    const unreachable = { ...connection, reason: "getaddrinfo ENOTFOUND ws.kraken.com" };
    expect(statusLine(unreachable, btcBook(), NOW, 100).text).toBe(
      " ○ reconnecting in 3.2s (attempt 3: getaddrinfo ENOTFOUND ws.kraken.com) │ 42/s │ ✓120 ✗0 │ gaps 0",
    );
    expect(statusLine(unreachable, btcBook(), NOW, 40).text).toBe(" ○ reconnecting in 3.2s (attempt 3)");
  });

  it("says how far a lagging book is behind, first after the connection, and names a quiet connection", () => {
    const lagging = btcBook({ state: "lagging", lagMs: 24_000 });
    const text = statusLine(LIVE, lagging, NOW, 200).text;
    expect(text).toMatch(/^ ● connected │ lag 24 s behind │ /);
    const line = statusLine(LIVE, lagging, NOW, 200);
    expect(line.segments.find((s) => s.text.includes("connected"))?.role).toBe("muted");
    expect(
      statusLine(LIVE, btcBook(), NOW, 200).segments.find((s) => s.text.includes("connected"))?.role,
    ).toBe("good");
    expect(statusLine(LIVE, lagging, NOW, 40).text).toContain("lag 24 s");
    expect(statusLine(LIVE, btcBook({ lagMs: 200 }), NOW, 200).text).not.toContain("lag");
    const quiet = statusLine({ state: "quiet", since: NOW - 4200 }, { ...lagging, lagMs: 4200 }, NOW, 200);
    expect(quiet.text).toContain("◔ quiet: no frame for 4s");
    expect(quiet.text).toContain("lag 4.2 s behind");
    expect(quiet.segments.find((s) => s.text.includes("quiet"))?.role).toBe("warn");
  });

  it("shortens, then drops items to fit the width", () => {
    for (const width of [40, 50, 60, 80]) {
      const text = statusLine(LIVE, btcBook(), NOW, width).text;
      expect(text.length).toBeLessThanOrEqual(width);
      expect(text).toMatch(/● (connected|live)/);
    }
  });
});

describe("numbers", () => {
  it("computes spread, mid and bps exactly from the best bid and ask, at the pair's precision", () => {
    expect(spreadOf(btcBook(), 1)).toEqual({ spread: "0.1", bps: "0.02", mid: "63388.75" });
    const wide = ethBook({
      bid: { price: "99.00", qty: "1" },
      ask: { price: "101.00", qty: "1" },
      mid: "100",
    });
    expect(spreadOf(wide, 2)).toEqual({ spread: "2.00", bps: "200.00", mid: "100.00" });
    const odd = ethBook({ bid: { price: "3104.19", qty: "1" }, ask: { price: "3104.21", qty: "1" } });
    expect(spreadOf(odd, 2)).toEqual({ spread: "0.02", bps: "0.06", mid: "3104.20" });
  });

  it("pads prices to the pair's precision", () => {
    expect(formatPrice("3120.5", 2)).toBe("3120.50");
    expect(formatPrice("63388", 1)).toBe("63388.0");
  });
});

describe("sanitize", () => {
  it("removes C0, DEL, C1 and bidi controls, turns line breaks into spaces", () => {
    expect(sanitize("a\u001b[31mb\u0007c\u009bd\u202ee\nf\tg\u007f")).toBe("a[31mbcde f g");
    expect(sanitize("Currency pair not supported FOO/BAR")).toBe("Currency pair not supported FOO/BAR");
  });
});

describe("sameLine", () => {
  it("tells lines apart by any text or style, and only by them", () => {
    const base = line("k", [{ text: "a" }, { text: "b", role: "ask" }]);
    expect(sameLine(base, line("k", [{ text: "a" }, { text: "b", role: "ask" }]))).toBe(true);
    expect(
      sameLine(base, line("k", [{ text: "a" }, { text: "", role: "bid" }, { text: "b", role: "ask" }])),
    ).toBe(true);
    for (const other of [
      line("k", [{ text: "a" }, { text: "c", role: "ask" }]),
      line("k", [{ text: "a" }, { text: "b", role: "bid" }]),
      line("k", [{ text: "a" }, { text: "b", role: "ask", bold: true }]),
      line("k", [{ text: "a" }, { text: "b", role: "ask", dim: true }]),
      line("k", [{ text: "a" }, { text: "b", role: "ask", inverse: true }]),
      line("k", [{ text: "ab", role: "ask" }]),
      line("j", [{ text: "a" }, { text: "b", role: "ask" }]),
    ]) {
      expect(sameLine(base, other)).toBe(false);
    }
  });
});
