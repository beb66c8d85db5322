import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bookChecksum, checksumText } from "../../src/book/checksum.js";
import { OrderBook } from "../../src/book/order-book.js";
import type { ApplyOutcome } from "../../src/book/order-book.js";
import { parseFrame } from "../../src/protocol/parse.js";
import type { BookData } from "../../src/protocol/types.js";
import { ReferenceBook } from "./reference.js";

const fixture = (name: string): string[] =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")
    .split("\n")
    .filter(Boolean);

/** The book messages of a recording, in order. */
function bookMessages(lines: readonly string[]): { data: BookData; snapshot: boolean }[] {
  const out: { data: BookData; snapshot: boolean }[] = [];
  for (const line of lines) {
    const msg = parseFrame(line);
    if (msg.kind === "error") throw new Error(`unreadable frame: ${msg.message}`);
    if (msg.kind === "book")
      for (const data of msg.data) out.push({ data, snapshot: msg.type === "snapshot" });
  }
  return out;
}

/** Replays every book message (a snapshot starts a new book) and returns each outcome. */
function replay(lines: readonly string[], depth: number): ApplyOutcome[] {
  let book: OrderBook | undefined;
  return bookMessages(lines).map(({ data, snapshot }) => {
    if (snapshot) book = new OrderBook(data.symbol, depth);
    if (book === undefined) throw new Error("update before the first snapshot");
    return book.apply(data, snapshot);
  });
}

const capture = fixture("kraken-v2-btcusd-d10-capture.jsonl");

describe("book engine on Kraken's published data", () => {
  it("reproduces the documented checksum 3310070434 over a 281-character string", () => {
    const msg = parseFrame(fixture("kraken-docs-v2-example.jsonl")[0]!);
    if (msg.kind !== "book") throw new Error(`expected a book frame, got ${msg.kind}`);
    const data = msg.data[0]!;
    const text = [...data.asks, ...data.bids]
      .map((l) => checksumText(l.price) + checksumText(l.qty))
      .join("");
    expect(text).toHaveLength(281);
    expect(text.startsWith("452852100000")).toBe(true);
    expect(bookChecksum(data.asks, data.bids)).toBe(3310070434);
    const book = new OrderBook("BTC/USD", 10);
    expect(book.apply(data, true)).toBe("ok");
    expect(book.checksum).toBe(3310070434);
  });

  it("matches all 301 checksums of the recorded BTC/USD session", () => {
    expect(capture).toHaveLength(377);
    const outcomes = replay(capture, 10);
    expect(outcomes).toHaveLength(301);
    expect(outcomes.filter((o) => o !== "ok")).toEqual([]);
  });

  it("fails every checksum when the same frames are re-serialised with float formatting", () => {
    const floats = capture.map((l) => JSON.stringify(JSON.parse(l)));
    const outcomes = replay(floats, 10);
    expect(outcomes).toHaveLength(301);
    expect(outcomes.filter((o) => o === "checksum-mismatch")).toHaveLength(301);
  });

  it("fails the capture when the book skips truncation (depth 1000 on a depth-10 session)", () => {
    const outcomes = replay(capture, 1000);
    const failed = outcomes.filter((o) => o === "checksum-mismatch").length;
    expect(failed).toBeGreaterThan(0);
    // The same count as the plain reference model without truncation: the failures are the truncation's.
    let ref = new ReferenceBook(1000);
    let refFailed = 0;
    for (const { data, snapshot } of bookMessages(capture)) {
      if (snapshot) ref = new ReferenceBook(1000);
      ref.apply(data, snapshot);
      if (ref.checksum() !== data.checksum) refFailed++;
    }
    expect(failed).toBe(refFailed);
  });
});
