import { afterEach, describe, expect, it } from "vitest";
import { parseFrame } from "../../src/protocol/parse.js";
import { Session } from "../../src/feed/session.js";
import type { FeedEvent } from "../../src/feed/types.js";
import { ModelBook } from "./support/scripted-server.js";

/** The session driven by hand: frames in, requests and events out. No sockets. */
function rig(symbols = ["BTC/USD", "ETH/USD"], retryBaseMs = 1000) {
  const sent: string[] = [];
  const events: FeedEvent[] = [];
  const slowDowns: string[] = [];
  const session = new Session(
    { symbols, depth: 10, retryBaseMs, retryCapMs: 10_000 },
    { send: (t) => sent.push(t), event: (e) => events.push(e), slowDown: (r) => slowDowns.push(r) },
  );
  // As the feed worker does: book updates take BookScan's fast path, everything else parseFrame's result.
  const feed = (raw: string, at = Date.now()): void => session.frame(raw, at);
  const requests = (): string[] =>
    sent.map((t) => {
      const m = JSON.parse(t) as { method: string; params: { symbol: string[]; depth: number } };
      return `${m.method} ${m.params.symbol.join(",")}@${m.params.depth}`;
    });
  return { session, sent, events, slowDowns, feed, requests };
}
const slot = (s: Session, symbol: string) => s.slots.find((x) => x.symbol === symbol)!;

let disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers) d();
  disposers = [];
});

describe("Session: books and subscriptions without a socket", () => {
  it("subscribes every symbol at the depth on open and goes live on verified snapshots", () => {
    const r = rig();
    disposers.push(() => r.session.dispose());
    r.session.opened();
    expect(r.requests()).toEqual(["subscribe BTC/USD,ETH/USD@10"]);
    expect(r.session.settled()).toBe(false);
    const btc = new ModelBook("BTC/USD", 60000);
    const eth = new ModelBook("ETH/USD", 3000);
    r.feed(btc.snapshot(10));
    expect(slot(r.session, "BTC/USD").state).toBe("live");
    expect(r.session.settled()).toBe(false);
    r.feed(eth.snapshot(10));
    expect(r.session.settled()).toBe(true);
    for (let i = 0; i < 20; i++) r.feed(btc.update());
    expect(slot(r.session, "BTC/USD").ok).toBe(21);
    expect(slot(r.session, "BTC/USD").book!.bids.size).toBe(10);
  });

  it("reaches the same state from raw frames (fast path) as from parsed messages, failures included", () => {
    const a = rig(["BTC/USD"]);
    const b = rig(["BTC/USD"]);
    disposers.push(
      () => a.session.dispose(),
      () => b.session.dispose(),
    );
    const btc = new ModelBook("BTC/USD", 60000);
    const frames = [btc.snapshot(10), ...Array.from({ length: 30 }, () => btc.update())];
    frames.push(btc.corruptUpdate(), btc.update(), btc.snapshot(10), btc.update());
    for (const r of [a, b]) r.session.opened();
    frames.forEach((raw, i) => {
      a.feed(raw, 1000 + i);
      b.session.handle(parseFrame(raw), 1000 + i);
    });
    const state = (s: Session) => {
      const { ok, failed, resyncs, state, time, changedAt, book, latency, rate } = slot(s, "BTC/USD");
      const levels = { bids: book?.bids.levels, asks: book?.asks.levels };
      return { ok, failed, resyncs, state, time, changedAt, ...levels, latency, rate };
    };
    expect(state(a.session)).toEqual(state(b.session));
    expect(state(a.session)).toMatchObject({ ok: 33, failed: 1, resyncs: 1, state: "live" });
    expect(slot(a.session, "BTC/USD").latency.percentiles(1100)).not.toBeNull();
    expect(a.session.version).toBe(b.session.version);
    expect(a.requests()).toEqual(b.requests());
  });

  it("ignores a resyncing symbol's updates until its new snapshot, and backs off repeated failures", () => {
    const r = rig(["BTC/USD"], 1000);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    const btc = new ModelBook("BTC/USD", 60000);
    r.feed(btc.snapshot(10));
    r.feed(btc.corruptUpdate());
    const s = slot(r.session, "BTC/USD");
    expect(s.state).toBe("resyncing");
    expect(s.book).toBeUndefined();
    // The first failure resubscribes at once, repeating the depth in the unsubscribe.
    expect(r.requests()).toEqual(["subscribe BTC/USD@10", "unsubscribe BTC/USD@10", "subscribe BTC/USD@10"]);
    const okBefore = s.ok;
    r.feed(btc.update());
    expect(s.ok).toBe(okBefore);
    expect(s.state).toBe("resyncing");
    r.feed(btc.snapshot(10));
    expect(s.state).toBe("live");
    // A second failure within a minute: unsubscribe now, subscribe only after a delay.
    r.feed(btc.corruptUpdate());
    expect(r.requests().slice(3)).toEqual(["unsubscribe BTC/USD@10"]);
    expect(s.retry).toBeDefined();
    expect(r.events.filter((e) => e.type === "resync")).toHaveLength(2);
    expect(s.failed).toBe(2);
    expect(s.resyncs).toBe(2);
  });

  it("sends the delayed subscribe after the backoff, and forgets old failures", async () => {
    const r = rig(["BTC/USD"], 60);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    const btc = new ModelBook("BTC/USD", 60000);
    const t0 = 1_000_000;
    r.feed(btc.snapshot(10), t0);
    r.feed(btc.corruptUpdate(), t0 + 1);
    r.feed(btc.snapshot(10), t0 + 2);
    r.feed(btc.corruptUpdate(), t0 + 3);
    // The second failure waits 30 to 60 ms (equal jitter) before subscribing again.
    expect(r.requests().at(-1)).toBe("unsubscribe BTC/USD@10");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.requests().at(-1)).toBe("subscribe BTC/USD@10");
    // A failure more than a minute after the last one resubscribes at once again.
    r.feed(btc.snapshot(10), t0 + 4);
    r.feed(btc.corruptUpdate(), t0 + 4 + 61_000);
    expect(r.requests().slice(-2)).toEqual(["unsubscribe BTC/USD@10", "subscribe BTC/USD@10"]);
  });

  it("a reconnect voids every book and resubscribes all symbols that were not rejected", () => {
    const r = rig(["BTC/USD", "FOO/BAR"]);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    r.feed(
      '{"error":"Currency pair not supported FOO/BAR","method":"subscribe","success":false,"symbol":"FOO/BAR"}',
    );
    r.feed(new ModelBook("BTC/USD", 60000).snapshot(10));
    expect(r.session.settled()).toBe(true);
    r.session.closed();
    expect(slot(r.session, "BTC/USD").state).toBe("awaiting-snapshot");
    expect(slot(r.session, "BTC/USD").book).toBeUndefined();
    r.session.opened();
    expect(r.requests()).toEqual(["subscribe BTC/USD,FOO/BAR@10", "subscribe BTC/USD@10"]);
    expect(slot(r.session, "FOO/BAR")).toMatchObject({
      state: "rejected",
      reason: "Currency pair not supported FOO/BAR",
    });
  });

  it("an unsupported depth rejects every symbol still waiting", () => {
    const r = rig();
    r.session.opened();
    r.feed('{"error":"Subscription depth not supported","method":"subscribe","success":false}');
    expect(r.session.slots.map((s) => [s.state, s.reason])).toEqual([
      ["rejected", "Subscription depth not supported"],
      ["rejected", "Subscription depth not supported"],
    ]);
    expect(r.events.filter((e) => e.type === "rejected")).toHaveLength(2);
  });

  it("three rate-limit errors within ten seconds ask the connection to slow down", () => {
    const r = rig();
    r.session.opened();
    r.feed('{"Error":"Exceeded msg rate"}', 1000);
    r.feed('{"Error":"Exceeded msg rate"}', 2000);
    expect(r.slowDowns).toEqual([]);
    r.feed('{"Error":"Exceeded msg rate"}', 3000);
    expect(r.slowDowns).toHaveLength(1);
  });

  it("heartbeats, pongs, instrument and unknown channels change nothing", () => {
    const r = rig();
    r.session.opened();
    const v = r.session.version;
    for (const f of [
      '{"channel":"heartbeat"}',
      '{"method":"pong","req_id":1}',
      '{"channel":"ticker","data":[]}',
    ])
      r.feed(f);
    expect(r.session.version).toBe(v);
    expect(r.events).toEqual([]);
    expect(r.session.malformed).toBe(0);
  });
});
