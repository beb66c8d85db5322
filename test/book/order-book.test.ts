import { describe, expect, it } from "vitest";
import { bookChecksum, checksumText } from "../../src/book/checksum.js";
import { OrderBook } from "../../src/book/order-book.js";
import type { WireLevel } from "../../src/protocol/types.js";
import { formatTicks, ReferenceBook } from "./reference.js";

const lv = (price: string, qty: string): WireLevel => ({ price, qty });
/** `n` asks from 100.0 up, or bids from 99.9 down, one tick apart, qty `1.000`. */
const ladder = (side: "bids" | "asks", n: number, from = 0): WireLevel[] =>
  Array.from({ length: n }, (_, i) =>
    lv(formatTicks(side === "asks" ? 1000 + from + i : 999 - from - i, 1), "1.000"),
  );

/** Applies a message to the book and to the reference, sending the right checksum; returns the outcome. */
function step(book: OrderBook, ref: ReferenceBook, bids: WireLevel[], asks: WireLevel[], snapshot = false) {
  ref.apply({ symbol: book.symbol, bids, asks, checksum: 0 }, snapshot);
  const outcome = book.apply({ symbol: book.symbol, bids, asks, checksum: ref.checksum() }, snapshot);
  expect(book.bids.levels.map(({ price, qty }) => ({ price, qty }))).toEqual(ref.bids);
  expect(book.asks.levels.map(({ price, qty }) => ({ price, qty }))).toEqual(ref.asks);
  expect(book.checksum).toBe(ref.checksum());
  return outcome;
}

function fresh(depth = 10, bids = 12, asks = 12): { book: OrderBook; ref: ReferenceBook } {
  const book = new OrderBook("X/Y", depth);
  const ref = new ReferenceBook(depth);
  expect(step(book, ref, ladder("bids", bids), ladder("asks", asks), true)).toBe("ok");
  return { book, ref };
}

describe("checksumText", () => {
  it("removes the point and leading zeros, keeping trailing zeros", () => {
    expect(checksumText("45285.2")).toBe("452852");
    expect(checksumText("0.00100000")).toBe("100000");
    expect(checksumText("0.0280")).toBe("280");
    expect(checksumText("63005.0")).toBe("630050");
    expect(checksumText("5220.00000000")).toBe("522000000000");
    expect(checksumText("1000")).toBe("1000");
  });
});

describe("OrderBook", () => {
  it("keeps each level's exact wire text, best first", () => {
    const book = new OrderBook("BTC/USD", 10);
    const bids = [lv("63000.0", "0.10000000"), lv("63004.9", "0.00000051")];
    const asks = [lv("63005.1", "1.50000000"), lv("63005.0", "2.07265551")];
    book.apply(
      { symbol: "BTC/USD", bids, asks, checksum: bookChecksum([asks[1]!, asks[0]!], [bids[1]!, bids[0]!]) },
      true,
    );
    expect(book.bids.levels.map((l) => [l.price, l.qty])).toEqual([
      ["63004.9", "0.00000051"],
      ["63000.0", "0.10000000"],
    ]);
    expect(book.asks.levels.map((l) => [l.price, l.qty])).toEqual([
      ["63005.0", "2.07265551"],
      ["63005.1", "1.50000000"],
    ]);
  });

  it("applies one update's levels strictly in wire order, repeats included", () => {
    const { book, ref } = fresh();
    step(book, ref, [lv("99.9", "0.000"), lv("99.9", "5.000")], [lv("100.0", "7.000"), lv("100.0", "0.000")]);
    expect(book.bids.best()).toMatchObject({ price: "99.9", qty: "5.000" });
    expect(book.asks.best()?.price).toBe("100.1");
  });

  it("ignores deletes of absent levels", () => {
    const { book, ref } = fresh();
    const before = book.checksum;
    expect(step(book, ref, [lv("50.0", "0.000")], [lv("500.0", "0.000")])).toBe("ok");
    expect(book.checksum).toBe(before);
  });

  it("truncates each side to the depth after the whole message, so a delete can pull no level back", () => {
    const { book, ref } = fresh(10, 10, 10);
    // An insert pushes level 10 out; deleting a top level in the same message leaves 10, not the old 10th.
    step(book, ref, [], [lv("99.95", "1.000"), lv("100.0", "0.000")]);
    expect(book.asks.size).toBe(10);
    step(book, ref, [], [lv("100.1", "0.000")]);
    expect(book.asks.size).toBe(9);
    expect(book.asks.levels.at(-1)?.price).toBe("100.9");
  });

  it("recomputes the checksum when a level beyond the top 10 moves into it", () => {
    const { book, ref } = fresh(25, 20, 20);
    const before = book.checksum;
    step(book, ref, [lv("99.5", "0.000")], []);
    expect(book.checksum).not.toBe(before);
  });

  it("leaves the checksum alone when only levels beyond the top 10 change", () => {
    const { book, ref } = fresh(25, 20, 20);
    const before = book.checksum;
    step(book, ref, [lv("98.5", "9.000"), lv("98.4", "0.000")], [lv("101.5", "3.000")]);
    expect(book.checksum).toBe(before);
  });

  it("changes the checksum when only a qty changes at the 10th level", () => {
    const { book, ref } = fresh(10, 12, 12);
    const before = book.checksum;
    step(book, ref, [lv("99.0", "2.000")], []);
    expect(book.checksum).not.toBe(before);
  });

  it("handles deleting the last level of a short side, emptying a side and refilling it", () => {
    const { book, ref } = fresh(10, 3, 4);
    step(book, ref, [lv("99.7", "0.000")], []);
    expect(book.bids.size).toBe(2);
    step(book, ref, [], [lv("100.3", "0.000"), lv("100.2", "0.000")]);
    step(book, ref, [lv("99.9", "0.000"), lv("99.8", "0.000")], []);
    expect(book.bids.size).toBe(0);
    step(book, ref, [], [lv("100.0", "0.000"), lv("100.1", "0.000")]);
    expect(book.asks.size).toBe(0);
    expect(book.checksum).toBe(0);
    step(book, ref, [lv("99.8", "1.000")], [lv("100.4", "2.500")]);
    step(book, ref, ladder("bids", 15), ladder("asks", 15));
    expect(book.bids.size).toBe(10);
  });

  it("replaces the whole book on a snapshot", () => {
    const { book, ref } = fresh(10, 12, 12);
    step(book, ref, [lv("50.0", "1.000")], [lv("60.0", "1.000")], true);
    expect(book.bids.levels).toHaveLength(1);
    expect(book.asks.levels).toHaveLength(1);
  });

  it("reports a checksum mismatch with both values, and a crossed book only when the checksum matched", () => {
    const { book, ref } = fresh();
    const right = bookChecksum(book.asks.levels, book.bids.levels);
    const wrong = (right + 1) >>> 0;
    expect(book.apply({ symbol: "X/Y", bids: [], asks: [], checksum: wrong }, false)).toBe(
      "checksum-mismatch",
    );
    expect(book.checksum).toBe(right);
    expect(book.expected).toBe(wrong);
    // Best bid equal to best ask is crossed.
    expect(step(book, ref, [lv("100.0", "1.000")], [])).toBe("crossed-book");
    expect(book.isCrossed()).toBe(true);
    expect(step(book, ref, [lv("100.0", "0.000")], [])).toBe("ok");
    expect(book.isCrossed()).toBe(false);
  });

  it("stays cheap and exact at depth 1000: checksum over the top 10 only", () => {
    const book = new OrderBook("X/Y", 1000);
    const ref = new ReferenceBook(1000);
    step(book, ref, ladder("bids", 1000), ladder("asks", 1200), true);
    expect(book.asks.size).toBe(1000);
    step(
      book,
      ref,
      ladder("bids", 50, 500).map((l) => lv(l.price, "0.000")),
      [lv("100.05", "0.500")],
    );
    expect(book.bids.size).toBe(950);
  });
});
