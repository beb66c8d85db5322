import { afterEach, describe, expect, it } from "vitest";
import { startSimServer } from "../../src/sim/server.js";
import type { SimServer } from "../../src/sim/server.js";
import type { FeedEvent } from "../../src/feed/types.js";
import { feedOptions, harness } from "./support/feed-harness.js";
import type { Harness } from "./support/feed-harness.js";

let server: SimServer | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.feed.stop();
  await server?.close();
  h = undefined;
  server = undefined;
});

const demo = (): Promise<SimServer> => startSimServer({ host: "127.0.0.1", port: 0, rate: 40, seed: 7 });
const ofType = <T extends FeedEvent["type"]>(h: Harness, type: T): Extract<FeedEvent, { type: T }>[] =>
  h.events.filter((e): e is Extract<FeedEvent, { type: T }> => e.type === type);
const symbols = (h: Harness): string[] => h.feed.latest()?.books.map((b) => b.symbol) ?? [];

describe("symbols added and removed while the feed runs", () => {
  it("lists every pair the exchange offers, from the instrument snapshot", async () => {
    server = await demo();
    h = harness(feedOptions(server.url));
    const pairs = await h.until(() => ofType(h!, "pairs")[0], "the pair list");
    expect(pairs.symbols).toContain("ETH/USD");
    expect(pairs.symbols).toContain("MINA/GBP");
    expect(pairs.symbols.length).toBeGreaterThanOrEqual(9);
  });

  it("an added symbol is subscribed on the live connection and verifies, with its trades", async () => {
    server = await demo();
    h = harness(feedOptions(server.url));
    await h.until(() => h!.book("BTC/USD")?.state === "live", "BTC live");
    h.feed.addSymbol!("ETH/USD");
    await h.until(() => h!.book("ETH/USD")?.state === "live", "ETH live");
    expect(symbols(h)).toEqual(["BTC/USD", "ETH/USD"]);
    await h.until(() => ofType(h!, "trade").some((t) => t.symbol === "ETH/USD"), "an ETH trade");
    expect(h.book("BTC/USD")).toMatchObject({ state: "live", resyncs: 0 });
    expect(ofType(h, "error")).toEqual([]);
  });

  it("a pair the exchange does not list is rejected alone; the others stay live", async () => {
    server = await demo();
    h = harness(feedOptions(server.url));
    await h.until(() => h!.book("BTC/USD")?.state === "live", "BTC live");
    h.feed.addSymbol!("NOPE/USD");
    const rejected = await h.until(() => ofType(h!, "rejected")[0], "the rejection");
    expect(rejected.symbol).toBe("NOPE/USD");
    await h.until(() => h!.book("NOPE/USD")?.state === "rejected", "NOPE rejected in a view");
    expect(h.book("BTC/USD")).toMatchObject({ state: "live", resyncs: 0 });
  });

  it("a removed symbol leaves the next view; its late frames resync no other book", async () => {
    server = await demo();
    h = harness(feedOptions(server.url, { symbols: ["BTC/USD", "ETH/USD"] }));
    await h.until(() => h!.book("ETH/USD")?.state === "live" && h!.book("BTC/USD")?.state === "live", "live");
    h.feed.removeSymbol!("ETH/USD");
    await h.until(() => symbols(h!).length === 1, "ETH gone");
    expect(symbols(h)).toEqual(["BTC/USD"]);
    const ok = h.book("BTC/USD")!.checksums.ok;
    await h.until(() => (h!.book("BTC/USD")?.checksums.ok ?? 0) >= ok + 20, "20 more BTC updates");
    expect(h.book("BTC/USD")).toMatchObject({ state: "live", resyncs: 0 });
    expect(h.feed.latest()!.malformed).toBe(0);
    expect(ofType(h, "error")).toEqual([]);
  });

  it("a deeper book is subscribed on request and shows more levels, without a resync", async () => {
    server = await demo();
    h = harness(feedOptions(server.url, { depth: 10, levels: 40 }));
    await h.until(() => h!.book("BTC/USD")?.state === "live", "BTC live");
    expect(h.book("BTC/USD")).toMatchObject({ depth: 10 });
    expect(h.book("BTC/USD")!.bids.length).toBeLessThanOrEqual(10);
    h.feed.setDepth!("BTC/USD", 100);
    await h.until(() => {
      const b = h!.book("BTC/USD");
      return b?.state === "live" && b.depth === 100 && b.bids.length === 40;
    }, "40 levels at depth 100");
    h.feed.setDepth!("BTC/USD", 25);
    await h.until(() => {
      const b = h!.book("BTC/USD");
      return b?.state === "live" && b.depth === 25 && b.bids.length === 25;
    }, "25 levels at depth 25");
    const book = h.book("BTC/USD")!;
    expect(book).toMatchObject({ resyncs: 0, checksums: { failed: 0 } });
    expect(ofType(h, "error")).toEqual([]);
  });
});
