import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { AnalyticsLevel } from "../../src/analytics/types.js";
import { catalogueWith } from "../../src/sim/synthetic.js";
import { parse, refCost, refLiquidity, refMid, round, sub, add, div } from "../analytics/reference.js";
import { reap, runBin } from "./support/run-bin.js";
import type { Run } from "./support/run-bin.js";

let run: Run | undefined;
afterEach(() => {
  reap(run);
  run = undefined;
});

type Band = { bid: string; ask: string; complete: boolean; usesUnverified: boolean };
type BookLine = {
  type: "book";
  symbol: string;
  state: string;
  bids?: AnalyticsLevel[];
  asks?: AnalyticsLevel[];
  liquidity?: Record<string, Band>;
  cost?: { notional: string; buyBps: string; sellBps: string; complete: boolean; usesUnverified: boolean };
  imbalance?: string;
};

describe("kraken-ladder --demo --json --analytics", () => {
  it("adds liquidity, cost and imbalance to live book lines, and they recompute exactly from --json-levels", async () => {
    run = runBin([
      "--demo",
      "--json",
      "--analytics",
      "--depth",
      "25",
      "--json-levels",
      "25",
      "--bps",
      "5,50",
      "--notional",
      "2500.5",
      "--seed",
      "11",
      "--duration",
      "3",
      "BTC/USD",
      "ETH/BTC",
      "DOGE/USD",
    ]);
    expect((await run.exit).code).toBe(0);
    const books = run.lines().filter((l): l is BookLine => l["type"] === "book");
    const withFigures = books.filter((b) => b.cost !== undefined);
    expect(withFigures.length).toBeGreaterThan(10);
    const flags = new Set<string>();
    for (const b of withFigures) {
      expect(b.state).toBe("live");
      const bids = b.bids!;
      const asks = b.asks!;
      expect(bids.length).toBe(25);
      const mid = refMid(bids, asks);
      expect(Object.keys(b.liquidity!)).toEqual(["5", "50"]);
      for (const band of ["5", "50"]) {
        const bid = refLiquidity(bids, "bid", mid, band);
        const ask = refLiquidity(asks, "ask", mid, band);
        expect(b.liquidity![band]).toEqual({
          bid: bid.amount,
          ask: ask.amount,
          complete: bid.complete && ask.complete,
          usesUnverified: bid.usesUnverified || ask.usesUnverified,
        });
        flags.add(`liquidity ${bid.complete && ask.complete} ${bid.usesUnverified || ask.usesUnverified}`);
      }
      const buy = refCost(asks, "buy", mid, "2500.5");
      const sell = refCost(bids, "sell", mid, "2500.5");
      expect(b.cost).toEqual({
        notional: "2500.5",
        buyBps: buy.bps,
        sellBps: sell.bps,
        complete: buy.complete && sell.complete,
        usesUnverified: buy.usesUnverified || sell.usesUnverified,
      });
      flags.add(`cost ${buy.complete && sell.complete}`);
      const qb = parse(bids[0]!.qty);
      const qa = parse(asks[0]!.qty);
      expect(b.imbalance).toBe(round(div(sub(qb, qa), add(qb, qa)), 4, "half-even"));
    }
    // The three pairs' books reach both kinds of figure: within the checksummed levels and past them, and
    // a notional their books cannot fill (2500.5 BTC on ETH/BTC) as a bound.
    expect(flags.has("liquidity true false")).toBe(true);
    expect(flags.has("liquidity true true") || flags.has("liquidity false true")).toBe(true);
    expect(flags.has("cost true")).toBe(true);
    expect(flags.has("cost false")).toBe(true);
    // Every live book line has its figures, and none comes after the stop: an unchanged book's last line
    // stands (one without figures would end the stream saying live).
    expect(books.filter((b) => b.state === "live" && b.cost === undefined)).toEqual([]);
    const lines = run.lines();
    expect(lines.at(-1)).toEqual({ type: "connection", state: "stopped" });
    expect(run.stderr()).toBe("");
  });
});

describe("kraken-ladder --demo --pairs N --quote/--all", () => {
  it("--quote USD streams a verified book for every online USD pair of the catalogue and for no other", async () => {
    const expected = catalogueWith(300, 5)
      .filter((p) => p.quote === "USD" && (p.status ?? "online") === "online")
      .map((p) => p.symbol)
      .sort();
    const offline = catalogueWith(300, 5).filter(
      (p) => p.quote === "USD" && (p.status ?? "online") !== "online",
    );
    expect(expected.length).toBeGreaterThan(100);
    expect(offline.length).toBeGreaterThan(0);
    run = runBin([
      "--demo",
      "--pairs",
      "300",
      "--seed",
      "5",
      "--quote",
      "USD",
      "--json",
      "--rate",
      "2",
      "--duration",
      "6",
    ]);
    expect((await run.exit).code).toBe(0);
    const lines = run.lines();
    const books = lines.filter((l): l is BookLine => l["type"] === "book");
    const symbols = [...new Set(books.map((b) => b.symbol))].sort();
    expect(symbols).toEqual(expected);
    for (const p of offline) expect(symbols).not.toContain(p.symbol);
    // Every subscribed book verified: live at some point, no checksum failed, no resync.
    const live = new Set(books.filter((b) => b.state === "live").map((b) => b.symbol));
    expect([...live].sort()).toEqual(expected);
    for (const b of books)
      expect((b as unknown as { checksums: { failed: number } }).checksums.failed).toBe(0);
    expect(lines.some((l) => l["type"] === "resync" || l["type"] === "error")).toBe(false);
    // Books only: no trades or tickers for a whole market.
    expect(lines.some((l) => l["type"] === "trade" || l["type"] === "ticker")).toBe(false);
    expect(run.stderr()).toBe(`kraken-ladder: watching ${expected.length} online pairs quoted in USD\n`);
  });

  it("--all watches every online pair, opened deep enough for --json-levels (depth 10 else)", async () => {
    const expected = catalogueWith(40, 9)
      .filter((p) => (p.status ?? "online") === "online")
      .map((p) => p.symbol)
      .sort();
    run = runBin([
      "--demo",
      "--pairs",
      "40",
      "--seed",
      "9",
      "--all",
      "--json",
      "--json-levels",
      "25",
      "--duration",
      "3",
    ]);
    expect((await run.exit).code).toBe(0);
    const books = run.lines().filter((l): l is BookLine => l["type"] === "book");
    expect([...new Set(books.map((b) => b.symbol))].sort()).toEqual(expected);
    const deepest = Math.max(...books.map((b) => b.bids?.length ?? 0));
    expect(deepest).toBe(25);
  });

  it("--json-levels past the default depth opens the books deep enough to hold them", async () => {
    run = runBin(["--demo", "--json-levels", "60", "--duration", "2", "BTC/USD"]);
    expect((await run.exit).code).toBe(0);
    const books = run.lines().filter((l): l is BookLine => l["type"] === "book" && l["bids"] !== undefined);
    expect(books.length).toBeGreaterThan(0);
    for (const b of books) expect([b.bids!.length, b.asks!.length]).toEqual([60, 60]);
  });

  it("--json-levels past a depth asked for, or a recording's, is bad usage (exit 2); past 1000, too", async () => {
    run = runBin(["--demo", "--depth", "25", "--json-levels", "100", "BTC/USD"]);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toBe(
      "kraken-ladder: --json-levels 100 asks for more levels than depth 25 gives the books: ask for at most 25, or for depth 100\n",
    );
    expect(run.stdout()).toBe("");
    const capture = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
    run = runBin(["--replay", capture, "--json-levels", "11"]);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toBe(
      "kraken-ladder: --json-levels 11 asks for more levels than the recording's books hold (10 a side): ask for at most 10\n",
    );
    run = runBin(["--demo", "--json-levels", "1001"]);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toContain(
      "argument '1001' is invalid. expected a whole number from 1 to 1000, the deepest book.",
    );
  });

  it("--quote with symbols, or with --all, is bad usage (exit 2)", async () => {
    run = runBin(["--quote", "USD", "BTC/USD", "--json"]);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toContain("--quote watches the exchange's own pair list");
    run = runBin(["--quote", "USD", "--all", "--json"]);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toMatch(/cannot be used with/);
  });
});
