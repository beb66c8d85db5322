import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseFrame } from "../../src/protocol/parse.js";
import { generateFrames } from "../../src/sim/generate.js";
import { runCli } from "../helpers/run-cli.js";
import { BookChecker, isBook, isUpdate } from "./kraken-client.js";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "DOGE/USD", "ADA/EUR", "MINA/GBP"];

describe("generateFrames", () => {
  it("yields status, one ack and one snapshot per symbol, then exactly `messages` updates", () => {
    const frames = [
      ...generateFrames({ symbols: ["BTC/USD", "MINA/GBP"], depth: 25, seed: 1, messages: 500 }),
    ];
    expect(frames).toHaveLength(1 + 2 + 2 + 500);
    expect(parseFrame(frames[0]!)).toMatchObject({ kind: "status", system: "online" });
    expect(parseFrame(frames[1]!)).toMatchObject({ kind: "ack", symbol: "BTC/USD", depth: 25, reqId: 1 });
    expect(parseFrame(frames[2]!)).toMatchObject({ kind: "ack", symbol: "MINA/GBP", depth: 25 });
    expect(frames.slice(3, 5).every((f) => f.includes(`"type":"snapshot"`))).toBe(true);
    expect(frames.slice(5).every(isUpdate)).toBe(true);
    const symbols = new Set(frames.slice(5).map((f) => /"symbol":"([^"]+)"/.exec(f)![1]));
    expect(symbols).toEqual(new Set(["BTC/USD", "MINA/GBP"]));
    let last = "";
    for (const f of frames.slice(3)) {
      const ts = /"timestamp":"([^"]+)"/.exec(f)![1]!;
      expect(ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(ts >= last).toBe(true);
      last = ts;
    }
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const gen = (seed: number) => [...generateFrames({ symbols: SYMBOLS, depth: 10, seed, messages: 2000 })];
    const a = gen(42);
    expect(gen(42)).toEqual(a);
    expect(gen(43)).not.toEqual(a);
  });

  it("rejects an unknown symbol and a depth Kraken does not offer", () => {
    expect(() => [...generateFrames({ symbols: ["FOO/BAR"], depth: 10, seed: 1, messages: 1 })]).toThrow(
      /FOO\/BAR/,
    );
    expect(() => [...generateFrames({ symbols: ["BTC/USD"], depth: 20, seed: 1, messages: 1 })]).toThrow(
      /depth/,
    );
  });

  for (const depth of [10, 1000]) {
    it(`produces frames whose every checksum verifies through the book engine at depth ${depth}`, () => {
      const checker = new BookChecker(depth);
      for (const f of generateFrames({ symbols: SYMBOLS, depth, seed: 7, messages: 50_000 })) {
        if (isBook(f)) checker.apply(f);
      }
      expect(checker.totals).toMatchObject({ snapshots: 7, updates: 50_000, mismatched: 0, crossed: 0 });
      for (const book of checker.books.values()) {
        expect(book.bids.size).toBe(depth);
        expect(book.asks.size).toBe(depth);
      }
    });

    it(`passes \`kraken-ladder verify\` with no failure at depth ${depth}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "sim-gen-"));
      dirs.push(dir);
      const file = join(dir, `d${depth}.jsonl`);
      const lines = [...generateFrames({ symbols: SYMBOLS, depth, seed: 3, messages: 20_000 })];
      writeFileSync(file, lines.join("\n") + "\n");
      const r = await runCli(["verify", "--json", file], { timeoutMs: 60_000 });
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as {
        frames: number;
        checksums: { ok: number; failed: number };
        errors: unknown[];
      };
      expect(report.frames).toBe(lines.length);
      expect(report.checksums).toEqual({ ok: 20_000 + SYMBOLS.length, failed: 0 });
      expect(report.errors).toEqual([]);
    }, 60_000);
  }

  it("drifts each mid up by about `drift` and back, levels leaving and entering the top 1000, checksums right", () => {
    const checker = new BookChecker(1000);
    const mids: number[] = [];
    let entered = 0;
    for (const f of generateFrames({
      symbols: ["BTC/USD"],
      depth: 1000,
      seed: 5,
      messages: 20_000,
      drift: 0.01,
    })) {
      if (!isBook(f)) continue;
      const book = checker.books.get("BTC/USD");
      const worst = book?.bids.levels.at(-1)?.price;
      // A bid below the 1000th: a level entering the range at its far end.
      if (isUpdate(f) && worst !== undefined) {
        const sent = JSON.parse(f) as { data: { bids: { price: number }[] }[] };
        entered += sent.data[0]!.bids.filter((l) => l.price < Number(worst)).length;
      }
      checker.apply(f);
      const b = checker.books.get("BTC/USD")!;
      mids.push((Number(b.bids.best()!.price) + Number(b.asks.best()!.price)) / 2);
    }
    expect(checker.totals).toMatchObject({ updates: 20_000, mismatched: 0, crossed: 0 });
    const start = mids[0]!;
    const middle = mids[Math.floor(mids.length / 2)]!;
    expect(middle / start - 1).toBeGreaterThan(0.005);
    expect(middle / start - 1).toBeLessThan(0.015);
    // Back within half the drift: sweeps by takers lag the pull of the anchor a little.
    expect(Math.abs(mids.at(-1)! / start - 1)).toBeLessThan(0.005);
    // On the way back down, bids leave the top at its far end and come back: hundreds of such inserts.
    expect(entered).toBeGreaterThan(500);
  });
});
