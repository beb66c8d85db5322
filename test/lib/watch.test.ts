import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { BookEvent, BookFeedEvent } from "../../src/events/types.js";
import { openBooks } from "../../src/lib/books.js";
import { watchBooks } from "../../src/lib/watch.js";
import type { WatchOptions } from "../../src/lib/types.js";
import { SymbolError } from "../../src/feed/symbols.js";
import { until } from "../app/support/run-bin.js";
import { ScriptedServer } from "../feed/support/scripted-server.js";
import { startSimServer } from "../../src/sim/server.js";

let server: ScriptedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const isLive = (e: BookFeedEvent): e is BookEvent => e.type === "book" && e.state === "live";

describe("watchBooks", () => {
  it("yields live books with the exact prices sent, and breaking the loop closes the socket with 1000", async () => {
    // No updates: the book stays the snapshot, so its levels are known exactly.
    server = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 60_000 });
    const expected = server.book("BTC/USD");
    let live: BookEvent | undefined;
    for await (const event of watchBooks({ url: server.url, symbols: ["xbt/usd"], depth: 10, levels: 3 })) {
      if (isLive(event)) {
        live = event;
        break;
      }
    }
    expect(live).toMatchObject({
      symbol: "BTC/USD",
      bid: expected.sorted("bids")[0],
      ask: expected.sorted("asks")[0],
      spread: "0.2",
      mid: "63388",
      bids: expected.sorted("bids").slice(0, 3),
      asks: expected.sorted("asks").slice(0, 3),
      checksums: { ok: 1, failed: 0 },
    });
    // The loop's end awaited the worker's: the socket is closed, normally.
    await until(() => server!.closeCodes.length === 1, "server saw the close");
    expect(server.closeCodes).toEqual([1000]);
  });

  it("yields a book live with its prices while a pair the exchange never answers keeps the connection subscribing", async () => {
    server = await ScriptedServer.start({
      updateMs: 60_000,
      reply: (symbol) => (symbol === "ETH/USD" ? { kind: "silent" } : { kind: "ok" }),
    });
    const expected = server.book("BTC/USD");
    const seen: BookFeedEvent[] = [];
    for await (const event of watchBooks({ url: server.url, symbols: ["BTC/USD", "ETH/USD"], depth: 10 })) {
      seen.push(event);
      if (isLive(event)) break;
    }
    expect(seen.filter((e) => e.type === "connection").map((e) => e.state)).toEqual([
      "connecting",
      "subscribing",
    ]);
    expect(seen.at(-1)).toMatchObject({
      symbol: "BTC/USD",
      bid: expected.sorted("bids")[0],
      ask: expected.sorted("asks")[0],
    });
  });

  it("ends, after the connection's stopped event and no prices, when the signal is aborted", async () => {
    server = await ScriptedServer.start({ updateMs: 20 });
    const controller = new AbortController();
    const seen: BookFeedEvent[] = [];
    for await (const event of watchBooks({
      url: server.url,
      symbols: ["BTC/USD"],
      signal: controller.signal,
    })) {
      seen.push(event);
      if (isLive(event)) controller.abort();
    }
    const stopped = seen.findIndex((e) => e.type === "connection" && e.state === "stopped");
    expect(stopped).toBeGreaterThan(0);
    // What follows is the final view: no book carries prices once the connection is gone.
    for (const e of seen.slice(stopped)) expect(e).not.toHaveProperty("bid");
    expect(seen.slice(0, 3)).toEqual([
      { type: "connection", state: "connecting", attempt: 1 },
      expect.objectContaining({ type: "book", state: "awaiting-snapshot", bids: [], asks: [] }),
      { type: "connection", state: "subscribing" },
    ]);
    await until(() => server!.closeCodes.length === 1, "server saw the close");
    expect(server.closeCodes).toEqual([1000]);
  });

  it("gives a consumer that paused the newest book of each symbol, not a backlog", async () => {
    server = await ScriptedServer.start({ updateMs: 5 });
    const iterator = watchBooks({ url: server.url, symbols: ["BTC/USD", "ETH/USD"], fps: 200 });
    let first: BookEvent | undefined;
    while (first === undefined) {
      const { value } = await iterator.next();
      if (value !== undefined && isLive(value) && value.symbol === "BTC/USD") first = value;
    }
    // Not reading while the exchange sends many more updates of each book.
    const sent = server.sent.length;
    await until(() => server!.sent.length >= sent + 200, "the server sent 100 more updates of each book");
    await new Promise((resolve) => setTimeout(resolve, 300));
    let next: BookEvent | undefined;
    while (next === undefined) {
      const { value } = await iterator.next();
      if (value !== undefined && value.type === "book" && value.symbol === "BTC/USD") next = value;
    }
    // A queue would hand over the book one update later; the buffer hands over the newest.
    expect(next.checksums.ok).toBeGreaterThan(first.checksums.ok + 50);
    await iterator.return();
    await until(() => server!.closeCodes.length === 1, "server saw the close");
    expect(server.closeCodes).toEqual([1000]);
  });

  it("checks symbols and numbers when called, before anything starts", async () => {
    expect(() => watchBooks({ symbols: ["BTCUSD"] })).toThrow(SymbolError);
    // What JavaScript callers (no type check) get wrong: each says what was given and what is wanted.
    const loose = (options: Record<string, unknown>): WatchOptions => options;
    expect(() => watchBooks(loose({ symbols: "BTC/USD" }))).toThrow(
      new SymbolError('symbols: expected an array of pairs, e.g. ["BTC/USD"], not "BTC/USD"'),
    );
    // Each entry must be a pair's name; anything else is named by its place, never read as text.
    const entries: [unknown, string][] = [
      [42, "42"],
      [null, "null"],
      [undefined, "undefined"],
      [{}, "{}"],
      [["BTC/USD"], '["BTC/USD"]'],
      [10n, "10n"],
    ];
    for (const [entry, text] of entries) {
      const expected = new SymbolError(
        `symbols[1]: ${text} is not a pair's name: expected a string such as "BTC/USD"`,
      );
      expect(() => watchBooks(loose({ symbols: ["ETH/USD", entry] }))).toThrow(expected);
      expect(() => openBooks(loose({ symbols: ["ETH/USD", entry] }))).toThrow(expected);
    }
    // eslint-disable-next-line no-sparse-arrays
    expect(() => watchBooks(loose({ symbols: [, "BTC/USD"] }))).toThrow(/^symbols\[0\]: undefined is not/);
    // An empty list given is no request for BTC/USD (leaving `symbols` out is).
    expect(() => watchBooks({ symbols: [] })).toThrow(
      new SymbolError('symbols: the list is empty; give at least one pair, e.g. ["BTC/USD"]'),
    );
    expect(() => watchBooks({ depth: 7 })).toThrow(
      new RangeError("depth: 7 is not one of 10, 25, 100, 500, 1000"),
    );
    expect(() => watchBooks(loose({ depth: "25" }))).toThrow(
      new RangeError('depth: "25" is not one of 10, 25, 100, 500, 1000'),
    );
    expect(() => watchBooks({ levels: -1 })).toThrow(
      new RangeError("levels: -1 is not a whole number from 0 to 1000"),
    );
    expect(() => watchBooks({ levels: 1001 })).toThrow(
      new RangeError("levels: 1001 is not a whole number from 0 to 1000"),
    );
    // More levels than a depth asked for would be fewer than asked, in silence.
    expect(() => watchBooks({ depth: 25, levels: 60 })).toThrow(
      new RangeError("levels: 60 is not at most depth 25 (ask for depth: 100, or leave depth out)"),
    );
    expect(() => watchBooks({ fps: 0 })).toThrow(
      new RangeError("fps: 0 is not a number above 0, at most 1000"),
    );
    expect(() => watchBooks({ fps: 1e9 })).toThrow(
      new RangeError("fps: 1000000000 is not a number above 0, at most 1000"),
    );
    expect(() => watchBooks(loose({ maxLagMs: "3000" }))).toThrow(
      new RangeError('maxLagMs: "3000" is not a number above 0'),
    );
    // Longer than a timer holds (Node would fire it after 1 ms).
    expect(() => watchBooks({ staleAfterMs: 3e9 })).toThrow(
      new RangeError(
        "staleAfterMs: 3000000000 is not at most 2147483647 (about 24 days, the longest a timer waits)",
      ),
    );
    expect(() => watchBooks({ readTimeoutMs: 2 ** 31 })).toThrow(/^readTimeoutMs: 2147483648 is not at most/);
    expect(() => watchBooks({ maxLagMs: 2 ** 31 - 1 })).not.toThrow();
    // At or under Kraken's 1 s heartbeat, a quiet market would be reconnected again and again.
    expect(() => watchBooks({ readTimeoutMs: 1000 })).toThrow(
      new RangeError(
        "readTimeoutMs: 1000 is not above 1000: Kraken sends a heartbeat every 1000 ms, and a shorter wait drops a quiet, healthy connection again and again",
      ),
    );
    expect(() => watchBooks({ url: "not a url" })).toThrow(
      new RangeError('url: "not a url": expected a ws:// or wss:// URL.'),
    );
    expect(() => watchBooks({ url: "https://ws.kraken.com/v2" })).toThrow(RangeError);
    // The demo is its own server: a URL beside it is refused, as --url with --demo is, not ignored.
    for (const demo of [true, { seed: 7 }])
      expect(() => watchBooks({ url: "ws://127.0.0.1:1", demo })).toThrow(
        new RangeError("url: cannot be used with demo: that runs the built-in server; give one or the other"),
      );
    expect(() => openBooks({ url: "ws://127.0.0.1:1", demo: true })).toThrow(
      /^url: cannot be used with demo/,
    );
    const notDemo = openBooks({ url: "ws://127.0.0.1:1", demo: false });
    await notDemo.close();
    expect(() => watchBooks({ demo: { rate: -5 } })).toThrow(
      new RangeError("demo.rate: -5 is not a number above 0"),
    );
    expect(() => watchBooks({ demo: { seed: 1.5 } })).toThrow(
      new RangeError("demo.seed: 1.5 is not a whole number, 0 or more"),
    );
    expect(() => watchBooks({ bufferSize: 0 })).toThrow(
      new RangeError("bufferSize: 0 is not a whole number above 0"),
    );
    // A misspelt or unknown name is said, not ignored; so is an options value that is not an object.
    expect(() => watchBooks(loose({ level: 5 }))).toThrow(
      new RangeError(
        "level: not an option (did you mean levels?); the options are symbols, depth, url, demo, signal, levels, fps, staleAfterMs, maxLagMs, readTimeoutMs, bufferSize",
      ),
    );
    expect(() => openBooks(loose({ bufferSize: 10 }))).toThrow(
      /^bufferSize: not an option; the options are symbols, /,
    );
    expect(() => watchBooks(loose({ demo: { sed: 7 } }))).toThrow(
      new RangeError(
        "demo.sed: not an option (did you mean demo.seed?); the options are demo.seed, demo.rate",
      ),
    );
    expect(() => watchBooks(loose({ demo: "yes" }))).toThrow(
      new RangeError('demo: "yes" is not true or an object such as { seed: 7, rate: 20 }'),
    );
    expect(() => watchBooks("BTC/USD" as unknown as WatchOptions)).toThrow(
      new RangeError('options: "BTC/USD" is not an object such as { symbols: ["BTC/USD"] }'),
    );
    expect(() => watchBooks(null as unknown as WatchOptions)).toThrow(/^options: null is not an object/);
    expect(() => watchBooks(loose({ signal: "stop" }))).toThrow(
      new RangeError('signal: "stop" is not an AbortSignal'),
    );
  });
});

describe("openBooks", () => {
  it("calls listeners with every event, keeps the current book of each symbol, and closes", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 60_000 });
    const books = openBooks({ url: server.url, symbols: ["BTC/USD"], depth: 10, levels: 1 });
    const seen: BookFeedEvent[] = [];
    // One listener for every event, not an EventEmitter's on(name, fn): said at once, as a TypeError.
    expect(() => books.on("book" as unknown as () => void)).toThrow(
      new TypeError(
        'on: "book" is not a function; give one listener for every event, e.g. books.on((event) => { if (event.type === "book") … })',
      ),
    );
    const off = books.on((e) => seen.push(e));
    await until(() => books.current("btc/usd")?.state === "live", "a live book");
    expect(books.current("BTC/USD")?.bid).toEqual(server.book("BTC/USD").sorted("bids")[0]);
    expect(books.current("ETH/USD")).toBeUndefined();
    expect(seen.some(isLive)).toBe(true);
    off();
    const count = seen.length;
    await books.close();
    await books.closed;
    expect(seen).toHaveLength(count);
    // The client is closed once the server's close frame is in; the server hears its socket end after that.
    await until(() => server!.closeCodes.length === 1, "server saw the close");
    expect(server.closeCodes).toEqual([1000]);
  });

  it("withdraws every book's prices when a replay server says its feed ended, and stays open", async () => {
    // The real capture with its times moved to end now: the library cannot know that the server replays,
    // so the zero of its lag is the server's pong time (today), and August's times would be months behind
    // (lagging, never priced). The checksums do not cover the times.
    const original = fileURLToPath(
      new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url),
    );
    const text = readFileSync(original, "utf8");
    const stamp = /"timestamp":"([^"]+)"/g;
    const last = Math.max(...[...text.matchAll(stamp)].map((m) => Date.parse(m[1]!)));
    const capture = join(mkdtempSync(join(tmpdir(), "kl-lib-")), "capture-now.jsonl");
    writeFileSync(
      capture,
      text.replace(
        stamp,
        (_, t: string) => `"timestamp":"${new Date(Date.parse(t) - last + Date.now()).toISOString()}"`,
      ),
    );
    const sim = await startSimServer({ host: "127.0.0.1", port: 0, replayPath: capture, speed: Infinity });
    const books = openBooks({ url: sim.url, symbols: ["BTC/USD"], depth: 10, levels: 1 });
    const seen: BookFeedEvent[] = [];
    books.on((e) => seen.push(e));
    try {
      await until(
        () => seen.some((e) => e.type === "connection" && e.state === "ended"),
        "the connection ended",
      );
      await until(() => books.current("BTC/USD")?.bid === undefined, "the prices withdrawn");
      expect(books.current("BTC/USD")).toMatchObject({
        state: "live",
        reason: "connection ended",
        checksums: { ok: 301, failed: 0 },
      });
      // Priced, with its lag, while the replay ran; no lag once the connection that it measured is gone.
      expect(seen.some((e) => isLive(e) && e.bid !== undefined && e.lagMs !== undefined)).toBe(true);
      expect(books.current("BTC/USD")?.lagMs).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(seen.some((e) => e.type === "connection" && e.state === "stopped")).toBe(false);
    } finally {
      await books.close();
      await sim.close();
    }
  });

  it("says, as an error event, when the exchange has rejected every pair, and stops: the loop ends by itself", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, reject: ["FOO/BAR"] });
    const events: BookFeedEvent[] = [];
    // No break and no signal: the loop ends because the feed stops (the test's timeout would catch a hang).
    for await (const event of watchBooks({ url: server.url, symbols: ["FOO/BAR"] })) events.push(event);
    expect(events.filter((e) => e.type === "rejected" || e.type === "error")).toEqual([
      { type: "rejected", symbol: "FOO/BAR", reason: "Currency pair not supported FOO/BAR" },
      {
        type: "error",
        message: "nothing left to watch: the exchange rejected FOO/BAR (Currency pair not supported FOO/BAR)",
      },
    ]);
    expect(events).toContainEqual({ type: "connection", state: "stopped" });
    await until(() => server!.closeCodes.length === 1, "server saw the close");
    expect(server.closeCodes).toEqual([1000]);
    // The callback form stops the same way: `closed` resolves without a close().
    const books = openBooks({ url: server.url, symbols: ["FOO/BAR"] });
    await books.closed;
    expect(books.current("FOO/BAR")).toMatchObject({ state: "rejected" });
  });

  it("opens the books deep enough for more levels than the default depth holds", async () => {
    const books = openBooks({ demo: { seed: 3 }, symbols: ["BTC/USD"], levels: 60 });
    try {
      await until(() => books.current("BTC/USD")?.bids?.length === 60, "60 levels a side");
      expect(books.current("BTC/USD")?.asks).toHaveLength(60);
    } finally {
      await books.close();
    }
  });

  it("runs the built-in simulator for demo, offline", async () => {
    const controller = new AbortController();
    const books = openBooks({ demo: { seed: 7 }, symbols: ["ETH/USD"], signal: controller.signal });
    await until(() => books.current("ETH/USD")?.state === "live", "a live demo book");
    expect(books.current("ETH/USD")?.bid?.price).toMatch(/^\d+\.\d+$/);
    controller.abort();
    await books.closed;
    // Its last state kept, its prices withheld, and why.
    expect(books.current("ETH/USD")).toMatchObject({ state: "live", reason: "connection stopped", bids: [] });
    expect(books.current("ETH/USD")?.bid).toBeUndefined();
  });
});
