import { afterEach, describe, expect, it } from "vitest";
import { LadderStore } from "../../src/ui/store.js";
import { screenLines } from "../../src/ui/view-model/screen.js";
import { btcBook, ethBook, feedView, MemoryFeed, NOW } from "./helpers/views.js";

const stores: LadderStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.dispose();
});

function makeStore(feed: MemoryFeed, columns: number, now: () => number = () => NOW) {
  const store = new LadderStore(feed, {
    symbols: ["BTC/USD", "ETH/USD"],
    columns,
    rows: 30,
    now,
    frameMs: 20,
    noticeShowMs: 5_000,
  });
  stores.push(store);
  store.start();
  return store;
}

const text = (store: LadderStore) =>
  screenLines(store.getSnapshot())
    .map((l) => l.text)
    .join("\n");

const trade = (tradeId: number) =>
  ({
    type: "trade",
    symbol: "BTC/USD",
    side: "buy",
    price: "63388.8",
    qty: "0.01",
    ordType: "market",
    tradeId,
    time: "2026-12-05T08:35:26.000000Z",
  }) as const;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the ladder store with market events", () => {
  it("draws a burst of trades in one frame, not one per trade", async () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed, 160);
    let frames = 0;
    store.subscribe(() => (frames += 1));
    for (let i = 1; i <= 200; i++) feed.emit(trade(i));
    expect(frames).toBe(0);
    await wait(80);
    expect(frames).toBe(1);
    expect(text(store)).toContain("▲ B  63388.8");
    // A view arriving before the frame timer draws the trades with it, once.
    feed.emit(trade(201));
    feed.publish(feedView([btcBook({ version: 2 }), ethBook()]));
    expect(frames).toBe(2);
    await wait(80);
    expect(frames).toBe(2);
  });

  it("hides the tape below 120 columns until t, and says it is an overlay Esc can close", () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed, 80);
    feed.emit(trade(1));
    store.dispatch({ type: "next" });
    store.dispatch({ type: "previous" });
    expect(text(store)).not.toContain("TIME");
    store.dispatch({ type: "toggle-tape" });
    expect(store.mode).toBe("tape");
    expect(text(store)).toMatch(/TIME[\s\S]*08:35:26 ▲ B/);
    store.dispatch({ type: "toggle-tape" });
    expect(store.mode).toBe("main");
  });

  it("shows the exchange's status in the status bar and its change as a notice for a while, not a line on stderr", () => {
    let now = NOW;
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed, 200, () => now);
    feed.emit({ type: "status", system: "online" });
    store.setSize(201, 30);
    expect(text(store)).not.toContain("exchange status");
    expect(text(store)).toContain("exchange online");
    // As the feed sends a change: the status, and a notice saying what changed.
    feed.emit({ type: "status", system: "maintenance" });
    feed.emit({ type: "notice", message: "exchange status: maintenance (was online)" });
    store.setSize(200, 30);
    expect(text(store)).toContain("exchange status: maintenance (was online)");
    expect(text(store)).toContain("exchange MAINTENANCE");
    now += 6_000;
    store.setSize(201, 30);
    expect(text(store)).not.toContain("exchange status:");
  });

  it("with no symbol watched, says in the middle row why the feed found none, after the notice has gone", () => {
    let now = NOW;
    const feed = new MemoryFeed(feedView([]));
    const store = new LadderStore(feed, { symbols: [], columns: 100, rows: 30, now: () => now, frameMs: 20 });
    stores.push(store);
    store.start();
    expect(text(store)).not.toContain("nothing to watch");
    const message = "the exchange lists no online pairs quoted in ZZZ: nothing to watch";
    feed.emit({ type: "nothing-to-watch", message });
    expect(text(store)).toContain(`! ${message}`);
    now += 60_000;
    store.setSize(101, 30);
    const lines = text(store).split("\n");
    expect(lines.filter((l) => l.includes(message))).toEqual([
      expect.stringMatching(new RegExp(`─ ${message} · / adds a pair ─`)),
    ]);
  });

  it("takes the instrument and status heard before it listened (they are sent once)", () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = new LadderStore(feed, {
      symbols: ["BTC/USD", "ETH/USD"],
      columns: 200,
      rows: 30,
      now: () => NOW,
      earlyEvents: () => [
        { type: "status", system: "maintenance" },
        { type: "ticker", symbol: "BTC/USD", last: "63388.8" },
      ],
    });
    stores.push(store);
    store.start();
    expect(text(store)).toContain("exchange MAINTENANCE");
    expect(text(store)).toContain(" last 63388.8");
  });
});
