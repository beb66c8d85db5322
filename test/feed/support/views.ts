import type { BookView, FeedView } from "../../../src/feed/types.js";

/** A verified, live book's view with small exact levels; `over` replaces any field. */
export function bookView(symbol: string, over: Partial<BookView> = {}): BookView {
  return {
    symbol,
    state: "live",
    version: 1,
    checksum: 42,
    bids: [{ price: "100.1", qty: "2" }],
    asks: [{ price: "100.2", qty: "3" }],
    bid: { price: "100.1", qty: "2" },
    ask: { price: "100.2", qty: "3" },
    priceDecimals: 1,
    qtyDecimals: 0,
    checksums: { ok: 5, failed: 0 },
    resyncs: 0,
    tradeGaps: 0,
    messagesPerSecond: 3,
    latencyP50: 1,
    latencyP99: 2,
    ...over,
  };
}

/** A view of `books` on a live connection. */
export function feedView(books: BookView[]): FeedView {
  return { connection: { state: "live" }, books, publishedAt: 1, receivedAt: 1, malformed: 0 };
}
