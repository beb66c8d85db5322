import { afterEach, describe, expect, it } from "vitest";
import { parseFrame } from "../../src/protocol/parse.js";
import { Session } from "../../src/feed/session.js";
import type { FeedEvent } from "../../src/feed/types.js";
import { ModelBook } from "./support/scripted-server.js";

/** The session driven by hand: frames in, requests and events out. No sockets. */
function rig(symbols = ["BTC/USD", "ETH/USD"], retryBaseMs = 1000) {
  /** Book requests only; `all` has the trade, ticker and instrument requests too. */
  const sent: string[] = [];
  const all: string[] = [];
  const events: FeedEvent[] = [];
  const slowDowns: string[] = [];
  const send = (t: string): void => {
    all.push(t);
    if ((JSON.parse(t) as { params: { channel: string } }).params.channel === "book") sent.push(t);
  };
  const session = new Session(
    { symbols, depth: 10, retryBaseMs, retryCapMs: 10_000 },
    { send, event: (e) => events.push(e), slowDown: (r) => slowDowns.push(r) },
  );
  // As the feed worker does: book updates take BookScan's fast path, everything else parseFrame's result.
  const feed = (raw: string, at = Date.now()): void => session.frame(raw, at);
  const requests = (): string[] =>
    sent.map((t) => {
      const m = JSON.parse(t) as { method: string; params: { symbol: string[]; depth: number } };
      return `${m.method} ${m.params.symbol.join(",")}@${m.params.depth}`;
    });
  return { session, sent, all, events, slowDowns, feed, requests };
}
const slot = (s: Session, symbol: string) => s.slots.find((x) => x.symbol === symbol)!;

/** Fails `book` twice in a row from `t`: a live snapshot, a bad update, a new snapshot, a bad update. */
function failTwice(r: ReturnType<typeof rig>, book: ModelBook, t: number): void {
  r.feed(book.snapshot(10), t);
  r.feed(book.corruptUpdate(), t + 1);
  r.feed(book.snapshot(10), t + 2);
  r.feed(book.corruptUpdate(), t + 3);
}

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

  it("keeps the time of the oldest ping not answered: an answer settles its ping and those before it", () => {
    const r = rig(["BTC/USD"]);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    const T = 1_780_000_000_000;
    expect(r.session.awaitingReplySince).toBeUndefined();
    r.session.pinged(1, T);
    r.session.pinged(2, T + 5000);
    r.session.pinged(3, T + 10_000);
    expect(r.session.awaitingReplySince).toBe(T);
    const pong = (reqId?: number): string =>
      `{"method":"pong",${reqId === undefined ? "" : `"req_id":${reqId},`}"time_in":"2026-12-06T09:00:00.000000Z","time_out":"2026-12-06T09:00:00.000010Z"}`;
    r.feed(pong(2), T + 5300);
    expect(r.session.awaitingReplySince).toBe(T + 10_000);
    // The round trip of the ping answered by name, not of those before it.
    expect(r.session.roundTripMs).toBe(300);
    r.feed(pong(3));
    expect(r.session.awaitingReplySince).toBeUndefined();
    // An answer without a tag answers every ping; a lost socket forgets them.
    r.session.pinged(4, T + 15_000);
    r.feed(pong());
    expect(r.session.awaitingReplySince).toBeUndefined();
    r.session.pinged(5, T + 20_000);
    r.session.closed();
    expect(r.session.awaitingReplySince).toBeUndefined();
    expect(r.session.roundTripMs).toBeUndefined();
  });

  it("measures feed latency on the exchange's clock, set against this machine's by the answers to pings", () => {
    const r = rig(["BTC/USD"]);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    const T = 1_780_000_000_000;
    const btc = new ModelBook("BTC/USD", 60000);
    // The exchange's clock runs 7 s behind this machine's; updates take 20 ms to arrive.
    const update = (ms: number): void => {
      btc.clock = () => T + ms - 7000;
      r.feed(btc.update(), T + ms + 20);
    };
    btc.clock = () => T - 7000;
    r.feed(btc.snapshot(10), T + 20);
    const latency = () => slot(r.session, "BTC/USD").latency.percentiles(T + 10_000);
    update(100);
    // No answer yet: the clocks are not set against each other, and no latency is measured.
    expect(latency()).toBeNull();
    // A ping out at T + 200, answered at T + 240 by the server's clock, back at T + 300 (a symmetric trip).
    r.session.pinged(1, T + 200);
    const out = new Date(T + 250 - 7000).toISOString();
    r.feed(`{"method":"pong","req_id":1,"time_in":"${out}","time_out":"${out}"}`, T + 300);
    expect(r.session.clockSkewMs).toBe(-7000);
    for (let ms = 400; ms < 1400; ms += 100) update(ms);
    expect(latency()).toMatchObject({ p50: 20, p99: 20 });
    // A new socket forgets the skew until its first answer.
    r.session.closed();
    expect(r.session.clockSkewMs).toBeUndefined();
  });

  it("forgets a ping a newer update shows was lost (the server made it a second after the ping went out), not one still in line", () => {
    const r = rig(["BTC/USD"]);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    const T = 1_780_000_000_000;
    const btc = new ModelBook("BTC/USD", 60000);
    // The exchange's clock runs 7 s behind this machine's, and updates take 20 ms: the offset is learnt.
    const at = (ms: number): void => {
      btc.clock = () => T + ms - 7000;
      r.feed(btc.update(), T + ms + 20);
    };
    btc.clock = () => T - 7000;
    r.feed(btc.snapshot(10), T + 20);
    at(100);
    r.session.pinged(1, T + 200);
    r.session.pinged(2, T + 900);
    // Made before the first ping had been out a second: its answer may still be on its way.
    at(1100);
    expect(r.session.awaitingReplySince).toBe(T + 200);
    // Made 1.1 s after the first ping went out (and delivered 2 s late): it had reached the server, and its
    // answer would have come first. The second is still in line.
    btc.clock = () => T + 1300 - 7000;
    r.feed(btc.update(), T + 3300);
    expect(r.session.awaitingReplySince).toBe(T + 900);
    at(2000);
    expect(r.session.awaitingReplySince).toBeUndefined();
    // Its answer, if it comes after all, measures no round trip: the ping was given up.
    r.feed(
      '{"method":"pong","req_id":2,"time_in":"2026-12-06T09:00:00.000000Z","time_out":"2026-12-06T09:00:00.000010Z"}',
      T + 9000,
    );
    expect(r.session.roundTripMs).toBeUndefined();
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
    for (const r of [a, b]) {
      r.session.opened();
      // An answered ping (a server that gives no readable time): latency is measured, on this machine's clock.
      r.session.pinged(1, 990);
      r.session.handle(parseFrame('{"method":"pong","req_id":1,"time_in":"x","time_out":"y"}'), 995);
    }
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

  it("measures no feed latency in a replay, whose timestamps are the recording's, but still the lag", () => {
    const now = Date.now();
    const year = 365 * 24 * 3600 * 1000;
    for (const replayTimes of [false, true]) {
      const session = new Session(
        { symbols: ["BTC/USD"], depth: 10, retryBaseMs: 1000, retryCapMs: 10_000, replayTimes },
        { send: () => undefined, event: () => undefined, slowDown: () => undefined },
      );
      disposers.push(() => session.dispose());
      const btc = new ModelBook("BTC/USD", 60000);
      let recorded = now - year;
      btc.clock = () => recorded;
      session.opened();
      session.frame(btc.snapshot(10), now);
      // The server answers a ping on the same clock as its timestamps.
      session.pinged(1, now);
      const out = new Date(recorded + 5).toISOString();
      session.frame(`{"method":"pong","req_id":1,"time_in":"${out}","time_out":"${out}"}`, now + 10);
      for (let i = 1; i <= 20; i++) {
        recorded += 50;
        session.frame(btc.update(), now + i * 50);
      }
      const latency = slot(session, "BTC/USD").latency.percentiles(now + 1000);
      // Live from an exchange, read through the pong's clock, the latency is the delivery's (here none);
      // from a recording, none is measured.
      if (replayTimes) expect(latency).toBeNull();
      else expect(latency).toMatchObject({ p50: 0, p99: 0 });
      // Either way the lag is relative to the fastest delivery seen: the book is current.
      expect(slot(session, "BTC/USD").state).toBe("live");
      expect(session.offset.baseline(now + 1000)).toBeCloseTo(year, -4);
    }
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

  it("in a replay, resyncs every failure at once: the recording does not wait out a backoff", () => {
    const session = new Session(
      { symbols: ["BTC/USD"], depth: 10, retryBaseMs: 1000, retryCapMs: 10_000, replayTimes: true },
      { send: () => undefined, event: () => undefined, slowDown: () => undefined },
    );
    disposers.push(() => session.dispose());
    session.opened();
    const btc = new ModelBook("BTC/USD", 60000);
    for (let i = 0; i < 3; i++) {
      session.frame(btc.snapshot(10), 1000 + i);
      session.frame(btc.corruptUpdate(), 1000 + i);
      expect(slot(session, "BTC/USD").retry, `failure ${i + 1}`).toBeUndefined();
    }
    expect(slot(session, "BTC/USD")).toMatchObject({ failed: 3, resyncs: 3 });
  });

  it("sends the delayed subscribe after the backoff, and forgets old failures", async () => {
    const r = rig(["BTC/USD"], 60);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    const btc = new ModelBook("BTC/USD", 60000);
    const t0 = 1_000_000;
    failTwice(r, btc, t0);
    // The second failure waits 30 to 60 ms (equal jitter) before subscribing again; its resync event and
    // the slot (so the book's view) say when.
    expect(r.requests().at(-1)).toBe("unsubscribe BTC/USD@10");
    const s = slot(r.session, "BTC/USD");
    const resyncs = r.events.flatMap((e) => (e.type === "resync" ? [e.retryInMs] : []));
    expect(resyncs[0]).toBe(0);
    expect(resyncs[1]).toBeGreaterThanOrEqual(30);
    expect(resyncs[1]).toBeLessThanOrEqual(60);
    expect(s.retryAt).toBe(t0 + 3 + resyncs[1]!);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.requests().at(-1)).toBe("subscribe BTC/USD@10");
    expect(s.retryAt).toBeUndefined();
    // A failure more than a minute after the last one resubscribes at once again.
    r.feed(btc.snapshot(10), t0 + 4);
    r.feed(btc.corruptUpdate(), t0 + 4 + 61_000);
    expect(r.requests().slice(-2)).toEqual(["unsubscribe BTC/USD@10", "subscribe BTC/USD@10"]);
  });

  it("a book waiting out its backoff keeps waiting through a depth change or its removal: no request sent", async () => {
    const r = rig(["BTC/USD", "ETH/USD"], 60);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    const btc = new ModelBook("BTC/USD", 60000);
    const t0 = 1_000_000;
    failTwice(r, btc, t0);
    const s = slot(r.session, "BTC/USD");
    expect(s.retry).toBeDefined();
    const before = r.requests().length;
    expect(r.session.setDepth("BTC/USD", 25)).toBe(true);
    expect(r.requests().length).toBe(before);
    expect(s.state).toBe("resyncing");
    expect(s.retryAt).toBeDefined();
    // The delayed subscribe asks the new depth.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.requests().slice(before)).toEqual(["subscribe BTC/USD@25"]);

    // Removed while waiting: its subscribe never goes, and nothing is unsubscribed that was not subscribed.
    const eth = new ModelBook("ETH/USD", 3000);
    failTwice(r, eth, t0 + 4);
    expect(slot(r.session, "ETH/USD").retry).toBeDefined();
    const atRemove = r.requests().length;
    expect(r.session.remove("ETH/USD")).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.requests().slice(atRemove)).toEqual([]);
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

  it("an error naming no symbol rejects nothing: every symbol still unanswered retries after its backoff", async () => {
    const r = rig(["BTC/USD", "ETH/USD"], 20);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    r.feed(new ModelBook("BTC/USD", 60000).snapshot(10));
    r.feed('{"error":"Subscription depth not supported","method":"subscribe","success":false}');
    expect(r.session.slots.map((s) => [s.symbol, s.state, s.reason])).toEqual([
      ["BTC/USD", "live", undefined],
      ["ETH/USD", "awaiting-snapshot", "Subscription depth not supported"],
    ]);
    expect(r.events.filter((e) => e.type === "rejected")).toEqual([]);
    expect(r.events).toEqual([
      {
        type: "error",
        message: expect.stringMatching(
          /^subscribe ETH\/USD failed: Subscription depth not supported; retrying in \d+ ms$/,
        ),
        retryInMs: expect.any(Number),
      },
    ]);
    // The delay the message says is the event's own.
    const [retry] = r.events;
    expect(retry?.type === "error" && retry.message.endsWith(`; retrying in ${retry.retryInMs} ms`)).toBe(
      true,
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(r.requests()).toEqual(["subscribe BTC/USD,ETH/USD@10", "subscribe ETH/USD@10"]);
  });

  it("only an unknown pair rejects for good; transient errors retry, rate limits on the slow step", () => {
    const r = rig(["BTC/USD", "ETH/USD", "FOO/BAR", "SOL/USD"], 100);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    const nack = (symbol: string, error: string): string =>
      `{"error":"${error}","method":"subscribe","success":false,"symbol":"${symbol}"}`;
    r.feed(nack("BTC/USD", "EGeneral:Internal error"));
    r.feed(nack("ETH/USD", "EService:Unavailable"));
    r.feed(nack("FOO/BAR", "Currency pair not supported FOO/BAR"));
    r.feed(nack("SOL/USD", "EGeneral:Too many requests"));
    expect(r.session.slots.map((s) => [s.symbol, s.state, s.reason])).toEqual([
      ["BTC/USD", "awaiting-snapshot", "EGeneral:Internal error"],
      ["ETH/USD", "awaiting-snapshot", "EService:Unavailable"],
      ["FOO/BAR", "rejected", "Currency pair not supported FOO/BAR"],
      ["SOL/USD", "awaiting-snapshot", "EGeneral:Too many requests"],
    ]);
    expect(
      r.events.filter((e) => e.type === "rejected").map((e) => e.type === "rejected" && e.symbol),
    ).toEqual(["FOO/BAR"]);
    const errors = r.events.flatMap((e) => (e.type === "error" ? [e] : []));
    // Each says the delay it carries.
    for (const e of errors) expect(e.message).toMatch(new RegExp(`; retrying in ${e.retryInMs} ms$`));
    const delays = errors.map((e) => e.retryInMs ?? NaN);
    // Equal jitter on a 100 ms base: the first step waits 50 to 100 ms, the slow step 200 to 400 ms.
    expect(delays.slice(0, 2).every((d) => d >= 50 && d <= 100)).toBe(true);
    expect(delays[2]).toBeGreaterThanOrEqual(200);
    for (const s of r.session.slots) expect(s.state === "rejected" ? s.retry : !s.retry).toBeFalsy();
    // A reconnect subscribes every symbol but the rejected one at once.
    r.session.closed();
    r.session.opened();
    expect(r.requests().at(-1)).toBe("subscribe BTC/USD,ETH/USD,SOL/USD@10");
    // Others are left to watch: nothing says there are none.
    expect(r.events.filter((e) => e.type === "nothing-to-watch")).toEqual([]);
  });

  it("says there is nothing left to watch once the exchange has rejected every pair, naming them", () => {
    const nack = (symbol: string): string =>
      `{"error":"Currency pair not supported ${symbol}","method":"subscribe","success":false,"symbol":"${symbol}"}`;
    const one = rig(["FOO/BAR"], 100);
    disposers.push(() => one.session.dispose());
    one.session.opened();
    one.feed(nack("FOO/BAR"));
    expect(one.events.filter((e) => e.type === "nothing-to-watch")).toEqual([
      {
        type: "nothing-to-watch",
        message: "nothing left to watch: the exchange rejected FOO/BAR (Currency pair not supported FOO/BAR)",
      },
    ]);
    const symbols = ["A/USD", "B/USD", "C/USD", "D/USD", "E/USD", "F/USD", "G/USD"];
    const many = rig(symbols, 100);
    disposers.push(() => many.session.dispose());
    many.session.opened();
    for (const symbol of symbols) {
      expect(many.events.filter((e) => e.type === "nothing-to-watch")).toEqual([]);
      many.feed(nack(symbol));
    }
    expect(many.events.filter((e) => e.type === "nothing-to-watch")).toEqual([
      {
        type: "nothing-to-watch",
        message:
          "nothing left to watch: the exchange rejected every pair watched: A/USD, B/USD, C/USD, D/USD, E/USD and 2 more",
      },
    ]);
  });

  it("resyncs exactly the books an unreadable book frame names, and every subscribed book when it names none of ours", () => {
    const r = rig(["BTC/USD", "ETH/USD", "SOL/USD"]);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    const books = [
      new ModelBook("BTC/USD", 60000),
      new ModelBook("ETH/USD", 3000),
      new ModelBook("SOL/USD", 150),
    ];
    const allLive = (): void => {
      for (const b of books) r.feed(b.snapshot(10));
      expect(r.session.slots.every((s) => s.state === "live")).toBe(true);
      r.events.length = 0;
    };
    const resynced = (): string[] => r.events.flatMap((e) => (e.type === "resync" ? [e.symbol] : []));
    const [btc, eth] = books as [ModelBook, ModelBook, ModelBook];
    const cases: [string, string, string[]][] = [
      ["cut off", btc.update().slice(0, 90), ["BTC/USD"]],
      ["a raw control character", eth.update().replace('"bids"', '"bi\u0001ds"'), ["ETH/USD"]],
      ["a leading-zero checksum", btc.update().replace(/"checksum":(\d+)/, '"checksum":0$1'), ["BTC/USD"]],
      [
        "bids under an unknown channel",
        eth.update().replace('"channel":"book"', '"channel":"bookz"'),
        ["ETH/USD"],
      ],
      [
        "bids under a known channel",
        btc.update().replace('"channel":"book"', '"channel":"heartbeat"'),
        ["BTC/USD"],
      ],
      [
        "a symbol we do not hold",
        btc.update().replace("BTC/USD", "BTC/USE"),
        ["BTC/USD", "ETH/USD", "SOL/USD"],
      ],
      [
        "an unreadable name",
        btc.update().replace('"symbol":"BTC/USD"', '"symbol":"BTC/U\u0002D"'),
        ["BTC/USD", "ETH/USD", "SOL/USD"],
      ],
      ["cut off before its name", btc.update().slice(0, 30), ["BTC/USD", "ETH/USD", "SOL/USD"]],
      ["nothing at all", "", ["BTC/USD", "ETH/USD", "SOL/USD"]],
    ];
    for (const [what, raw, symbols] of cases) {
      allLive();
      const malformed = r.session.malformed;
      r.feed(raw);
      expect([what, resynced()]).toEqual([what, symbols]);
      expect([what, r.session.malformed]).toEqual([what, malformed + 1]);
      for (const s of r.session.slots) {
        expect([what, s.symbol, s.state]).toEqual([
          what,
          s.symbol,
          symbols.includes(s.symbol) ? "resyncing" : "live",
        ]);
      }
    }
  });

  it("resyncs a whole market in batched requests: 250 books, one frame naming none, three unsubscribes and three subscribes", () => {
    const symbols = Array.from({ length: 250 }, (_, i) => `S${String(i).padStart(3, "0")}/USD`);
    const r = rig(symbols);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    for (const [i, symbol] of symbols.entries()) r.feed(new ModelBook(symbol, 100 + i).snapshot(10));
    expect(r.session.slots.every((s) => s.state === "live")).toBe(true);
    r.sent.length = 0;
    r.events.length = 0;
    r.feed("");
    expect(r.events.filter((e) => e.type === "resync")).toHaveLength(250);
    expect(r.session.slots.every((s) => s.state === "resyncing")).toBe(true);
    const requests = r.sent.map((t) => JSON.parse(t) as { method: string; params: { symbol: string[] } });
    expect(requests.map((m) => `${m.method} ${m.params.symbol.length}`)).toEqual([
      "unsubscribe 100",
      "unsubscribe 100",
      "unsubscribe 50",
      "subscribe 100",
      "subscribe 100",
      "subscribe 50",
    ]);
    expect(requests.flatMap((m) => (m.method === "subscribe" ? m.params.symbol : [])).sort()).toEqual(
      symbols,
    );
    // Each book's own backoff still holds: the same frame again soon after waits out the second step.
    r.sent.length = 0;
    for (const [i, symbol] of symbols.entries()) r.feed(new ModelBook(symbol, 100 + i).snapshot(10));
    r.feed("");
    expect(r.sent.map((t) => (JSON.parse(t) as { method: string }).method)).toEqual([
      "unsubscribe",
      "unsubscribe",
      "unsubscribe",
    ]);
  });

  it("an update whose name was corrupted into another subscribed symbol resyncs both books", () => {
    const r = rig(["BTC/USD", "ETH/USD", "SOL/USD"]);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    const btc = new ModelBook("BTC/USD", 60000);
    for (const b of [btc, new ModelBook("ETH/USD", 3000), new ModelBook("SOL/USD", 150)])
      r.feed(b.snapshot(10));
    // BTC's update, named ETH/USD: ETH's checksum fails, and BTC, which missed it, is found by trial.
    r.feed(btc.update().replace("BTC/USD", "ETH/USD"));
    expect(r.events.filter((e) => e.type === "resync")).toEqual([
      { type: "resync", symbol: "BTC/USD", reason: "bad-frame", retryInMs: 0 },
      { type: "resync", symbol: "ETH/USD", reason: "checksum-mismatch", retryInMs: 0 },
    ]);
    expect(r.session.slots.map((s) => s.state)).toEqual(["resyncing", "resyncing", "live"]);
    // The same through the generic path (a frame BookScan leaves to it: spaced out).
    r.feed(btc.snapshot(10));
    r.feed(new ModelBook("ETH/USD", 3000).snapshot(10));
    r.events.length = 0;
    r.feed(btc.update().replace("BTC/USD", "ETH/USD").replace('"type":"update"', '"type": "update"'));
    expect(r.events.filter((e) => e.type === "resync").map((e) => e.type === "resync" && e.symbol)).toEqual([
      "BTC/USD",
      "ETH/USD",
    ]);
    // And while the named book waits for its snapshot (its updates are not applied, nor checked).
    r.feed(btc.snapshot(10));
    r.events.length = 0;
    expect(slot(r.session, "ETH/USD").state).toBe("resyncing");
    r.feed(btc.update().replace("BTC/USD", "ETH/USD"));
    // (BTC's third failure within a minute: subscribed again after a backoff.)
    expect(r.events.filter((e) => e.type === "resync")).toEqual([
      { type: "resync", symbol: "BTC/USD", reason: "bad-frame", retryInMs: expect.any(Number) as number },
    ]);
    // An update of the waiting book itself verifies on no other book: nothing happens.
    r.feed(btc.snapshot(10));
    r.events.length = 0;
    r.feed(new ModelBook("ETH/USD", 3000).update());
    expect(r.events).toEqual([]);
  });

  it("says the exchange's status when it changes, and a first one only when it is not online, with no 'was'", () => {
    const status = (system: string): string =>
      JSON.stringify({
        channel: "status",
        type: "update",
        data: [{ system, api_version: "v2", version: "2.0.10" }],
      });
    const notices = (r: ReturnType<typeof rig>): string[] =>
      r.events.flatMap((e) => (e.type === "notice" ? [e.message] : []));
    const quiet = rig(["BTC/USD"]);
    disposers.push(() => quiet.session.dispose());
    quiet.session.opened();
    quiet.feed(status("online"));
    expect(notices(quiet)).toEqual([]);
    quiet.feed(status("maintenance"));
    quiet.feed(status("online"));
    expect(notices(quiet)).toEqual([
      "exchange status: maintenance (was online)",
      "exchange status: online (was maintenance)",
    ]);
    const down = rig(["BTC/USD"]);
    disposers.push(() => down.session.dispose());
    down.session.opened();
    down.feed(status("maintenance"));
    expect(notices(down)).toEqual(["exchange status: maintenance"]);
  });

  it("a broken heartbeat, status or method answer is counted but resyncs nothing", () => {
    const r = rig(["BTC/USD"]);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    r.feed(new ModelBook("BTC/USD", 60000).snapshot(10));
    for (const raw of [
      '{"channel":"heartbeat"',
      '{"channel":"status","type":"update","data":[{"system":"onl\u0001ine"}]}',
      '{"method":"subscribe","result":{"channel":"book","symbol":"BTC/USD"},"success":tru',
      '{"method":"pong","req_id":3,',
    ])
      r.feed(raw);
    expect(r.session.malformed).toBe(4);
    expect(r.events.filter((e) => e.type === "resync")).toEqual([]);
    expect(slot(r.session, "BTC/USD").state).toBe("live");
  });

  it("resubscribes a subscribe never acked, and an ack never followed by its snapshot", async () => {
    const sent: string[] = [];
    const events: FeedEvent[] = [];
    const session = new Session(
      {
        symbols: ["BTC/USD", "ETH/USD"],
        depth: 10,
        retryBaseMs: 1000,
        retryCapMs: 10_000,
        subscribeTimeoutMs: 50,
      },
      {
        send: (t) => void (t.includes(`"channel":"book"`) && sent.push(t)),
        event: (e) => events.push(e),
        slowDown: () => {},
      },
    );
    disposers.push(() => session.dispose());
    session.opened();
    session.frame(
      '{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"ETH/USD"},"success":true}',
      1,
    );
    const until = async (done: () => boolean): Promise<void> => {
      while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await until(() => events.length >= 2);
    expect(events.slice(0, 2)).toEqual([
      { type: "resync", symbol: "BTC/USD", reason: "subscribe-timeout", retryInMs: 0 },
      { type: "resync", symbol: "ETH/USD", reason: "snapshot-timeout", retryInMs: 0 },
    ]);
    expect(session.slots.map((s) => s.reason)).toEqual(["subscribe-timeout", "snapshot-timeout"]);
    const methods = sent.map((t) => JSON.parse(t) as { method: string; params: { symbol: string[] } });
    expect(methods.slice(0, 5).map((m) => `${m.method} ${m.params.symbol.join(",")}`)).toEqual([
      "subscribe BTC/USD,ETH/USD",
      "unsubscribe BTC/USD",
      "subscribe BTC/USD",
      "unsubscribe ETH/USD",
      "subscribe ETH/USD",
    ]);
    // A snapshot in time ends the wait: nothing more is sent.
    session.frame(new ModelBook("BTC/USD", 60000).snapshot(10), 2);
    session.frame(new ModelBook("ETH/USD", 3000).snapshot(10), 3);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(sent).toHaveLength(5);
    expect(session.slots.map((s) => s.state)).toEqual(["live", "live"]);
  });

  it("a rate-limit answer to a subscribe retries that symbol on the slow step", () => {
    const r = rig(["BTC/USD", "ETH/USD"], 100);
    disposers.push(() => r.session.dispose());
    r.session.opened();
    r.feed('{"error":"Exceeded msg rate","method":"subscribe","success":false,"symbol":"ETH/USD"}');
    expect(r.session.slots.map((s) => [s.state, s.reason, s.retry !== undefined])).toEqual([
      ["awaiting-snapshot", undefined, false],
      ["awaiting-snapshot", "Exceeded msg rate", true],
    ]);
    const retry = r.events.find((e) => e.type === "error" && e.message.startsWith("subscribe ETH/USD"));
    expect(retry?.type === "error" && retry.retryInMs).toBeGreaterThanOrEqual(200);
    expect(r.events.filter((e) => e.type === "rejected")).toEqual([]);
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
      '{"channel":"ticker","type":"update","data":[]}',
    ])
      r.feed(f);
    expect(r.session.version).toBe(v);
    expect(r.events).toEqual([]);
    expect(r.session.malformed).toBe(0);
  });
});
