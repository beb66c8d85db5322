import { describe, expect, it } from "vitest";
import { ClockOffset, lagOf, OFFSET_BUCKET_MS, OFFSET_BUCKETS } from "../../src/feed/freshness.js";
import { freshness } from "../../src/feed/publisher.js";
import { Slot } from "../../src/feed/session.js";
import type { ConnectionState } from "../../src/feed/types.js";

const T0 = 1_780_000_000_000;
const WINDOW = OFFSET_BUCKET_MS * OFFSET_BUCKETS;

describe("the clock offset", () => {
  it("is the smallest receive − exchange figure of the window, whatever its sign", () => {
    const o = new ClockOffset();
    expect(o.baseline(T0)).toBeUndefined();
    o.add(-7000 + 40, T0);
    o.add(-7000 + 12, T0 + 100);
    o.add(-7000 + 900, T0 + 200);
    expect(o.baseline(T0 + 300)).toBe(-6988);
  });

  it("forgets figures older than the window, so a clock stepped forward stops reading as lag", () => {
    const o = new ClockOffset();
    o.add(10, T0);
    o.add(5000 + 10, T0 + WINDOW / 2);
    expect(o.baseline(T0 + WINDOW / 2)).toBe(10);
    expect(o.baseline(T0 + WINDOW + OFFSET_BUCKET_MS)).toBe(5010);
  });

  it("gives a lag only once both figures are known, never below zero", () => {
    expect(lagOf(undefined, 10)).toBeUndefined();
    expect(lagOf(10, undefined)).toBeUndefined();
    expect(lagOf(2510.4, 10)).toBe(2500);
    expect(lagOf(5, 10)).toBe(0);
  });
});

describe("a book's freshness", () => {
  const limits = { staleAfterMs: 30_000, maxLagMs: 3000 };
  const live: ConnectionState = { state: "live" };
  const slot = (delta: number | undefined, changedAt = T0): Slot => {
    const s = new Slot("BTC/USD", 100, 1000, 60_000);
    s.state = "live";
    s.delta = delta;
    s.changedAt = changedAt;
    return s;
  };

  it("is live within --max-lag and lagging beyond it, with the lag either way", () => {
    expect(freshness(slot(2900), live, T0, limits, { baseline: 0 })).toEqual({ state: "live", lagMs: 2900 });
    expect(freshness(slot(3100), live, T0, limits, { baseline: 0 })).toEqual({
      state: "lagging",
      lagMs: 3100,
      cause: "timestamps",
    });
    expect(freshness(slot(undefined), live, T0, limits, { baseline: 0 })).toEqual({
      state: "live",
      lagMs: undefined,
    });
  });

  it("is lagging on a quiet connection, its lag at least the silence; a quiet market is only stale", () => {
    const quiet: ConnectionState = { state: "quiet", since: T0 - 4000 };
    expect(freshness(slot(100), quiet, T0, limits, { baseline: 0 })).toEqual({
      state: "lagging",
      lagMs: 4000,
      cause: "quiet",
    });
    expect(freshness(slot(100, T0 - 40_000), live, T0, limits, { baseline: 0 })).toEqual({
      state: "stale",
      lagMs: 100,
    });
  });

  it("is lagging after a silence of --quiet-after that the connection has not yet said is quiet (a thread stopped, its timers due)", () => {
    const quietAfter = { ...limits, quietAfterMs: 3000 };
    expect(freshness(slot(100), live, T0, quietAfter, { baseline: 0, heardAt: T0 - 15_000 })).toEqual({
      state: "lagging",
      lagMs: 15_000,
      cause: "quiet",
    });
    expect(freshness(slot(100), live, T0, quietAfter, { baseline: 0, heardAt: T0 - 2900 })).toEqual({
      state: "live",
      lagMs: 100,
    });
    // Nothing is read after a replay's end: its silence is not lag.
    expect(
      freshness(slot(100), { state: "ended" }, T0, quietAfter, { baseline: 0, heardAt: T0 - 15_000 }),
    ).toEqual({ state: "live", lagMs: 100 });
  });

  it("is as late as the newest update of any book on the connection, even with no update of its own", () => {
    expect(freshness(slot(100), live, T0, limits, { baseline: 0, newestDelta: 5000 })).toEqual({
      state: "lagging",
      lagMs: 5000,
      cause: "timestamps",
    });
    expect(freshness(slot(undefined), live, T0, limits, { baseline: 0, newestDelta: 5000 })).toEqual({
      state: "lagging",
      lagMs: 5000,
      cause: "timestamps",
    });
    expect(freshness(slot(4000), live, T0, limits, { baseline: 0, newestDelta: 100 })).toEqual({
      state: "lagging",
      lagMs: 4000,
      cause: "timestamps",
    });
    expect(freshness(slot(100), live, T0, limits, { baseline: 0, newestDelta: 200 })).toEqual({
      state: "live",
      lagMs: 200,
    });
  });

  it("is lagging while the newest answer to a ping took longer than --max-lag, its lag that long", () => {
    const wire = (roundTripMs: number, awaitingReplySince?: number) => ({
      baseline: 0,
      roundTripMs,
      awaitingReplySince,
    });
    expect(freshness(slot(100), live, T0, limits, wire(2900))).toEqual({ state: "live", lagMs: 100 });
    expect(freshness(slot(100), live, T0, limits, wire(6000))).toEqual({
      state: "lagging",
      lagMs: 6000,
      cause: "answers",
    });
    expect(freshness(slot(100), live, T0, limits, wire(6000, T0 - 7000))).toEqual({
      state: "lagging",
      lagMs: 7000,
      cause: "answers",
    });
  });

  it("is lagging while a ping has waited longer than --max-lag for its answer, its lag at least the wait", () => {
    const wire = (awaitingReplySince: number) => ({ baseline: 0, awaitingReplySince });
    expect(freshness(slot(100), live, T0, limits, wire(T0 - 2900))).toEqual({ state: "live", lagMs: 100 });
    expect(freshness(slot(100), live, T0, limits, wire(T0 - 3100))).toEqual({
      state: "lagging",
      lagMs: 3100,
      cause: "answers",
    });
    expect(freshness(slot(5000), live, T0, limits, wire(T0 - 3100))).toEqual({
      state: "lagging",
      lagMs: 5000,
      cause: "answers",
    });
    // After a replay's end nothing is read, answers included: no verdict from them.
    expect(freshness(slot(100), { state: "ended" }, T0, limits, wire(T0 - 9000))).toEqual({
      state: "live",
      lagMs: 100,
    });
    // Before any timestamped update: nothing else could tell.
    expect(
      freshness(slot(undefined), live, T0, limits, { baseline: undefined, awaitingReplySince: T0 - 4000 }),
    ).toEqual({
      state: "lagging",
      lagMs: 4000,
      cause: "answers",
    });
  });

  it("leaves a book that is not verified as it is, with no lag", () => {
    const s = slot(9000);
    s.state = "resyncing";
    expect(freshness(s, live, T0, limits, { baseline: 0 })).toEqual({ state: "resyncing", lagMs: undefined });
  });
});
