import { describe, expect, it } from "vitest";
import { OrderBook } from "../../src/book/order-book.js";
import { parseFrame } from "../../src/protocol/parse.js";
import type { FaultOptions, SimServer } from "../../src/sim/server.js";
import { BookChecker, isBook, isBookOf, isHeartbeat } from "./kraken-client.js";
import { closedAfterEach } from "./support.js";

const started = closedAfterEach();

const serve = (faults: FaultOptions, rate = 200, heartbeatMs = 1000): Promise<SimServer> =>
  started.serve({ seed: 21, rate, heartbeatMs, faults });
const client = started.client.bind(started);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per book frame: whether its checksum matches the book it leaves (content applied regardless). */
function checksumResults(frames: readonly string[], symbol: string, depth: number): boolean[] {
  let book: OrderBook | undefined;
  const out: boolean[] = [];
  for (const f of frames) {
    const msg = parseFrame(f);
    if (msg.kind !== "book") continue;
    for (const d of msg.data) {
      if (d.symbol !== symbol) continue;
      if (msg.type === "snapshot") book = new OrderBook(symbol, depth);
      out.push(book!.apply(d, msg.type === "snapshot") === "ok");
    }
  }
  return out;
}

describe("simulator faults", () => {
  it("--drop-every with close: a close frame (1001) each time a connection reaches the age", async () => {
    const server = await serve({ dropEveryMs: 300, dropMode: "close" });
    for (let i = 0; i < 2; i++) {
      const c = await client(server.url);
      c.subscribe(["BTC/USD"], 10);
      const t0 = performance.now();
      expect(await c.waitClosed(3000)).toBe(1001);
      expect(performance.now() - t0).toBeGreaterThan(200);
      expect(c.frames.some((f) => isBook(f.text))).toBe(true);
    }
  });

  it("--drop-every with terminate: the socket dies without a close frame (1006)", async () => {
    const server = await serve({ dropEveryMs: 200, dropMode: "terminate" });
    const c = await client(server.url);
    c.subscribe(["BTC/USD"], 10);
    expect(await c.waitClosed(3000)).toBe(1006);
  });

  it("--silence: nothing at all for the period (no updates, heartbeats or pongs), socket open, then resumes", async () => {
    const server = await serve({ silenceAfterMs: 300, silenceMs: 700 }, 300, 50);
    const c = await client(server.url);
    c.subscribe(["BTC/USD"], 10);
    await sleep(450);
    c.send({ method: "ping", req_id: 77 });
    const resumed = await c.waitFor(isBook, { from: c.frames.length, timeoutMs: 3000 });
    const t = c.frames.map((f) => f.at - c.openedAt);
    const before = c.frames.filter((f) => f.at - c.openedAt < 300);
    expect(before.some((f) => isBook(f.text))).toBe(true);
    expect(before.some((f) => isHeartbeat(f.text))).toBe(true);
    // No frame arrived inside the silence window.
    expect(t.filter((x) => x > 330 && x < 970)).toEqual([]);
    expect(t[resumed]!).toBeGreaterThan(950);
    await c.waitFor(isHeartbeat, { from: resumed });
    expect(c.closeCode).toBeUndefined();
    expect(c.frames.some((f) => f.text.includes(`"req_id":77`))).toBe(false);
  });

  it("--corrupt-prob 1 --corrupt-symbol ETH/USD: every ETH/USD checksum is off, BTC/USD untouched", async () => {
    const server = await serve({ corruptProbability: 1, corruptSymbol: "ETH/USD" }, 500);
    const c = await client(server.url);
    c.subscribe(["BTC/USD", "ETH/USD"], 10);
    await c.waitForCount(isBookOf("ETH/USD"), 100);
    await c.waitForCount(isBookOf("BTC/USD"), 100);
    const texts = c.frames.map((f) => f.text);
    const eth = checksumResults(texts, "ETH/USD", 10);
    const btc = checksumResults(texts, "BTC/USD", 10);
    expect(eth.length).toBeGreaterThanOrEqual(100);
    expect(eth.every((ok) => !ok)).toBe(true);
    expect(btc.every((ok) => ok)).toBe(true);
  });

  it("--corrupt-prob 0.1 corrupts about one book frame in ten", async () => {
    const server = await serve({ corruptProbability: 0.1 }, 2000);
    const c = await client(server.url);
    c.subscribe(["SOL/USD"], 10);
    await c.waitForCount(isBook, 2000);
    const results = checksumResults(
      c.frames.map((f) => f.text),
      "SOL/USD",
      10,
    );
    const bad = results.filter((ok) => !ok).length / results.length;
    expect(bad).toBeGreaterThan(0.05);
    expect(bad).toBeLessThan(0.16);
  });

  it("--corrupt-at: exactly one corrupted frame, the first one sent after that time", async () => {
    const server = await serve({ corruptAtMs: 400, corruptSymbol: "BTC/USD" }, 200);
    const c = await client(server.url);
    c.subscribe(["BTC/USD"], 10);
    await sleep(900);
    const books = c.frames.filter((f) => isBook(f.text));
    const results = checksumResults(
      books.map((f) => f.text),
      "BTC/USD",
      10,
    );
    expect(results.filter((ok) => !ok)).toHaveLength(1);
    const i = results.indexOf(false);
    expect(books[i]!.at - c.openedAt).toBeGreaterThan(350);
    expect(books[i - 1]!.at - c.openedAt).toBeLessThan(650);
  });

  it("--malformed-prob: invalid JSON, wrong types in a book frame and unknown channels, in turn", async () => {
    const server = await serve({ malformedProbability: 1 }, 300);
    const c = await client(server.url);
    c.subscribe(["BTC/USD"], 10);
    await c.waitForCount((t) => parseFrame(t).kind === "book", 30);
    const kinds = new Map<string, number>();
    let books = 0;
    for (const f of c.frames) {
      const msg = parseFrame(f.text);
      if (msg.kind === "book") {
        books++;
        continue;
      }
      const key =
        msg.kind === "error"
          ? msg.message.startsWith("malformed JSON")
            ? "json"
            : `types:${(msg.symbols ?? []).join()}`
          : msg.kind === "unknown"
            ? "channel"
            : msg.kind;
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    expect(kinds.get("json")).toBeGreaterThanOrEqual(9);
    expect(kinds.get("types:BTC/USD")).toBeGreaterThanOrEqual(9);
    expect(kinds.get("channel")).toBeGreaterThanOrEqual(9);
    const malformed =
      (kinds.get("json") ?? 0) + (kinds.get("types:BTC/USD") ?? 0) + (kinds.get("channel") ?? 0);
    expect(Math.abs(malformed - books)).toBeLessThanOrEqual(1);
    // The real book frames are unharmed.
    const checker = new BookChecker(10);
    for (const f of c.frames) if (isBook(f.text) && parseFrame(f.text).kind === "book") checker.apply(f.text);
    expect(checker.totals.mismatched).toBe(0);
  });

  it("--malformed-every with one kind: that malformed frame on a timer, even with nothing subscribed", async () => {
    const server = await serve({ malformedEveryMs: 100, malformedKinds: ["channel"] });
    const c = await client(server.url);
    await sleep(560);
    const odd = c.frames.filter((f) => f.text.startsWith(`{"channel":"sparkles"`));
    expect(odd.length).toBeGreaterThanOrEqual(4);
    expect(odd.length).toBeLessThanOrEqual(6);
    expect(c.frames.length).toBe(odd.length + 1); // and the status frame
  });

  it("--reject: listed symbols are refused as unknown pairs, the others are served", async () => {
    const server = await serve({ rejectSymbols: ["ETH/USD", "SOL/USD"] });
    const c = await client(server.url);
    c.subscribe(["ETH/USD", "BTC/USD", "SOL/USD"], 10, 3);
    await c.waitFor(isBookOf("BTC/USD"));
    await c.waitFor((t) => t.includes(`"symbol":"SOL/USD"`));
    const errors = c.json((t) => t.startsWith(`{"error"`));
    expect(errors.map((e) => [e["error"], e["symbol"], e["req_id"]])).toEqual([
      ["Currency pair not supported ETH/USD", "ETH/USD", 3],
      ["Currency pair not supported SOL/USD", "SOL/USD", 3],
    ]);
  });

  it("--unanswered: a listed symbol's book subscribe gets nothing at all, the others are served", async () => {
    const server = await serve({ unansweredSymbols: ["ETH/USD"] });
    const c = await client(server.url);
    c.subscribe(["ETH/USD", "BTC/USD"], 10, 4);
    await c.waitFor(isBookOf("BTC/USD"));
    await c.waitFor(isBookOf("BTC/USD"), { from: c.frames.length, timeoutMs: 3000 });
    expect(c.frames.filter((f) => f.text.includes(`"symbol":"ETH/USD"`))).toEqual([]);
    expect(c.json((t) => t.includes(`"success":true`)).map((a) => a["result"])).toEqual([
      { channel: "book", depth: 10, snapshot: true, symbol: "BTC/USD" },
    ]);
  });

  it("--drip: frames leave at most one per interval, in order, none lost", async () => {
    const server = await serve({ dripMs: 80 }, 200);
    const c = await client(server.url);
    c.subscribe(["BTC/USD"], 10);
    await c.waitForCount(() => true, 8, 3000);
    const at = c.frames.map((f) => f.at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThan(55);
    expect(at[at.length - 1]! - at[0]!).toBeGreaterThan(80 * (at.length - 1) - 10);
    const checker = new BookChecker(10);
    for (const f of c.frames) if (isBook(f.text)) checker.apply(f.text);
    expect(checker.totals.mismatched).toBe(0);
  });

  it("--burst: frames are held and arrive n at a time", async () => {
    const server = await serve({ burst: 10, burstWaitMs: 5000 }, 400);
    const c = await client(server.url);
    c.subscribe(["BTC/USD"], 10);
    await c.waitForCount(() => true, 100, 5000);
    const frames = c.frames.slice(0, 100);
    // Group frames that arrived together (within 3 ms of the previous one).
    const groups: number[] = [];
    for (let i = 0; i < frames.length; i++) {
      if (i > 0 && frames[i]!.at - frames[i - 1]!.at < 3) groups[groups.length - 1]!++;
      else groups.push(1);
    }
    expect(groups.length).toBeLessThanOrEqual(14);
    expect(groups.filter((n) => n % 10 === 0).length).toBeGreaterThanOrEqual(groups.length * 0.7);
    const checker = new BookChecker(10);
    for (const f of c.frames) if (isBook(f.text)) checker.apply(f.text);
    expect(checker.totals.mismatched).toBe(0);
  });
});
