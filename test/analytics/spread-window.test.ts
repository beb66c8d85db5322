import { describe, expect, it } from "vitest";
import { SpreadWindow } from "../../src/analytics/spread-window.js";

describe("the rolling spread window", () => {
  it("keeps one sample a second (the latest), and gives the median and the nearest-rank p95", () => {
    const w = new SpreadWindow(300_000, 1_000);
    expect(w.summary(0)).toBeUndefined();
    w.add(1_000, "9");
    w.add(1_500, "1"); // same second: replaces 9
    for (let s = 2; s <= 20; s++) w.add(s * 1_000, String(s));
    // samples 1..20
    expect(w.summary(20_000)).toEqual({
      median: "10.5",
      p95: "19",
      series: Array.from({ length: 20 }, (_, i) => String(i + 1)),
    });
  });

  it("forgets samples older than the window", () => {
    const w = new SpreadWindow(10_000, 1_000);
    w.add(0, "100");
    w.add(5_000, "1.25");
    w.add(9_000, "3");
    expect(w.summary(9_000)?.series).toEqual(["100", "1.25", "3"]);
    expect(w.summary(10_500)).toEqual({ median: "2.125", p95: "3", series: ["1.25", "3"] });
    expect(w.summary(30_000)).toBeUndefined();
  });

  it("orders samples that differ in the last place, and takes the latest of a second however often it repeats", () => {
    const w = new SpreadWindow(300_000, 1_000);
    w.add(1_000, "10.0001");
    w.add(2_000, "9.9999");
    w.add(2_400, "9.9999");
    w.add(2_600, "10.0000");
    w.add(2_800, "10.0000");
    w.add(3_000, "10.0002");
    w.add(4_000, "9.9999");
    // Sorted: 9.9999, 10.0000, 10.0001, 10.0002.
    expect(w.summary(4_000)).toEqual({
      median: "10.00005",
      p95: "10.0002",
      series: ["10.0001", "10.0000", "10.0002", "9.9999"],
    });
  });
});
