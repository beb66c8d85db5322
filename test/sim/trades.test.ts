import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import type { FaultOptions, SimServer } from "../../src/sim/server.js";
import { BookChecker, isBook, isBookOf } from "./kraken-client.js";
import type { TestClient } from "./kraken-client.js";
import { closedAfterEach } from "./support.js";

const started = closedAfterEach();
const serve = (seed: number, rate: number, faults: FaultOptions = {}): Promise<SimServer> =>
  started.serve({ seed, rate, faults });
const client = started.client.bind(started);

type Trade = {
  symbol: string;
  side: "buy" | "sell";
  price: string;
  qty: string;
  ord_type: string;
  trade_id: number;
  timestamp: string;
};
type Level = { price: string; qty: string };

const isTrade = (t: string): boolean => t.startsWith(`{"channel":"trade"`);
const isTicker = (t: string): boolean => t.startsWith(`{"channel":"ticker"`);
const isInstrument = (t: string): boolean => t.startsWith(`{"channel":"instrument"`);

/** Numbers as their exact wire text: every bare number in a frame becomes a string before parsing. */
function exact<T>(text: string): T {
  return JSON.parse(text.replace(/([:,[])(-?\d+(?:\.\d+)?(?:e-?\d+)?)(?=[,}\]])/g, `$1"$2"`)) as T;
}

function subscribeAll(c: TestClient, symbols: readonly string[], depth: number): void {
  c.send({ method: "subscribe", params: { channel: "instrument" }, req_id: 1 });
  c.send({ method: "subscribe", params: { channel: "book", symbol: symbols, depth }, req_id: 2 });
  c.send({ method: "subscribe", params: { channel: "trade", symbol: symbols, snapshot: true }, req_id: 3 });
  c.send({ method: "subscribe", params: { channel: "ticker", symbol: symbols }, req_id: 4 });
}

const tradesOf = (c: TestClient, symbol: string): Trade[] =>
  c.frames
    .filter((f) => isTrade(f.text) && f.text.includes(`"type":"update"`))
    .flatMap((f) => exact<{ data: Trade[] }>(f.text).data)
    .filter((t) => t.symbol === symbol);

describe("simulator: trades, ticker, instrument and status", () => {
  it("takes each trade's size from the levels it traded at: the book update before it holds exactly that, checksums right", async () => {
    const server = await serve(17, 2000);
    const c = await client(server.url);
    const symbols = ["BTC/USD", "MINA/GBP"];
    subscribeAll(c, symbols, 1000);
    await c.waitForCount((t) => isTrade(t) && t.includes(`"type":"update"`), 3000, 40_000);
    const checker = new BookChecker(1000);
    // Per symbol: side -> price -> qty, as the wire says, untruncated; and what the last update changed.
    const books = new Map<string, [Map<string, string>, Map<string, string>]>();
    const lastChange = new Map<
      string,
      { before: Map<string, string | undefined>; after: Map<string, string> }
    >();
    let checkedTrades = 0;
    const lastId = new Map<string, number>();
    for (const { text } of c.frames) {
      if (isBook(text)) {
        checker.apply(text);
        const msg = exact<{ type: string; data: { symbol: string; bids: Level[]; asks: Level[] }[] }>(text);
        for (const d of msg.data) {
          if (msg.type === "snapshot")
            books.set(d.symbol, [new Map<string, string>(), new Map<string, string>()]);
          const [bids, asks] = books.get(d.symbol)!;
          const before = new Map<string, string | undefined>();
          const after = new Map<string, string>();
          for (const [levels, side, tag] of [
            [d.bids, bids, "b"],
            [d.asks, asks, "a"],
          ] as const) {
            for (const l of levels) {
              const key = tag + l.price;
              if (!before.has(key)) before.set(key, side.get(l.price));
              if (new Decimal(l.qty).isZero()) side.delete(l.price);
              else side.set(l.price, l.qty);
              after.set(key, side.get(l.price) ?? "0");
            }
          }
          lastChange.set(d.symbol, { before, after });
        }
      } else if (isTrade(text) && text.includes(`"type":"update"`)) {
        const trades = exact<{ data: Trade[] }>(text).data;
        const symbol = trades[0]!.symbol;
        const change = lastChange.get(symbol)!;
        const taken = new Map<string, Decimal>();
        for (const t of trades) {
          expect(t.symbol).toBe(symbol);
          const key = (t.side === "buy" ? "a" : "b") + t.price;
          taken.set(key, (taken.get(key) ?? new Decimal(0)).plus(t.qty));
          const prev = lastId.get(symbol);
          if (prev !== undefined) expect(Number(t.trade_id)).toBe(prev + 1);
          lastId.set(symbol, Number(t.trade_id));
        }
        for (const [key, qty] of taken) {
          const before = change.before.get(key);
          expect(before).toBeDefined();
          expect(new Decimal(before!).minus(qty).toString()).toBe(
            new Decimal(change.after.get(key)!).toString(),
          );
        }
        // Nothing else that was resting near the touch moved in that update (levels re-entering the
        // top 1000 at its far end are re-sent, and this map keeps them from before they left it).
        const near = (key: string): boolean =>
          [...taken.keys()].some((k) => {
            const [a, b] = [k.slice(1), key.slice(1)];
            const tick = new Decimal(10).pow(-(a.split(".")[1]?.length ?? 0));
            return new Decimal(a).minus(b).abs().lt(tick.times(300));
          });
        for (const [key, before] of change.before) {
          if (!taken.has(key) && near(key)) expect(before).toBeUndefined();
        }
        lastChange.delete(symbol);
        checkedTrades += trades.length;
      }
    }
    expect(checkedTrades).toBeGreaterThan(3000);
    expect(checker.totals.mismatched).toBe(0);
    expect(checker.totals.crossed).toBe(0);
    expect(checker.totals.ok).toBeGreaterThan(10_000);
  }, 60_000);

  it("serves a ticker consistent with the trades and the book's top", async () => {
    const server = await serve(23, 500);
    const c = await client(server.url);
    subscribeAll(c, ["ETH/USD"], 10);
    await c.waitForCount((t) => isTicker(t) && t.includes(`"type":"update"`), 200, 20_000);
    type Tick = { last: string; volume: string; bid: string; ask: string; bid_qty: string; ask_qty: string };
    const checker = new BookChecker(10);
    let volume: Decimal | undefined;
    let traded = new Decimal(0);
    let lastPrice = "";
    let checked = 0;
    for (const { text } of c.frames) {
      if (isBook(text)) checker.apply(text);
      else if (isTrade(text) && text.includes(`"type":"update"`)) {
        for (const t of exact<{ data: Trade[] }>(text).data) {
          traded = traded.plus(t.qty);
          lastPrice = t.price;
        }
      } else if (isTicker(text)) {
        const t = exact<{ type: string; data: Tick[] }>(text).data[0]!;
        volume ??= new Decimal(t.volume);
        const book = checker.books.get("ETH/USD")!;
        expect(t.bid).toBe(book.bids.best()!.price);
        expect(t.ask).toBe(book.asks.best()!.price);
        expect(t.bid_qty).toBe(book.bids.best()!.qty);
        expect(new Decimal(t.volume).minus(volume).toString()).toBe(traded.toString());
        if (lastPrice !== "") expect(t.last).toBe(lastPrice);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
  }, 30_000);

  it("lists the demo pairs with Kraken's increments and minimums, and sends a pair's status change at its time", async () => {
    const server = await serve(3, 400, {
      pairStatus: [{ symbol: "BTC/USD", status: "post_only", atMs: 400 }],
    });
    const c = await client(server.url);
    subscribeAll(c, ["BTC/USD"], 10);
    const i = await c.waitFor((t) => isInstrument(t) && t.includes(`"type":"update"`), { timeoutMs: 5000 });
    const snapshot = c.frames.find((f) => isInstrument(f.text) && f.text.includes(`"type":"snapshot"`))!.text;
    expect(snapshot).toContain(
      `{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,"qty_increment":1e-08,"price_precision":1,"cost_precision":5,`,
    );
    expect(snapshot).toContain(`"cost_min":0.5,"tick_size":0.1,"price_increment":0.1,"qty_min":0.0001}`);
    expect(snapshot).toContain(`"symbol":"ETH/BTC"`);
    const update = exact<{ data: { pairs: { symbol: string; status: string }[] } }>(c.frames[i]!.text);
    expect(update.data.pairs).toMatchObject([{ symbol: "BTC/USD", status: "post_only" }]);
    // Post-only: the book keeps moving, but nothing trades.
    const n = c.frames.length;
    await c.waitForCount(
      isBookOf("BTC/USD"),
      c.frames.filter((f) => isBookOf("BTC/USD")(f.text)).length + 150,
    );
    expect(c.frames.slice(n).some((f) => isTrade(f.text) && f.text.includes(`"type":"update"`))).toBe(false);
  }, 20_000);

  it("sends the system status on connect and again when it changes", async () => {
    const server = await serve(3, 10, { systemStatus: [{ status: "maintenance", atMs: 300 }] });
    const c = await client(server.url);
    await c.waitFor((t) => t.includes(`"system":"maintenance"`), { timeoutMs: 3000 });
    const statuses = c.json((t) => t.startsWith(`{"channel":"status"`));
    expect(statuses.map((s) => (s["data"] as { system: string }[])[0]!.system)).toEqual([
      "online",
      "maintenance",
    ]);
  });

  it("skips one trade id, or repeats one, at the given time; the rest stay in sequence", async () => {
    for (const kind of ["skipTradeId", "repeatTradeId"] as const) {
      const server = await serve(9, 1500, { [kind]: [{ symbol: "SOL/USD", atMs: 500 }] });
      const c = await client(server.url);
      subscribeAll(c, ["SOL/USD"], 10);
      await c.waitForCount((t) => isTrade(t) && t.includes(`"type":"update"`), 150, 20_000);
      const ids = tradesOf(c, "SOL/USD").map((t) => Number(t.trade_id));
      const steps = ids.slice(1).map((id, k) => id - ids[k]!);
      expect(steps.filter((d) => d !== 1)).toEqual([kind === "skipTradeId" ? 2 : 0]);
    }
  }, 40_000);

  it("acks instrument, book, trade and ticker for every demo pair at once within the default request limits", async () => {
    const server = await serve(1, 10);
    const c = await client(server.url);
    const symbols = [
      "BTC/USD",
      "ETH/USD",
      "SOL/USD",
      "XRP/USD",
      "DOGE/USD",
      "ADA/EUR",
      "MINA/GBP",
      "LTC/USD",
      "ETH/BTC",
    ];
    subscribeAll(c, symbols, 100);
    await c.waitForCount((t) => t.includes(`"success":true`), 1 + 3 * symbols.length);
    expect(c.frames.some((f) => f.text.includes(`"success":false`))).toBe(false);
    // The trade snapshot (possibly empty) and the ticker snapshot of each pair.
    await c.waitForCount((t) => isTicker(t) && t.includes(`"type":"snapshot"`), symbols.length);
    await c.waitForCount((t) => isTrade(t) && t.includes(`"type":"snapshot"`), symbols.length);
  });

  it("replays a recording's trade, ticker, instrument and status frames verbatim to their subscribers", async () => {
    const live = await serve(4, 800);
    const rec = await client(live.url);
    subscribeAll(rec, ["BTC/USD"], 10);
    await rec.waitForCount((t) => isTrade(t) && t.includes(`"type":"update"`), 30, 20_000);
    const lines = rec.frames.map((f) => f.text);
    const dir = mkdtempSync(join(tmpdir(), "sim-trades-"));
    try {
      const path = join(dir, "rec.jsonl");
      writeFileSync(path, lines.join("\n") + "\n");
      const replay = await started.serve({ replayPath: path, speed: Infinity });
      const c = await client(replay.url);
      subscribeAll(c, ["BTC/USD"], 10);
      const recorded = (match: (t: string) => boolean) => lines.filter(match);
      const tradeCount = recorded(isTrade).length;
      await c.waitForCount(isTrade, tradeCount, 10_000);
      await c.waitForCount(isTicker, recorded(isTicker).length, 10_000);
      const got = c.frames.map((f) => f.text);
      expect(got.filter(isTrade)).toEqual(recorded(isTrade));
      expect(got.filter(isTicker)).toEqual(recorded(isTicker));
      expect(got.filter(isInstrument)).toEqual(recorded(isInstrument));
      // The recorded status on connect; the simulator's own `replay_ended` once the book has run out.
      const statuses = got.filter((t) => t.startsWith(`{"channel":"status"`));
      expect(statuses.filter((t) => !t.includes(`"system":"replay_ended"`))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
