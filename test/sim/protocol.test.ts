import { describe, expect, it } from "vitest";
import { bookChecksum } from "../../src/book/checksum.js";
import { parseFrame } from "../../src/protocol/parse.js";
import type { SimOptions } from "../../src/sim/server.js";
import { isBookOf, isHeartbeat, isUpdate } from "./kraken-client.js";
import type { TestClient } from "./kraken-client.js";
import { closedAfterEach } from "./support.js";

const RFC3339_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const started = closedAfterEach();

async function connect(options: SimOptions = {}): Promise<TestClient> {
  const server = await started.serve({ seed: 1, ...options });
  const client = await started.client(server.url);
  await client.waitFor((t) => t.includes(`"channel":"status"`));
  return client;
}

const hasKey = (key: string, value: unknown) => (t: string) => {
  if (!t.startsWith("{") || t.startsWith(`{"channel"`)) return false;
  try {
    return (JSON.parse(t) as Record<string, unknown>)[key] === value;
  } catch {
    return false;
  }
};
const parsed = (client: TestClient, i: number): Record<string, unknown> =>
  JSON.parse(client.frames[i]!.text) as Record<string, unknown>;

describe("simulator: Kraken v2 protocol", () => {
  it("listens on loopback and sends a status frame first, with a connection id above 2^53", async () => {
    const server = await started.serve({ seed: 1 });
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    const client = await started.client(server.url);
    await client.waitFor(() => true);
    const first = client.frames[0]!.text;
    const status = JSON.parse(first) as { channel: string; type: string; data: Record<string, unknown>[] };
    expect(status.channel).toBe("status");
    expect(status.type).toBe("update");
    expect(status.data[0]).toMatchObject({ system: "online", api_version: "v2" });
    expect(typeof status.data[0]!["version"]).toBe("string");
    const id = /"connection_id":(\d+)/.exec(first)![1]!;
    expect(BigInt(id) > 2n ** 53n).toBe(true);
    expect(parseFrame(first)).toMatchObject({ kind: "status", system: "online", connectionId: id });
  });

  it("acks each symbol echoing req_id, then sends a snapshot at the requested depth with a correct checksum", async () => {
    const client = await connect();
    client.subscribe(["BTC/USD", "ETH/USD"], 25, 42);
    await client.waitForCount((t) => t.includes(`"type":"snapshot"`), 2);
    const acks = client.json(hasKey("method", "subscribe"));
    expect(acks).toHaveLength(2);
    for (const [i, symbol] of ["BTC/USD", "ETH/USD"].entries()) {
      const ack = acks[i]!;
      expect(Object.keys(ack)).toEqual(["method", "req_id", "result", "success", "time_in", "time_out"]);
      expect(ack).toMatchObject({
        method: "subscribe",
        req_id: 42,
        result: { channel: "book", depth: 25, snapshot: true, symbol },
        success: true,
      });
      expect(Object.keys(ack["result"] as object)).toEqual(["channel", "depth", "snapshot", "symbol"]);
      expect(ack["time_in"]).toMatch(RFC3339_MICROS);
      expect(ack["time_out"]).toMatch(RFC3339_MICROS);
      expect(ack["time_out"]! >= ack["time_in"]!).toBe(true);
    }
    for (const symbol of ["BTC/USD", "ETH/USD"]) {
      const ackAt = client.frames.findIndex((f) => f.text.includes(`"symbol":"${symbol}"`));
      const snapAt = client.frames.findIndex((f) => isBookOf(symbol)(f.text));
      expect(ackAt).toBeLessThan(snapAt);
      const msg = parseFrame(client.frames[snapAt]!.text);
      if (msg.kind !== "book") throw new Error("expected a book frame");
      expect(msg.type).toBe("snapshot");
      const data = msg.data[0]!;
      expect(data.bids).toHaveLength(25);
      expect(data.asks).toHaveLength(25);
      const bids = data.bids.map((l) => Number(l.price));
      const asks = data.asks.map((l) => Number(l.price));
      expect([...bids].sort((a, b) => b - a)).toEqual(bids);
      expect([...asks].sort((a, b) => a - b)).toEqual(asks);
      expect(bids[0]!).toBeLessThan(asks[0]!);
      expect(data.checksum).toBe(bookChecksum(data.asks, data.bids));
      expect(data.timestamp).toMatch(RFC3339_MICROS);
    }
  });

  it("rejects an unknown pair (and the v1 name XBT/USD) in Kraken's shape, serves the others, and stays open", async () => {
    const client = await connect();
    client.subscribe(["FOO/BAR", "BTC/USD", "XBT/USD"], 10, 1);
    await client.waitFor(isBookOf("BTC/USD"));
    await client.waitForCount(hasKey("success", false), 2);
    const errors = client.json(hasKey("success", false));
    expect(errors.map((e) => e["symbol"])).toEqual(["FOO/BAR", "XBT/USD"]);
    const e = errors[0]!;
    expect(Object.keys(e)).toEqual(["error", "method", "req_id", "success", "symbol", "time_in", "time_out"]);
    expect(e).toMatchObject({
      error: "Currency pair not supported FOO/BAR",
      method: "subscribe",
      req_id: 1,
      success: false,
      symbol: "FOO/BAR",
    });
    expect(parseFrame(client.frames.find((f) => f.text.includes("FOO/BAR"))!.text)).toMatchObject({
      kind: "nack",
      symbol: "FOO/BAR",
      reqId: 1,
    });
    client.send({ method: "ping", req_id: 9 });
    await client.waitFor(hasKey("method", "pong"));
    expect(client.closeCode).toBeUndefined();
  });

  it("rejects an unsupported depth without a symbol or result, and stays open", async () => {
    const client = await connect();
    client.subscribe(["BTC/USD"], 11, 5);
    const i = await client.waitFor(hasKey("success", false));
    const e = parsed(client, i);
    expect(Object.keys(e)).toEqual(["error", "method", "req_id", "success", "time_in", "time_out"]);
    expect(e).toMatchObject({
      error: "Subscription depth not supported",
      method: "subscribe",
      success: false,
    });
    client.subscribe(["BTC/USD"], 10, 6);
    await client.waitFor(isBookOf("BTC/USD"));
    expect(client.closeCode).toBeUndefined();
  });

  it("answers ping with pong echoing req_id", async () => {
    const client = await connect();
    client.send({ method: "ping", req_id: 7 });
    const i = await client.waitFor(hasKey("method", "pong"));
    const pong = parsed(client, i);
    expect(Object.keys(pong)).toEqual(["method", "req_id", "time_in", "time_out"]);
    expect(pong["req_id"]).toBe(7);
    expect(parseFrame(client.frames[i]!.text)).toEqual({ kind: "pong", reqId: 7, timeOut: pong["time_out"] });
  });

  it("acks an unsubscribe with the depth and stops that symbol's frames; unknown ones are not found", async () => {
    const client = await connect({ rate: 500 });
    client.subscribe(["BTC/USD", "ETH/USD"], 10, 1);
    await client.waitForCount(isUpdate, 20);
    client.unsubscribe(["BTC/USD"], 25, 2); // wrong depth: Kraken needs the subscribed one
    client.unsubscribe(["BTC/USD"], 10, 3);
    const ackAt = await client.waitFor(hasKey("method", "unsubscribe"));
    const notFound = parsed(client, ackAt);
    expect(notFound).toMatchObject({ error: "Subscription Not Found", req_id: 2, success: false });
    const okAt = await client.waitFor(hasKey("success", true), { from: ackAt + 1 });
    const ack = parsed(client, okAt);
    expect(ack).toMatchObject({
      method: "unsubscribe",
      req_id: 3,
      result: { channel: "book", depth: 10, symbol: "BTC/USD" },
      success: true,
    });
    expect(Object.keys(ack["result"] as object)).toEqual(["channel", "depth", "symbol"]);
    let ethAfter = 0;
    await client.waitFor((t) => isBookOf("ETH/USD")(t) && ++ethAfter >= 30, { from: okAt + 1 });
    expect(client.frames.slice(okAt + 1).some((f) => isBookOf("BTC/USD")(f.text))).toBe(false);
    client.subscribe(["ETH/USD"], 10, 4);
    const dup = await client.waitFor(hasKey("error", "Already subscribed"));
    expect(parsed(client, dup)).toMatchObject({ symbol: "ETH/USD", req_id: 4, success: false });
  });

  it("sends no heartbeat before a subscription, then about one a second, also while books are busy", async () => {
    const client = await connect({ rate: 1000 });
    await new Promise((r) => setTimeout(r, 1300));
    expect(client.frames.some((f) => isHeartbeat(f.text))).toBe(false);
    client.subscribe(["BTC/USD"], 10);
    const start = performance.now();
    await client.waitForCount(isHeartbeat, 3, 5000);
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThan(2500);
    expect(elapsed).toBeLessThan(4000);
    expect(client.frames.filter((f) => isUpdate(f.text)).length).toBeGreaterThan(500);
  });

  it("serves the instrument channel in Kraken's shape with the pairs' real precisions", async () => {
    const client = await connect();
    client.send({ method: "subscribe", params: { channel: "instrument" }, req_id: 3 });
    const i = await client.waitFor((t) => t.startsWith(`{"channel":"instrument"`));
    const raw = client.frames[i]!.text;
    expect(raw).toContain(`"qty_increment":1e-08`);
    expect(raw).toContain(`"price_increment":1e-07`); // DOGE/USD
    const ack = client.json(hasKey("method", "subscribe"))[0]!;
    expect(ack).toMatchObject({ req_id: 3, result: { channel: "instrument" }, success: true });
    const frame = JSON.parse(raw) as { data: { assets: unknown[]; pairs: Record<string, unknown>[] } };
    expect(frame.data.assets.length).toBeGreaterThan(0);
    const msg = parseFrame(raw);
    if (msg.kind !== "instrument") throw new Error("expected an instrument frame");
    const bySymbol = new Map(msg.pairs.map((p) => [p.symbol, p]));
    const expected: [string, number, string][] = [
      ["BTC/USD", 1, "0.1"],
      ["ETH/USD", 2, "0.01"],
      ["SOL/USD", 2, "0.01"],
      ["XRP/USD", 5, "1e-05"],
      ["DOGE/USD", 7, "1e-07"],
      ["ADA/EUR", 6, "1e-06"],
      ["MINA/GBP", 4, "0.0001"],
    ];
    for (const [symbol, pricePrecision, priceIncrement] of expected) {
      expect(bySymbol.get(symbol)).toMatchObject({
        pricePrecision,
        priceIncrement,
        qtyPrecision: 8,
        qtyIncrement: "1e-08",
        status: "online",
      });
    }
  });

  it("answers malformed requests with an error and keeps serving", async () => {
    const client = await connect();
    const bad = [
      "garbage",
      "[1,2]",
      JSON.stringify({ method: "subscribe" }),
      JSON.stringify({ method: "subscribe", params: { channel: "book", symbol: "BTC/USD" }, req_id: 4 }),
      JSON.stringify({ method: "subscribe", params: { channel: "book", symbol: [] } }),
      JSON.stringify({ method: "subscribe", params: { channel: "book", symbol: ["BTC/USD"], depth: "10" } }),
      JSON.stringify({ method: "subscribe", params: { channel: "trades", symbol: ["BTC/USD"] } }),
      JSON.stringify({ method: "fly", req_id: 5 }),
      JSON.stringify({ method: "ping", req_id: "x" }),
    ];
    for (const b of bad) client.send(b);
    client.ws.send(Buffer.from([1, 2, 3]));
    await client.waitForCount(hasKey("success", false), bad.length);
    const errors = client.json(hasKey("success", false));
    for (const e of errors) expect(typeof e["error"]).toBe("string");
    expect(errors[3]).toMatchObject({
      error: "Symbol field must be an array",
      method: "subscribe",
      req_id: 4,
    });
    client.send({ method: "ping", req_id: 8 });
    await client.waitFor(hasKey("method", "pong"));
    client.subscribe(["SOL/USD"], 10);
    await client.waitFor(isBookOf("SOL/USD"));
  });
});
