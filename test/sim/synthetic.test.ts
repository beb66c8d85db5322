import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../../src/sim/catalogue.js";
import { toUnits } from "../../src/sim/market.js";
import { catalogueWith } from "../../src/sim/synthetic.js";

describe("the simulator's synthetic catalogue (--pairs)", () => {
  it("adds N pairs to the built-in ones, the same for the same seed and other for another", () => {
    const a = catalogueWith(500, 1);
    expect(a.length).toBe(CATALOGUE.length + 500);
    expect(a.slice(0, CATALOGUE.length)).toEqual(CATALOGUE);
    expect(catalogueWith(500, 1)).toEqual(a);
    expect(catalogueWith(500, 2).map((p) => p.symbol)).not.toEqual(a.map((p) => p.symbol));
    expect(catalogueWith(0, 1)).toBe(CATALOGUE);
  });

  it("gives valid, unique names and realistic, varied precisions, minimums, quotes, statuses and rates", () => {
    const synthetic = catalogueWith(1000, 3).slice(CATALOGUE.length);
    const symbols = synthetic.map((p) => p.symbol);
    expect(new Set([...symbols, ...CATALOGUE.map((p) => p.symbol)]).size).toBe(
      symbols.length + CATALOGUE.length,
    );
    for (const p of synthetic) {
      expect(p.symbol).toMatch(/^[A-Z0-9]{3,6}\/[A-Z]{3,4}$/);
      expect(p.symbol).toBe(`${p.base}/${p.quote}`);
      // Enough ticks below the mid for over 1000 bid levels; integers that stay exact as doubles.
      expect(p.midTicks).toBeGreaterThanOrEqual(10_000);
      expect(p.pricePrecision).toBeGreaterThanOrEqual(0);
      expect(p.pricePrecision).toBeLessThanOrEqual(10);
      const minLots = toUnits(p.qtyMin, p.qtyPrecision);
      expect(minLots).toBeGreaterThanOrEqual(1);
      expect(minLots * 60_000).toBeLessThan(Number.MAX_SAFE_INTEGER);
      expect(p.qtyMin).toMatch(
        p.qtyPrecision === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${p.qtyPrecision}}$`),
      );
    }
    expect(new Set(synthetic.map((p) => p.pricePrecision)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(synthetic.map((p) => p.qtyPrecision)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(synthetic.map((p) => p.quote)).size).toBeGreaterThanOrEqual(8);
    const offline = synthetic.filter((p) => p.status !== "online").length;
    expect(offline).toBeGreaterThan(0);
    expect(offline).toBeLessThan(100);
    const factors = synthetic.map((p) => p.rateFactor!);
    expect(factors.reduce((n, f) => n + f, 0) / factors.length).toBeCloseTo(1, 9);
    expect(Math.max(...factors) / Math.min(...factors)).toBeGreaterThan(20);
  });
});
