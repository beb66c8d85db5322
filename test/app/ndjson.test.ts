import { describe, expect, it } from "vitest";
import { bookLine, NdjsonWriter } from "../../src/app/ndjson.js";
import type { BookView, FeedEvent, FeedView } from "../../src/feed/types.js";

const live: BookView = {
  symbol: "BTC/USD",
  state: "live",
  version: 1,
  bids: [{ price: "63388.7", qty: "0.25761908" }],
  asks: [{ price: "63388.8", qty: "0.34887114" }],
  bid: { price: "63388.7", qty: "0.25761908" },
  ask: { price: "63388.8", qty: "0.34887114" },
  spread: "0.1",
  mid: "63388.75",
  priceDecimals: 1,
  qtyDecimals: 8,
  checksums: { ok: 120, failed: 0 },
  resyncs: 0,
  tradeGaps: 0,
  time: "2026-08-02T03:35:51.123456Z",
  changedAt: 1,
  messagesPerSecond: 12,
  latencyP50: 3,
  latencyP99: 9,
};

const view = (books: BookView[], connection: FeedView["connection"] = { state: "live" }): FeedEvent => ({
  type: "view",
  view: {
    connection,
    books,
    publishedAt: 0,
    receivedAt: 0,
    malformed: 0,
  } satisfies FeedView,
});

describe("NDJSON lines", () => {
  it("writes a book line exactly as documented", () => {
    expect(bookLine(live)).toBe(
      '{"type":"book","symbol":"BTC/USD","state":"live","bid":{"price":"63388.7","qty":"0.25761908"},"ask":{"price":"63388.8","qty":"0.34887114"},"spread":"0.1","mid":"63388.75","checksums":{"ok":120,"failed":0},"resyncs":0,"time":"2026-08-02T03:35:51.123456Z"}',
    );
  });

  it("writes a lagging book with its prices and lag, and a quiet connection", () => {
    expect(bookLine({ ...live, state: "lagging", lagMs: 24_000 })).toBe(
      '{"type":"book","symbol":"BTC/USD","state":"lagging","bid":{"price":"63388.7","qty":"0.25761908"},"ask":{"price":"63388.8","qty":"0.34887114"},"spread":"0.1","mid":"63388.75","checksums":{"ok":120,"failed":0},"resyncs":0,"time":"2026-08-02T03:35:51.123456Z","lagMs":24000}',
    );
    const lines: string[] = [];
    const w = new NdjsonWriter(
      (l) => lines.push(l),
      () => undefined,
    );
    w.event({ type: "connection", state: "quiet", since: 5 });
    w.event({ type: "connection", state: "live" });
    expect(lines).toEqual(['{"type":"connection","state":"quiet"}', '{"type":"connection","state":"live"}']);
  });

  it("leaves prices out of a book that is not verified", () => {
    const resyncing: BookView = { ...live, state: "resyncing", bids: [], asks: [] };
    delete (resyncing as { bid?: unknown }).bid;
    delete (resyncing as { ask?: unknown }).ask;
    delete (resyncing as { spread?: unknown }).spread;
    delete (resyncing as { mid?: unknown }).mid;
    expect(JSON.parse(bookLine(resyncing))).toEqual({
      type: "book",
      symbol: "BTC/USD",
      state: "resyncing",
      checksums: { ok: 120, failed: 0 },
      resyncs: 0,
      time: "2026-08-02T03:35:51.123456Z",
    });
  });

  it("writes each event type as documented and a book only when its line changed", () => {
    const lines: string[] = [];
    const notices: string[] = [];
    const w = new NdjsonWriter(
      (text) => lines.push(...text.split("\n")),
      (n) => notices.push(n),
    );
    w.event({ type: "connection", state: "connecting", attempt: 1 });
    w.event({ type: "connection", state: "subscribing" });
    w.event(view([live]));
    w.event(view([{ ...live, messagesPerSecond: 40, latencyP50: 1 }]));
    w.event(view([{ ...live, checksums: { ok: 121, failed: 0 } }]));
    w.event({ type: "resync", symbol: "BTC/USD", reason: "checksum-mismatch", retryInMs: 0 });
    w.event({ type: "rejected", symbol: "FOO/BAR", reason: "Currency pair not supported FOO/BAR" });
    w.event({ type: "error", message: "malformed frame: malformed JSON" });
    w.event({ type: "notice", message: "exchange status: maintenance" });
    w.event({
      type: "connection",
      state: "reconnecting",
      attempt: 2,
      retryInMs: 740,
      retryAt: 5,
      reason: "closed",
    });
    w.event({ type: "stopped" });
    expect(lines.map((l) => JSON.parse(l) as { type: string })).toEqual([
      { type: "connection", state: "connecting", attempt: 1 },
      { type: "connection", state: "subscribing" },
      JSON.parse(bookLine(live)),
      JSON.parse(bookLine({ ...live, checksums: { ok: 121, failed: 0 } })),
      { type: "resync", symbol: "BTC/USD", reason: "checksum-mismatch", retryInMs: 0 },
      { type: "rejected", symbol: "FOO/BAR", reason: "Currency pair not supported FOO/BAR" },
      { type: "error", message: "malformed frame: malformed JSON" },
      { type: "error", message: "connection lost: closed" },
      { type: "connection", state: "reconnecting", attempt: 2, retryInMs: 740 },
    ]);
    expect(lines.at(-1)).toBe('{"type":"connection","state":"reconnecting","attempt":2,"retryInMs":740}');
    expect(notices).toEqual(["exchange status: maintenance"]);
  });

  it("writes a recording failure as an error line saying the recording is incomplete", () => {
    const lines: string[] = [];
    const w = new NdjsonWriter(
      (l) => lines.push(l),
      () => undefined,
    );
    w.event({
      type: "recording-failed",
      path: "/data/btc.jsonl",
      reason: "ENOSPC: no space left on device",
    });
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        type: "error",
        message:
          "recording to /data/btc.jsonl stopped: ENOSPC: no space left on device; the recording is incomplete",
      },
    ]);
  });

  it("escapes C1 controls, bidi overrides and other invisible characters that JSON.stringify leaves raw", () => {
    const lines: string[] = [];
    const w = new NdjsonWriter(
      (l) => lines.push(l),
      () => undefined,
    );
    const hostile = "FOO\u009b2J\u202e\u2066\u200b\ufeff\u2028/BAR";
    w.event({ type: "rejected", symbol: hostile, reason: `Currency pair not supported ${hostile}` });
    w.event(view([{ ...live, symbol: hostile }]));
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    expect(lines[0]).toContain("FOO\\u009b2J\\u202e\\u2066\\u200b\\ufeff\\u2028/BAR");
    expect(JSON.parse(lines[0]!)).toEqual({
      type: "rejected",
      symbol: hostile,
      reason: `Currency pair not supported ${hostile}`,
    });
    expect((JSON.parse(lines[1]!) as { symbol: string }).symbol).toBe(hostile);
  });

  it("writes the changed book lines of one view in one write, in the view's order", () => {
    const writes: string[] = [];
    const w = new NdjsonWriter(
      (text) => writes.push(text),
      () => undefined,
    );
    const eth: BookView = { ...live, symbol: "ETH/USD" };
    const sol: BookView = { ...live, symbol: "SOL/USD" };
    w.event(view([live, eth, sol]));
    w.event(view([live, { ...eth, resyncs: 1 }, { ...sol, resyncs: 1 }]));
    expect(writes).toEqual([
      [bookLine(live), bookLine(eth), bookLine(sol)].join("\n"),
      [bookLine({ ...eth, resyncs: 1 }), bookLine({ ...sol, resyncs: 1 })].join("\n"),
    ]);
  });

  it("with --analytics, a book unchanged when the feed ends or stops keeps its last line (with figures)", () => {
    for (const over of [{ state: "ended" }, { state: "stopped" }] as const) {
      const lines: string[] = [];
      const w = new NdjsonWriter(
        (text) => lines.push(...text.split("\n")),
        () => undefined,
        { analytics: { bands: ["10"], notional: "1000" } },
      );
      w.event(view([live]));
      w.event(view([live], over));
      w.event(view([{ ...live }], over));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ state: "live", imbalance: expect.any(String) });
      // A book that did change meanwhile gets its last line, without figures: the socket is closed.
      w.event(view([{ ...live, version: 2, checksums: { ok: 121, failed: 0 } }], over));
      expect(lines).toHaveLength(2);
      expect(JSON.parse(lines[1]!)).toMatchObject({ checksums: { ok: 121, failed: 0 } });
      expect(JSON.parse(lines[1]!)).not.toHaveProperty("imbalance");
    }
  });
});
