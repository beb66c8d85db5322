import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { saveWatchlist } from "../../src/config/save-watchlist.js";
import type { BookView, FeedEvent } from "../../src/feed/types.js";
import { keyAction, PASTE_START, pasteAction } from "../../src/ui/keys.js";
import { LadderStore } from "../../src/ui/store.js";
import type { LadderStoreOptions } from "../../src/ui/store.js";
import { depthChange, launchDepth } from "../../src/ui/view-model/depth.js";
import { headerLines } from "../../src/ui/view-model/header.js";
import { helpLines, helpWindow } from "../../src/ui/view-model/help.js";
import { NoticeQueue, noticeLine } from "../../src/ui/view-model/notices.js";
import { middlePath } from "../../src/ui/view-model/text.js";
import { screenLines } from "../../src/ui/view-model/screen.js";
import { matchPairs, searchChoice } from "../../src/ui/view-model/search.js";
import { btcBook, ethBook, feedView, levels, MemoryFeed, NOW } from "./helpers/views.js";

const PAIRS = ["BTC/USD", "ETH/USD", "ETH/EUR", "ETH/BTC", "SOL/USD", "WETH/USD", "XBT/EUR"];

/** A feed that records the watchlist commands it is given. */
class CommandFeed extends MemoryFeed {
  readonly commands: string[] = [];
  addSymbol(symbol: string): void {
    this.commands.push(`add ${symbol}`);
  }
  removeSymbol(symbol: string): void {
    this.commands.push(`remove ${symbol}`);
  }
  setDepth(symbol: string, depth: number): void {
    this.commands.push(`depth ${symbol} ${depth}`);
  }
}

const stores: LadderStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.dispose();
});

function makeStore(feed: MemoryFeed, options: Partial<LadderStoreOptions> = {}): LadderStore {
  const store = new LadderStore(feed, {
    symbols: ["BTC/USD", "ETH/USD"],
    columns: 80,
    rows: 24,
    now: () => NOW,
    ...options,
  });
  stores.push(store);
  store.start();
  return store;
}

const text = (store: LadderStore): string =>
  screenLines(store.getSnapshot())
    .map((l) => l.text)
    .join("\n");

/** A BTC book `n` levels deep a side, one tick apart, subscribed at `depth`. */
const ladder = (n: number, from: number, step: number): ReturnType<typeof levels> =>
  levels(Array.from({ length: n }, (_, i) => [(from + i * step).toFixed(1), "1.00000000"] as const));
const book = (depth: number, n: number): BookView =>
  btcBook({ depth, asks: ladder(n, 63388.8, 0.1), bids: ladder(n, 63388.7, -0.1) });

const none = { leftArrow: false, rightArrow: false, tab: false, shift: false, ctrl: false, escape: false };

describe("the search over the exchange's pairs", () => {
  it("matches case-insensitively, prefixes first, with or without the slash", () => {
    expect(matchPairs(PAIRS, "eth")).toEqual(["ETH/BTC", "ETH/EUR", "ETH/USD", "WETH/USD"]);
    expect(matchPairs(PAIRS, "ethusd")).toEqual(["ETH/USD", "WETH/USD"]);
    expect(matchPairs(PAIRS, "/eur")).toEqual(["ETH/EUR", "XBT/EUR"]);
    expect(matchPairs(PAIRS, "zzz")).toEqual([]);
    expect(matchPairs(PAIRS, "")).toHaveLength(PAIRS.length);
  });

  it("Enter takes the match under the cursor, or a typed v2 name when nothing matches", () => {
    expect(searchChoice(PAIRS, { query: "eth", cursor: 2 })).toBe("ETH/USD");
    expect(searchChoice(PAIRS, { query: "eth", cursor: 99 })).toBe("WETH/USD");
    expect(searchChoice([], { query: "ada/eur", cursor: 0 })).toBe("ADA/EUR");
    expect(searchChoice(PAIRS, { query: "zzz", cursor: 0 })).toBeUndefined();
  });

  it("/ opens it, typing filters, Down moves, Enter adds and subscribes the pair and selects it", () => {
    const feed = new CommandFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed);
    feed.emit({ type: "pairs", symbols: [...PAIRS, "BAD\u001b[2J/USD"] });
    const press = (input: string, key = {}): void => {
      const action = keyAction(input, { ...none, ...key }, store.mode);
      if (
        action !== undefined &&
        action.type !== "quit" &&
        action.type !== "suspend" &&
        action.type !== "redraw"
      )
        store.dispatch(action);
    };
    press("/");
    expect(store.mode).toBe("search");
    for (const c of "eth") press(c);
    expect(text(store)).toContain("Add symbol: eth");
    expect(text(store)).toContain("ETH/EUR");
    expect(text(store)).toContain("ETH/USD  (watching)");
    expect(text(store)).not.toContain("SOL/USD");
    expect(text(store)).not.toContain("BAD");
    press("", { downArrow: true });
    press("", { return: true });
    expect(feed.commands).toEqual(["add ETH/EUR"]);
    expect(store.symbols).toEqual(["BTC/USD", "ETH/USD", "ETH/EUR"]);
    expect(store.selectedSymbol).toBe("ETH/EUR");
    expect(store.mode).toBe("main");
  });

  it("Enter on a pair already watched selects it, and Esc closes the search without quitting", () => {
    const feed = new CommandFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed);
    feed.emit({ type: "pairs", symbols: PAIRS });
    store.dispatch({ type: "open-search" });
    store.dispatch({ type: "search-type", text: "ethusd" });
    store.dispatch({ type: "search-enter" });
    expect(feed.commands).toEqual([]);
    expect(store.selectedSymbol).toBe("ETH/USD");
    store.dispatch({ type: "open-search" });
    expect(keyAction("", { ...none, escape: true }, "search")).toEqual({ type: "close" });
    expect(keyAction("q", none, "search")).toEqual({ type: "search-type", text: "q" });
    store.dispatch({ type: "close" });
    expect(store.mode).toBe("main");
    expect(keyAction("", { ...none, escape: true }, "main")).toEqual({ type: "quit" });
  });
});

describe("a paste (bracketed by the terminal)", () => {
  it("is typed into the search, a symbol's characters only and at most 40; anywhere else it is ignored, said once", () => {
    expect(pasteAction(PASTE_START, "main")).toEqual({ type: "paste-ignored" });
    expect(pasteAction("fix sql 1", "main")).toBeUndefined();
    for (const mode of ["tape", "help", "board", "from-board", "board-from-ladder"] as const)
      expect(pasteAction("xq", mode)).toBeUndefined();
    expect(pasteAction(PASTE_START, "search")).toBeUndefined();
    expect(pasteAction("eth/usd\r\n", "search")).toEqual({ type: "search-type", text: "eth/usd" });
    expect(pasteAction(" \t-", "search")).toBeUndefined();

    const feed = new CommandFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed);
    store.dispatch({ type: "paste-ignored" });
    expect(store.symbols).toEqual(["BTC/USD", "ETH/USD"]);
    expect(text(store)).toContain(
      "a paste is not read as keys: ignored (/ opens the search, which takes one)",
    );
    store.dispatch({ type: "open-search" });
    store.dispatch({ type: "search-type", text: "A".repeat(39) });
    store.dispatch({ type: "search-type", text: "BCDEFG" });
    expect(text(store)).toContain(`Add symbol: ${"A".repeat(39)}B▏`);
  });
});

describe("editing the search", () => {
  it("Backspace drops a character, Ctrl-W the last word (back to a slash), Ctrl-U everything; only in the search", () => {
    const ctrl = { ...none, ctrl: true };
    expect(keyAction("u", ctrl, "search")).toEqual({ type: "search-erase", what: "all" });
    expect(keyAction("w", ctrl, "search")).toEqual({ type: "search-erase", what: "word" });
    expect(keyAction("u", ctrl, "main")).toBeUndefined();
    expect(keyAction("w", ctrl, "board")).toBeUndefined();
    const feed = new CommandFeed(feedView([btcBook()]));
    const store = makeStore(feed);
    store.dispatch({ type: "open-search" });
    store.dispatch({ type: "search-type", text: "eth/usd" });
    store.dispatch({ type: "search-erase" });
    expect(text(store)).toContain("Add symbol: eth/us▏");
    store.dispatch({ type: "search-erase", what: "word" });
    expect(text(store)).toContain("Add symbol: eth▏");
    store.dispatch({ type: "search-type", text: "btc" });
    store.dispatch({ type: "search-erase", what: "all" });
    expect(text(store)).toContain("Add symbol: ▏");
    expect(store.mode).toBe("search");
  });
});

describe("removing and saving symbols", () => {
  it("x unsubscribes the selected symbol, but never the last one", () => {
    const feed = new CommandFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed);
    store.dispatch({ type: "next" });
    store.dispatch({ type: "remove-symbol" });
    expect(feed.commands).toEqual(["remove ETH/USD"]);
    expect(store.symbols).toEqual(["BTC/USD"]);
    expect(store.selectedSymbol).toBe("BTC/USD");
    store.dispatch({ type: "remove-symbol" });
    expect(feed.commands).toEqual(["remove ETH/USD"]);
    expect(text(store)).toContain("BTC/USD is the last symbol");
  });

  it("s saves the watchlist and the notice line says where, or why not", async () => {
    const feed = new CommandFeed(feedView([btcBook(), ethBook()]));
    const saved: string[][] = [];
    const store = makeStore(feed, {
      noticeIntervalMs: 0,
      onSave: (symbols) => {
        saved.push([...symbols]);
        return saved.length === 1
          ? Promise.resolve({ kind: "saved", path: "/cfg/config.toml" })
          : Promise.reject(new Error("EACCES"));
      },
    });
    store.dispatch({ type: "save" });
    await Promise.resolve();
    await Promise.resolve();
    expect(saved).toEqual([["BTC/USD", "ETH/USD"]]);
    expect(text(store)).toContain("✓ saved 2 symbols to /cfg/config.toml");
    store.dispatch({ type: "save" });
    await Promise.resolve();
    await Promise.resolve();
    expect(text(store)).toContain("! not saved: EACCES");
  });

  it("a save that fails says why and in which file, whole at 80 columns, the path cut in its middle", async () => {
    // A real save into a folder that cannot be: a file stands where the config's folder would be.
    const root = await mkdtemp(join(tmpdir(), "kraken-ladder-save-"));
    try {
      const home = join(root, "home", "alexandra-with-a-long-name", ".config");
      await mkdir(home, { recursive: true });
      await writeFile(join(home, "kraken-ladder"), "");
      const path = join(home, "kraken-ladder", "config.toml");
      const feed = new CommandFeed(feedView([btcBook(), ethBook()]));
      let done: Promise<unknown> = Promise.resolve();
      const store = makeStore(feed, {
        noticeIntervalMs: 0,
        onSave: (symbols) => (done = saveWatchlist(symbols, path)),
      });
      store.dispatch({ type: "save" });
      await done;
      await Promise.resolve();
      const notice = text(store)
        .split("\n")
        .find((l) => l.startsWith(" ! "));
      expect(notice).toBeDefined();
      expect(notice!.length).toBeLessThanOrEqual(80);
      expect(notice).toMatch(
        /^ ! not saved: \/.*….*\/config\.toml: cannot be read: ENOTDIR: not a directory$/,
      );
      // Wider, the whole path.
      store.setSize(200, 24);
      expect(text(store)).toContain(` ! not saved: ${path}: cannot be read: ENOTDIR: not a directory`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("the notice line", () => {
  it("shows at most one new notice a second; the newest of those meanwhile comes next, with a count", () => {
    const q = new NoticeQueue({ intervalMs: 1000, showMs: 5000 });
    q.push("first", "warn", 0);
    q.push("second", "warn", 100);
    q.push("third", "warn", 200);
    expect(q.current(500)).toMatchObject({ text: "first", more: 0 });
    expect(q.nextChange(500)).toBe(500);
    expect(q.current(1000)).toMatchObject({ text: "third", more: 1 });
    expect(q.current(5999)).toMatchObject({ text: "third" });
    expect(q.current(6000)).toBeUndefined();
  });

  it("shortens a path in the middle, keeping its file name, before it cuts the text after it", () => {
    const path = "/home/alexandra/.config/kraken-ladder/config.toml";
    const notice = { text: `not saved: ${path}: cannot be written: EROFS: read-only file system`, path };
    const at = (width: number, more = 0) => noticeLine({ ...notice, role: "warn", more }, width).text;
    expect(at(200)).toBe(` ! ${notice.text}`);
    for (const width of [80, 90, 100, 120]) {
      const shown = at(width);
      expect(shown.length, String(width)).toBeLessThanOrEqual(width);
      expect(shown, String(width)).toMatch(
        /^ ! not saved: .*config\.toml: cannot be written: EROFS: read-only file system$/,
      );
    }
    expect(at(80)).toBe(" ! not saved: /h…er/config.toml: cannot be written: EROFS: read-only file system");
    // Narrower than the file name and the reason: the path keeps `…/config.toml` and the end is cut.
    expect(at(50)).toBe(" ! not saved: …/config.toml: cannot be written: E…");
    expect(at(90, 2)).toMatch(/config\.toml: cannot be written: EROFS: read-only file system \(\+2 more\)$/);
    expect(middlePath("config.toml", 5)).toBe("config.toml");
    expect(middlePath("C:\\Users\\al\\AppData\\Roaming\\kraken-ladder\\config.toml", 24)).toBe(
      "C:\\Use…adder\\config.toml",
    );
  });

  it("escapes server text and keeps the count when it cuts the text", () => {
    const q = new NoticeQueue();
    q.push("exchange status: \u001b[2Jmaintenance", "warn", 0);
    const shown = q.current(0)!;
    expect(shown.text).not.toContain("\u001b");
    const l = noticeLine({ ...shown, more: 3 }, 40);
    expect(l.text.length).toBeLessThanOrEqual(40);
    expect(l.text.endsWith("(+3 more)")).toBe(true);
  });

  it("the store shows subscription errors, rejections, exchange status and malformed frames with their count", () => {
    const feed = new MemoryFeed({ ...feedView([btcBook(), ethBook()]), malformed: 4 });
    let now = NOW;
    const store = makeStore(feed, { now: () => now, noticeIntervalMs: 1000 });
    const emit = (event: FeedEvent): void => feed.emit(event);
    emit({ type: "error", message: "malformed frame: bad JSON" });
    expect(text(store)).toContain("! malformed frame: bad JSON (5 malformed since start)");
    emit({ type: "rejected", symbol: "NOPE/USD", reason: "Currency pair not supported NOPE/USD" });
    emit({ type: "notice", message: "exchange status: maintenance" });
    expect(text(store)).toContain("malformed frame");
    now += 1000;
    store.setSize(81, 24);
    expect(text(store)).toContain("! exchange status: maintenance (+1 more)");
  });
});

describe("help, header and depth", () => {
  it("the help names every key, status field and label, and scrolls in a window at 40 columns", () => {
    const all = helpLines(40)
      .map((l) => l.text)
      .join("\n");
    for (const word of [
      "/",
      "x",
      "s",
      "PgUp",
      "Esc",
      "+N",
      "CUM",
      "DEPTH",
      "group",
      "book N",
      "msg/s",
      "✓N ✗N",
      "resyncs",
      "p50 p99",
      "updated",
      "replay ended",
      "spread row",
      "no asks",
      "! text",
    ])
      expect(all).toContain(word);
    for (const l of helpLines(40)) expect(l.text.length).toBeLessThanOrEqual(40);
    const top = helpWindow(40, 6, 0);
    expect(top.lines).toHaveLength(6);
    expect(top.lines[5]!.text).toMatch(/^ 1–5\/\d+ /);
    const end = helpWindow(40, 6, 10_000);
    expect(end.lines[4]!.text).toBe(helpLines(40).at(-1)!.text);
  });

  it("the store scrolls the help with j and PgDn, and Esc or ? closes it", () => {
    const store = makeStore(new MemoryFeed(feedView([btcBook(), ethBook()])), { columns: 40, rows: 10 });
    store.dispatch({ type: "toggle-help" });
    expect(store.mode).toBe("help");
    expect(text(store)).toMatch(/ 1–\d+\//);
    store.dispatch(keyAction("j", none, "help") as never);
    expect(text(store)).toMatch(/ 2–\d+\//);
    store.dispatch(keyAction("", { ...none, pageDown: true }, "help") as never);
    expect(text(store)).not.toMatch(/ [12]–\d+\//);
    expect(keyAction("?", none, "help")).toEqual({ type: "close" });
    store.dispatch({ type: "close" });
    expect(store.mode).toBe("main");
  });

  it("the header turns compact for more tabs than its lines hold, then says +N and keeps the selected one", () => {
    const symbols = [
      "A1/USD",
      "A2/USD",
      "A3/USD",
      "A4/USD",
      "A5/USD",
      "A6/USD",
      "A7/USD",
      "A8/USD",
      "A9/USD",
    ];
    const books = new Map(symbols.map((s) => [s, btcBook({ symbol: s })]));
    // Nine tabs with prices are nine lines at 80 columns: compact, every one is shown in two.
    const compact = headerLines(symbols, books, { state: "live" }, 0, 80, 4).map((l) => l.text);
    expect(compact).toEqual([
      "▶1 A1/USD  ●    2 A2/USD  ●    3 A3/USD  ●    4 A4/USD  ●    5 A5/USD  ● ",
      " 6 A6/USD  ●    7 A7/USD  ●    8 A8/USD  ●    9 A9/USD  ● ",
    ]);
    // As many lines as the tabs with prices need: they keep their prices.
    const full = headerLines(symbols, books, { state: "live" }, 0, 80, 9).map((l) => l.text);
    expect(full).toHaveLength(9);
    expect(full[0]).toContain("63388.7 / 63388.8");
    // Compact tabs still too many for one line at 40 columns: the selected one in view, +N for the rest.
    const first = headerLines(symbols, books, { state: "live" }, 0, 40, 1).map((l) => l.text);
    expect(first).toEqual(["▶1 A1/USD  ●    2 A2/USD  ●   +7"]);
    const last = headerLines(symbols, books, { state: "live" }, 8, 40, 1).map((l) => l.text);
    expect(last).toEqual([" 8 A8/USD  ●   ▶9 A9/USD  ●   +7"]);
    // One compact tab a line (long symbols): the count after the last one shown.
    const long = ["LONGNAMEONE/USDT", "LONGNAMETWO/USDT", "LONGNAMETHREE/USDT"];
    const longBooks = new Map(long.map((s) => [s, btcBook({ symbol: s })]));
    const counted = headerLines(long, longBooks, { state: "live" }, 2, 40, 2).map((l) => l.text);
    expect(counted).toEqual([" 2 LONGNAMETWO/USDT   ● ", "▶3 LONGNAMETHREE/USDT ●   +1"]);
    for (const l of [...compact, ...full, ...first, ...last, ...counted])
      expect(l.length).toBeLessThanOrEqual(80);
  });

  it("a narrow header drops the spread and the state word before it cuts a price", () => {
    const books = new Map([["BTC/USD", btcBook()]]);
    const [tab] = headerLines(["BTC/USD"], books, { state: "live" }, 0, 40, 3).map((l) => l.text);
    expect(tab).toContain("63388.7 / 63388.8");
    expect(tab).not.toContain("…");
    expect(tab).toContain("●");
  });

  it("a pair's long price elsewhere does not cut this one's: too narrow for shared widths, each tab has its own", () => {
    // The longest symbol of one pair and the longest prices of another: 42 columns as shared widths.
    const level = (price: string) => [{ price, qty: "1.00000000" }];
    const symbols = ["6WUVKQ/JPY", "VYOI/USD"];
    const books = new Map([
      ["6WUVKQ/JPY", btcBook({ symbol: "6WUVKQ/JPY", bids: level("0.05933"), asks: level("0.05934") })],
      ["VYOI/USD", btcBook({ symbol: "VYOI/USD", bids: level("0.000074702"), asks: level("0.000074703") })],
    ]);
    const lines = headerLines(symbols, books, { state: "live" }, 0, 40, 3).map((l) => l.text);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain("0.05933 / 0.05934");
    expect(lines[1]).toContain("0.000074702 / 0.000074703");
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
    // More than the lines hold with their prices: compact tabs, none cut.
    const three = ["VYOI/USD", "6WUVKQ/JPY", "ETH/USD"];
    const counted = headerLines(three, books, { state: "live" }, 0, 40, 2).map((l) => l.text);
    expect(counted).toEqual(["▶1 VYOI/USD   ●    2 6WUVKQ/JPY ● ", " 3 ETH/USD    ◌ "]);
    // Wide enough for the shared widths: the tabs line up as before.
    const wide = headerLines(symbols, books, { state: "live" }, 0, 60, 3).map((l) => l.text);
    expect(wide).toHaveLength(2);
    expect(wide[0]?.indexOf(" / ")).toBe(wide[1]?.indexOf(" / "));
  });

  it("asks for the next Kraken depth when grouping leaves rows empty, and goes back when it no longer needs it", () => {
    // 25 levels of one tick each, grouped by 10 ticks: 3 or 4 rows of the 20 asked.
    expect(depthChange(book(25, 25), 10, 20, 25)).toBe(100);
    expect(depthChange(book(100, 100), 10, 20, 25)).toBe(500);
    // 200 of 500 levels shown fill the rows: stay.
    expect(depthChange(book(500, 200), 10, 20, 25)).toBeUndefined();
    // Finer grouping needs 40 levels: 100 holds them with room to spare.
    expect(depthChange(book(500, 200), 2, 20, 25)).toBe(100);
    // At 100, 40 needed: 25 does not hold them, stay (no flapping back and forth).
    expect(depthChange(book(100, 40), 2, 20, 25)).toBeUndefined();
    // Ungrouped, 20 needed: back to the depth asked at start.
    expect(depthChange(book(100, 20), 1, 20, 25)).toBe(25);
    expect(depthChange(book(25, 20), 1, 20, 25)).toBeUndefined();
    expect(depthChange({ ...book(25, 25), state: "resyncing" }, 10, 20, 25)).toBeUndefined();
  });

  it("the store asks the feed for a deeper book for the selected symbol, once per hold, and shows the depth", () => {
    const feed = new CommandFeed(feedView([book(10, 10), ethBook()]));
    let now = NOW;
    const store = makeStore(feed, { now: () => now, depthHoldMs: 2000 });
    store.dispatch({ type: "coarser" });
    store.dispatch({ type: "coarser" });
    expect(feed.commands).toEqual(["depth BTC/USD 25"]);
    expect(text(store)).toContain("· book 10");
    now += 2500;
    feed.publish(feedView([book(25, 25), ethBook()]));
    expect(feed.commands).toEqual(["depth BTC/USD 25", "depth BTC/USD 100"]);
    expect(text(store)).toContain("· book 25");
  });

  it("opens the books deep enough for the pane when no depth was asked for", () => {
    const symbols = ["BTC/USD", "ETH/USD"];
    // 80×24: 9 rows a side; 160×50: 22; 200×60: 27; 200×250: 122.
    expect(launchDepth(25, symbols, 80, 24)).toBe(25);
    expect(launchDepth(10, symbols, 80, 24)).toBe(10);
    expect(launchDepth(25, symbols, 160, 50)).toBe(25);
    expect(launchDepth(25, symbols, 200, 60)).toBe(100);
    expect(launchDepth(25, symbols, 200, 250)).toBe(500);
    // Too small for a ladder: the depth asked for.
    expect(launchDepth(25, symbols, 30, 8)).toBe(25);
  });

  it("a tall pane's books opened at launchDepth need no resubscribe; smaller, they go back to the depth asked for", () => {
    const feed = new CommandFeed(feedView([book(100, 100), ethBook()]));
    let now = NOW;
    const store = makeStore(feed, {
      now: () => now,
      columns: 200,
      rows: 60,
      baseDepth: 25,
      depthHoldMs: 2000,
    });
    expect(launchDepth(25, ["BTC/USD", "ETH/USD"], 200, 60)).toBe(100);
    feed.publish(feedView([book(100, 100), ethBook()]));
    expect(feed.commands).toEqual([]);
    expect(text(store)).toContain("· book 100");
    // Opened at the default instead, the same pane asks for 100 at once: the resubscribe launchDepth avoids.
    const shallow = new CommandFeed(feedView([book(25, 25), ethBook()]));
    makeStore(shallow, { now: () => now, columns: 200, rows: 60 });
    expect(shallow.commands).toEqual(["depth BTC/USD 100"]);
    // The pane shrinks: 100 is more than 9 rows a side need, and the depth asked for was 25.
    now += 2500;
    store.setSize(80, 24);
    feed.publish(feedView([book(100, 100), ethBook()]));
    expect(feed.commands).toEqual(["depth BTC/USD 25"]);
  });

  it("the end of a replay is shown: status bar, spread row, no tab live", () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed, { replay: true });
    expect(text(store)).toContain("● live");
    // The status word alone is the exchange's business; the feed's connection says the end.
    feed.emit({ type: "status", system: "replay_ended" });
    expect(text(store)).toContain("● live");
    feed.publish({ ...feedView([btcBook(), ethBook()]), connection: { state: "ended" } });
    const screen = text(store);
    expect(screen).toContain("■ replay ended");
    expect(screen).toContain("REPLAY ENDED — not live");
    expect(screen).not.toContain("● live");
    expect(screen).toMatch(/BTC\/USD ■ ended/);
    // The board says it too.
    store.dispatch({ type: "toggle-board" });
    expect(text(store)).toMatch(/BTC\/USD\s+■ ended/);
  });
});
