import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stallLimit } from "../../src/feed/stall.js";
import { startServeServer } from "../../src/serve/http-server.js";
import type { ServeServer } from "../../src/serve/http-server.js";
import { STUCK_MESSAGE, stuckWorkers } from "../../src/feed/stuck.js";
import type { FeedEvent } from "../../src/feed/types.js";
import { fillPipe, mkfifo } from "../helpers/fifo.js";
import { feedOptions, harness } from "./support/feed-harness.js";
import type { Harness } from "./support/feed-harness.js";
import { ScriptedServer } from "./support/scripted-server.js";

/**
 * The real feed worker made to hang the way a user can make it hang: recording (`--record`) to a named
 * pipe whose reader stops reading. Once the pipe is full the worker blocks in its write, and only the main
 * thread can tell.
 */

let server: ScriptedServer | undefined;
let h: Harness | undefined;
let dir: string | undefined;
let holder: number | undefined;
let drain: ChildProcess | undefined;
let serve: ServeServer | undefined;

afterEach(async () => {
  // Whatever a test left blocked is let go first, so the worker can end.
  unblock();
  await serve?.close();
  await h?.feed.stop();
  await server?.close();
  drain?.kill();
  if (holder !== undefined) closeSync(holder);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  h = server = dir = holder = drain = serve = undefined;
});

/** A named pipe held open for reading and writing by the test, so the worker can open it; nobody reads it. */
function fifo(): string {
  dir = mkdtempSync(join(tmpdir(), "kl-stall-"));
  const path = join(dir, "record.fifo");
  mkfifo(path);
  holder = openSync(path, "r+");
  return path;
}

/** A reader for the pipe: the blocked write completes and the worker runs again. */
function unblock(): void {
  if (dir === undefined || drain !== undefined) return;
  drain = spawn("cat", [join(dir, "record.fifo")], { stdio: ["ignore", "ignore", "ignore"] });
}

const QUIET_MS = 1500;

async function stalledFeed(): Promise<{ h: Harness; stalledAt: number; filledAt: number }> {
  const path = fifo();
  server = await ScriptedServer.start({ mids: { "BTC/USD": 63388, "ETH/USD": 3100 }, updateMs: 20 });
  h = harness(
    feedOptions(server.url, { symbols: ["BTC/USD", "ETH/USD"], recordPath: path, quietAfterMs: QUIET_MS }),
  );
  const feed = h;
  await feed.until(
    () => feed.book("BTC/USD")?.state === "live" && feed.book("ETH/USD")?.state === "live",
    "both live",
  );
  fillPipe(path);
  const filledAt = Date.now();
  await feed.until(() => feed.feed.latest()?.connection.state === "stalled", "stalled", 10_000);
  return { h: feed, stalledAt: Date.now(), filledAt };
}

/** Per symbol, the versions consumers saw, in order. */
function versions(events: readonly FeedEvent[]): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  for (const e of events) {
    if (e.type !== "view") continue;
    for (const b of e.view.books) {
      const list = seen.get(b.symbol) ?? [];
      if (list.at(-1) !== b.version) list.push(b.version);
      seen.set(b.symbol, list);
    }
  }
  return seen;
}

describe("a feed worker that stops answering", () => {
  it("is called stalled within the limit, its books lagging, and recovers once it runs again", async () => {
    const { h, stalledAt, filledAt } = await stalledFeed();
    // Updates come every 20 ms, so the worker blocks at once; the stall is said after the limit, within a look or two.
    const stalled = h.feed.latest()!;
    const since = stalled.connection.state === "stalled" ? stalled.connection.since : NaN;
    expect(since).toBeGreaterThanOrEqual(filledAt - 300);
    expect(stalledAt - since).toBeGreaterThanOrEqual(stallLimit(QUIET_MS));
    expect(stalledAt - filledAt).toBeLessThan(stallLimit(QUIET_MS) + 2_500);
    expect(stalled.books.map((b) => b.state)).toEqual(["lagging", "lagging"]);
    for (const b of stalled.books) expect(b.lagMs).toBeGreaterThanOrEqual(stallLimit(QUIET_MS) - 10);
    expect(h.events).toContainEqual(expect.objectContaining({ type: "connection", state: "stalled" }));

    const before = h.events.length;
    unblock();
    await h.until(
      () =>
        h.feed.latest()?.connection.state === "live" &&
        h.feed.latest()!.books.every((b) => b.state === "live"),
      "live again",
      10_000,
    );
    const after = h.events.slice(before);
    expect(after.find((e) => e.type === "connection")).toEqual({ type: "connection", state: "live" });
    // Versions, as consumers compare them, only ever grow: through the stall and after it.
    for (const [symbol, list] of versions(h.events)) {
      expect(list, symbol).toEqual([...list].sort((a, b) => a - b));
    }
  }, 30_000);

  it("stops within about two seconds when it cannot be ended, says why, and is counted as stuck until it can", async () => {
    const { h } = await stalledFeed();
    const started = Date.now();
    await h.feed.stop();
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(h.events).toContainEqual({ type: "error", message: STUCK_MESSAGE });
    expect(h.events.at(-1)).toEqual({ type: "stopped" });
    expect(stuckWorkers.size).toBe(1);
    unblock();
    await h.until(() => stuckWorkers.size === 0, "the worker ended once unblocked", 10_000);
  }, 30_000);

  it("is served as stalled: /health says so, /book answers 503 without prices, /metrics counts the state", async () => {
    const { h } = await stalledFeed();
    serve = await startServeServer({
      feed: h.feed,
      symbols: ["BTC/USD", "ETH/USD"],
      depth: 10,
      host: "127.0.0.1",
      port: 0,
      limits: { stallMs: 60_000, maxBufferedBytes: 1e9 },
    });
    const health = (await (await fetch(`${serve.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toEqual({
      connection: "stalled",
      books: [
        { symbol: "BTC/USD", state: "lagging", servable: false },
        { symbol: "ETH/USD", state: "lagging", servable: false },
      ],
    });
    const book = await fetch(`${serve.url}/book/BTC-USD`);
    expect(book.status).toBe(503);
    const body = (await book.json()) as Record<string, unknown>;
    expect(body["state"]).toBe("lagging");
    expect(body).not.toHaveProperty("bids");
    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    expect(metrics).toMatch(/^kraken_ladder_connection_state\{state="stalled"\} 1$/m);
    expect(metrics).toMatch(/^kraken_ladder_connection_state\{state="live"\} 0$/m);
  }, 30_000);
});
