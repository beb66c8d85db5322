import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { generateFrames } from "../../src/sim/generate.js";
import { describeRecording, NoBookDataError } from "../../src/recording/outline.js";
import { loadRecording, MAX_REPLAY_PAUSE_S } from "../../src/sim/replay.js";
import { startSimServer } from "../../src/sim/server.js";
import type { SimServer } from "../../src/sim/server.js";
import { BookChecker, TestClient, isBook, isHeartbeat } from "./kraken-client.js";

const CAPTURE = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
const captureLines = readFileSync(CAPTURE, "utf8")
  .split("\n")
  .filter((l) => l !== "");
const captureBook = captureLines.filter(isBook);
const checksums = (frames: readonly string[]) => frames.map((f) => /"checksum":(\d+)/.exec(f)![1]);

let servers: SimServer[] = [];
let clients: TestClient[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  servers = [];
  clients = [];
  dirs = [];
});

async function replay(path: string, speed: number, heartbeatMs = 1000): Promise<TestClient> {
  const server = await startSimServer({ replayPath: path, speed, heartbeatMs });
  servers.push(server);
  const c = await TestClient.connect(server.url);
  clients.push(c);
  return c;
}

function tempFile(name: string, lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "sim-replay-"));
  dirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

describe("replay", () => {
  it("describes the shared capture: BTC/USD at depth 10", () => {
    expect(describeRecording(CAPTURE)).toEqual({ symbols: ["BTC/USD"], depth: 10 });
  });

  it("infers the depth from the first snapshot when a recording has no ack, rounded up to a Kraken depth", () => {
    const gen = [...generateFrames({ symbols: ["ETH/USD", "SOL/USD"], depth: 25, seed: 2, messages: 50 })];
    const noAcks = tempFile("no-acks.jsonl", gen.filter(isBook));
    expect(describeRecording(noAcks)).toEqual({ symbols: ["ETH/USD", "SOL/USD"], depth: 25 });
    const short = `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":1.0,"qty":1.00000000}],"asks":[{"price":2.0,"qty":1.00000000}],"checksum":1}]}`;
    expect(describeRecording(tempFile("short.jsonl", [short]))).toEqual({
      symbols: ["BTC/USD"],
      depth: 10,
    });
  });

  it("refuses a recording without a book snapshot, saying what it holds, to describe and to serve", () => {
    const none = tempFile("none.jsonl", [`{"channel":"heartbeat"}`]);
    expect(() => describeRecording(none)).toThrow(new NoBookDataError(1));
    expect(() => loadRecording(none)).toThrow("no book data (none of its 1 line is a book snapshot)");
    const acked = tempFile("acked.jsonl", [
      `{"method":"subscribe","result":{"channel":"book","symbol":"BTC/USD","depth":10,"snapshot":true},"success":true}`,
    ]);
    expect(() => loadRecording(acked)).toThrow(NoBookDataError);
    expect(() => loadRecording(tempFile("blank.jsonl", ["", " "]))).toThrow(
      "no book data (the file is empty)",
    );
  });

  it("replays the shared capture at max speed: every book frame verbatim, checksums in order, no mismatch", async () => {
    const c = await replay(CAPTURE, Infinity, 100);
    c.subscribe(["BTC/USD"], 10, 1);
    await c.waitForCount(isBook, captureBook.length);
    const served = c.frames.map((f) => f.text).filter(isBook);
    expect(served).toHaveLength(301);
    expect(served).toEqual(captureBook);
    expect(checksums(served)).toEqual(checksums(captureBook));
    const checker = new BookChecker(10);
    for (const f of served) checker.apply(f);
    expect(checker.totals).toMatchObject({ snapshots: 5, updates: 296, ok: 301, mismatched: 0 });
    // Then idle, open, with heartbeats.
    const end = c.frames.length;
    await c.waitFor(isHeartbeat, { from: end });
    const more = c.frames.length;
    await c.waitFor(isHeartbeat, { from: more });
    expect(c.frames.slice(end).some((f) => isBook(f.text))).toBe(false);
    expect(c.closeCode).toBeUndefined();
  });

  it("serves the recorded depth whatever depth is asked for, and rejects symbols not in the recording", async () => {
    const c = await replay(CAPTURE, Infinity);
    c.subscribe(["BTC/USD", "ETH/USD"], 25, 7);
    await c.waitFor((t) => t.includes("ETH/USD"));
    const replies = c.frames.filter((f) => f.text.startsWith(`{"`) && f.text.includes(`"req_id":7`));
    expect(JSON.parse(replies[0]!.text)).toMatchObject({
      result: { symbol: "BTC/USD", depth: 10 },
      success: true,
    });
    expect(JSON.parse(replies[1]!.text)).toMatchObject({
      error: "Currency pair not supported ETH/USD",
      symbol: "ETH/USD",
      success: false,
    });
  });

  it("at max speed streams a large recording completely and in order to a client that stalls for a while", async () => {
    const lines = [
      ...generateFrames({ symbols: ["BTC/USD", "ETH/USD"], depth: 100, seed: 4, messages: 30_000 }),
    ];
    const file = tempFile("large.jsonl", lines);
    const c = await replay(file, Infinity);
    const socket = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    c.subscribe(["BTC/USD", "ETH/USD"], 100);
    socket.pause();
    await new Promise((r) => setTimeout(r, 300));
    socket.resume();
    const books = lines.filter(isBook);
    await c.waitForCount(isBook, books.length, 30_000);
    const served = c.frames.map((f) => f.text).filter(isBook);
    const bySymbol = (frames: readonly string[], symbol: string) =>
      frames.filter((f) => f.includes(`"${symbol}"`));
    for (const symbol of ["BTC/USD", "ETH/USD"])
      expect(bySymbol(served, symbol)).toEqual(bySymbol(books, symbol));
    const checker = new BookChecker(100);
    for (const f of served) checker.apply(f);
    expect(checker.totals).toMatchObject({ updates: 30_000, mismatched: 0 });
  }, 40_000);

  it("at max speed paces itself below --max-buffer: a client that stops reading for a while is not dropped and gets every frame", async () => {
    const lines = [...generateFrames({ symbols: ["BTC/USD"], depth: 100, seed: 6, messages: 30_000 })];
    const logged: string[] = [];
    const server = await startSimServer({
      replayPath: tempFile("paced.jsonl", lines),
      speed: Infinity,
      limits: { maxBufferBytes: 256 * 1024 },
      log: (line) => logged.push(line),
    });
    servers.push(server);
    const c = await TestClient.connect(server.url);
    clients.push(c);
    c.ws.pause();
    c.subscribe(["BTC/USD"], 100);
    // Long enough for the kernel's buffers to fill and the replay to stall on the bound.
    await new Promise((r) => setTimeout(r, 1500));
    c.ws.resume();
    const books = lines.filter(isBook);
    await c.waitForCount(isBook, books.length, 30_000);
    expect(logged).toEqual([]);
    expect(c.closeCode).toBeUndefined();
    expect(c.frames.map((f) => f.text).filter(isBook)).toEqual(books);
  }, 40_000);

  it("on a resubscribe goes on from the next recorded snapshot (already sent: from where it stopped); a new connection starts over", async () => {
    // A resync during the recording: snapshot, 3 updates, the snapshot again, 3 updates; frame k at k × 0.4 s.
    const book = [...captureBook.slice(0, 4), captureBook[0]!, ...captureBook.slice(4, 7)];
    const lines = book.map((f, k) =>
      f.replace(
        /"timestamp":"[^"]*"/,
        `"timestamp":"2026-08-01T00:00:0${Math.floor(k * 0.4)}.${(k * 4) % 10}00000Z"`,
      ),
    );
    const file = tempFile("resynced.jsonl", lines);
    const books = (c: TestClient, from: number) =>
      c.frames
        .slice(from)
        .map((f) => f.text)
        .filter(isBook);
    const resubscribe = async (c: TestClient): Promise<number> => {
      const from = c.frames.length;
      c.unsubscribe(["BTC/USD"], 10);
      const acked = await c.waitFor((t) => t.includes(`"method":"unsubscribe"`), { from });
      c.subscribe(["BTC/USD"], 10);
      return c.waitFor((t) => t.includes(`"method":"subscribe"`), { from: acked });
    };

    // Paced (speed 2: the second snapshot is due after 0.8 s): the resubscribe after 2 frames starts at it.
    const paced = await replay(file, 2);
    paced.subscribe(["BTC/USD"], 10);
    await paced.waitForCount(isBook, 2);
    let at = await resubscribe(paced);
    await paced.waitForCount(isBook, 2 + 4);
    expect(books(paced, at)).toEqual(lines.slice(4));
    // No snapshot after that one: a subscribe once more is refused, saying why (it would wait for ever).
    const refusal = "Replay has no later snapshot of BTC/USD";
    at = await resubscribe(paced);
    expect(JSON.parse(paced.frames[at]!.text)).toMatchObject({
      success: false,
      symbol: "BTC/USD",
      error: refusal,
    });
    await paced.waitFor((t) => t.includes(`"system":"replay_ended"`));
    expect(books(paced, at)).toEqual([]);
    // A new connection gets the recording from its start.
    const fresh = await TestClient.connect(servers[0]!.url);
    clients.push(fresh);
    fresh.subscribe(["BTC/USD"], 10);
    await fresh.waitForCount(isBook, 8);
    expect(books(fresh, 0)).toEqual(lines);

    // At max speed all of it has been sent before the resubscribe: nothing is sent twice.
    const fast = await replay(file, Infinity);
    fast.subscribe(["BTC/USD"], 10);
    await fast.waitForCount(isBook, 8);
    at = await resubscribe(fast);
    expect(JSON.parse(fast.frames[at]!.text)).toMatchObject({
      success: false,
      symbol: "BTC/USD",
      error: refusal,
    });
    await fast.waitFor((t) => t.includes(`"system":"replay_ended"`));
    expect(books(fast, at)).toEqual([]);
  });

  it("keeps a connection's streams on one timeline: a book subscribed again gets its next recorded snapshot at once, then its updates when due, in step with the other book", async () => {
    // Two books, their snapshots stamped an hour before (a quiet pair's last change, as on Kraken), their
    // updates interleaved; BTC/USD's snapshot again 4/5 of the way (a resync in the recording, stamped as
    // the update before it).
    const stamp = /"timestamp":"([^"]+)"/;
    const gen = [
      ...generateFrames({ symbols: ["BTC/USD", "ETH/USD"], depth: 10, seed: 8, messages: 150, rate: 20 }),
    ]
      .filter(isBook)
      .map((f) =>
        f.includes(`"type":"snapshot"`)
          ? f.replace(
              stamp,
              (_, t: string) => `"timestamp":"${new Date(Date.parse(t) - 3_600_000).toISOString()}"`,
            )
          : f,
      );
    const k = Math.floor(gen.length * 0.8);
    const resync = gen[0]!.replace(stamp, stamp.exec(gen[k - 1]!)![0]);
    const lines = [...gen.slice(0, k), resync, ...gen.slice(k)];
    const file = tempFile("two-timelines.jsonl", lines);
    // When each book frame is due at speed 2 (ms from the start): both first snapshots with the first
    // update, the resync's with the update after it.
    const due = new Map<string, number>();
    for (const frames of loadRecording(file).frames.values())
      for (const f of frames) due.set(f.text, f.at / 1000 / 2);
    expect([due.get(gen[0]!), due.get(gen[1]!), due.get(gen[2]!)]).toEqual([0, 0, 0]);
    expect(due.get(resync)).toBe(due.get(lines[k + 1]!));
    expect(due.get(resync)).toBeGreaterThan(400);

    const c = await replay(file, 2);
    c.subscribe(["BTC/USD", "ETH/USD"], 10);
    await c.waitForCount(isBook, 6);
    const from = c.frames.length;
    c.unsubscribe(["BTC/USD"], 10);
    await c.waitFor((t) => t.includes(`"method":"unsubscribe"`), { from });
    c.subscribe(["BTC/USD"], 10);
    await c.waitFor((t) => t.includes(`"system":"replay_ended"`), { timeoutMs: 10_000 });
    const books = c.frames.filter((f) => isBook(f.text));
    // The resubscribe goes on from the recorded snapshot, sent at once, and what follows it.
    const again = books.findIndex((f) => f.text === resync);
    expect(again).toBeGreaterThan(0);
    expect(books[again]!.at - books[0]!.at).toBeLessThan(due.get(resync)! - 100);
    const btc = (frames: readonly string[]): string[] => frames.filter((f) => f.includes(`"BTC/USD"`));
    expect(btc(books.slice(again).map((f) => f.text))).toEqual(btc(lines.slice(k)));
    // Every update on the connection's timeline (from its first frame): never early, not much late. A
    // stream subscribed again used to start its own, sending BTC/USD's updates a second ahead of ETH/USD's.
    const start = books[0]!.at;
    for (const f of books) {
      if (!f.text.includes(`"type":"update"`)) continue;
      const d = f.at - start;
      expect(d).toBeGreaterThan(due.get(f.text)! - 100);
      expect(d).toBeLessThan(due.get(f.text)! + 1000);
    }
  });

  it("replays a session recorded from the demo server: same book frames, every checksum right", async () => {
    const demo = await startSimServer({ seed: 12, rate: 500 });
    servers.push(demo);
    const live = await TestClient.connect(demo.url);
    clients.push(live);
    live.subscribe(["ADA/EUR", "XRP/USD"], 25);
    await live.waitForCount(isBook, 600);
    const recorded = live.frames.map((f) => f.text);
    const file = tempFile("recorded.jsonl", recorded);
    expect(describeRecording(file)).toEqual({ symbols: ["ADA/EUR", "XRP/USD"], depth: 25 });
    const c = await replay(file, Infinity);
    c.subscribe(["ADA/EUR", "XRP/USD"], 25);
    const books = recorded.filter(isBook);
    await c.waitForCount(isBook, books.length);
    const served = c.frames.map((f) => f.text).filter(isBook);
    for (const symbol of ["ADA/EUR", "XRP/USD"]) {
      const of = (frames: readonly string[]) => frames.filter((f) => f.includes(`"${symbol}"`));
      expect(of(served)).toEqual(of(books));
    }
    const checker = new BookChecker(25);
    for (const f of served) checker.apply(f);
    expect(checker.totals.mismatched).toBe(0);
  });

  it("paces frames by their update timestamps divided by the speed, the snapshot with the first update however old its own", async () => {
    // A snapshot stamped an hour before (its book's last change), then 4 updates 1.3 s apart.
    const stamp = (seconds: number): string => new Date(Date.UTC(2026, 7, 1) + seconds * 1000).toISOString();
    const lines = captureBook
      .slice(0, 5)
      .map((f, i) =>
        f.replace(/"timestamp":"[^"]*"/, `"timestamp":"${stamp(i === 0 ? -3600 : (i - 1) * 1.3)}"`),
      );
    const file = tempFile("paced.jsonl", lines);
    // The schedule: when each frame was received during the recording, from its first update (µs).
    expect(
      loadRecording(file)
        .frames.get("BTC/USD")!
        .map((f) => f.at),
    ).toEqual([0, 0, 1.3e6, 2.6e6, 3.9e6]);
    for (const [speed, gap] of [
      [4, 325],
      [13, 100],
    ] as const) {
      const c = await replay(file, speed);
      c.subscribe(["BTC/USD"], 10);
      await c.waitForCount(isBook, 5);
      const at = c.frames.filter((f) => isBook(f.text)).map((f) => f.at);
      // Never early (the schedule is absolute), and not much late.
      for (let i = 1; i < 5; i++) {
        const d = at[i]! - at[0]!;
        expect(d).toBeGreaterThan((i - 1) * gap * 0.9 - 20);
        expect(d).toBeLessThan((i - 1) * gap + 150);
      }
    }
  });

  it("shortens a pause of the whole recording (runs appended to one file) to MAX_REPLAY_PAUSE_S, and keeps shorter ones", async () => {
    // The same four frames twice (the second run starts with its snapshot), 0.4 s apart within a run;
    // the second run an hour after the first, then a third 4 s after the second.
    const stamp = (seconds: number): string => new Date(Date.UTC(2026, 7, 1) + seconds * 1000).toISOString();
    const run = (start: number): string[] =>
      captureBook
        .slice(0, 4)
        .map((f, i) => f.replace(/"timestamp":"[^"]*"/, `"timestamp":"${stamp(start + i * 0.4)}"`));
    const file = tempFile("appended.jsonl", [...run(0), ...run(3600), ...run(3600 + 1.2 + 4)]);
    // Received (each run's snapshot with its first update): 0, 0, 0.4, 0.8 s; the hour as
    // MAX_REPLAY_PAUSE_S = 5 s; the 4.4 s from the last update of a run to the first of the next kept.
    const received = [0, 0, 0.4, 0.8, 5.8, 5.8, 6.2, 6.6, 11, 11, 11.4, 11.8];
    expect(MAX_REPLAY_PAUSE_S).toBe(5);
    const schedule = loadRecording(file)
      .frames.get("BTC/USD")!
      .map((f) => f.at / 1e6);
    for (let i = 0; i < 12; i++) expect(schedule[i]).toBeCloseTo(received[i]!, 6);
    const c = await replay(file, 10);
    c.subscribe(["BTC/USD"], 10);
    await c.waitForCount(isBook, 12, 5_000);
    const at = c.frames
      .filter((f) => isBook(f.text))
      .map((f) => f.at - c.frames.find((g) => isBook(g.text))!.at);
    const due = received.map((s) => s * 100);
    for (let i = 1; i < 12; i++) {
      expect(at[i]).toBeGreaterThan(due[i]! - 20);
      expect(at[i]).toBeLessThan(due[i]! + 150);
    }
  });

  it("at a speed so slow, or a demo rate so low, that the next frame is due later than a timer holds, waits for it", async () => {
    // Node fires a timer asked to wait longer after 1 ms, with a TimeoutOverflowWarning (on the ladder's
    // screen): the server spun every millisecond, warning each time.
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const slow = await replay(CAPTURE, 1e-7);
      slow.subscribe(["BTC/USD"], 10);
      const demo = await startSimServer({ seed: 3, rate: 1e-9 });
      servers.push(demo);
      const quiet = await TestClient.connect(demo.url);
      clients.push(quiet);
      quiet.subscribe(["BTC/USD"], 10);
      // The snapshot, and the first update, received with it.
      await slow.waitForCount(isBook, 2);
      await quiet.waitForCount(isBook, 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(slow.frames.filter((f) => isBook(f.text))).toHaveLength(2);
      expect(quiet.frames.filter((f) => isBook(f.text))).toHaveLength(1);
      expect(warnings).not.toContain("TimeoutOverflowWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});
