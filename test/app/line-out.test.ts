import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { LineOut } from "../../src/app/line-out.js";
import { BIN } from "./support/run-bin.js";

/**
 * A real Writable standing for a pipe whose reader reads only when told: each chunk is taken at once
 * while `reading`, else held until `read()`; its buffer asks for a drain past 64 bytes.
 */
function reader(): { stream: Writable; text: () => string; read: () => void; stop: () => void } {
  let text = "";
  let reading = true;
  const held: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark: 64,
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      if (reading) done();
      else held.push(done);
    },
  });
  return {
    stream,
    text: () => text,
    stop: () => void (reading = false),
    read: () => {
      reading = true;
      for (const done of held.splice(0)) done();
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("LineOut: NDJSON to a reader that falls behind", () => {
  it("writes straight through while the reader keeps up", async () => {
    const r = reader();
    const out = new LineOut(r.stream, 1000, () => expect.fail("no overflow"));
    out.write('{"type":"trade","n":1}');
    out.write('{"book":"BTC/USD","v":1}\n{"book":"ETH/USD","v":1}', ["BTC/USD", "ETH/USD"]);
    await tick();
    expect(r.text()).toBe('{"type":"trade","n":1}\n{"book":"BTC/USD","v":1}\n{"book":"ETH/USD","v":1}\n');
    expect(out.size).toBe(0);
  });

  it("while backed up keeps every other line in order and only each book's newest, after what came before it", async () => {
    const r = reader();
    const out = new LineOut(r.stream, 10_000, () => expect.fail("no overflow"));
    r.stop();
    // More than the stream's 64 bytes: it asks for a drain, and the next lines wait.
    out.write(`{"type":"trade","pad":"${"x".repeat(80)}"}`);
    const before = r.text();
    out.write('{"book":"BTC/USD","v":1}\n{"book":"ETH/USD","v":1}', ["BTC/USD", "ETH/USD"]);
    out.write('{"type":"trade","n":2}');
    out.write('{"type":"connection","state":"reconnecting"}');
    out.write('{"book":"BTC/USD","v":2}', ["BTC/USD"]);
    out.write('{"type":"trade","n":3}');
    expect(out.size).toBe(5);
    expect(r.text()).toBe(before);
    r.read();
    await tick();
    expect(r.text().slice(before.length)).toBe(
      [
        '{"book":"ETH/USD","v":1}',
        '{"type":"trade","n":2}',
        '{"type":"connection","state":"reconnecting"}',
        '{"book":"BTC/USD","v":2}',
        '{"type":"trade","n":3}',
        "",
      ].join("\n"),
    );
    expect(out.size).toBe(0);
  });

  it("says once when the lines that are not books pass the limit, and loses none of them", async () => {
    const r = reader();
    const overflows: number[] = [];
    const out = new LineOut(r.stream, 100, (bytes) => overflows.push(bytes));
    r.stop();
    out.write(`{"pad":"${"x".repeat(80)}"}`);
    for (let n = 0; n < 20; n++) out.write(`{"n":${n}}`);
    // Book lines do not count: they are bounded by the number of books.
    out.write('{"book":"BTC/USD"}', ["BTC/USD"]);
    expect(overflows).toHaveLength(1);
    expect(overflows[0]).toBeGreaterThan(100);
    out.flushNow();
    r.read();
    await tick();
    const lines = r.text().split("\n").slice(1, -1);
    expect(lines).toEqual([...Array.from({ length: 20 }, (_, n) => `{"n":${n}}`), '{"book":"BTC/USD"}']);
  });
});

describe("--json to a reader that reads nothing for a while (the installed binary)", () => {
  /** A 6 s demo run at 200 messages/s a pair; `pauseMs`: the reader reads nothing until then. */
  async function run(pauseMs: number): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
    // 25 levels a side make each book line some 2 KB, so the buffers between the two (the pipe's 64 KiB,
    // the reading side's and the writing side's own) fill with a few book lines each.
    const args = ["--demo", "--rate", "200", "--duration", "6", "--json-levels", "25", ...PAIRS];
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "ignore"] });
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    const lines = text.split("\n").slice(0, -1);
    return { code, lines: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  }
  const PAIRS = ["BTC/USD", "ETH/USD", "SOL/USD"];
  const books = (lines: Record<string, unknown>[], symbol: string) =>
    lines.filter((l) => l["type"] === "book" && l["symbol"] === symbol);

  it("gets every trade, in order, but only each book's newest line while it was not reading", async () => {
    const [steady, paused] = await Promise.all([run(0), run(7500)]);
    expect(steady.code).toBe(0);
    expect(paused.code).toBe(0);
    for (const symbol of PAIRS) {
      // Nothing lost from the log: trade ids run on without a hole, from the snapshot's to the last.
      const ids = paused.lines
        .filter((l) => l["type"] === "trade" && l["symbol"] === symbol)
        .map((l) => l["tradeId"]);
      expect(ids.length).toBeGreaterThan(50);
      expect(ids).toEqual(ids.map((_, i) => (ids[0] as number) + i));
      // A reader that keeps up gets a line a view (up to 30 a second); one that read nothing gets what
      // the buffers held before they filled (some 10 a book), then each book as it was when it read.
      const kept = books(paused.lines, symbol);
      expect(kept.length).toBeLessThan(books(steady.lines, symbol).length / 3);
      // The book line it got last is the book at the end of the run, not one from when the pipe filled.
      const lastTrade = paused.lines.filter((l) => l["type"] === "trade" && l["symbol"] === symbol).at(-1)!;
      const behind = Date.parse(lastTrade["time"] as string) - Date.parse(kept.at(-1)!["time"] as string);
      expect(behind).toBeLessThan(1000);
    }
    expect(paused.lines.at(-1)).toEqual({ type: "connection", state: "stopped" });
  }, 40_000);
});
