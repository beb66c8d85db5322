import { constants, PerformanceObserver } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import {
  collectBetweenFrames,
  ROOM_IN_FRAMES,
  scavenger,
  shouldCollectBetweenFrames,
  youngSpace,
  type YoungSpace,
} from "../../src/ui/frame-gc.js";

describe("shouldCollectBetweenFrames", () => {
  it("collects when the next frame would fill the young generation", () => {
    expect(shouldCollectBetweenFrames(100_000, 500_000)).toBe(true);
    expect(shouldCollectBetweenFrames(ROOM_IN_FRAMES * 500_000 - 1, 500_000)).toBe(true);
    expect(shouldCollectBetweenFrames(ROOM_IN_FRAMES * 500_000, 500_000)).toBe(false);
    expect(shouldCollectBetweenFrames(4_000_000, 500_000)).toBe(false);
  });

  it("does not collect before a frame's allocation is known", () => {
    expect(shouldCollectBetweenFrames(0, 0)).toBe(false);
  });
});

/** A young generation of `size` bytes driven by the test: frames allocate, collections empty it. */
function fakeYoung(size: number, survivors: number) {
  let used = survivors;
  const collections: number[] = [];
  return {
    space: (): YoungSpace => ({ used, available: size - used }),
    collect: () => {
      collections.push(used);
      used = survivors;
    },
    /** A frame allocating `bytes`; V8 collects in the frame when they do not fit. */
    frame(bytes: number) {
      if (used + bytes > size) {
        used = survivors;
        this.inFrame++;
      }
      used += bytes;
    },
    collections,
    inFrame: 0,
  };
}

describe("collectBetweenFrames", () => {
  it("collects after a frame when the next one would not fit, and not otherwise", async () => {
    const young = fakeYoung(4_000_000, 100_000);
    const afterFrame = collectBetweenFrames(young.collect, young.space);
    const collected: number[] = [];
    for (let frame = 0; frame < 14; frame++) {
      young.frame(500_000);
      afterFrame();
      await nextTurn();
      collected.push(young.collections.length);
    }
    // 100 kB survive, frames of 500 kB: the first check only learns where the young generation stands; at
    // 3.6 MB in use 400 kB are left, less than 1.25 frames: collected then, never by V8 inside a frame.
    expect(young.collections).toEqual([3_600_000, 3_600_000]);
    expect(young.inFrame).toBe(0);
    expect(collected).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2]);
  });

  it("checks once per turn of the event loop however many frames Ink drew in it", async () => {
    let checks = 0;
    const afterFrame = collectBetweenFrames(
      () => {},
      () => (checks++, { used: 0, available: 1 }),
    );
    afterFrame();
    afterFrame();
    expect(checks).toBe(0);
    await nextTurn();
    expect(checks).toBe(1);
  });

  it("takes a frame's allocation as the largest recent growth between checks, decaying", async () => {
    const readings: YoungSpace[] = [
      { used: 400_000, available: 600_000 },
      { used: 700_000, available: 300_000 }, // grew 300 k; 300 k left < 1.25 × 300 k: collect,
      { used: 100_000, available: 900_000 }, // which leaves 100 k.
      { used: 50_000, available: 950_000 }, // V8 collected within the frame: 270 k (decayed); plenty left.
      { used: 700_000, available: 300_000 }, // grew 650 k: a larger frame counts at once; collect,
      { used: 100_000, available: 900_000 },
      { used: 300_000, available: 700_000 }, // grew 200 k, but 585 k (decayed) is expected: collect.
    ];
    const collections: number[] = [];
    const afterFrame = collectBetweenFrames(
      () => collections.push(readings.length),
      () => readings.shift(),
    );
    for (let frame = 0; frame < 5; frame++) {
      afterFrame();
      await nextTurn();
    }
    expect(collections).toEqual([5, 2, 0]);
    expect(readings).toEqual([]);
  });

  it("does nothing where V8's collector cannot be had", async () => {
    let checks = 0;
    const afterFrame = collectBetweenFrames(undefined, () => (checks++, undefined));
    afterFrame();
    await nextTurn();
    expect(checks).toBe(0);
  });
});

describe("V8's young generation", () => {
  it("is read from the heap statistics", () => {
    const young = youngSpace();
    expect(young?.used).toBeGreaterThan(0);
    expect(young?.available).toBeGreaterThan(0);
  });

  it("is collected by the scavenger, as a minor collection", async () => {
    const collect = scavenger();
    expect(collect).toBeTypeOf("function");
    const kinds: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        kinds.push((entry as { detail?: { kind: number } }).detail?.kind ?? -1);
    });
    observer.observe({ entryTypes: ["gc"] });
    try {
      let garbage: unknown[] | undefined = Array.from({ length: 5_000 }, (_, i) => ({ i }));
      const before = youngSpace()?.used ?? 0;
      garbage = undefined;
      collect?.();
      const after = youngSpace()?.used ?? 0;
      expect(garbage).toBeUndefined();
      expect(after).toBeLessThan(before);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(kinds).toContain(constants.NODE_PERFORMANCE_GC_MINOR);
    } finally {
      observer.disconnect();
    }
  });
});
