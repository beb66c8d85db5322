import { describe, expect, it } from "vitest";
import { ReceiveClock } from "../../src/sim/pauses.js";

/** The times ReceiveClock gives frames added in this order: a number is an update's timestamp, `s` a snapshot. */
function received(frames: readonly (number | "s")[], maxPause = 5): number[] {
  const clock = new ReceiveClock(maxPause);
  const timed = frames.map(() => ({ at: NaN }));
  frames.forEach((f, i) => clock.add(timed[i]!, f === "s" ? undefined : f));
  clock.end();
  return timed.map((t) => t.at);
}

describe("ReceiveClock", () => {
  it("times updates from the first, and a snapshot with the next update, however old its own timestamp", () => {
    // Two snapshots (the books' last changes long before), then updates 1 apart, a resync's snapshot, more.
    expect(received(["s", "s", 1000, 1001, 1002, "s", 1003, 1004])).toEqual([0, 0, 0, 1, 2, 3, 3, 4]);
  });

  it("gives an update older than one before it (another pair's, out of order) the newer one's time", () => {
    expect(received([10, 12, 11, 13])).toEqual([0, 2, 2, 3]);
  });

  it("shortens every pause longer than the most to the most, and keeps the others", () => {
    // Pauses: 2, 3 (kept), 100 (to 5, with the next run's snapshot at its end), 1, 54 (to 5), 5 (kept).
    expect(received([0, 2, 5, "s", 105, 106, 160, 165])).toEqual([0, 2, 5, 10, 10, 11, 16, 21]);
  });

  it("gives frames after the last update its time, and every frame 0 when none is an update", () => {
    expect(received([7, 9, "s", "s"])).toEqual([0, 2, 2, 2]);
    expect(received(["s", "s"])).toEqual([0, 0]);
  });
});
