import { afterEach, describe, expect, it } from "vitest";
import type { BookFeedEvent, TradeEvent } from "../../src/events/types.js";
import { openBooks } from "../../src/lib/books.js";
import { watchBooks } from "../../src/lib/watch.js";
import { until } from "../app/support/run-bin.js";
import { ScriptedServer } from "../feed/support/scripted-server.js";

let server: ScriptedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("the library's market events", () => {
  it("watchBooks yields the ticker, every trade once in id order, and a trade-gap, exact strings as sent", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 60_000 });
    server.trade("BTC/USD", 2); // 1001, 1002: in the snapshot
    const seen: BookFeedEvent[] = [];
    let sentMore = false;
    for await (const event of watchBooks({ url: server.url, symbols: ["BTC/USD"], depth: 10 })) {
      seen.push(event);
      const trades = seen.filter((e) => e.type === "trade");
      if (!sentMore && trades.length === 2) {
        sentMore = true;
        server.trade("BTC/USD", 2, { drop: true }); // 1003 missed: a gap, then the snapshot fills it in
      }
      if (trades.length === 4) break;
    }
    expect(seen.find((e) => e.type === "ticker")).toEqual({
      type: "ticker",
      symbol: "BTC/USD",
      last: "1000.0",
      change: "-1.20",
      changePct: "-0.12",
      high: "1010.5",
      low: "990.0",
      volume: "1523.90000000",
      vwap: "998.75",
      bid: "999.9",
      ask: "1000.1",
    });
    const trades = seen.filter((e): e is TradeEvent => e.type === "trade");
    expect(trades.map((t) => t.tradeId)).toEqual([1001, 1002, 1003, 1004]);
    expect(trades[2]).toEqual({
      type: "trade",
      symbol: "BTC/USD",
      side: "sell",
      price: "1000.2",
      qty: "0.00001003",
      ordType: "limit",
      tradeId: 1003,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const gap = seen.findIndex((e) => e.type === "trade-gap");
    expect(seen[gap]).toEqual({ type: "trade-gap", symbol: "BTC/USD", expected: 1003, got: 1004 });
    expect(gap).toBeLessThan(seen.indexOf(trades[2]!));
  });

  it("openBooks calls listeners with the demo's trades and ticker", async () => {
    const books = openBooks({ demo: { seed: 3 }, symbols: ["ETH/USD"] });
    const seen: BookFeedEvent[] = [];
    books.on((e) => seen.push(e));
    await until(
      () => seen.some((e) => e.type === "ticker") && seen.filter((e) => e.type === "trade").length >= 50,
      "the demo's ticker and trade snapshot",
    );
    const trade = seen.find((e): e is TradeEvent => e.type === "trade")!;
    expect(trade.symbol).toBe("ETH/USD");
    expect(trade.price).toMatch(/^\d+\.\d+$/);
    await books.close();
  });
});
