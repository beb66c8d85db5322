import { afterEach, describe, expect, it } from "vitest";
import { SUBSCRIBE_BATCH, Session } from "../../src/feed/session.js";
import type { FeedEvent, MarketSelection } from "../../src/feed/types.js";
import { instrumentFrame } from "../../src/sim/catalogue.js";

/** The session in market mode, driven by hand: frames in, requests and events out. */
function rig(market: MarketSelection, subscribeTimeoutMs = 5_000) {
  const sent: { method: string; params: { channel: string; symbol?: string[] } }[] = [];
  const events: FeedEvent[] = [];
  const session = new Session(
    { symbols: [], depth: 10, retryBaseMs: 100, retryCapMs: 1000, market, subscribeTimeoutMs },
    {
      send: (t) => sent.push(JSON.parse(t) as never),
      event: (e) => events.push(e),
      slowDown: () => undefined,
    },
  );
  return { session, sent, events };
}

const pairs = (n: number, quote: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => ({
    symbol: `P${String(i).padStart(3, "0")}/${quote(i)}`,
    pricePrecision: 2,
    qtyPrecision: 8,
  }));

let dispose: (() => void)[] = [];
afterEach(() => {
  for (const d of dispose) d();
  dispose = [];
});

describe("Session: watching a whole market from the instrument list", () => {
  it("asks for the pair list alone, then subscribes its online pairs of the quote in batches, books only", () => {
    const r = rig({ kind: "quote", quote: "USD" });
    dispose.push(() => r.session.dispose());
    r.session.opened();
    expect(r.sent.map((m) => `${m.method} ${m.params.channel}`)).toEqual(["subscribe instrument"]);
    expect(r.session.settled()).toBe(false);
    const list = pairs(260, (i) => (i % 10 === 0 ? "EUR" : "USD"));
    const offline = new Set(["P001/USD", "P002/USD"]);
    r.session.frame(
      instrumentFrame(list, (s) => (offline.has(s) ? "maintenance" : "online")),
      Date.now(),
    );
    const wanted = list
      .map((p) => p.symbol)
      .filter((s) => s.endsWith("/USD") && !offline.has(s))
      .sort();
    const books = r.sent.filter((m) => m.params.channel === "book");
    expect(books.map((m) => m.params.symbol!.length)).toEqual([
      SUBSCRIBE_BATCH,
      SUBSCRIBE_BATCH,
      wanted.length - 200,
    ]);
    expect(books.flatMap((m) => m.params.symbol)).toEqual(wanted);
    expect(r.session.slots.map((s) => s.symbol)).toEqual(wanted);
    expect(r.sent.some((m) => m.params.channel === "trade" || m.params.channel === "ticker")).toBe(false);
    expect(r.events).toContainEqual({
      type: "notice",
      message: `watching ${wanted.length} online pairs quoted in USD`,
    });
    // A later snapshot (after a reconnect) lists nothing new: the same books are resubscribed.
    r.session.closed();
    r.sent.length = 0;
    r.session.opened();
    expect(r.sent.filter((m) => m.params.channel === "book").flatMap((m) => m.params.symbol)).toEqual(wanted);
    r.session.frame(instrumentFrame(pairs(300, () => "USD")), Date.now());
    expect(r.session.slots.length).toBe(wanted.length);
  });

  it("a pair added to a market run keeps its trades and ticker across a reconnect; listed pairs stay books only", () => {
    const r = rig({ kind: "quote", quote: "USD" });
    dispose.push(() => r.session.dispose());
    r.session.opened();
    // Added before the list came: watched at once, with its tape, and not subscribed again by the list.
    expect(r.session.add("P001/USD")).toBe(true);
    r.session.frame(instrumentFrame(pairs(3, () => "USD")), Date.now());
    expect(r.session.add("P009/EUR")).toBe(true);
    const requests = (): string[] =>
      r.sent.map((m) => `${m.method} ${m.params.channel} ${m.params.symbol?.join(",") ?? ""}`);
    expect(requests().filter((q) => q.startsWith("subscribe book"))).toEqual([
      "subscribe book P001/USD",
      "subscribe book P000/USD,P002/USD",
      "subscribe book P009/EUR",
    ]);
    const tapes = (): string[] => requests().filter((q) => / (trade|ticker) /.test(q));
    expect(tapes()).toEqual([
      "subscribe trade P001/USD",
      "subscribe ticker P001/USD",
      "subscribe trade P009/EUR",
      "subscribe ticker P009/EUR",
    ]);
    expect(r.session.slots.map((s) => [s.symbol, s.watchTrades])).toEqual([
      ["P001/USD", true],
      ["P000/USD", false],
      ["P002/USD", false],
      ["P009/EUR", true],
    ]);
    // After a reconnect the added pairs' tapes are subscribed again (they went silent before), theirs alone.
    r.session.closed();
    r.sent.length = 0;
    r.session.opened();
    expect(tapes()).toEqual(["subscribe trade P001/USD,P009/EUR", "subscribe ticker P001/USD,P009/EUR"]);
    expect(r.session.slots.find((s) => s.symbol === "P009/EUR")?.trades.awaiting).toBe(true);
    // Removing a listed pair unsubscribes its book alone: it had no trades or ticker to unsubscribe.
    r.sent.length = 0;
    expect(r.session.remove("P000/USD")).toBe(true);
    expect(requests()).toEqual(["unsubscribe book P000/USD"]);
  });

  it("says so when the list holds no pair of the quote, and asks again when no list comes", async () => {
    const r = rig({ kind: "quote", quote: "JPY" }, 50);
    dispose.push(() => r.session.dispose());
    r.session.opened();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(r.events).toContainEqual({
      type: "error",
      message: "no pair list (instrument snapshot) within 50 ms; asking again",
    });
    expect(r.sent.map((m) => `${m.method} ${m.params.channel}`)).toEqual([
      "subscribe instrument",
      "unsubscribe instrument",
      "subscribe instrument",
    ]);
    r.session.frame(instrumentFrame(pairs(5, () => "USD")), Date.now());
    expect(r.events).toContainEqual({
      type: "nothing-to-watch",
      message: "the exchange lists no online pairs quoted in JPY: nothing to watch",
    });
    expect(r.session.settled()).toBe(true);
  });
});
