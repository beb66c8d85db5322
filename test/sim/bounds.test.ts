import { describe, expect, it } from "vitest";
import type { FaultOptions, SimLimits } from "../../src/sim/server.js";
import { TokenBucket } from "../../src/sim/token-bucket.js";
import { BookChecker, isBook, isBookOf } from "./kraken-client.js";
import type { TestClient } from "./kraken-client.js";
import { closedAfterEach } from "./support.js";

const started = closedAfterEach();
const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "DOGE/USD"];

/** A demo server with these limits whose log lines are collected. */
async function serve(
  limits: Partial<SimLimits>,
  rate = 10,
  faults: FaultOptions = {},
): Promise<{ url: string; logged: string[] }> {
  const logged: string[] = [];
  const server = await started.serve({ seed: 5, rate, limits, faults, log: (line) => logged.push(line) });
  return { url: server.url, logged };
}

const replies = (c: TestClient): Record<string, unknown>[] => c.json((t) => t.startsWith(`{"`) && !isBook(t));
const errorsOf = (c: TestClient): Record<string, unknown>[] => replies(c).filter((r) => "error" in r);

/** Sends a ping and waits for its pong: everything the server sent before it has arrived. */
async function roundTrip(c: TestClient, reqId: number): Promise<void> {
  c.send({ method: "ping", req_id: reqId });
  await c.waitFor((t) => t.startsWith(`{"method":"pong","req_id":${reqId},`));
}

function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const poll = setInterval(() => {
      if (check()) {
        clearInterval(poll);
        resolve();
      } else if (performance.now() - t0 > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }
    }, 10);
  });
}

describe("simulator bounds", () => {
  it("a token bucket gives `size` tokens at once, then `rate` a second", () => {
    let now = 0;
    const bucket = new TokenBucket(4, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 250;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it("a request naming 100,000 symbols gets one error, not one per symbol", async () => {
    const { url } = await serve({});
    const c = await started.client(url);
    const symbols = Array.from({ length: 100_000 }, (_, i) => `S${i}/USD`);
    c.send({ method: "subscribe", params: { channel: "book", symbol: symbols, depth: 10 }, req_id: 9 });
    await roundTrip(c, 10);
    expect(errorsOf(c)).toEqual([
      expect.objectContaining({
        error: expect.stringMatching(/^Request too large: \d+ bytes/),
        success: false,
      }),
    ]);
    expect(replies(c).filter((r) => r["method"] === "subscribe")).toEqual([]);
  });

  it("a request with more symbols than --max-symbols gets one error naming the bound, with its method and req_id", async () => {
    const { url } = await serve({ maxSymbols: 3 });
    const c = await started.client(url);
    c.subscribe(["BTC/USD", "ETH/USD", "SOL/USD", "NOPE/USD"], 10, 4);
    await roundTrip(c, 5);
    expect(errorsOf(c)).toEqual([
      expect.objectContaining({
        error: "Too many symbols: 4 in one request, at most 3",
        method: "subscribe",
        req_id: 4,
        success: false,
      }),
    ]);
    expect(c.frames.some((f) => isBook(f.text))).toBe(false);
    c.subscribe(["BTC/USD", "ETH/USD", "SOL/USD"], 10, 6);
    await c.waitFor(isBookOf("SOL/USD"));
  });

  it("a frame over the frame bound is refused by ws with close 1009", async () => {
    const { url } = await serve({ maxFrameBytes: 16 * 1024 });
    const c = await started.client(url);
    c.send("x".repeat(16 * 1024 + 1));
    expect(await c.waitClosed()).toBe(1009);
  });

  it("requests over the rate get Kraken's `Exceeded msg rate` with their method and req_id; later ones are served", async () => {
    const { url } = await serve({ msgRate: 2, msgBurst: 3 });
    const c = await started.client(url);
    for (let i = 1; i <= 5; i++) c.send({ method: "ping", req_id: i });
    c.subscribe(["BTC/USD"], 10, 6);
    await c.waitForCount((t) => t.includes(`"req_id":6`), 1);
    const got = replies(c).filter((r) => r["channel"] === undefined);
    expect(got.map((r) => [r["method"], r["req_id"], r["error"]])).toEqual([
      ["pong", 1, undefined],
      ["pong", 2, undefined],
      ["pong", 3, undefined],
      ["ping", 4, "Exceeded msg rate"],
      ["ping", 5, "Exceeded msg rate"],
      ["subscribe", 6, "Exceeded msg rate"],
    ]);
    expect(Object.keys(got[3]!)).toEqual(["error", "method", "req_id", "success", "time_in", "time_out"]);
    expect(got[3]!["success"]).toBe(false);
    // A token comes back every 500 ms.
    await new Promise((r) => setTimeout(r, 600));
    c.subscribe(["BTC/USD"], 10, 7);
    await c.waitFor(isBookOf("BTC/USD"));
    expect(c.closeCode).toBeUndefined();
  });

  it("a client that goes on sending at many times the rate is closed 1008 `Exceeded msg rate`; another client is served throughout", async () => {
    const { url, logged } = await serve({ msgRate: 20, msgBurst: 10 });
    const other = await started.client(url);
    other.subscribe(["BTC/USD"], 10);
    await other.waitFor(isBookOf("BTC/USD"));
    const storm = await started.client(url);
    for (let i = 0; i < 200 && storm.closeCode === undefined; i++) {
      storm.unsubscribe(["ETH/USD"], 10, i);
      storm.subscribe(["ETH/USD"], 10, i);
    }
    expect(await storm.waitClosed()).toBe(1008);
    expect(storm.closeReason).toBe("Exceeded msg rate");
    // 10 served, then refusals until a second bucket of 10 ran out (plus what refilled meanwhile),
    // of the 400 requests sent.
    const refused = errorsOf(storm).filter((e) => e["error"] === "Exceeded msg rate");
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(refused.length).toBeLessThan(100);
    expect(logged).toEqual([
      expect.stringMatching(
        /^simulate: dropped connection #1 127\.0\.0\.1:\d+: Exceeded msg rate .*close 1008$/,
      ),
    ]);
    await other.waitFor(isBookOf("BTC/USD"), { from: other.frames.length });
    expect(other.closeCode).toBeUndefined();
  });

  it("a client that stops reading is closed 1013 with a reason once it holds more than --max-buffer unsent, without a hole in what it got; another client keeps receiving", async () => {
    const { url, logged } = await serve({ maxBufferBytes: 1024 * 1024, msgRate: 1000, msgBurst: 1000 }, 50);
    const other = await started.client(url);
    other.subscribe(["BTC/USD"], 10);
    await other.waitFor(isBookOf("BTC/USD"));
    const slow = await started.client(url);
    slow.ws.pause();
    // Depth-1000 snapshots of five pairs, again and again: far more than the kernel and the bound hold.
    for (let i = 0; i < 100; i++) {
      slow.subscribe(SYMBOLS, 1000, i);
      slow.unsubscribe(SYMBOLS, 1000, i);
    }
    await until(() => logged.length > 0, 10_000, "the drop to be logged");
    expect(logged).toEqual([
      expect.stringMatching(
        /^simulate: dropped connection #1 127\.0\.0\.1:\d+: send buffer over 1 MiB: client not reading \(\d+\.\d MiB unsent\), close 1013$/,
      ),
    ]);
    // Reading again within the grace period, the client gets what was queued and then the close.
    slow.ws.resume();
    expect(await slow.waitClosed()).toBe(1013);
    expect(slow.closeReason).toBe("send buffer over 1 MiB: client not reading");
    const checker = new BookChecker(1000);
    for (const f of slow.frames) if (isBook(f.text)) checker.apply(f.text);
    expect(checker.totals.snapshots).toBeGreaterThan(5);
    expect(checker.totals.mismatched).toBe(0);
    await other.waitFor(isBookOf("BTC/USD"), { from: other.frames.length });
    expect(other.closeCode).toBeUndefined();
  });

  it("frames held back by --drip count toward --max-buffer: past it the client is closed 1013 saying so, though it reads", async () => {
    const { url, logged } = await serve({ maxBufferBytes: 64 * 1024 }, 500, { dripMs: 1000 });
    const c = await started.client(url);
    c.subscribe(["BTC/USD", "ETH/USD"], 10);
    expect(await c.waitClosed()).toBe(1013);
    expect(c.closeReason).toBe("send buffer over 64 KiB: frames held by --drip/--burst");
    expect(logged).toEqual([expect.stringContaining("frames held by --drip/--burst")]);
    expect(c.frames.length).toBeLessThan(5);
  });
});
