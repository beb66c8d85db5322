import { describe, expect, it } from "vitest";
import { bookView, feedView } from "./support/views.js";
import { sameBookView, ViewDecoder, ViewEncoder } from "../../src/feed/view-delta.js";

const book = bookView;
const view = feedView;

/** The wire form as it crosses the boundary: a structured clone, as postMessage makes. */
const cross = <T>(value: T): T => structuredClone(value);

describe("views across the worker boundary", () => {
  it("sends a book unchanged since the last view as a marker, and the receiver puts back the view it holds", () => {
    const encoder = new ViewEncoder();
    const decoder = new ViewDecoder();
    const first = decoder.decode(cross(encoder.encode(view([book("BTC/USD"), book("ETH/USD")]))));
    expect(first.books.map((b) => b.symbol)).toEqual(["BTC/USD", "ETH/USD"]);

    // Equal content in new objects (the publisher builds new ones): ETH's levels moved.
    const wire = encoder.encode(
      view([book("BTC/USD"), book("ETH/USD", { version: 2, bids: [{ price: "100.1", qty: "1" }] })]),
    );
    expect(wire.books[0]).toEqual({ symbol: "BTC/USD", unchanged: true });
    expect(wire.books[1]).toMatchObject({ symbol: "ETH/USD", version: 2 });
    const second = decoder.decode(cross(wire));
    expect(second.books[0]).toBe(first.books[0]);
    expect(second.books[1]).toEqual(book("ETH/USD", { version: 2, bids: [{ price: "100.1", qty: "1" }] }));
  });

  it("sends a book again in full once it left a view, and a symbol's view only against its own last one", () => {
    const encoder = new ViewEncoder();
    const decoder = new ViewDecoder();
    decoder.decode(cross(encoder.encode(view([book("BTC/USD"), book("ETH/USD")]))));
    decoder.decode(cross(encoder.encode(view([book("BTC/USD")]))));
    const wire = encoder.encode(view([book("ETH/USD"), book("BTC/USD")]));
    expect(wire.books[0]).toEqual(book("ETH/USD"));
    expect(wire.books[1]).toEqual({ symbol: "BTC/USD", unchanged: true });
    expect(decoder.decode(cross(wire)).books.map((b) => b.symbol)).toEqual(["ETH/USD", "BTC/USD"]);
  });

  it("tells every field apart: a level, a count, a state, an absent field", () => {
    const base = book("BTC/USD");
    expect(sameBookView(base, book("BTC/USD"))).toBe(true);
    expect(sameBookView(base, book("BTC/USD", { asks: [{ price: "100.2", qty: "4" }] }))).toBe(false);
    expect(sameBookView(base, book("BTC/USD", { asks: [] }))).toBe(false);
    expect(sameBookView(base, book("BTC/USD", { checksums: { ok: 6, failed: 0 } }))).toBe(false);
    expect(sameBookView(base, book("BTC/USD", { state: "stale" }))).toBe(false);
    expect(sameBookView(base, book("BTC/USD", { lagMs: 10 }))).toBe(false);
    expect(sameBookView(base, book("BTC/USD", { messagesPerSecond: 4 }))).toBe(false);
  });

  it("refuses a marker for a book it never received", () => {
    expect(() =>
      new ViewDecoder().decode({ ...view([]), books: [{ symbol: "BTC/USD", unchanged: true }] }),
    ).toThrow(/no earlier view of BTC\/USD/);
  });
});
