import { describe, expect, it } from "vitest";
import type { BookEvent, BookFeedEvent } from "../../src/events/types.js";
import { EventBuffer } from "../../src/lib/buffer.js";

function book(symbol: string, ok: number): BookEvent {
  return { type: "book", symbol, state: "live", checksums: { ok, failed: 0 }, resyncs: 0 };
}

function drain(buffer: EventBuffer): BookFeedEvent[] {
  const out: BookFeedEvent[] = [];
  for (let e = buffer.shift(); e !== undefined; e = buffer.shift()) out.push(e);
  return out;
}

describe("the buffer between the feed and a slow consumer", () => {
  it("holds only the newest book of each symbol, after the events that came before it", () => {
    const buffer = new EventBuffer(10);
    for (let ok = 1; ok <= 100; ok++) buffer.push(book("BTC/USD", ok));
    buffer.push({ type: "resync", symbol: "ETH/USD", reason: "checksum-mismatch", retryInMs: 0 });
    for (let ok = 1; ok <= 50; ok++) buffer.push(book("ETH/USD", ok));
    buffer.push(book("BTC/USD", 101));
    expect(buffer.size).toBe(3);
    expect(drain(buffer)).toEqual([
      { type: "resync", symbol: "ETH/USD", reason: "checksum-mismatch", retryInMs: 0 },
      book("ETH/USD", 50),
      book("BTC/USD", 101),
    ]);
  });

  it("queues other events up to its limit, drops the oldest beyond it and says how many", () => {
    const buffer = new EventBuffer(3);
    for (let i = 1; i <= 5; i++) buffer.push({ type: "error", message: `e${i}` });
    buffer.push(book("BTC/USD", 1));
    expect(buffer.size).toBe(4);
    expect(drain(buffer)).toEqual([
      { type: "error", message: "2 events dropped: the consumer reads slower than they come" },
      { type: "error", message: "e3" },
      { type: "error", message: "e4" },
      { type: "error", message: "e5" },
      book("BTC/USD", 1),
    ]);
    buffer.push({ type: "error", message: "g" });
    for (let i = 1; i <= 3; i++) buffer.push({ type: "error", message: `h${i}` });
    expect(drain(buffer)[0]).toEqual({
      type: "error",
      message: "1 event dropped: the consumer reads slower than they come",
    });
    // Emptied, it takes a full quota again.
    for (let i = 1; i <= 3; i++) buffer.push({ type: "error", message: `f${i}` });
    expect(drain(buffer)).toHaveLength(3);
  });

  it("holds the newest connection state whatever the other events: a slow consumer still learns it went live", () => {
    const buffer = new EventBuffer(2);
    buffer.push({ type: "connection", state: "connecting", attempt: 1 });
    for (let i = 1; i <= 5; i++) buffer.push({ type: "error", message: `e${i}` });
    buffer.push({ type: "connection", state: "subscribing" });
    buffer.push(book("BTC/USD", 1));
    for (let i = 6; i <= 9; i++) buffer.push({ type: "error", message: `e${i}` });
    buffer.push({ type: "connection", state: "live" });
    expect(drain(buffer)).toEqual([
      { type: "error", message: "7 events dropped: the consumer reads slower than they come" },
      book("BTC/USD", 1),
      { type: "error", message: "e8" },
      { type: "error", message: "e9" },
      { type: "connection", state: "live" },
    ]);
  });
});
