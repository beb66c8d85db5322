import { afterEach, describe, expect, it } from "vitest";
import { ScriptedServer } from "../feed/support/scripted-server.js";
import { json, serve, SseReader } from "./serve-process.js";
import type { Data, Served } from "./serve-process.js";

let served: Served | undefined;
let scripted: ScriptedServer | undefined;
const readers: SseReader[] = [];

afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  served?.child.kill("SIGKILL");
  await served?.exited();
  served = undefined;
  await scripted?.close();
  scripted = undefined;
});

async function open(url: string): Promise<SseReader> {
  const r = await SseReader.open(url);
  readers.push(r);
  return r;
}

/** Polls a JSON endpoint until `test` holds for its answer. */
async function until(
  url: string,
  test: (r: { status: number; body: Data }) => boolean,
  timeoutMs = 10_000,
): Promise<{ status: number; body: Data }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await json(url);
    if (test(r)) return r;
    if (Date.now() > deadline) throw new Error(`timed out: ${r.status} ${JSON.stringify(r.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type Trade = { readonly symbol: string; readonly tradeId: number; readonly [key: string]: unknown };

const ids = (trades: unknown): number[] => (trades as Trade[]).map((t) => t.tradeId);

describe("serve: trades and ticker (scripted feed)", () => {
  it("/trades answers 503 until the trade snapshot, then the exact trades oldest first, with the holes between them", async () => {
    scripted = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 60_000 });
    scripted.trade("BTC/USD", 3); // ids 1001–1003, made before anyone subscribed: the snapshot has them
    scripted.holdTradeSnapshots = true;
    served = await serve(["--url", scripted.url, "--port", "0", "BTC/USD"]);
    const url = `${served.url}/trades/BTC-USD`;
    await until(`${served.url}/book/BTC-USD`, (r) => r.status === 200);
    expect(await json(url)).toEqual({
      status: 503,
      body: { symbol: "BTC/USD", reason: "awaiting trade snapshot" },
    });
    expect((await json(`${served.url}/trades/DOGE-USD`)).status).toBe(404);
    expect((await json(`${url}?limit=0`)).status).toBe(400);
    expect((await json(`${url}?limit=501`)).status).toBe(400);

    scripted.releaseTradeSnapshots();
    const first = await until(url, (r) => r.status === 200);
    expect(first.body).toEqual({
      symbol: "BTC/USD",
      trades: [1001, 1002, 1003].map((id): unknown => expect.objectContaining({ tradeId: id })),
      gaps: [],
      tradeGaps: 0,
    });
    const trades = first.body.trades as Trade[];
    expect(trades[0]).toEqual({
      symbol: "BTC/USD",
      side: "sell",
      price: "1000.0",
      qty: "0.00001001",
      ordType: "limit",
      tradeId: 1001,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(ids((await json(`${url}?limit=2`)).body.trades)).toEqual([1002, 1003]);

    // A missed trade renews the subscription: 503 until its snapshot; the exchange's tape lacks 1004 too,
    // so the tape has a hole for good, reported once.
    const stream = await open(`${served.url}/stream/BTC-USD`);
    await stream.until((e) => e.some((x) => x.event === "book"));
    scripted.holdTradeSnapshots = true;
    scripted.trade("BTC/USD", 2, { drop: true }); // 1004 (not sent), 1005
    await until(url, (r) => r.status === 503 && r.body.reason === "awaiting trade snapshot");
    scripted.tape.get("BTC/USD")!.splice(3, 1); // 1004 never made it to the exchange's own tape
    scripted.releaseTradeSnapshots();
    const after = await until(url, (r) => r.status === 200);
    expect(ids(after.body.trades)).toEqual([1001, 1002, 1003, 1005]);
    expect(after.body.gaps).toEqual([{ expected: 1004, got: 1005 }]);
    expect(after.body.tradeGaps).toBe(1);
    const events = await stream.until((e) => e.some((x) => x.event === "trade"));
    expect(events.find((x) => x.event === "trade-gap")?.data).toEqual({
      symbol: "BTC/USD",
      expected: 1004,
      got: 1005,
    });
    const streamed = events.filter((x) => x.event === "trade");
    expect(streamed.map((x) => x.data)).toEqual([(after.body.trades as Trade[])[3]]);
    expect(streamed[0]!.id).toBeUndefined();
  });

  it("/symbols carries each pair's ticker as the exact strings sent and its instrument status", async () => {
    scripted = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 60_000 });
    scripted.pairStatus.set("BTC/USD", "post_only");
    served = await serve(["--url", scripted.url, "--port", "0", "--quiet-after", "1", "BTC/USD"]);
    const symbols = await until(
      `${served.url}/symbols`,
      (r) =>
        (r.body.symbols?.[0]?.["ticker"] ?? null) !== null && r.body.symbols?.[0]?.["pairStatus"] !== null,
    );
    expect(symbols.body.symbols?.[0]).toMatchObject({
      symbol: "BTC/USD",
      pairStatus: "post_only",
      tradeGaps: 0,
      ticker: {
        last: "1000.0",
        change: "-1.20",
        changePct: "-0.12",
        high: "1010.5",
        low: "990.0",
        volume: "1523.90000000",
        vwap: "998.75",
        bid: "999.9",
        ask: "1000.1",
      },
    });
    // The exchange goes silent: neither is the exchange's word of now; both come back when it speaks.
    scripted.goSilent();
    const quiet = await until(
      `${served.url}/symbols`,
      (r) => (r.body["connection"] as Data | undefined)?.state === "quiet",
    );
    expect(quiet.body.symbols?.[0]).toMatchObject({ ticker: null, pairStatus: null });
    scripted.resume();
    const back = await until(
      `${served.url}/symbols`,
      (r) => (r.body["connection"] as Data | undefined)?.state === "live",
    );
    expect(back.body.symbols?.[0]).toMatchObject({ pairStatus: "post_only", ticker: { last: "1000.0" } });
  });
});

describe("serve --demo: trades and ticker (installed binary)", () => {
  it("streams every trade once, in id order, as /trades keeps them, and /symbols has the demo's ticker", async () => {
    served = await serve(["--demo", "--port", "0", "BTC/USD", "ETH/USD"]);
    const stream = await open(`${served.url}/stream`);
    const events = await stream.until(
      (e) => e.filter((x) => x.event === "trade" && x.data.symbol === "BTC/USD").length >= 3,
      20_000,
    );
    const streamed = events
      .filter((x) => x.event === "trade" && x.data.symbol === "BTC/USD")
      .map((x) => x.data);
    const streamedIds = ids(streamed);
    for (let i = 1; i < streamedIds.length; i++) expect(streamedIds[i]).toBe(streamedIds[i - 1]! + 1);
    for (const t of streamed) {
      expect(Object.keys(t)).toEqual(["symbol", "side", "price", "qty", "ordType", "tradeId", "time"]);
      expect(t["price"]).toMatch(/^\d+\.\d+$/);
      expect(t["qty"]).toMatch(/^\d+\.\d+$/);
    }
    const tape = await json(`${served.url}/trades/BTC%2FUSD?limit=500`);
    expect(tape.status).toBe(200);
    const kept = tape.body.trades as Trade[];
    // The snapshot's 50 seeded trades (streamed too: the stream opened first), then every trade since.
    expect(kept.length).toBeGreaterThanOrEqual(Math.max(50, streamed.length));
    for (const t of streamed) expect(kept.find((k) => k.tradeId === (t["tradeId"] as number))).toEqual(t);
    expect(tape.body.gaps).toEqual([]);

    const symbols = await json(`${served.url}/symbols`);
    for (const entry of symbols.body.symbols ?? []) {
      expect(entry["pairStatus"]).toBe("online");
      const ticker = entry["ticker"] as Record<string, string>;
      for (const key of ["last", "change", "changePct", "high", "low", "volume", "vwap"])
        expect(ticker[key]).toMatch(/^-?\d+(\.\d+)?$/);
    }
  });
});
