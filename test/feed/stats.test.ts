import { describe, expect, it } from "vitest";
import { LatencyWindow, LATENCY_WINDOW_MS, RateCounter } from "../../src/feed/stats.js";

describe("stats windows", () => {
  it("messages per second over the last two seconds", () => {
    const r = new RateCounter();
    for (let t = 0; t < 2000; t += 10) r.add(10_000 + t);
    expect(r.perSecond(12_000)).toBe(100);
    expect(r.perSecond(20_000)).toBe(0);
  });

  it("latency p50 and p99 over recent samples only", () => {
    const w = new LatencyWindow();
    expect(w.percentiles(0)).toBeNull();
    for (let i = 1; i <= 100; i++) w.add(i, 1000);
    expect(w.percentiles(1000)).toEqual({ p50: 50, p99: 99 });
    w.add(5000, 1000 + LATENCY_WINDOW_MS + 1);
    expect(w.percentiles(1000 + LATENCY_WINDOW_MS + 1)).toEqual({ p50: 5000, p99: 5000 });
  });
});
