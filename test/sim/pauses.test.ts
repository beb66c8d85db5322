import { describe, expect, it } from "vitest";
import { PauseClock } from "../../src/sim/pauses.js";

describe("PauseClock", () => {
  it("shortens every pause longer than the most to the most, and keeps the others", () => {
    // Pauses: 2, 3 (kept), 100 (to 5), 1 (kept), 54 (to 5); the input need not be sorted.
    const clock = new PauseClock([160, 0, 105, 2, 5, 106], 5);
    expect([0, 2, 5, 105, 106, 160].map((t) => clock.at(t))).toEqual([0, 2, 5, 10, 11, 16]);
    // Between timestamps (a frame without one is due at the latest before it): shifted as the pause before.
    expect(clock.at(3)).toBe(3);
    expect(clock.at(150)).toBe(55);
    // A pause of exactly the most is kept.
    expect(new PauseClock([0, 5, 10], 5).at(10)).toBe(10);
  });

  it("has nothing to shorten with fewer than two timestamps", () => {
    expect(new PauseClock([], 5).at(42)).toBe(42);
    expect(new PauseClock([7], 5).at(7)).toBe(7);
  });
});
