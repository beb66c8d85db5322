import { describe, expect, it } from "vitest";
import { MarketFigures } from "../../src/analytics/market-figures.js";
import type { FigureSource } from "../../src/analytics/market-figures.js";

const book = (version: number, state: string, ask = "101"): FigureSource => ({
  symbol: "X/USD",
  state,
  version,
  bids: [{ price: "99", qty: "1" }],
  asks: [{ price: ask, qty: "3" }],
});

describe("figures of every watched book, for a board", () => {
  it("computes a live book's figures and records its spread once a second; a book that is not live shows none", () => {
    const m = new MarketFigures({ bands: ["10"], notional: "50" }, 60_000, 1_000);
    m.update([book(1, "live")], "live", 1_000);
    expect(m.of("X/USD", 1_000)?.figures).toMatchObject({
      mid: "100",
      spreadBps: "200.0000",
      imbalance: "-0.5000",
    });
    m.update([book(2, "live", "103")], "live", 2_000); // spread 4 on a mid of 101
    m.update([book(3, "live", "102")], "live", 3_000); // spread 3 on a mid of 100.5
    expect(m.of("X/USD", 3_000)?.spread).toEqual({
      median: "298.5075",
      p95: "396.0396",
      series: ["200.0000", "396.0396", "298.5075"],
    });
    // Resyncing: no figures, nothing added to the window; so too every book while the connection is not live.
    m.update([book(4, "resyncing")], "live", 4_000);
    expect(m.of("X/USD", 4_000)?.figures).toBeUndefined();
    m.update([book(5, "live")], "reconnecting", 5_000);
    expect(m.of("X/USD", 5_000)?.figures).toBeUndefined();
    expect(m.of("X/USD", 5_000)?.spread?.series).toHaveLength(3);
    expect(m.of("Y/USD", 5_000)).toBeUndefined();
  });
});
