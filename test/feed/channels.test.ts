import { afterEach, describe, expect, it } from "vitest";
import type { FeedEvent } from "../../src/feed/types.js";
import { feedOptions, harness } from "./support/feed-harness.js";
import type { Harness } from "./support/feed-harness.js";
import { ScriptedServer } from "./support/scripted-server.js";

let server: ScriptedServer | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.feed.stop();
  await server?.close();
  h = undefined;
  server = undefined;
});

const ofType = <T extends FeedEvent["type"]>(h: Harness, type: T): Extract<FeedEvent, { type: T }>[] =>
  h.events.filter((e): e is Extract<FeedEvent, { type: T }> => e.type === type);
const ids = (h: Harness): number[] => ofType(h, "trade").map((t) => t.tradeId);
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function started(symbols = ["BTC/USD"]): Promise<Harness> {
  const x = harness(feedOptions(server!.url, { symbols }));
  await x.until(() => x.book(symbols[0]!)?.state === "live", "live");
  await x.until(() => server!.channelRequests("trade").length >= symbols.length, "trade subscribed");
  return x;
}

describe("trade, ticker, instrument and status through the real worker", () => {
  it("subscribes trade with a snapshot, ticker and instrument beside book, and reports every trade in order", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 1000 } });
    server.trade("BTC/USD", 3); // history before the client comes: the snapshot carries it
    h = await started();
    expect(server.channelRequests("trade")).toEqual(["subscribe BTC/USD+snapshot"]);
    expect(server.channelRequests("ticker")).toEqual(["subscribe BTC/USD"]);
    expect(server.channelRequests("instrument")).toEqual(["subscribe"]);
    server.trade("BTC/USD", 2);
    server.trade("BTC/USD", 1);
    await h.until(() => ids(h!).length === 6, "6 trades");
    expect(ids(h)).toEqual(range(1001, 1006));
    const first = ofType(h, "trade")[0]!;
    expect(first).toMatchObject({ symbol: "BTC/USD", side: "sell", price: "1000.0", qty: "0.00001001" });
    expect(first.ordType).toBe("limit");
    expect(ofType(h, "trade-gap")).toEqual([]);
    expect(h.book("BTC/USD")?.tradeGaps).toBe(0);
  });

  it("a skipped id makes exactly one trade-gap and one resubscription whose snapshot fills the tape", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 1000 } });
    h = await started();
    server.trade("BTC/USD", 2);
    await h.until(() => ids(h!).length === 2, "2 trades");
    server.trade("BTC/USD", 3, { drop: true }); // 1003 never reaches the client
    await h.until(() => ids(h!).length === 5, "the tape filled in");
    expect(ofType(h, "trade-gap")).toEqual([
      { type: "trade-gap", symbol: "BTC/USD", expected: 1003, got: 1004 },
    ]);
    expect(ids(h)).toEqual(range(1001, 1005));
    expect(server.channelRequests("trade")).toEqual([
      "subscribe BTC/USD+snapshot",
      "unsubscribe BTC/USD",
      "subscribe BTC/USD+snapshot",
    ]);
    server.trade("BTC/USD", 1);
    await h.until(() => ids(h!).length === 6, "the tape continues");
    await h.until(() => h!.book("BTC/USD")?.tradeGaps === 1, "counted in the view");
    expect(ofType(h, "trade-gap")).toHaveLength(1);
  });

  it("a repeated id is a trade-gap too, resubscribed, and the repeat is not a second trade", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 1000 } });
    h = await started();
    server.trade("BTC/USD", 2);
    await h.until(() => ids(h!).length === 2, "2 trades");
    server.trade("BTC/USD", 1, { repeat: true });
    await h.until(() => ids(h!).length === 3, "the next trade, from the snapshot");
    expect(ofType(h, "trade-gap")).toEqual([
      { type: "trade-gap", symbol: "BTC/USD", expected: 1003, got: 1002 },
    ]);
    expect(ids(h)).toEqual([1001, 1002, 1003]);
    expect(server.channelRequests("trade").filter((r) => r.startsWith("subscribe"))).toHaveLength(2);
  });

  it("ids that break on every update renew the trade subscription with a growing backoff, not on every break", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 1000 } });
    h = harness(feedOptions(server.url, { backoffBaseMs: 400, backoffCapMs: 2000 }));
    await h.until(() => h!.book("BTC/USD")?.state === "live", "live");
    await h.until(() => server!.channelRequests("trade").length === 1, "trade subscribed");
    // For 1.2 s every update (one each 20 ms) repeats the last id: each is a break once a snapshot is in.
    const started = Date.now();
    while (Date.now() - started < 1200) {
      server.trade("BTC/USD", 1, { repeat: true });
      await new Promise((r) => setTimeout(r, 20));
    }
    const renewals = () =>
      server!.channelRequests("trade").filter((r) => r.startsWith("subscribe")).length - 1;
    // Renewals at once, then after 200–400, 400–800 and 800–1600 ms more: 2 or 3 within 1.2 s (the fourth
    // comes 1.4 s after the first at the earliest); without the backoff, one a break (some 60).
    expect(renewals()).toBeGreaterThanOrEqual(2);
    expect(renewals()).toBeLessThanOrEqual(3);
    // The breaks stop: the renewal waiting goes out (on a loaded machine it may have gone out as they
    // stopped), and its snapshot makes the tape current and whole again; nothing more is renewed.
    const before = renewals();
    await h.until(() => h!.book("BTC/USD")?.tradesAwaiting === false, "the tape current", 5000);
    expect(renewals()).toBeLessThanOrEqual(before + 1);
    server.trade("BTC/USD", 1);
    const last = server.tape.get("BTC/USD")!.length + 1000;
    await h.until(() => ids(h!).at(-1) === last, "the next trade");
    expect(ids(h)).toEqual(range(1001, last));
  });

  it("after a reconnect, checks ids across the snapshot: overlap skipped, trades missed while away a gap", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 1000 } });
    h = await started();
    server.trade("BTC/USD", 3);
    await h.until(() => ids(h!).length === 3, "3 trades");
    server.dropAll();
    await h.until(() => server!.connections === 2 && h!.book("BTC/USD")?.state === "live", "back");
    server.trade("BTC/USD", 2);
    await h.until(() => ids(h!).length === 5, "5 trades");
    // The second connection's snapshot repeats 1001–1003: skipped, no gap.
    expect(ids(h)).toEqual(range(1001, 1005));
    expect(ofType(h, "trade-gap")).toEqual([]);
    // Trades made while the client is away and fallen out of the next snapshot's 50: one gap.
    server.dropAll();
    server.trade("BTC/USD", 60);
    await h.until(() => ofType(h!, "trade-gap").length === 1, "a gap across the snapshot");
    expect(ofType(h, "trade-gap")).toEqual([
      { type: "trade-gap", symbol: "BTC/USD", expected: 1006, got: 1016 },
    ]);
    await h.until(() => ids(h!).length === 55, "the snapshot's 50");
    expect(ids(h).slice(5)).toEqual(range(1016, 1065));
  });

  it("after a silence that dropped trades, every tape is renewed in one request pair, and the snapshots fill them in", async () => {
    const symbols = ["BTC/USD", "ETH/USD", "SOL/USD"];
    server = await ScriptedServer.start({ heartbeatMs: 100 });
    h = harness(feedOptions(server.url, { symbols, quietAfterMs: 500, readTimeoutMs: 10_000 }));
    await h.until(() => symbols.every((s) => h!.book(s)?.state === "live"), "live");
    await h.until(() => server!.channelRequests("trade").length === 3, "trade subscribed");
    for (const s of symbols) server.trade(s, 2);
    await h.until(() => ids(h!).length === 6, "6 trades");
    const before = server.received.length;
    server.goSilent();
    for (const s of symbols) server.trade(s, 2); // never sent: the server is silent
    await h.until(() => h!.views().some((v) => v.connection.state === "quiet"), "quiet");
    server.resume();
    await h.until(() => ids(h!).length === 12, "the snapshots' trades");
    for (const s of symbols) server.trade(s, 1);
    await h.until(() => ids(h!).length === 15, "15 trades");
    const trades = server.received.slice(before).filter((r) => r.msg.params?.channel === "trade");
    expect(trades.map((r) => `${r.msg.method} ${(r.msg.params?.symbol ?? []).join(",")}`)).toEqual([
      `unsubscribe ${symbols.join(",")}`,
      `subscribe ${symbols.join(",")}`,
    ]);
    for (const s of symbols)
      expect(
        ofType(h, "trade")
          .filter((t) => t.symbol === s)
          .map((t) => t.tradeId),
      ).toEqual(range(1001, 1005));
    expect(ofType(h, "trade-gap")).toEqual([]);
  });

  it("a server whose ids start again (restarted): one trade-gap, then the tape goes on from its snapshot", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 1000 } });
    h = await started();
    server.trade("BTC/USD", 60);
    await h.until(() => ids(h!).length === 60, "60 trades");
    // The exchange forgets its tape: ids start again at 1001, below the last one seen (1060).
    server.tape.delete("BTC/USD");
    server.dropAll();
    server.trade("BTC/USD", 3); // made while the client is away: the next snapshot carries them
    await h.until(() => server!.connections === 2 && h!.book("BTC/USD")?.state === "live", "back");
    await h.until(() => ids(h!).length === 63, "the new snapshot's trades");
    server.trade("BTC/USD", 2);
    await h.until(() => ids(h!).length === 65, "the tape continues");
    expect(ids(h).slice(60)).toEqual(range(1001, 1005));
    expect(ofType(h, "trade-gap")).toEqual([
      { type: "trade-gap", symbol: "BTC/USD", expected: 1061, got: 1001 },
    ]);
    // No renewal loop: one subscription per connection.
    expect(server.channelRequests("trade")).toEqual([
      "subscribe BTC/USD+snapshot",
      "subscribe BTC/USD+snapshot",
    ]);
  });

  it("reports ticker, instrument and exchange status as events with exact text", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 1000, "ETH/USD": 3000 } });
    server.pairStatus.set("ETH/USD", "post_only");
    h = await started(["BTC/USD", "ETH/USD"]);
    await h.until(() => ofType(h!, "ticker").length === 2 && ofType(h!, "instrument").length === 1, "ticker");
    expect(ofType(h, "ticker")[0]).toEqual({
      type: "ticker",
      symbol: "BTC/USD",
      bid: "999.9",
      bidQty: "1.50000000",
      ask: "1000.1",
      askQty: "0.25",
      last: "1000.0",
      volume: "1523.90000000",
      vwap: "998.75",
      low: "990.0",
      high: "1010.5",
      change: "-1.20",
      changePct: "-0.12",
    });
    const pairs = ofType(h, "instrument")[0]!.pairs;
    expect(pairs.map((p) => [p.symbol, p.status])).toEqual([
      ["BTC/USD", "online"],
      ["ETH/USD", "post_only"],
    ]);
    expect(pairs[0]).toMatchObject({
      priceIncrement: "0.1",
      qtyIncrement: "1e-08",
      qtyMin: "5e-05",
      costMin: "0.5",
    });
    await h.until(() => h!.book("ETH/USD")?.pairStatus === "post_only", "the pair's status in its view");
    expect(h.book("BTC/USD")?.pairStatus).toBe("online");
    expect(ofType(h, "status")[0]).toEqual({
      type: "status",
      system: "online",
      apiVersion: "v2",
      version: "2.0.10",
    });
  });

  it("reports a malformed trade frame and counts it, and the lost trade shows as a gap", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 1000 } });
    h = await started();
    server.trade("BTC/USD", 1);
    await h.until(() => ids(h!).length === 1, "1 trade");
    server.broadcast(
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","trade_id":1002}]}',
    );
    await h.until(() => h!.feed.latest()?.malformed === 1, "counted");
    expect(ofType(h, "error")[0]?.message).toMatch(/malformed frame: trade frame: data\[0\]\.price/);
    expect(h.book("BTC/USD")?.resyncs).toBe(0);
  });
});
