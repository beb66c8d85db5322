import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bookChecksum } from "../../src/book/checksum.js";
import { OrderBook } from "../../src/book/order-book.js";
import type { ApplyOutcome } from "../../src/book/order-book.js";
import { BookScan } from "../../src/protocol/book-scan.js";
import type { BookData, WireLevel } from "../../src/protocol/types.js";
import { formatTicks, ReferenceBook } from "./reference.js";

/** One market's number formats and price range: prices on a tick grid, fixed decimals, trailing zeros kept. */
type Market = {
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  /** Lowest tick, and how many ticks each side's prices spread over. */
  readonly base: number;
  readonly span: number;
};

type Step = {
  readonly snapshot: boolean;
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
  /** Send a wrong checksum: the book must report a mismatch and carry on. */
  readonly corrupt: boolean;
};

const market = (spans: fc.Arbitrary<number>): fc.Arbitrary<Market> =>
  fc.record({
    priceDecimals: fc.constantFrom(0, 1, 2, 4, 8),
    qtyDecimals: fc.constantFrom(0, 3, 8),
    base: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 700_000_000 })),
    span: spans,
  });

function levels(m: Market, maxLength: number, deleteWeight: number): fc.Arbitrary<WireLevel[]> {
  const qtyUnits = fc.oneof(
    { weight: deleteWeight, arbitrary: fc.constant(0) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 10 ** m.qtyDecimals * 5 }) },
    // Round quantities: the text ends in zeros (`1.50000000`, `2.000`).
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 50 }).map((n) => n * 10 ** Math.max(0, m.qtyDecimals - 1)),
    },
  );
  // Bids and asks share the same price range, so books cross now and then.
  const level = fc.record({
    price: fc.integer({ min: m.base, max: m.base + m.span - 1 }).map((t) => formatTicks(t, m.priceDecimals)),
    qty: qtyUnits.map((u) => formatTicks(u, m.qtyDecimals)),
  });
  return fc.array(level, { maxLength });
}

function steps(m: Market, count: { min: number; max: number }, deleteWeight: number): fc.Arbitrary<Step[]> {
  const step = (snapshot: boolean): fc.Arbitrary<Step> =>
    fc.record({
      snapshot: fc.constant(snapshot),
      bids: levels(m, snapshot ? 40 : 14, snapshot ? 0 : deleteWeight),
      asks: levels(m, snapshot ? 40 : 14, snapshot ? 0 : deleteWeight),
      corrupt: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    });
  return fc
    .tuple(
      step(true),
      fc.array(fc.oneof({ weight: 1, arbitrary: step(true) }, { weight: 25, arbitrary: step(false) }), {
        minLength: count.min - 1,
        maxLength: count.max - 1,
      }),
    )
    .map(([first, rest]) => [first, ...rest]);
}

/** A one-entry book frame in Kraken's exact layout, as BookScan reads it. */
function frameText(step: Step, checksum: number): string {
  const levels = (ls: readonly WireLevel[]): string =>
    ls.map((l) => `{"price":${l.price},"qty":${l.qty}}`).join(",");
  return (
    `{"channel":"book","type":"${step.snapshot ? "snapshot" : "update"}","data":[{"symbol":"X/Y",` +
    `"bids":[${levels(step.bids)}],"asks":[${levels(step.asks)}],"checksum":${checksum}}]}`
  );
}

/**
 * Drives two OrderBooks and the reference side by side and compares them after every message: one
 * book applies parsed messages (apply), the other applies the frame text through BookScan (applyScan).
 * Checksums and outcomes are compared after every message, all levels after every `levelsEvery`th
 * and the last.
 */
function compare(depth: number, sequence: readonly Step[], levelsEvery = 1): void {
  const book = new OrderBook("X/Y", depth);
  const scanned = new OrderBook("X/Y", depth);
  const scan = new BookScan();
  const ref = new ReferenceBook(depth);
  sequence.forEach((step, i) => {
    const data: BookData = { symbol: "X/Y", bids: step.bids, asks: step.asks, checksum: 0 };
    ref.apply(data, step.snapshot);
    const truth = ref.checksum();
    const sent = step.corrupt ? (truth + 1) >>> 0 : truth;
    const expected: ApplyOutcome = step.corrupt ? "checksum-mismatch" : ref.crossed() ? "crossed-book" : "ok";
    const where = `message ${i} (${step.snapshot ? "snapshot" : "update"})`;
    expect(scan.scan(frameText(step, sent)), where).toBe(true);
    const outcomes = [
      book.apply({ ...data, checksum: sent }, step.snapshot),
      scanned.applyScan(scan, 0, step.snapshot),
    ];
    for (const [b, outcome] of [book, scanned].map((b, k) => [b, outcomes[k]] as const)) {
      expect(b.checksum, where).toBe(truth);
      expect(b.expected, where).toBe(sent);
      expect(outcome, where).toBe(expected);
      if (i % levelsEvery !== 0 && i !== sequence.length - 1) continue;
      expect(
        b.bids.levels.map(({ price, qty }) => ({ price, qty })),
        where,
      ).toEqual(ref.bids);
      expect(
        b.asks.levels.map(({ price, qty }) => ({ price, qty })),
        where,
      ).toEqual(ref.asks);
    }
    expect(bookChecksum(ref.asks, ref.bids), where).toBe(truth);
  });
}

describe("OrderBook against a plain reference model", () => {
  it("matches levels, checksum and outcome over random snapshots and updates (depth 10 and 25)", () => {
    const spans = fc.integer({ min: 5, max: 120 });
    const input = market(spans).chain((m) =>
      fc.tuple(fc.constantFrom(10, 25), steps(m, { min: 1, max: 40 }, 2)),
    );
    fc.assert(
      fc.property(input, ([depth, sequence]) => compare(depth, sequence)),
      { numRuns: 200 },
    );
  });

  it("keeps its incremental checksum right over long sequences on short, often emptied sides", () => {
    // Few prices and many deletes: sides shrink below 10 levels, lose their last level, empty and refill.
    const spans = fc.integer({ min: 2, max: 14 });
    const input = market(spans).chain((m) =>
      fc.tuple(fc.constantFrom(10, 25), steps(m, { min: 150, max: 300 }, 5)),
    );
    fc.assert(
      fc.property(input, ([depth, sequence]) => compare(depth, sequence)),
      { numRuns: 25 },
    );
  });

  it("keeps its incremental checksum right when most changes land beyond the top 10 and the depth", () => {
    const spans = fc.integer({ min: 30, max: 60 });
    const input = market(spans).chain((m) =>
      fc.tuple(fc.constantFrom(10, 25), steps(m, { min: 100, max: 200 }, 1)),
    );
    fc.assert(
      fc.property(input, ([depth, sequence]) => compare(depth, sequence)),
      { numRuns: 20 },
    );
  });

  it("stays right on deep sides whose worst end changes all the time (the free slots before the worst level)", () => {
    // Depth 100 over a few hundred prices: sides fill, are truncated hundreds of times, and take inserts
    // and deletes among their worst levels as often as near the touch.
    const spans = fc.integer({ min: 150, max: 400 });
    const input = market(spans).chain((m) => steps(m, { min: 250, max: 400 }, 1));
    fc.assert(
      fc.property(input, (sequence) => compare(100, sequence)),
      { numRuns: 8 },
    );
  });

  it("stays right on a deep book whose mid drifts up and back (long moves, re-centring, growth)", () => {
    // Each message moves the mid a few ticks along a drift that rises then falls, and changes levels
    // anywhere in the range: near the touch, deep (moves of a hundred levels or more from either side),
    // at the far end (levels entering the range), beyond it. Levels leave the top 300 at one end and
    // enter at the other, so each side's free slots run out at either end again and again.
    const depth = 300;
    const message = fc.record({
      move: fc.integer({ min: 0, max: 6 }),
      changes: fc.array(
        fc.record({
          bid: fc.boolean(),
          rank: fc.oneof(
            fc.integer({ min: 0, max: 12 }),
            fc.integer({ min: 0, max: depth + 30 }),
            fc.integer({ min: depth - 20, max: depth + 10 }),
          ),
          qty: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 99_999 })),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      corrupt: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    });
    const input = fc.tuple(
      fc.constantFrom(0, 1, 2, 8),
      fc.array(message, { minLength: 300, maxLength: 500 }),
    );
    fc.assert(
      fc.property(input, ([decimals, messages]) => {
        const qty = (n: number): string => formatTicks(n, 3);
        // Asks from mid + 1 up and bids from mid - 1 down, every other tick, so that changes land on
        // existing levels and between them.
        let mid = 1_000_000;
        const sequence: Step[] = [
          {
            snapshot: true,
            bids: Array.from({ length: depth }, (_, i) => ({
              price: formatTicks(mid - 1 - 2 * i, decimals),
              qty: qty(1000 + i),
            })),
            asks: Array.from({ length: depth }, (_, i) => ({
              price: formatTicks(mid + 1 + 2 * i, decimals),
              qty: qty(2000 + i),
            })),
            corrupt: false,
          },
        ];
        messages.forEach((m, k) => {
          const rising = k < messages.length / 2;
          mid += rising ? m.move : -m.move;
          const bids: WireLevel[] = [];
          const asks: WireLevel[] = [];
          // The touch follows the mid: the levels it passed on one side are deleted (the book never
          // crosses), and the other side gets a new best level at each tick it passed.
          for (let t = 1; t <= m.move; t++) {
            const passed = rising ? mid - m.move + t : mid + m.move - t;
            (rising ? asks : bids).push({ price: formatTicks(passed, decimals), qty: qty(0) });
            const best = rising ? passed - 1 : passed + 1;
            (rising ? bids : asks).push({ price: formatTicks(best, decimals), qty: qty(500 + t) });
          }
          for (const c of m.changes) {
            const price = c.bid ? mid - 1 - c.rank : mid + 1 + c.rank;
            (c.bid ? bids : asks).push({ price: formatTicks(price, decimals), qty: qty(c.qty) });
          }
          sequence.push({ snapshot: false, bids, asks, corrupt: m.corrupt });
        });
        compare(depth, sequence, 25);
      }),
      // A failure is reported as found: shrinking sequences this long takes minutes.
      { numRuns: 6, endOnFailure: true },
    );
  });

  it("stays right while a full side climbs for hundreds of messages, then changes among its worst levels", () => {
    const bid = (tick: number, qty = "1.5"): WireLevel => ({ price: formatTicks(tick, 1), qty });
    const ask = (tick: number): WireLevel => ({ price: formatTicks(tick, 1), qty: "2.0" });
    const sequence: Step[] = [
      {
        snapshot: true,
        bids: Array.from({ length: 100 }, (_, i) => bid(19_990 - i * 10)),
        asks: Array.from({ length: 100 }, (_, i) => ask(30_000 + i * 10)),
        corrupt: false,
      },
    ];
    const update = (bids: WireLevel[]): Step => ({ snapshot: false, bids, asks: [], corrupt: false });
    // A new best bid each message: the worst is dropped each time, 400 times over.
    for (let k = 0; k < 400; k++) sequence.push(update([bid(20_000 + k * 10)]));
    // Then inserts and deletes among the 10 worst bids (ticks 20_000 + 3_000 … 3_090 after the climb).
    for (let k = 0; k < 150; k++) {
      const near = 23_000 + (k % 9) * 10;
      sequence.push(update(k % 3 === 2 ? [bid(near + 10, "0.0")] : [bid(near + 5), bid(near + 10, "3.0")]));
    }
    compare(100, sequence);
  });
});
