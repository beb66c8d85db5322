import { describe, expect, it } from "vitest";
import type { PairView, TradeView } from "../../src/feed/types.js";
import { MarketContext } from "../../src/ui/market.js";
import { GROUP_STEPS, groupLevels, groupSizeText } from "../../src/ui/view-model/grouping.js";
import { groupBook, ladderRows } from "../../src/ui/view-model/ladder.js";
import type { LadderMarket } from "../../src/ui/view-model/ladder.js";
import { buildScreen, screenLines } from "../../src/ui/view-model/screen.js";
import type { ScreenInput } from "../../src/ui/view-model/screen.js";
import { headerLines } from "../../src/ui/view-model/header.js";
import { statusLine } from "../../src/ui/view-model/status.js";
import { gapMark, tapeLines, tapeTime } from "../../src/ui/view-model/tape.js";
import type { TapeEntry } from "../../src/ui/view-model/tape.js";
import { tickerLine } from "../../src/ui/view-model/ticker.js";
import { compactVolume, toVapTrade, vapByRow, vapTitle, VapWindow } from "../../src/ui/view-model/vap.js";
import { formatUnits } from "../../src/ui/view-model/units.js";
import { btcBook, ethBook, feedView, levels, LIVE, NOW } from "./helpers/views.js";

function trade(overrides: Partial<TradeView> = {}): TradeView {
  return {
    symbol: "BTC/USD",
    side: "buy",
    price: "63388.8",
    qty: "0.05000000",
    ordType: "market",
    tradeId: 1,
    time: "2026-12-05T08:35:26.123456Z",
    ...overrides,
  };
}

const BTC_PAIR: PairView = {
  symbol: "BTC/USD",
  status: "online",
  pricePrecision: 1,
  qtyPrecision: 8,
  priceIncrement: "0.1",
  qtyIncrement: "0.00000001",
  qtyMin: "0.0001",
};

/** A context holding these events, heard at NOW. */
function contextWith(...events: Parameters<MarketContext["apply"]>[0][]): MarketContext {
  const market = new MarketContext(300_000);
  for (const e of events) market.apply(e, NOW);
  return market;
}

function screen(overrides: Partial<ScreenInput> = {}) {
  return buildScreen({
    view: feedView([btcBook(), ethBook()]),
    symbols: ["BTC/USD", "ETH/USD"],
    selected: 0,
    group: 1,
    help: false,
    columns: 160,
    rows: 30,
    flash: undefined,
    now: NOW,
    ...overrides,
  });
}

const texts = (lines: readonly { text: string }[]) => lines.map((l) => l.text);

/** BTC/USD's live ladder, six rows a side, with the market context given. */
const btcRows = (market: LadderMarket, width = 118, group = 1) =>
  ladderRows({
    book: btcBook(),
    state: "live",
    rowsPerSide: 6,
    width,
    group,
    flash: undefined,
    now: NOW,
    market,
  });

describe("the time-and-sales tape", () => {
  it("lists trades newest first with time, a side readable without colour, price and size", () => {
    const entries: TapeEntry[] = [
      { kind: "trade", trade: trade({ tradeId: 1, side: "sell", price: "63388.7", qty: "0.1" }) },
      { kind: "trade", trade: trade({ tradeId: 2, time: "2026-12-05T08:35:27.000001Z" }) },
    ];
    const lines = texts(
      tapeLines({
        entries,
        width: 42,
        height: 4,
        priceDecimals: 1,
        qtyDecimals: 8,
        border: true,
        keyPrefix: "t",
      }),
    );
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/│ TIME\s+SIDE\s+PRICE\s+SIZE/);
    expect(lines[1]).toBe("│ 08:35:27 ▲ B  63388.8  0.05000000");
    expect(lines[2]).toBe("│ 08:35:26 ▼ S  63388.7  0.10000000");
    expect(lines[3]).toBe("│");
  });

  it("marks a gap or a repeat in the trade ids where it was heard", () => {
    const entries: TapeEntry[] = [
      { kind: "trade", trade: trade({ tradeId: 4 }) },
      { kind: "gap", expected: 5, got: 7 },
      { kind: "trade", trade: trade({ tradeId: 7 }) },
      { kind: "gap", expected: 8, got: 6 },
    ];
    const lines = texts(
      tapeLines({
        entries,
        width: 40,
        height: 5,
        priceDecimals: 1,
        qtyDecimals: 8,
        border: false,
        keyPrefix: "t",
      }),
    );
    expect(lines[1]).toMatch(/^─+ repeat: expected 8, got 6 ─+$/);
    expect(lines[2]).toContain("▲ B");
    expect(lines[3]).toMatch(/^─+ gap: expected 5, got 7 ─+$/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
  });

  it("starts every gap mark with two dashes, however long its ids", () => {
    const beside = (expected: number, got: number) =>
      tapeLines({
        entries: [{ kind: "gap", expected, got }],
        width: 42,
        height: 2,
        priceDecimals: 1,
        qtyDecimals: 8,
        border: true,
        keyPrefix: "t",
      })[1]?.text;
    // Room for two dashes a side: centred, as it always was.
    expect(beside(125, 128)).toBe(`│${"─".repeat(6)} gap: expected 125, got 128 ${"─".repeat(7)}`);
    // Eight-digit ids (Kraken's today) leave three dashes: two of them lead.
    expect(beside(66289026, 66289027)).toBe("│── gap: expected 66289026, got 66289027 ─");
    expect(beside(123456789, 123456790)).toBe("│── gap: expected 123456789, got 123456790");
    expect(beside(1234567890, 1234567891)).toBe("│── gap: exp 1234567890, got 1234567891 ──");
    expect(beside(66289026, 66289020)).toBe("│── repeat: exp 66289026, got 66289020 ───");
    for (const width of [20, 30, 41, 60])
      for (const [e, g] of [
        [5, 7],
        [66289026, 66289027],
        [1234567890, 1234567891],
      ] as const)
        expect(gapMark(e, g, width).length, `${width} ${e}`).toBeLessThanOrEqual(width);
  });

  it("says why a pair a market run watches has no tape, beside the ladder and in place of it", () => {
    const booksOnly = feedView([btcBook({ tradesWatched: false }), ethBook()]);
    const wide = screen({ view: booksOnly });
    expect(wide.kind).toBe("ladder");
    const beside = wide.kind === "ladder" ? texts(wide.tape ?? []) : [];
    expect(beside[1]).toBe("│ no trades: books only (--quote/--all)");
    const narrow = screen({ view: booksOnly, columns: 80, narrowTapeShown: true });
    expect(narrow.kind === "tape" ? texts(narrow.tape)[1] : "").toBe(
      " no trades: books only (--quote/--all)",
    );
    // A pair whose trades are watched and have not come says nothing of the kind.
    const other = screen({ view: booksOnly, selected: 1 });
    expect(other.kind === "ladder" ? texts(other.tape ?? [])[1] : "").toBe("│");
  });

  it("never cuts a trade's price or size to the pair's precision: the column widens as the book's do", () => {
    const entries: TapeEntry[] = [
      { kind: "trade", trade: trade({ tradeId: 1, price: "3104.26", qty: "0.01323951" }) },
      { kind: "trade", trade: trade({ tradeId: 2, price: "3104.279", qty: "0.002663291" }) },
    ];
    const lines = texts(
      tapeLines({
        entries,
        width: 42,
        height: 3,
        priceDecimals: 2,
        qtyDecimals: 8,
        border: true,
        keyPrefix: "t",
      }),
    );
    expect(lines[1]).toBe("│ 08:35:26 ▲ B  3104.279  0.002663291");
    // The other trades at the same widened precision, lined up on the point.
    expect(lines[2]).toBe("│ 08:35:26 ▲ B  3104.260  0.013239510");
    // At the pair's precision, the column is as it always was.
    const plain = texts(
      tapeLines({
        entries: entries.slice(0, 1),
        width: 42,
        height: 2,
        priceDecimals: 2,
        qtyDecimals: 8,
        border: true,
        keyPrefix: "t",
      }),
    );
    expect(plain[1]).toBe("│ 08:35:26 ▲ B  3104.26  0.01323951");
  });

  it("shows only the clock of Kraken's timestamps and sanitises anything else", () => {
    expect(tapeTime("2026-12-05T08:35:26.123456Z")).toBe("08:35:26");
    expect(tapeTime("\u001b[2Jodd")).toBe("[2Jodd  ");
  });
});

describe("the volume-at-price window", () => {
  it("sums buys and sells per price exactly and forgets trades older than the window", () => {
    const w = new VapWindow(6_000); // slices of a second
    w.add(toVapTrade(trade({ qty: "0.1" }), NOW - 10_000)!);
    w.add(toVapTrade(trade({ qty: "0.2" }), NOW - 5_000)!);
    w.add(toVapTrade(trade({ side: "sell", qty: "0.3" }), NOW)!);
    const price = toVapTrade(trade(), NOW)!.price;
    expect(w.totals.get(price)).toEqual({ buy: 300_000_000_000n, sell: 300_000_000_000n });
    w.expire(NOW);
    expect(w.totals.get(price)).toEqual({ buy: 200_000_000_000n, sell: 300_000_000_000n });
    w.expire(NOW + 5_999);
    expect(w.totals.get(price)).toEqual({ buy: 0n, sell: 300_000_000_000n });
    // The edge moves a slice at a time: a trade counts until the slice it came in is older than the window.
    w.expire(NOW + 6_999);
    expect(w.totals.get(price)).toEqual({ buy: 0n, sell: 300_000_000_000n });
    w.expire(NOW + 7_000);
    expect(w.totals.size).toBe(0);
    expect(w.size).toBe(0);
  });

  it("holds one sum per price per slice (a thirtieth of the window), however many trades there were", () => {
    expect(new VapWindow(300_000).sliceMs).toBe(10_000);
    expect(new VapWindow(60_000).sliceMs).toBe(2_000);
    expect(new VapWindow(10_000).sliceMs).toBe(1_000);
    const w = new VapWindow(300_000);
    for (let i = 0; i < 1_000; i++) {
      const price = i % 2 === 0 ? "100.1" : "100.2";
      w.add(toVapTrade(trade({ price, qty: "0.001", side: i % 3 === 0 ? "sell" : "buy" }), NOW + i * 9)!);
    }
    expect(w.size).toBe(2);
    const units = (p: string) => toVapTrade(trade({ price: p }), NOW)!.price;
    // 500 trades at each price; sells are the i divisible by 3 (167 even, 167 odd).
    expect(w.totals.get(units("100.1"))).toEqual({ buy: 333_000_000_000n, sell: 167_000_000_000n });
    expect(w.totals.get(units("100.2"))).toEqual({ buy: 333_000_000_000n, sell: 167_000_000_000n });
    // A trade in the next slice opens a sum of its own, and the slice before expires on its own.
    w.add(toVapTrade(trade({ price: "100.1", qty: "1" }), NOW + 10_000)!);
    w.add(toVapTrade(trade({ price: "100.1", side: "sell", qty: "2" }), NOW + 19_999)!);
    expect(w.size).toBe(3);
    w.expire(NOW + 309_999);
    expect(w.size).toBe(3);
    w.expire(NOW + 310_000);
    expect(w.size).toBe(1);
    expect(w.totals.get(units("100.1"))).toEqual({ buy: 1_000_000_000_000n, sell: 2_000_000_000_000n });
    expect(w.totals.has(units("100.2"))).toBe(false);
    w.expire(NOW + 320_000);
    expect(w.size).toBe(0);
    expect(w.totals.size).toBe(0);
  });

  it("buckets prices as the ladder's rows are: bids round down, asks round up", () => {
    const w = new VapWindow(300_000);
    w.add(toVapTrade(trade({ price: "63388.7", qty: "1" }), NOW)!);
    w.add(toVapTrade(trade({ price: "63388.2", side: "sell", qty: "2" }), NOW)!);
    const rows = vapByRow(w.totals, 1, 10n);
    // Buckets of 1.0: the bid row at 63388.0 and the ask row at 63389.0 hold both.
    expect(rows.bid.get(633880n)).toEqual({ buy: 1_000_000_000_000n, sell: 2_000_000_000_000n });
    expect(rows.ask.get(633890n)).toEqual({ buy: 1_000_000_000_000n, sell: 2_000_000_000_000n });
    expect(vapByRow(w.totals, 1, 1n).ask.get(633882n)?.sell).toBe(2_000_000_000_000n);
  });

  it("prints volumes in at most six characters, rounded down", () => {
    const u = (text: string) => toVapTrade(trade({ qty: text }), NOW)!.qty;
    expect(compactVolume(u("0"))).toBe("");
    expect(compactVolume(u("0.0001"))).toBe("<.001");
    expect(compactVolume(u("0.05"))).toBe("0.050");
    expect(compactVolume(u("12.3456"))).toBe("12.34");
    expect(compactVolume(u("123.456"))).toBe("123.4");
    expect(compactVolume(u("12345.6"))).toBe("12345");
    expect(compactVolume(u("123456"))).toBe("123k");
    expect(compactVolume(u("1234567"))).toBe("1234k");
    expect(compactVolume(u("12345678"))).toBe("12345k");
    expect(compactVolume(u("123456789"))).toBe("123M");
    expect(compactVolume(u("1234567890"))).toBe("1234M");
    for (const q of ["0.00000001", "9.999", "99999.99", "99999999", "123456789012"])
      expect(compactVolume(u(q)).length).toBeLessThanOrEqual(6);
  });

  it("titles the column with its window, and says so when the window covers a trade-id gap", () => {
    expect(vapTitle(300_000, false)).toBe("VAP 5m");
    expect(vapTitle(90_000, true)).toBe("VAP 90s (gap)");
  });
});

describe("the market context", () => {
  it("keeps the last trade, the ticker, the instrument and the gaps per symbol", () => {
    const market = contextWith(
      { type: "trade", ...trade({ tradeId: 1 }) },
      { type: "trade-gap", symbol: "BTC/USD", expected: 2, got: 4 },
      { type: "trade", ...trade({ tradeId: 4, side: "sell" }) },
      { type: "ticker", symbol: "BTC/USD", last: "63388.8" },
      { type: "instrument", pairs: [BTC_PAIR] },
    );
    const btc = market.of("BTC/USD", NOW)!;
    expect(btc.lastTrade?.tradeId).toBe(4);
    expect(btc.tape.map((e) => e.kind)).toEqual(["trade", "gap", "trade"]);
    expect(btc.ticker?.last).toBe("63388.8");
    expect(btc.pair?.priceIncrement).toBe("0.1");
    expect(btc.gapTimes).toEqual([NOW]);
    expect(market.of("ETH/USD", NOW)).toBeUndefined();
    // Past the window, the gap no longer counts against the volume column.
    expect(market.of("BTC/USD", NOW + 300_001)!.gapTimes).toEqual([]);
  });

  it("reports a system status only when it changes", () => {
    const market = new MarketContext(1000);
    expect(market.apply({ type: "status", system: "online" }, NOW)).toEqual({
      kind: "system",
      previous: undefined,
    });
    expect(market.apply({ type: "status", system: "online" }, NOW)).toBeUndefined();
    expect(market.apply({ type: "status", system: "maintenance" }, NOW)).toEqual({
      kind: "system",
      previous: "online",
    });
    expect(market.system).toBe("maintenance");
  });

  it("keeps a bounded tape however many trades come", () => {
    const market = new MarketContext(1000);
    for (let i = 1; i <= 2000; i++) market.apply({ type: "trade", ...trade({ tradeId: i }) }, NOW);
    const tape = market.of("BTC/USD", NOW)!.tape;
    expect(tape.length).toBeLessThanOrEqual(550);
    const last = tape[tape.length - 1]!;
    expect(last.kind === "trade" && last.trade.tradeId).toBe(2000);
  });
});

describe("the ladder with market context", () => {
  const deepBids = levels(
    Array.from({ length: 14 }, (_, i) => [formatUnits(633887n - BigInt(i) * 5n, 1), "1.00000000"] as const),
  );

  it("marks rows deeper than the checksum's 10 levels, and running totals that include them", () => {
    const grouped = groupLevels(deepBids, "bid", 1, 1, 8);
    expect(grouped.map((l) => l.deep === true)).toEqual([...Array(10).fill(false), ...Array(4).fill(true)]);
    const rows = ladderRows({
      book: btcBook({ bids: deepBids }),
      state: "live",
      rowsPerSide: 14,
      width: 100,
      group: 1,
      flash: undefined,
      now: NOW,
    });
    const bid = texts(rows.bids);
    expect(bid[9]).toMatch(/^ 63384\.2/);
    expect(bid[9]).not.toContain("~");
    expect(bid[10]).toMatch(/^·63383\.7 +1\.00000000 +~11\.00000000/);
    expect(rows.titles.text).toContain("~ past level 10: unverified");
  });

  it("marks a grouped row deep when any raw level in it is past the 10th", () => {
    // Levels 10 and 11 (0.5 apart) fall into one bucket of 10 ticks (1.0) with level 9.
    const grouped = groupLevels(deepBids, "bid", 10, 1, 8);
    const deep = grouped.filter((l) => l.deep === true).map((l) => formatUnits(l.price, 1));
    expect(deep).toEqual(["63383.0", "63382.0"]);
    expect(grouped.find((l) => formatUnits(l.price, 1) === "63384.0")?.deep).toBeUndefined();
  });

  it("groups by the instrument's price increment and shows its precision", () => {
    const pair: PairView = { ...BTC_PAIR, pricePrecision: 2, priceIncrement: "0.5" };
    const grouped = groupBook(btcBook(), 1, pair);
    expect(grouped.priceDecimals).toBe(2);
    expect(grouped.tick).toBe(50n);
    // 63388.7 and 63388.2 fall into the 0.5 bucket at 63388.50 and 63388.00.
    expect(grouped.bids.slice(0, 2).map((l) => formatUnits(l.price, 2))).toEqual(["63388.50", "63388.00"]);
    // Before the instrument is heard, the wire's decimals and last digit.
    expect(groupBook(btcBook(), 1).tick).toBe(1n);
  });

  it("marks the last trade on the row at its grouped price, with side and size", () => {
    const market: LadderMarket = {
      lastTrade: trade({ price: "63389.5" }),
      vap: new Map(),
      vapTitle: "VAP 5m",
    };
    const rows = btcRows(market);
    const asks = texts(rows.asks);
    const row = asks.find((l) => l.includes("← ▲ B 0.05000000"));
    expect(row).toMatch(/^ 63389\.5 /);
    expect(asks.filter((l) => l.includes("←"))).toHaveLength(1);
    expect(rows.titles.text).toMatch(/LAST.*CUM.*VAP 5m/);
    // Grouped by 10 ticks, the trade's mark is on the ask row at 63390.0.
    const grouped = texts(btcRows(market, 118, 10).asks);
    expect(grouped.find((l) => l.includes("←"))).toMatch(/^ 63390\.0 /);
  });

  it("keeps the last trade's column as wide whether or not its mark is on a row shown: no column moves", () => {
    const at = (lastTrade: TradeView, width: number) =>
      btcRows({ lastTrade, vap: new Map(), vapTitle: "VAP 5m" }, width);
    for (const width of [78, 100, 118, 158]) {
      // A sell of 0.00352805 on the ask row at 63388.8, then trades at prices no row shows.
      const on = at(trade({ side: "sell", price: "63388.8", qty: "0.00352805" }), width);
      const marked = texts(on.asks).find((l) => l.includes("← ▼ S 0.00352805"));
      expect(marked, `width ${width}`).toBeDefined();
      for (const off of [
        at(trade({ side: "sell", price: "63000.0", qty: "0.00352805" }), width),
        at(trade({ side: "buy", price: "63500.0", qty: "0.1" }), width),
      ]) {
        expect(off.spread.text).toContain("· last");
        // The titles and every row but the marked one draw the same, byte for byte.
        expect(off.titles.text, `width ${width}`).toBe(on.titles.text);
        expect(texts(off.bids)).toEqual(texts(on.bids));
        expect(texts(off.asks)).toEqual(
          texts(on.asks).map((l) => l.replace("← ▼ S 0.00352805", " ".repeat(16))),
        );
      }
    }
  });

  it("says the last trade in the spread row when no row shows its price", () => {
    const market: LadderMarket = {
      lastTrade: trade({ price: "63388.6", side: "sell" }),
      vap: new Map(),
      vapTitle: "VAP 5m",
    };
    const rows = btcRows(market);
    expect(rows.spread.text).toMatch(
      /─ spread 0\.1 · 0\.02 bps · mid 63388\.75 · last ▼ S 0\.05000000 @ 63388\.6 ─/,
    );
  });

  it("never cuts the last trade's price or size, and puts a price between rows on the row its side's rounds to", () => {
    const at = (lastTrade: TradeView) => btcRows({ lastTrade, vap: new Map(), vapTitle: "VAP 5m" });
    // A buy between 63388.9 and 63389.0 took the ask at 63389.0 (asks round up), with a size of 9 decimals.
    const buy = at(trade({ price: "63388.95", qty: "0.050000001" }));
    expect(texts(buy.asks).find((l) => l.includes("←"))).toMatch(/^ 63389\.0 .*← ▲ B 0\.050000001/);
    // A buy between the best bid and ask rounds up to the best ask's row, not down to the bid's.
    const inside = at(trade({ price: "63388.75" }));
    expect(texts(inside.asks).find((l) => l.includes("←"))).toMatch(/^ 63388\.8 /);
    expect(texts(inside.bids).join("\n")).not.toContain("←");
    // No row has its price: the spread row says it, in full.
    const off = at(trade({ side: "sell", price: "63000.05", qty: "0.1" }));
    expect(off.spread.text).toContain("· last ▼ S 0.10000000 @ 63000.05 ");
  });

  it("drops the volume column before the last trade, cumulative, price or size when the pane is narrow", () => {
    const market: LadderMarket = { lastTrade: trade(), vap: new Map(), vapTitle: "VAP 5m (gap)" };
    for (let width = 40; width <= 120; width += 1) {
      const rows = btcRows(market, width);
      for (const l of [rows.titles, ...rows.asks, ...rows.bids])
        expect(l.text.length).toBeLessThanOrEqual(width);
      // No price or size is ever cut.
      for (const l of [...rows.asks, ...rows.bids]) expect(l.text).not.toContain("…");
      const title = rows.titles.text;
      if (title.includes("VAP")) expect(title).toContain("LAST");
      if (title.includes("LAST")) expect(title).toContain("CUM");
    }
  });
});

describe("the screen with market context", () => {
  it("shows the grouping in the column titles at every width and grouping step, whatever else they say", () => {
    // 40 levels a side, 5 ticks apart: rows past the checksum's 10 (the `~` note, a wider CUM column).
    const side = (from: bigint, by: bigint, qty: string) =>
      levels(Array.from({ length: 40 }, (_, i) => [formatUnits(from + BigInt(i) * by, 1), qty] as const));
    const ordinary = [btcBook(), btcBook({ depth: 25 })];
    const books = [
      ...ordinary,
      btcBook({ depth: 1000, asks: side(633888n, 5n, "0.00352805"), bids: side(633887n, -5n, "1.50000000") }),
      // Sizes as wide as a whale's: the size and cumulative columns take more of the pane.
      btcBook({ depth: 100, asks: side(633888n, 5n, "1234.50000000"), bids: side(633887n, -5n, "99.5") }),
    ];
    const market = contextWith(
      { type: "instrument", pairs: [BTC_PAIR] },
      { type: "trade", ...trade({ tradeId: 1, side: "sell", price: "63388.8", qty: "0.00352805" }) },
    ).of("BTC/USD", NOW);
    const wrong: string[] = [];
    for (const book of books) {
      for (const withMarket of [false, true]) {
        for (const group of GROUP_STEPS) {
          const size = groupSizeText(group, 1, 1n).replace(".", "\\.");
          // `group 10.0`, or `grp 10.0` when short of room; a note of its own (` · book 25` may follow).
          const note = new RegExp(`(  |· )(group|grp) ${size}( · |$)`);
          for (let columns = 40; columns <= 200; columns++) {
            const s = screen({
              view: feedView([book, ethBook()]),
              group,
              columns,
              rows: 30,
              ...(withMarket ? { market } : {}),
            });
            if (s.kind !== "ladder") throw new Error(`${columns} columns: ${s.kind}`);
            const titles = s.ladder.titles.text.trimEnd();
            // The best bid's running total is its size: the CUM column is shown when the row has it twice.
            const bid = s.ladder.bids[0]?.text ?? "";
            const bidSize = /^.\S+ +(\S+?)[▲▼]?( |$)/.exec(bid)?.[1] ?? "?";
            const cumShown = bid.split(bidSize).length > 2;
            // The trade's 0.003 sold is in the VAP column of the best ask's row, when there is the column.
            const vapShown = / {2}0\.003( |$)/.test(s.ladder.asks.at(-1)?.text ?? "");
            const ok =
              titles.length <= s.ladderWidth &&
              /^ +PRICE +SIZE/.test(titles) &&
              (group === 1 ? !/group|grp/.test(titles) : note.test(titles)) &&
              // No title is given up for the note while its column is shown.
              titles.includes("CUM") === cumShown &&
              titles.includes("VAP") === vapShown &&
              (!titles.includes("VAP") || titles.includes("LAST")) &&
              // Sizes as the demo's leave room for every column at 40 columns and up (VAP: beside the tape):
              // the last title moves aside for the note rather than a column going.
              (!ordinary.includes(book) || (cumShown && vapShown === (withMarket && columns >= 120)));
            if (!ok) wrong.push(`${columns}, ${group}, ${book.depth}, ${withMarket}: ${titles}`);
          }
        }
      }
    }
    // (columns, group, depth, market: the titles), at most a few of them.
    expect(wrong.slice(0, 8)).toEqual([]);
  });

  it("leaves a gap between the column titles and the tape's border, at every width and grouping", () => {
    const side = (from: bigint, by: bigint) =>
      levels(
        Array.from({ length: 40 }, (_, i) => [formatUnits(from + BigInt(i) * by, 1), "0.35000000"] as const),
      );
    const book = btcBook({ depth: 25, asks: side(633888n, 5n), bids: side(633887n, -5n) });
    const market = contextWith(
      { type: "instrument", pairs: [BTC_PAIR] },
      { type: "trade", ...trade({ tradeId: 1, side: "sell", price: "63388.8", qty: "0.00352805" }) },
    ).of("BTC/USD", NOW);
    const touching: string[] = [];
    for (const group of GROUP_STEPS) {
      for (let columns = 120; columns <= 200; columns++) {
        const s = screen({ view: feedView([book, ethBook()]), group, columns, market });
        const titles = texts(screenLines(s)).find((l) => l.includes("PRICE")) ?? "";
        if (s.kind !== "ladder" || !/ │ TIME/.test(titles)) touching.push(`${columns}, ${group}: ${titles}`);
      }
    }
    expect(touching.slice(0, 4)).toEqual([]);
  });

  it("puts the tape beside the ladder from 120 columns, the ticker under the header", () => {
    const market = contextWith(
      { type: "trade", ...trade({ tradeId: 1 }) },
      {
        type: "ticker",
        symbol: "BTC/USD",
        last: "63388.8",
        change: "-12.5",
        changePct: "-0.02",
        high: "64000.0",
        low: "63000.0",
        volume: "1234.5",
        vwap: "63500.1",
      },
    ).of("BTC/USD", NOW);
    const wide = screen({ market });
    expect(wide.kind === "ladder" && wide.tape !== undefined).toBe(true);
    const lines = texts(screenLines(wide));
    expect(lines[1]).toBe(
      " last 63388.8 │ 24h ▼ -12.5 (-0.02%) │ high 64000.0 │ low 63000.0 │ vol 1234.5 │ vwap 63500.1",
    );
    expect(lines.some((l) => /PRICE.*│ TIME/.test(l))).toBe(true);
    expect(lines.some((l) => /← ▲ B/.test(l))).toBe(true);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(160);
    // Below 120 columns: no tape, no market columns, until t.
    const narrow = screen({ market, columns: 80 });
    expect(narrow.kind === "ladder" && narrow.tape === undefined).toBe(true);
    expect(texts(screenLines(narrow)).join("\n")).not.toMatch(/TIME|←|VAP/);
    const overlay = screen({ market, columns: 80, narrowTapeShown: true });
    expect(overlay.kind).toBe("tape");
    expect(texts(screenLines(overlay)).join("\n")).toMatch(/TIME[\s\S]*08:35:26 ▲ B {2}63388\.8/);
    // In a wide pane t hides the tape; the other layout's flag means nothing there.
    const hidden = screen({ market, wideTapeHidden: true });
    expect(hidden.kind === "ladder" && hidden.tape === undefined).toBe(true);
    const besideStill = screen({ market, narrowTapeShown: true });
    expect(besideStill.kind === "ladder" && besideStill.tape !== undefined).toBe(true);
    const ladderStill = screen({ market, columns: 80, wideTapeHidden: true });
    expect(ladderStill.kind === "ladder" && ladderStill.tape === undefined).toBe(true);
  });

  it("says a pair not online in its tab and on its ladder", () => {
    const view = feedView([btcBook({ pairStatus: "post_only" }), ethBook({ pairStatus: "online" })]);
    const lines = texts(
      headerLines(["BTC/USD", "ETH/USD"], new Map(view.books.map((b) => [b.symbol, b])), LIVE, 0, 200, 3),
    );
    expect(lines[0]).toMatch(/BTC\/USD .*\[POST_ONLY\]/);
    const s = screen({ view, columns: 80 });
    expect(s.kind === "ladder" && s.ladder.spread.text).toMatch(/─ \[POST_ONLY\] spread 0\.1 /);
    const online = screen({ view: feedView([btcBook({ pairStatus: "online" }), ethBook()]), columns: 80 });
    expect(texts(screenLines(online)).join("\n")).not.toContain("[");
  });

  it("shows the system status and trade gaps in the status bar, and a notice line when asked", () => {
    const bar = statusLine(LIVE, btcBook({ tradeGaps: 2 }), NOW, 200, "maintenance").text;
    expect(bar).toMatch(
      /● connected │ exchange MAINTENANCE │ .*checksums ✓120 ✗0 │ trade gaps 2 │ resyncs 0/,
    );
    expect(statusLine(LIVE, btcBook(), NOW, 200, "online").text).toContain("exchange online");
    // Last heard on a connection that is gone is not the exchange's status now.
    const reconnecting = {
      state: "reconnecting",
      attempt: 1,
      retryInMs: 1000,
      retryAt: NOW + 1000,
      reason: "closed",
    } as const;
    expect(statusLine(reconnecting, btcBook(), NOW, 200, "online").text).not.toContain("exch");
    const quiet = { state: "quiet", since: NOW - 5000 } as const;
    expect(statusLine(quiet, btcBook(), NOW, 200, "maintenance").text).not.toContain("exch");
    const ended = statusLine({ state: "ended" }, btcBook(), NOW, 200, "online").text;
    expect(ended).toMatch(/^ ■ replay ended: nothing is live │ /);
    expect(ended).not.toContain("exch");
    const subscribing = { state: "subscribing" } as const;
    expect(statusLine(subscribing, btcBook(), NOW, 200, "online").text).toContain("exchange online");
    const s = screen({
      notice: { text: "exchange status: maintenance (was online)", role: "warn", more: 0 },
    });
    expect(s.kind === "ladder" && s.notice?.text).toContain("exchange status: maintenance (was online)");
  });

  it("keeps the ticker's line, dimmed, while the connection is not current: the ladder does not jump a line", () => {
    const market = contextWith({ type: "ticker", symbol: "BTC/USD", last: "63388.8" }).of("BTC/USD", NOW);
    const live = screen({ market });
    const tickerOf = (s: ReturnType<typeof screen>) => {
      if (s.kind !== "ladder" || s.ticker === undefined) throw new Error(`no ticker on a ${s.kind} screen`);
      return s.ticker;
    };
    expect(tickerOf(live).segments.some((x) => x.dim === true)).toBe(false);
    const reconnecting = {
      state: "reconnecting",
      attempt: 2,
      retryInMs: 1000,
      retryAt: NOW + 1000,
      reason: "closed",
    } as const;
    // The socket gone (its books voided: awaiting their next snapshot), quiet, stalled or ended.
    const voided = [btcBook({ state: "awaiting-snapshot", bids: [], asks: [] }), ethBook()];
    for (const view of [
      feedView(voided, reconnecting),
      feedView([btcBook({ state: "lagging", lagMs: 4_000 }), ethBook()], {
        state: "quiet",
        since: NOW - 4_000,
      }),
      feedView([btcBook({ state: "lagging", lagMs: 4_000 }), ethBook()], {
        state: "stalled",
        since: NOW - 4_000,
      }),
      feedView([btcBook(), ethBook()], { state: "ended" }),
    ]) {
      const s = screen({ market, view });
      const ticker = tickerOf(s);
      expect(ticker.text, view.connection.state).toBe(tickerOf(live).text);
      for (const x of ticker.segments) {
        expect(x, `${view.connection.state}: ${x.text}`).toMatchObject({ dim: true });
        expect(x.bold === true || x.inverse === true, `${view.connection.state}: ${x.text}`).toBe(false);
      }
      // Same place, same rows: the header, the ticker, then the ladder's titles.
      expect(s.kind === "ladder" && live.kind === "ladder" && s.rowsPerSide).toBe(live.rowsPerSide);
      expect(texts(screenLines(s)).indexOf(ticker.text)).toBe(texts(screenLines(live)).indexOf(ticker.text));
    }
    // While another pair keeps the connection subscribing, what arrives is current: the ticker as live.
    const subscribing = screen({
      market,
      view: { ...feedView([btcBook(), ethBook()]), connection: { state: "subscribing" } },
    });
    expect(tickerOf(subscribing)).toEqual(tickerOf(live));
  });

  it("holds the ticker's line for a pair whose ticker is awaited, so the ladder does not move when it comes", () => {
    // A trade heard in both, so the wide layout's market columns are the same: only the ticker differs.
    const traded = { type: "trade", ...trade() } as const;
    const heard = contextWith(traded, { type: "ticker", symbol: "BTC/USD", last: "63388.8" });
    for (const [columns, rows] of [
      [80, 24],
      [160, 50],
    ] as const) {
      const before = screen({ columns, rows, market: contextWith(traded).of("BTC/USD", NOW) });
      const after = screen({ columns, rows, market: heard.of("BTC/USD", NOW) });
      if (before.kind !== "ladder" || after.kind !== "ladder") throw new Error("not a ladder");
      const lines = texts(screenLines(before));
      const now = texts(screenLines(after));
      // The same rows, the ticker's (under the header) held by a muted placeholder until it comes.
      const at = before.header.length;
      expect(lines[at], `${columns}`).toBe(" ticker —");
      expect(now[at], `${columns}`).toMatch(/^ last 63388\.8/);
      expect(lines.slice(at + 1), `${columns}`).toEqual(now.slice(at + 1));
      expect(before.rowsPerSide).toBe(after.rowsPerSide);
      expect(before.ticker?.segments.every((x) => x.role === "muted" && x.bold !== true)).toBe(true);
    }
    // Selecting another pair whose ticker has not come: its ladder starts on the same row.
    const other = screen({ columns: 80, rows: 24, selected: 1, market: undefined });
    const first = screen({ columns: 80, rows: 24, market: heard.of("BTC/USD", NOW) });
    const titles = (s: ReturnType<typeof screen>) =>
      texts(screenLines(s)).findIndex((l) => l.includes("PRICE"));
    expect(titles(other)).toBe(titles(first));
    // A pair whose ticker is not subscribed (books only, --quote/--all) keeps no line for it; nor does no pair.
    const booksOnly = screen({ view: feedView([btcBook({ tradesWatched: false }), ethBook()]) });
    expect(booksOnly.kind === "ladder" && booksOnly.ticker).toBeUndefined();
    const none = screen({ view: feedView([]), symbols: [] });
    expect(none.kind === "ladder" && none.ticker).toBeUndefined();
  });

  it("dims the ticker and the last trade's mark, bold and inverse gone, while the symbol's book is not live", () => {
    const market = contextWith(
      { type: "trade", ...trade({ tradeId: 1, price: "63389.5" }) },
      { type: "ticker", symbol: "BTC/USD", last: "63389.5", change: "12.5", high: "64000.0" },
    ).of("BTC/USD", NOW);
    const drawn = (view: ReturnType<typeof feedView>) => {
      const s = screen({ market, view });
      if (s.kind !== "ladder" || s.ticker === undefined) throw new Error(`no ticker on a ${s.kind} screen`);
      const row = s.ladder.asks.find((l) => l.text.includes("← ▲ B"));
      const mark = row?.segments.find((x) => x.text.startsWith("← ▲ B"));
      if (mark === undefined) throw new Error("no last-trade mark");
      return { ticker: s.ticker.segments, mark };
    };
    const live = drawn(feedView([btcBook(), ethBook()]));
    // Live: as it always was.
    expect(live.ticker.some((x) => x.dim === true)).toBe(false);
    expect(live.ticker.filter((x) => x.bold === true).map((x) => x.text)).toEqual([
      "63389.5",
      "▲ +12.5",
      "64000.0",
    ]);
    expect(live.mark).toMatchObject({ bold: true, inverse: true });
    expect(live.mark.dim).toBeUndefined();
    for (const state of ["lagging", "stale", "resyncing"] as const) {
      const old = drawn(feedView([btcBook({ state, lagMs: 10_000 }), ethBook()]));
      for (const x of [...old.ticker, old.mark]) {
        expect(x, `${state}: ${x.text}`).toMatchObject({ dim: true });
        expect(x.bold === true || x.inverse === true, `${state}: ${x.text}`).toBe(false);
      }
    }
    // Another pair's book not live says nothing of this one's ticker.
    const other = drawn(feedView([btcBook(), ethBook({ state: "lagging", lagMs: 10_000 })]));
    expect(other).toEqual(live);
  });

  it("says on the tape's title that it is not current while the connection is not, keeping its trades", () => {
    const market = contextWith(
      { type: "trade", ...trade({ tradeId: 1 }) },
      { type: "trade-gap", symbol: "BTC/USD", expected: 2, got: 4 },
      { type: "trade", ...trade({ tradeId: 4, side: "sell" }) },
    ).of("BTC/USD", NOW);
    const tapeOf = (connection: Parameters<typeof feedView>[1], columns = 160) => {
      const s = screen({
        market,
        view: feedView([btcBook(), ethBook()], connection),
        columns,
        narrowTapeShown: true,
      });
      const tape = s.kind === "ladder" ? s.tape : s.kind === "tape" ? s.tape : undefined;
      if (tape === undefined) throw new Error(`no tape on a ${s.kind} screen`);
      return tape;
    };
    const live = tapeOf(LIVE);
    expect(live[0]?.text).toMatch(/^│ TIME +SIDE +PRICE +SIZE/);
    const reconnecting = (retryAt: number) =>
      tapeOf({ state: "reconnecting", attempt: 1, retryInMs: 1000, retryAt, reason: "closed" });
    const gone = reconnecting(NOW + 3_200);
    expect(gone[0]?.text).toBe(`│ ○ NOT CURRENT — reconnecting${" ".repeat(12)}`);
    // The same trades and gap in the same places, dimmed (the border not).
    expect(texts(gone.slice(1))).toEqual(texts(live.slice(1)));
    for (const l of gone.slice(1, 4)) {
      expect(l.segments[0]).toEqual({ text: "│", role: "muted" });
      for (const x of l.segments.slice(1)) expect(x.dim === true && x.bold !== true, x.text).toBe(true);
    }
    // No countdown in it: it does not change from frame to frame while the connection is down.
    expect(reconnecting(NOW + 1_100)).toEqual(gone);
    const states = [
      [{ state: "quiet", since: NOW - 5_000 }, "◔ NOT CURRENT — connection quiet"],
      [{ state: "stalled", since: NOW - 5_000 }, "◔ NOT CURRENT — feed stalled"],
      [{ state: "connecting", attempt: 2 }, "◌ NOT CURRENT — connecting"],
      [{ state: "ended" }, "■ NOT CURRENT — replay ended"],
      [{ state: "stopped" }, "■ NOT CURRENT — stopped"],
    ] as const;
    for (const [connection, title] of states)
      expect(tapeOf(connection)[0]?.text.trimEnd()).toBe(`│ ${title}`);
    // A lagging book's stream is behind the exchange: its trades are too.
    const lagging = screen({
      market,
      view: feedView([btcBook({ state: "lagging", lagMs: 9_900 }), ethBook()], LIVE),
      columns: 160,
    });
    expect(lagging.kind === "ladder" && lagging.tape?.[0]?.text.trimEnd()).toBe("│ ◔ NOT CURRENT — lagging");
    // What arrives while other pairs are still being answered is current; in place of the ladder, the same.
    expect(tapeOf({ state: "subscribing" })[0]).toEqual(live[0]);
    expect(tapeOf({ state: "ended" }, 80)[0]?.text.trimEnd()).toBe(" ■ NOT CURRENT — replay ended");
    // An empty tape (at start) shows nothing as current: its title stays.
    const empty = screen({ view: feedView([btcBook(), ethBook()], { state: "connecting", attempt: 1 }) });
    expect(empty.kind === "ladder" && empty.tape?.[0]?.text).toMatch(/^│ TIME +SIDE +PRICE +SIZE/);
  });

  it("sanitises the ticker's text and leaves off whole figures that do not fit", () => {
    const line = tickerLine(
      { symbol: "BTC/USD", last: "1\u001b[31m2", high: "3", low: "4", volume: "5", vwap: "6" },
      30,
    );
    expect(line.text).toBe(" last 1[31m2 │ high 3 │ low 4");
  });
});
