import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OrderBook } from "../../src/book/order-book.js";
import { parseFrame } from "../../src/protocol/parse.js";

const fixture = (name: string): string[] =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")
    .split("\n")
    .filter(Boolean);

describe("book engine on Kraken's published data", () => {
  it("reproduces the documented checksum 3310070434", () => {
    const msg = parseFrame(fixture("kraken-docs-v2-example.jsonl")[0]!);
    if (msg.kind !== "book") throw new Error(`expected a book frame, got ${msg.kind}`);
    const book = new OrderBook("BTC/USD", 10);
    expect(book.apply(msg.data[0]!, true)).toBe("ok");
    expect(book.checksum).toBe(3310070434);
  });

  it("matches all 301 checksums of the recorded BTC/USD session", () => {
    let book: OrderBook | undefined;
    const outcomes: string[] = [];
    for (const line of fixture("kraken-v2-btcusd-d10-capture.jsonl")) {
      const msg = parseFrame(line);
      if (msg.kind !== "book") continue;
      if (msg.type === "snapshot") book = new OrderBook("BTC/USD", 10);
      outcomes.push(book!.apply(msg.data[0]!, msg.type === "snapshot"));
    }
    expect(outcomes).toHaveLength(301);
    expect(outcomes.filter((o) => o !== "ok")).toEqual([]);
  });
});
