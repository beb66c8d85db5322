import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createServer } from "node:net";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { BookView, FeedEvent } from "../../src/feed/types.js";
import { feedOptions, harness } from "./support/feed-harness.js";
import type { Harness } from "./support/feed-harness.js";
import { ScriptedServer } from "./support/scripted-server.js";
import { BIN } from "../app/support/run-bin.js";

let server: ScriptedServer | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.feed.stop();
  await server?.close();
  h = undefined;
  server = undefined;
});

const live =
  (h: Harness, symbol: string, minOk = 1) =>
  (): BookView | undefined => {
    const b = h.book(symbol);
    return b !== undefined && b.state === "live" && b.checksums.ok >= minOk ? b : undefined;
  };
const ofType = <T extends FeedEvent["type"]>(h: Harness, type: T): Extract<FeedEvent, { type: T }>[] =>
  h.events.filter((e): e is Extract<FeedEvent, { type: T }> => e.type === type);

describe("feed worker against a scripted Kraken server", () => {
  it("turns a snapshot and updates into live views with exact prices and stats", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 63388 } });
    h = harness(feedOptions(server.url, { levels: 3 }));
    const book = await h.until(live(h, "BTC/USD", 10), "BTC/USD live with 10 checksums");

    expect(ofType(h, "connection").map((e) => e.state)).toEqual(["connecting", "subscribing", "live"]);
    expect(h.feed.latest()?.connection).toEqual({ state: "live" });
    expect(book.bids).toHaveLength(3);
    expect(book.asks).toHaveLength(3);
    expect(book.bid).toEqual(book.bids[0]);
    expect(book.ask).toEqual(book.asks[0]);
    expect(book.bid?.price).toBe("63387.9");
    expect(book.ask?.price).toBe("63388.1");
    expect(book.bid?.qty).toMatch(/^\d+\.\d{8}$/);
    expect(book.spread).toBe("0.2");
    expect(book.mid).toBe("63388");
    expect(book.priceDecimals).toBe(1);
    expect(book.qtyDecimals).toBe(8);
    expect(book.checksums.failed).toBe(0);
    expect(book.resyncs).toBe(0);
    expect(book.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(book.latencyP50).not.toBeNull();
    expect(server.requests()).toEqual(["subscribe BTC/USD@10"]);
  });

  it("tells when its worker thread runs", async () => {
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url));
    let online = false;
    void h.feed.online.then(() => (online = true));
    await h.until(() => online, "the worker online");
    await h.until(live(h, "BTC/USD"), "live");
  });

  it("sends the consumer's level count in later views", async () => {
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url, { levels: 2 }));
    await h.until(live(h, "BTC/USD"), "live");
    h.feed.setLevels(8);
    const b = await h.until(() => h!.book("BTC/USD")?.bids.length === 8 && h!.book("BTC/USD"), "8 levels");
    expect(b.asks).toHaveLength(8);
  });

  it("applies every wire message while a blocked consumer only misses views", async () => {
    const sim = await startSimulateProcess("300");
    const recordPath = join(mkdtempSync(join(tmpdir(), "kl-slow-")), "rec.jsonl");
    try {
      h = harness(feedOptions(sim.url, { fps: 10, recordPath, symbols: ["BTC/USD", "ETH/USD"] }));
      await h.until(live(h, "ETH/USD", 5), "live");
      // Block the main thread; the worker keeps reading the socket and applying frames.
      block(700);
      await h.feed.stop();
      const recorded = readFileSync(recordPath, "utf8").split("\n");
      const applied = h
        .views()
        .at(-1)!
        .books.reduce((n, b) => n + b.checksums.ok + b.checksums.failed, 0);
      const bookFrames = recorded.filter((f) => f.startsWith('{"channel":"book"')).length;
      expect(bookFrames).toBeGreaterThan(300);
      expect(applied).toBe(bookFrames);
      expect(h.views().length).toBeLessThan(bookFrames / 10);
      expect(ofType(h, "connection").some((e) => e.state === "reconnecting")).toBe(false);
    } finally {
      await sim.stop();
      rmSync(dirname(recordPath), { recursive: true, force: true });
    }
  });

  it("never queues views for a busy main thread: at most one is on its way", async () => {
    const sim = await startSimulateProcess("300");
    try {
      h = harness(feedOptions(sim.url, { fps: 50, symbols: ["BTC/USD", "ETH/USD"] }));
      await h.until(live(h, "ETH/USD", 5), "live");
      const before = h.views().length;
      const arrivals: number[] = [];
      h.feed.subscribe((e) => {
        if (e.type === "view") arrivals.push(performance.now());
      });
      // A second of a busy main thread is 50 publisher ticks with changes to show.
      block(1000);
      await new Promise((resolve) => setTimeout(resolve, 60));
      // Views queued during the block are all delivered at once when it ends. Within 10 ms of the first
      // may come: the one in flight, the held view published on its acknowledgement, and at most one
      // 20 ms tick. A queue would deliver ~50 here.
      const first = arrivals[0]!;
      const burst = arrivals.filter((t) => t - first < 10).length;
      expect(burst).toBeGreaterThanOrEqual(1);
      expect(burst).toBeLessThanOrEqual(3);
      const arrived = h.views().length - before;
      // And views flow again once the main thread is free.
      await h.until(() => h!.views().length >= before + arrived + 5, "views resume");
    } finally {
      await sim.stop();
    }
  });

  it("reconnects after a dropped connection and resubscribes every symbol", async () => {
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url, { symbols: ["BTC/USD", "ETH/USD"] }));
    // Ten updates (200 ms) after both books verified: longer than 4 backoff base steps (80 ms).
    await h.until(live(h, "ETH/USD", 10), "ETH live");
    server.dropAll();
    await h.until(
      () => server!.connections === 2 && ofType(h!, "connection").at(-1)?.state === "live",
      "live again",
    );
    // A connection that served every book starts the backoff afresh: the next try is attempt 1.
    const reconnecting = ofType(h, "connection").find((e) => e.state === "reconnecting");
    expect(reconnecting).toMatchObject({ state: "reconnecting", attempt: 1 });
    expect(
      server.received.filter(
        (r) => r.conn === 2 && r.msg.method === "subscribe" && r.msg.params?.channel === "book",
      ),
    ).toHaveLength(1);
    expect(server.requests()).toEqual([
      "subscribe BTC/USD@10",
      "subscribe ETH/USD@10",
      "subscribe BTC/USD@10",
      "subscribe ETH/USD@10",
    ]);
    await h.until(live(h, "BTC/USD"), "BTC live after reconnect");
    await h.until(live(h, "ETH/USD"), "ETH live after reconnect");
  });

  it("detects a silent (half-open) socket within the read timeout and reconnects", async () => {
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url, { readTimeoutMs: 400, pingIntervalMs: 100 }));
    await h.until(live(h, "BTC/USD"), "live");
    const silentAt = Date.now();
    server.goSilent();
    const event = await h.until(
      () => ofType(h!, "connection").find((e) => e.state === "reconnecting"),
      "reconnecting",
    );
    const detectedAfter = Date.now() - silentAt;
    expect(event.state === "reconnecting" && event.reason).toMatch(/read timeout/);
    expect(detectedAfter).toBeGreaterThanOrEqual(350);
    expect(detectedAfter).toBeLessThan(400 + 600);
    // Pings went out on the interval while the socket was quiet.
    expect(server.received.filter((r) => r.msg.method === "ping").length).toBeGreaterThanOrEqual(2);
    await h.until(() => server!.connections === 2 && live(h!, "BTC/USD")(), "live on a new socket");
  });

  it("resyncs only the symbol whose checksum is corrupted; the others keep their counts", async () => {
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url, { symbols: ["BTC/USD", "ETH/USD"] }));
    await h.until(live(h, "BTC/USD", 5), "BTC live");
    await h.until(live(h, "ETH/USD", 5), "ETH live");
    const before = server.requests().length;
    const ethBefore = h.book("ETH/USD")!.checksums.ok;
    server.corruptNext("BTC/USD");
    await h.until(() => ofType(h!, "resync")[0], "a resync event");
    const btc = await h.until(
      () => live(h!, "BTC/USD")() !== undefined && h!.book("BTC/USD")!.resyncs === 1 && h!.book("BTC/USD"),
      "BTC live again",
    );
    expect(ofType(h, "resync")).toEqual([
      { type: "resync", symbol: "BTC/USD", reason: "checksum-mismatch", retryInMs: 0 },
    ]);
    expect(btc.checksums.failed).toBe(1);
    expect(server.requests().slice(before)).toEqual(["unsubscribe BTC/USD@10", "subscribe BTC/USD@10"]);
    await h.until(live(h, "ETH/USD", ethBefore + 5), "ETH keeps counting");
    const eth = h.book("ETH/USD")!;
    expect(eth.resyncs).toBe(0);
    expect(eth.checksums.failed).toBe(0);
    // ETH never left the live state, and a book that is not live is never shown with prices.
    for (const view of h.views()) {
      const e = view.books.find((b) => b.symbol === "ETH/USD")!;
      if (e.checksums.ok >= ethBefore) expect(e.state).toBe("live");
      for (const b of view.books) {
        if (b.state !== "live" && b.state !== "stale" && b.state !== "lagging")
          expect([b.bids, b.asks, b.bid, b.ask]).toEqual([[], [], undefined, undefined]);
      }
    }
  });

  it("withdraws a resyncing book in a view at once, even when it verifies again within one view interval", async () => {
    server = await ScriptedServer.start({ updateMs: 20 });
    // One view a second: a resync answered within the second would be coalesced away.
    h = harness(feedOptions(server.url, { fps: 1 }));
    await h.until(live(h, "BTC/USD", 3), "live");
    server.corruptNext("BTC/USD");
    await h.until(() => ofType(h!, "resync")[0], "a resync event");
    const i = h.events.findIndex((e) => e.type === "resync");
    const next = await h.until(() => h!.events.slice(i + 1).find((e) => e.type === "view"), "the next view");
    expect(next.type === "view" && next.view.books[0]).toMatchObject({
      state: "resyncing",
      reason: "checksum-mismatch",
      bids: [],
      asks: [],
    });
    await h.until(() => h!.book("BTC/USD")?.resyncs === 1 && live(h!, "BTC/USD")(), "live again");
  });

  it("publishes the connection's change in a view at once, not with the next coalesced one", async () => {
    server = await ScriptedServer.start({ updateMs: 20 });
    h = harness(feedOptions(server.url, { fps: 1 }));
    await h.until(live(h, "BTC/USD", 3), "live");
    const from = h.events.length;
    server.dropAll();
    const next = () => h!.events.slice(from);
    await h.until(
      () => next().some((e) => e.type === "connection" && e.state === "reconnecting"),
      "reconnecting",
    );
    const i = next().findIndex((e) => e.type === "connection" && e.state === "reconnecting");
    const view = await h.until(
      () =>
        next()
          .slice(i + 1)
          .find((e) => e.type === "view"),
      "the next view",
    );
    expect(view.type === "view" && view.view.connection.state).toBe("reconnecting");
  });

  it("resyncs a crossed book", async () => {
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url));
    await h.until(live(h, "BTC/USD", 3), "live");
    server.crossNext("BTC/USD");
    await h.until(() => ofType(h!, "resync")[0], "a resync event");
    expect(ofType(h, "resync")).toEqual([
      { type: "resync", symbol: "BTC/USD", reason: "crossed-book", retryInMs: 0 },
    ]);
    const b = await h.until(() => h!.book("BTC/USD")?.resyncs === 1 && live(h!, "BTC/USD")(), "live again");
    expect(b.checksums.failed).toBe(0);
    expect(Number(b.bid!.price)).toBeLessThan(Number(b.ask!.price));
  });

  it("counts malformed frames as errors, resyncs a book frame it cannot apply, ignores other channels", async () => {
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url, { symbols: ["BTC/USD", "ETH/USD"] }));
    await h.until(live(h, "BTC/USD", 3), "BTC live");
    await h.until(live(h, "ETH/USD", 3), "ETH live");
    server.broadcast('{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","open":1}]}');
    // A broken heartbeat cannot have carried book data: counted, nothing resyncs.
    server.broadcast('{"channel":"heartbeat",oops}');
    // Valid JSON that is no Kraken message: counted and reported, no book touched.
    for (const notAMessage of ["[1,2,3]", '"hello"', "null", "{}"]) server.broadcast(notAMessage);
    server.broadcast(
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":"x","asks":[],"checksum":1}]}',
    );
    await h.until(
      () => h!.feed.latest()?.malformed === 6 && ofType(h!, "resync").length === 1,
      "6 malformed",
    );
    expect(ofType(h, "error").map((e) => e.message.replace(/:.*/s, ""))).toEqual(
      Array(6).fill("malformed frame"),
    );
    expect(ofType(h, "error")[2]!.message).toBe('malformed frame: the string "hello", not an object');
    expect(ofType(h, "resync")).toEqual([
      { type: "resync", symbol: "BTC/USD", reason: "bad-frame", retryInMs: 0 },
    ]);
    await h.until(() => h!.book("BTC/USD")?.resyncs === 1 && live(h!, "BTC/USD")(), "BTC live again");
    expect(h.book("ETH/USD")!.resyncs).toBe(0);
    expect(ofType(h, "connection").map((e) => e.state)).toEqual(["connecting", "subscribing", "live"]);
  });

  it("reports a rejected symbol with Kraken's reason while the others stay live", async () => {
    server = await ScriptedServer.start({ reject: ["FOO/BAR"] });
    h = harness(feedOptions(server.url, { symbols: ["BTC/USD", "FOO/BAR", "ETH/USD"] }));
    await h.until(live(h, "BTC/USD", 3), "BTC live");
    await h.until(live(h, "ETH/USD", 3), "ETH live");
    expect(ofType(h, "rejected")).toEqual([
      { type: "rejected", symbol: "FOO/BAR", reason: "Currency pair not supported FOO/BAR" },
    ]);
    const foo = h.book("FOO/BAR")!;
    expect(foo).toMatchObject({ state: "rejected", reason: "Currency pair not supported FOO/BAR", bids: [] });
    expect(h.feed.latest()?.connection.state).toBe("live");
    expect(h.feed.latest()?.books.map((b) => b.symbol)).toEqual(["BTC/USD", "FOO/BAR", "ETH/USD"]);
  });

  it("marks a quiet book stale while heartbeats keep the connection healthy", async () => {
    server = await ScriptedServer.start({ updateMs: 60_000, heartbeatMs: 50 });
    h = harness(feedOptions(server.url, { staleAfterMs: 300, readTimeoutMs: 1000 }));
    await h.until(live(h, "BTC/USD"), "live");
    const stale = await h.until(() => h!.book("BTC/USD")?.state === "stale" && h!.book("BTC/USD"), "stale");
    expect(stale.bids.length).toBeGreaterThan(0);
    expect(h.feed.latest()?.connection.state).toBe("live");
    expect(ofType(h, "connection").some((e) => e.state === "reconnecting")).toBe(false);
  });

  it("slows down after a policy close (1008), never reconnecting at once", async () => {
    server = await ScriptedServer.start();
    server.wss.on("connection", (ws) => setTimeout(() => ws.close(1008, "too many connections"), 30));
    h = harness(feedOptions(server.url, { backoffBaseMs: 100, backoffCapMs: 10_000 }));
    const event = await h.until(
      () => ofType(h!, "connection").find((e) => e.state === "reconnecting"),
      "reconnecting",
    );
    // A slow retry skips two backoff steps and keeps half the ceiling: at least 200 ms from base 100.
    expect(event.state === "reconnecting" && event.retryInMs).toBeGreaterThanOrEqual(200);
    expect(event.state === "reconnecting" && event.reason).toMatch(/1008/);
  });

  it("backs off the connection after repeated rate-limit errors", async () => {
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url, { backoffBaseMs: 100, backoffCapMs: 10_000 }));
    await h.until(live(h, "BTC/USD"), "live");
    for (let i = 0; i < 3; i++) server.broadcast('{"Error":"Exceeded msg rate"}');
    const event = await h.until(
      () => ofType(h!, "connection").find((e) => e.state === "reconnecting"),
      "reconnecting",
    );
    expect(event.state === "reconnecting" && event.retryInMs).toBeGreaterThanOrEqual(200);
    expect(ofType(h, "error").filter((e) => /rate limited/.test(e.message))).toHaveLength(3);
  });

  it("stop() closes the socket with 1000 and ends the worker within a second", async () => {
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url));
    await h.until(live(h, "BTC/USD"), "live");
    const started = Date.now();
    await h.feed.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    await h.until(() => server!.closeCodes.length === 1, "server saw the close");
    expect(server.closeCodes).toEqual([1000]);
    expect(h.events.at(-1)).toEqual({ type: "stopped" });
    expect(ofType(h, "connection").at(-1)).toEqual({ type: "connection", state: "stopped" });
    expect(h.feed.latest()?.connection).toEqual({ state: "stopped" });
    // Idempotent.
    await h.feed.stop();
  });

  it("stop() also finishes when the server never answers the close handshake", async () => {
    const mute = await muteServer();
    try {
      h = harness(feedOptions(mute.url));
      await h.until(() => ofType(h!, "connection").some((e) => e.state === "subscribing"), "socket open");
      const started = Date.now();
      await h.feed.stop();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(h.events.at(-1)).toEqual({ type: "stopped" });
    } finally {
      await mute.close();
    }
  });
});

/** Completes the WebSocket handshake, then reads nothing and sends nothing, ever. */
async function muteServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv = createServer((socket) => {
    sockets.add(socket);
    socket.once("data", (head) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(head.toString())?.[1] ?? "";
      const accept = createHash("sha1")
        .update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
        .digest("base64");
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

/** Keeps this thread busy, as a slow render would. */
function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* busy */
  }
}

/** `kraken-ladder simulate` in a process of its own, so blocking this thread does not slow the server. */
async function startSimulateProcess(rate: string): Promise<{ url: string; stop(): Promise<void> }> {
  const sim = spawn(process.execPath, [BIN, "simulate", "--rate", rate, "--seed", "3"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const url = await new Promise<string>((resolve) =>
    sim.stdout.setEncoding("utf8").once("data", (d: string) => resolve(d.split("\n")[0]!)),
  );
  return {
    url,
    async stop() {
      if (sim.exitCode !== null) return;
      const exited = new Promise((resolve) => sim.once("exit", resolve));
      sim.kill("SIGTERM");
      await exited;
    },
  };
}
