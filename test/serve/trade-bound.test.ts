import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { FeedClient, FeedEvent, FeedView } from "../../src/feed/types.js";
import { startServeServer } from "../../src/serve/http-server.js";
import type { ServeServer } from "../../src/serve/http-server.js";
import { MAX_PENDING_TRADES } from "../../src/serve/sse-client.js";
import { request, SseReader } from "./serve-process.js";

/** A feed whose events the test sends: the server under test is real, on 127.0.0.1 port 0. */
class HandFeed implements FeedClient {
  private readonly listeners = new Set<(event: FeedEvent) => void>();
  constructor(private readonly view: FeedView) {}
  subscribe(listener: (event: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  latest(): FeedView {
    return this.view;
  }
  setLevels(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
  send(event: FeedEvent): void {
    for (const l of [...this.listeners]) l(event);
  }
}

const VIEW: FeedView = {
  connection: { state: "live" },
  books: [],
  publishedAt: 0,
  receivedAt: 0,
  malformed: 0,
};

let server: ServeServer | undefined;
const readers: SseReader[] = [];

afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await server?.close();
  server = undefined;
});

describe("SSE trade events and a client that stops reading", () => {
  it(`drops a client holding more than ${MAX_PENDING_TRADES} unsent trades, while another gets every trade in order`, async () => {
    const feed = new HandFeed(VIEW);
    // No time or byte bound in reach: only the trade rule can drop the client.
    server = await startServeServer({
      feed,
      symbols: ["BTC/USD"],
      depth: 10,
      host: "127.0.0.1",
      port: 0,
      limits: { stallMs: 600_000, maxBufferedBytes: 1e12 },
    });
    const port = Number(new URL(server.url).port);
    const paused = connect(port, "127.0.0.1");
    paused.write("GET /stream/BTC-USD HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    paused.pause();
    paused.on("error", () => undefined);
    const reader = await SseReader.open(`${server.url}/stream/BTC-USD`);
    readers.push(reader);
    await reader.until((e) => e.some((x) => x.event === "state"));
    const pad = "x".repeat(400);
    let sent = 0;
    let dropped = false;
    while (!dropped && sent < 400_000) {
      for (let i = 0; i < 500; i++) {
        feed.send({
          type: "trade",
          symbol: "BTC/USD",
          side: "buy",
          price: "63388.1",
          qty: "0.00100000",
          ordType: pad,
          tradeId: ++sent,
          time: "2026-12-05T08:00:00.000000Z",
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      const metrics = await request(`${server.url}/metrics`);
      dropped = /^kraken_ladder_sse_dropped_clients_total 1$/m.test(metrics.body);
    }
    expect(dropped).toBe(true);
    expect((await request(`${server.url}/metrics`)).body).toMatch(/^kraken_ladder_sse_clients 1$/m);
    const events = await reader.until((e) => e.filter((x) => x.event === "trade").length === sent, 30_000);
    const ids = events.filter((x) => x.event === "trade").map((x) => x.data["tradeId"] as number);
    expect(ids).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    paused.destroy();
  }, 60_000);
});
