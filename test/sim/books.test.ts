import { describe, expect, it } from "vitest";
import { bookChecksum } from "../../src/book/checksum.js";
import { parseFrame } from "../../src/protocol/parse.js";
import { findPair } from "../../src/sim/catalogue.js";
import { Pacer } from "../../src/sim/market.js";
import { Random } from "../../src/sim/random.js";
import type { SimServer } from "../../src/sim/server.js";
import { BookChecker, isBook, isUpdate } from "./kraken-client.js";
import type { TestClient } from "./kraken-client.js";
import { closedAfterEach } from "./support.js";

const started = closedAfterEach();

const serve = (seed: number, rate: number): Promise<SimServer> => started.serve({ seed, rate });
const client = started.client.bind(started);

/** A client that forgets to truncate to its depth: keeps every level it was ever sent. */
class UntruncatedBook {
  private readonly bids = new Map<string, string>();
  private readonly asks = new Map<string, string>();
  mismatches = 0;
  apply(text: string): void {
    const msg = parseFrame(text);
    if (msg.kind !== "book") return;
    for (const d of msg.data) {
      if (msg.type === "snapshot") {
        this.bids.clear();
        this.asks.clear();
      }
      for (const [levels, side] of [
        [d.bids, this.bids],
        [d.asks, this.asks],
      ] as const) {
        for (const l of levels) {
          if (Number(l.qty) === 0) side.delete(l.price);
          else side.set(l.price, l.qty);
        }
      }
      const top = (m: Map<string, string>, dir: number) =>
        [...m]
          .sort((a, b) => dir * (Number(a[0]) - Number(b[0])))
          .slice(0, 10)
          .map(([price, qty]) => ({ price, qty }));
      if (bookChecksum(top(this.asks, 1), top(this.bids, -1)) !== d.checksum) this.mismatches++;
    }
  }
}

const SYMBOLS = ["BTC/USD", "ETH/USD", "MINA/GBP", "DOGE/USD"];

describe("simulator: demo books", () => {
  it("keeps every checksum right over tens of thousands of updates, at depth 10 and 1000 at once", async () => {
    const server = await serve(11, 3000);
    const shallow = await client(server.url);
    const deep = await client(server.url);
    shallow.subscribe(SYMBOLS, 10);
    deep.subscribe(SYMBOLS, 1000);
    await shallow.waitForCount(isUpdate, 30_000, 40_000);
    await deep.waitForCount(isUpdate, 30_000, 40_000);
    for (const [c, depth] of [
      [shallow, 10],
      [deep, 1000],
    ] as const) {
      const checker = new BookChecker(depth);
      for (const f of c.frames) if (isBook(f.text)) checker.apply(f.text);
      expect(checker.totals.snapshots).toBe(SYMBOLS.length);
      expect(checker.totals.updates).toBeGreaterThanOrEqual(30_000);
      expect(checker.totals.mismatched).toBe(0);
      expect(checker.totals.crossed).toBe(0);
      expect(checker.totals.ok).toBe(checker.totals.snapshots + checker.totals.updates);
      for (const book of checker.books.values()) {
        expect(book.bids.size).toBe(depth);
        expect(book.asks.size).toBe(depth);
      }
      // Numbers at each pair's precision, trailing zeros kept; deletes as zero at full precision.
      let deletes = 0;
      for (const { data } of checker.seen) {
        const pair = findPair(data.symbol)!;
        const price = new RegExp(`^\\d+\\.\\d{${pair.pricePrecision}}$`);
        const qty = new RegExp(`^\\d+\\.\\d{${pair.qtyPrecision}}$`);
        for (const l of [...data.bids, ...data.asks]) {
          expect(l.price).toMatch(price);
          expect(l.qty).toMatch(qty);
          if (Number(l.qty) === 0) {
            expect(l.qty).toBe("0.00000000");
            deletes++;
          }
        }
      }
      expect(deletes).toBeGreaterThan(1000);
    }
  }, 60_000);

  it("sends levels coming back into range as inserts, so a client that skips truncation fails", async () => {
    const server = await serve(5, 2000);
    const c = await client(server.url);
    c.subscribe(["BTC/USD", "SOL/USD"], 10);
    await c.waitForCount(isUpdate, 3000);
    const right = new BookChecker(10);
    const wrong = new UntruncatedBook();
    for (const f of c.frames) {
      if (!isBook(f.text)) continue;
      right.apply(f.text);
      wrong.apply(f.text);
    }
    expect(right.totals.mismatched).toBe(0);
    expect(wrong.mismatches).toBeGreaterThan(100);
  });

  it("repeats a price within one update, and sends deep changes only to deep subscribers", async () => {
    const server = await serve(8, 2000);
    const shallow = await client(server.url);
    const deep = await client(server.url);
    shallow.subscribe(["ETH/USD"], 10);
    deep.subscribe(["ETH/USD"], 1000);
    await deep.waitForCount(isUpdate, 3000);
    let repeats = 0;
    let maxLevels = 0;
    for (const f of deep.frames) {
      const msg = parseFrame(f.text);
      if (msg.kind !== "book" || msg.type !== "update") continue;
      for (const d of msg.data) {
        for (const side of [d.bids, d.asks]) {
          if (new Set(side.map((l) => l.price)).size < side.length) repeats++;
          maxLevels = Math.max(maxLevels, side.length);
        }
      }
    }
    expect(repeats).toBeGreaterThan(20);
    // Counted over the same span of market time: the two subscriptions start and are read at
    // different moments, so raw totals so far would compare delivery timing, not what was sent.
    const stamps = (c: TestClient): string[] =>
      c.frames.flatMap((f) => {
        const msg = parseFrame(f.text);
        return msg.kind === "book" && msg.type === "update" ? msg.data.map((d) => d.timestamp ?? "") : [];
      });
    const a = stamps(shallow);
    const b = stamps(deep);
    const from = [a[0] ?? "", b[0] ?? ""].sort()[1] ?? "";
    const to = [a.at(-1) ?? "", b.at(-1) ?? ""].sort()[0] ?? "";
    const within = (ts: string[]): number => ts.filter((t) => t >= from && t <= to).length;
    expect(within(b)).toBeGreaterThan(1000);
    expect(within(a)).toBeLessThan(within(b));
    expect(maxLevels).toBeLessThan(20); // updates are small diffs, never a re-sent book
  });

  it("is deterministic for a seed: the same frames (timestamps aside) from two servers", async () => {
    const strip = (t: string) => t.replace(/"timestamp":"[^"]*"/, "");
    const run = async (seed: number) => {
      const server = await serve(seed, 1000);
      const c = await client(server.url);
      c.subscribe(["XRP/USD", "ADA/EUR"], 25);
      await c.waitForCount(isBook, 300);
      const byXrp = c.frames.filter((f) => f.text.includes(`"XRP/USD"`) && isBook(f.text)).slice(0, 100);
      return byXrp.map((f) => strip(f.text));
    };
    const a = await run(99);
    const b = await run(99);
    const other = await run(100);
    expect(a.length).toBe(100);
    expect(b).toEqual(a);
    expect(other).not.toEqual(a);
  });

  it("paces messages with quiet spells of 5-9 s and bursts at 10 messages a second", () => {
    const pacer = new Pacer(new Random(3));
    const gaps = Array.from({ length: 20_000 }, () => pacer.next(10));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(0.07);
    expect(mean).toBeLessThan(0.14);
    const quiet = gaps.filter((g) => g >= 5 && g <= 9).length;
    expect(quiet).toBeGreaterThan(10);
    let burstRuns = 0;
    let run = 0;
    for (const g of gaps) {
      run = g < 0.02 ? run + 1 : 0;
      if (run === 5) burstRuns++;
    }
    expect(burstRuns).toBeGreaterThan(50);
  });
});
