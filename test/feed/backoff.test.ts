import { describe, expect, it } from "vitest";
import { Backoff } from "../../src/feed/backoff.js";

describe("Backoff (exponential, full jitter)", () => {
  it("doubles the ceiling each attempt up to the cap, with delays anywhere below it", () => {
    const top = new Backoff(250, 30_000, () => 0.999999);
    expect(Array.from({ length: 10 }, () => top.next())).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
    const bottom = new Backoff(250, 30_000, () => 0);
    expect(Array.from({ length: 4 }, () => bottom.next())).toEqual([0, 0, 0, 0]);
  });

  it("starts again from the base after a reset", () => {
    const b = new Backoff(100, 10_000, () => 0.999999);
    b.next();
    b.next();
    b.next();
    expect(b.attempts).toBe(3);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(100);
  });

  it("a slow delay skips ahead and never drops below half its ceiling, so it cannot spin", () => {
    const b = new Backoff(100, 10_000, () => 0);
    expect(b.next(true)).toBe(200); // ceiling 400, floor 200
    expect(b.next(true)).toBe(1600); // ceiling 3200
    expect(b.next(true)).toBe(5000); // capped at 10 000
  });

  it("equal jitter keeps every delay at least half its growing ceiling", () => {
    const b = new Backoff(100, 1000, () => 0, "equal");
    expect(Array.from({ length: 6 }, () => b.next())).toEqual([50, 100, 200, 400, 500, 500]);
  });
});
