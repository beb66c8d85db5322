import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bookFigures, exactLevels, sideCost, sideLiquidity } from "../../src/analytics/index.js";
import type { AnalyticsLevel } from "../../src/analytics/index.js";
import { Exact } from "../../src/analytics/exact.js";
import { orderKeys } from "../../src/analytics/order-keys.js";
import { touchSpreadBps } from "../../src/analytics/touch.js";
import {
  add,
  cmp,
  div,
  exactText,
  mul,
  parse,
  refCost,
  refLiquidity,
  refMid,
  round,
  sub,
} from "./reference.js";

/** A random book: prices on a tick grid at the pair's decimals, sizes at its size decimals, best first. */
type Book = { bids: AnalyticsLevel[]; asks: AnalyticsLevel[] };

function text(units: number, decimals: number): string {
  if (decimals === 0) return String(units);
  const s = String(units).padStart(decimals + 1, "0");
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

const book: fc.Arbitrary<Book> = fc
  .record({
    priceDecimals: fc.constantFrom(0, 1, 2, 5, 8),
    qtyDecimals: fc.constantFrom(0, 2, 8),
    bidTicks: fc.integer({ min: 50, max: 5_000_000 }),
    spread: fc.integer({ min: 1, max: 40 }),
    bidGaps: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 30, size: "max" }),
    askGaps: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 30, size: "max" }),
    qtys: fc.array(fc.integer({ min: 1, max: 2_000_000_000 }), { minLength: 60, maxLength: 60 }),
  })
  .map((r) => {
    const bids: AnalyticsLevel[] = [];
    let t = r.bidTicks;
    for (let i = 0; i < r.bidGaps.length && t > 0; i++) {
      bids.push({ price: text(t, r.priceDecimals), qty: text(r.qtys[i]!, r.qtyDecimals) });
      t -= r.bidGaps[i]!;
    }
    const asks: AnalyticsLevel[] = [];
    t = r.bidTicks + r.spread;
    for (let i = 0; i < r.askGaps.length; i++) {
      asks.push({ price: text(t, r.priceDecimals), qty: text(r.qtys[30 + i]!, r.qtyDecimals) });
      t += r.askGaps[i]!;
    }
    return { bids, asks };
  });

const bps = fc.oneof(
  fc.constantFrom("10", "50", "1", "2.5", "1000"),
  fc.integer({ min: 1, max: 20_000 }).map(String),
);
/** Notionals around what the random books hold, so walks both finish and run off the levels. */
const notional = fc.oneof(
  fc.integer({ min: 1, max: 10_000_000 }).map(String),
  fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 0, max: 6 })).map(([n, d]) => text(n, d)),
);

describe("book analytics against a plain reference (exact fractions of BigInts)", () => {
  it("liquidity within a band is exact, a bound exactly when every level held is inside it, unverified exactly when it counts a level past the top 10", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(book, bps, fc.nat(40), fc.boolean(), (b, fixedBand, j, near) => {
        const mid = refMid(b.bids, b.asks);
        // Half the time a band whose edge falls at a level of the book (on it, or just short of it).
        const at = b.asks[Math.min(j, b.asks.length - 1)]!;
        const band = near
          ? round(
              mul(div(sub(parse(at.price), mid), mid), parse("10000")),
              4,
              j % 2 === 0 ? "floor" : "half-even",
            )
          : fixedBand;
        if (cmp(parse(band), parse("0")) <= 0) return;
        const exactMid = new Exact(exactText(mid));
        for (const side of ["bid", "ask"] as const) {
          const levels = side === "bid" ? b.bids : b.asks;
          const ref = refLiquidity(levels, side, mid, band);
          expect(sideLiquidity(exactLevels(levels), side, exactMid, new Exact(band))).toEqual(ref);
          seen.add(`${ref.complete} ${ref.usesUnverified}`);
        }
      }),
      { numRuns: 400 },
    );
    // The random books reach every case: complete or a bound, with and without unverified levels.
    expect([...seen].sort()).toEqual(["false false", "false true", "true false", "true true"]);
  });

  it("the cost of a notional matches the reference to the last place, a bound exactly when the levels run out", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        book,
        notional,
        fc.integer({ min: 1, max: 1300 }),
        fc.boolean(),
        (b, fixedNotional, permille, relative) => {
          const mid = refMid(b.bids, b.asks);
          // Half the time a share of what the asks hold, so walks end anywhere in the book or run off it.
          let total = parse("0");
          for (const l of b.asks) total = add(total, mul(parse(l.price), parse(l.qty)));
          const share = round(div(mul(total, parse(String(permille))), parse("1000")), 6, "floor");
          const n = !relative ? fixedNotional : cmp(parse(share), parse("0")) > 0 ? share : "0.000001";
          const exactMid = new Exact(exactText(mid));
          const buy = refCost(b.asks, "buy", mid, n);
          const sell = refCost(b.bids, "sell", mid, n);
          expect(sideCost(exactLevels(b.asks), "buy", exactMid, new Exact(n))).toEqual(buy);
          expect(sideCost(exactLevels(b.bids), "sell", exactMid, new Exact(n))).toEqual(sell);
          for (const c of [buy, sell]) seen.add(`${c.complete} ${c.usesUnverified}`);
        },
      ),
      { numRuns: 400 },
    );
    expect([...seen].sort()).toEqual(["false false", "false true", "true false", "true true"]);
  });

  it("the spread in bps from the touch's texts in integers is the exact figure", () => {
    const refSpreadBps = (bid: string, ask: string): string => {
      const mid = div(add(parse(bid), parse(ask)), parse("2"));
      return round(div(sub(parse(ask), parse(bid)), div(mid, parse("10000"))), 4, "half-even");
    };
    fc.assert(
      fc.property(book, fc.constantFrom(0, 1, 3), (b, extra) => {
        // The two prices at different decimals, too (a trailing zero more on one of them).
        const bid = b.bids[0]!.price;
        const ask =
          extra > 0 && !b.asks[0]!.price.includes(".")
            ? b.asks[0]!.price
            : b.asks[0]!.price + "0".repeat(extra);
        expect(touchSpreadBps(bid, ask)).toBe(refSpreadBps(bid, ask));
      }),
      { numRuns: 500 },
    );
    expect(touchSpreadBps("1.00005", "1.00015")).toBe(refSpreadBps("1.00005", "1.00015"));
    expect(touchSpreadBps("100", "100")).toBe("0.0000");
    // Exactly half a last place: to the even neighbour, down (…, even) and up (…, odd).
    for (const [bid, ask] of [
      ["10.23", "10.25"],
      ["2559.3", "2560.7"],
    ] as const) {
      expect(touchSpreadBps(bid, ask)).toBe(refSpreadBps(bid, ask));
    }
    expect(touchSpreadBps("10.23", "10.25")).toBe("19.5312");
  });

  it("the board's float sort keys agree with the exact figures but for ties at an edge", () => {
    let compared = 0;
    fc.assert(
      fc.property(book, bps, notional, (b, band, n) => {
        const exact = bookFigures(b, { bands: [band], notional: n })!;
        const keys = orderKeys(b, { bands: [band], notional: n })!;
        const liquidity = Number(exact.liquidity[0]!.bid.amount) + Number(exact.liquidity[0]!.ask.amount);
        const cost = Math.max(Number(exact.cost.buy.bps), Number(exact.cost.sell.bps));
        const bound = !exact.cost.buy.complete || !exact.cost.sell.complete;
        // A level within a float's error of a band edge, or a walk ending within it of the notional, may
        // fall either side: those are the near-ties the keys may order either way.
        const near = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
        const mid = (Number(b.bids[0]!.price) + Number(b.asks[0]!.price)) / 2;
        const edges = [mid * (1 - Number(band) / 10_000), mid * (1 + Number(band) / 10_000)];
        const atEdge = [...b.bids, ...b.asks].some((l) => edges.some((e) => near(Number(l.price), e)));
        if (!atEdge) expect(near(keys.liquidity, liquidity)).toBe(true);
        const sums = [b.asks, b.bids].flatMap((side) => {
          let sum = 0;
          return side.map((l) => (sum += Number(l.price) * Number(l.qty)));
        });
        if (sums.some((v) => near(v, Number(n)))) return;
        expect(keys.costBound).toBe(bound);
        // bps to 4 places, exact (half-even, or down for a bound) against the float.
        expect(Math.abs(keys.cost - cost)).toBeLessThanOrEqual(1e-4 + 1e-9 * Math.abs(cost));
        compared++;
      }),
      { numRuns: 400 },
    );
    expect(compared).toBeGreaterThan(300);
  });

  it("mid, spread, spread bps and imbalance match the reference", () => {
    fc.assert(
      fc.property(book, (b) => {
        const f = bookFigures(b, { bands: ["10"], notional: "1000" })!;
        const mid = refMid(b.bids, b.asks);
        const bid = parse(b.bids[0]!.price);
        const ask = parse(b.asks[0]!.price);
        expect(f.mid).toBe(exactText(mid));
        expect(f.spread).toBe(exactText(sub(ask, bid)));
        expect(f.spreadBps).toBe(round(div(sub(ask, bid), div(mid, parse("10000"))), 4, "half-even"));
        const qb = parse(b.bids[0]!.qty);
        const qa = parse(b.asks[0]!.qty);
        const sum = parse(exactText({ n: qb.n * qa.d + qa.n * qb.d, d: qb.d * qa.d }));
        expect(f.imbalance).toBe(round(div(sub(qb, qa), sum), 4, "half-even"));
        expect(cmp(parse(f.cost.buy.bps), parse("0"))).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe("book analytics, worked examples", () => {
  const levels = (...pq: [string, string][]): AnalyticsLevel[] => pq.map(([price, qty]) => ({ price, qty }));
  const b: Book = {
    bids: levels(["99", "1"], ["98", "2"], ["97", "10"]),
    asks: levels(["101", "1"], ["102", "2"], ["103", "10"]),
  };

  it("walks a buy across levels and takes the last in part", () => {
    // 101 + 204 = 305 for 3 base; 195 more at 103 = 195/103 base: avg = 500 / (504/103) = 102.18254…
    const f = bookFigures(b, { bands: ["200", "300"], notional: "500" })!;
    expect(f.mid).toBe("100");
    expect(f.spread).toBe("2");
    expect(f.spreadBps).toBe("200.0000");
    expect(f.cost.buy).toEqual({ bps: "218.2540", complete: true, usesUnverified: false });
    expect(f.liquidity[0]).toEqual({
      bps: "200",
      bid: { amount: "295", complete: true, usesUnverified: false },
      ask: { amount: "305", complete: true, usesUnverified: false },
    });
    // ±3% reaches every level held: a bound.
    expect(f.liquidity[1]!.bid).toEqual({ amount: "1265", complete: false, usesUnverified: false });
  });

  it("a notional larger than the book is a bound on the part that could be filled, rounded down", () => {
    const f = bookFigures(b, { bands: ["10"], notional: "1000000" })!;
    // avg of all asks = (101 + 204 + 1030) / 13 = 102.6923…
    expect(f.cost.buy).toEqual({ bps: "269.2307", complete: false, usesUnverified: false });
  });

  it("marks a walk past the checksummed top 10 as unverified", () => {
    const deep = levels(...Array.from({ length: 12 }, (_, i): [string, string] => [String(101 + i), "1"]));
    const f = bookFigures({ bids: b.bids, asks: deep }, { bands: ["10"], notional: "1200" })!;
    expect(f.cost.buy.usesUnverified).toBe(true);
    expect(f.cost.buy.complete).toBe(true);
    expect(
      bookFigures({ bids: b.bids, asks: deep }, { bands: ["10"], notional: "1000" })!.cost.buy.usesUnverified,
    ).toBe(false);
  });

  it("a book with an empty side has no figures", () => {
    expect(bookFigures({ bids: b.bids, asks: [] }, { bands: ["10"], notional: "1" })).toBeUndefined();
  });
});
