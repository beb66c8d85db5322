import { afterEach, describe, expect, it } from "vitest";
import { NdjsonWriter } from "../../src/app/ndjson.js";
import type { FeedOptions } from "../../src/feed/types.js";
import { feedOptions, harness } from "./support/feed-harness.js";
import type { Harness } from "./support/feed-harness.js";
import { ScriptedServer } from "./support/scripted-server.js";
import type { ScriptOptions } from "./support/scripted-server.js";

/**
 * A scripted hostile server (real ws on loopback) and the real feed worker; what a user sees is read
 * as the NDJSON lines the app would print for the worker's events.
 */

let server: ScriptedServer | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.feed.stop();
  await server?.close();
  h = undefined;
  server = undefined;
});

type Line = { readonly type: string; readonly [key: string]: unknown };

function ndjson(h: Harness): Line[] {
  const lines: string[] = [];
  const writer = new NdjsonWriter(
    (text) => lines.push(...text.split("\n")),
    () => {},
  );
  for (const event of h.events) writer.event(event);
  return lines.map((l) => JSON.parse(l) as Line);
}

const lines = (h: Harness, type: string): Line[] => ndjson(h).filter((l) => l.type === type);

async function start(script: ScriptOptions, overrides: Partial<FeedOptions>): Promise<Harness> {
  server = await ScriptedServer.start(script);
  h = harness(feedOptions(server.url, overrides));
  return h;
}

const isLive = (h: Harness, symbol: string): boolean => h.book(symbol)?.state === "live";
const allLive = (h: Harness, symbols: readonly string[]) => (): boolean => symbols.every((s) => isLive(h, s));

describe("subscribe errors: only an unknown pair is final", () => {
  it("retries each transient error after the symbol's backoff and goes live; NDJSON has error lines, no rejected", async () => {
    const errors: Record<string, string> = {
      "BTC/USD": "EGeneral:Internal error",
      "ETH/USD": "EService:Unavailable",
      "SOL/USD": "EGeneral:Too many requests",
    };
    const symbols = Object.keys(errors);
    const h = await start(
      {
        reply: (symbol, n) =>
          n === 1 ? { kind: "error", error: errors[symbol]!, named: true } : { kind: "ok" },
      },
      { symbols, backoffBaseMs: 200, backoffCapMs: 1000 },
    );
    await h.until(allLive(h, symbols), "every symbol live");
    expect(lines(h, "rejected")).toEqual([]);
    const messages = lines(h, "error").map((l) => l["message"] as string);
    for (const symbol of symbols) {
      expect(messages).toContainEqual(
        expect.stringMatching(
          new RegExp(`^subscribe ${symbol} failed: ${errors[symbol]}; retrying in \\d+ ms$`),
        ),
      );
      expect(server!.subscribes.get(symbol)).toBe(2);
      // While it waited, its book line said why.
      expect(lines(h, "book")).toContainEqual(
        expect.objectContaining({ symbol, state: "awaiting-snapshot", reason: errors[symbol] }),
      );
    }
    // Each error event from the worker carries the delay its message says.
    const retries = h.events.flatMap((e) => (e.type === "error" ? [e] : []));
    expect(retries.map((e) => e.message.endsWith(`; retrying in ${e.retryInMs} ms`))).toEqual(
      symbols.map(() => true),
    );
    // The rate-limit error took the slow step: at least half of four times the base.
    const sol = retries.find((e) => e.message.startsWith("subscribe SOL/USD"));
    expect(sol?.retryInMs).toBeGreaterThanOrEqual(400);
    expect(h.feed.latest()!.connection.state).toBe("live");
  });

  it('rejects "Currency pair not supported" for good: never subscribed again, not even after a reconnect', async () => {
    const h = await start(
      {
        reply: (symbol) =>
          symbol === "FOO/BAR"
            ? { kind: "error", error: "Currency pair not supported FOO/BAR", named: true }
            : { kind: "ok" },
      },
      { symbols: ["BTC/USD", "FOO/BAR"] },
    );
    await h.until(
      () => isLive(h, "BTC/USD") && h.book("FOO/BAR")?.state === "rejected",
      "BTC live, FOO rejected",
    );
    server!.dropAll();
    // The view seen before the drop may still say live: wait for the new socket's subscribe too.
    await h.until(
      () => server!.connections === 2 && server!.subscribes.get("BTC/USD") === 2 && isLive(h, "BTC/USD"),
      "BTC live on a new socket",
    );
    expect(lines(h, "rejected")).toEqual([
      { type: "rejected", symbol: "FOO/BAR", reason: "Currency pair not supported FOO/BAR" },
    ]);
    expect(server!.subscribes.get("FOO/BAR")).toBe(1);
    expect(server!.subscribes.get("BTC/USD")).toBe(2);
    expect(h.book("FOO/BAR")).toMatchObject({
      state: "rejected",
      reason: "Currency pair not supported FOO/BAR",
    });
  });

  it("an error naming no symbol rejects nothing and retries only the subscribe still unanswered", async () => {
    const h = await start(
      {
        reply: (symbol, n) =>
          symbol === "ETH/USD" && n === 1
            ? { kind: "error", error: "EGeneral:Internal error", named: false }
            : { kind: "ok" },
      },
      { symbols: ["BTC/USD", "ETH/USD"] },
    );
    await h.until(allLive(h, ["BTC/USD", "ETH/USD"]), "both live");
    expect(lines(h, "rejected")).toEqual([]);
    expect(server!.subscribes.get("ETH/USD")).toBe(2);
    expect(server!.subscribes.get("BTC/USD")).toBe(1);
    expect(h.book("BTC/USD")!.resyncs).toBe(0);
  });
});

/**
 * Twice: the first retry goes at once, the second after the symbol's backoff (its resync event says how
 * long: 100 to 200 ms, half the 200 ms base and more), the book showing why meanwhile.
 */
function expectTwoResyncs(h: Harness, reason: string): void {
  const resyncs = lines(h, "resync");
  expect(resyncs.map(({ retryInMs: _, ...rest }) => rest)).toEqual([
    { type: "resync", symbol: "BTC/USD", reason },
    { type: "resync", symbol: "BTC/USD", reason },
  ]);
  expect(resyncs[0]!["retryInMs"]).toBe(0);
  expect(resyncs[1]!["retryInMs"]).toBeGreaterThanOrEqual(100);
  expect(resyncs[1]!["retryInMs"]).toBeLessThanOrEqual(200);
  expect(lines(h, "book")).toContainEqual(
    expect.objectContaining({ symbol: "BTC/USD", state: "resyncing", reason }),
  );
}

describe("the silent server", () => {
  it("subscribes again when a subscribe is never acked within --subscribe-timeout", async () => {
    const h = await start(
      { reply: (_symbol, n) => (n <= 2 ? { kind: "silent" } : { kind: "ok" }) },
      { subscribeTimeoutMs: 300, backoffBaseMs: 200, backoffCapMs: 1000 },
    );
    await h.until(() => isLive(h, "BTC/USD"), "live after the retry");
    expectTwoResyncs(h, "subscribe-timeout");
    expect(server!.requests()).toEqual([
      "subscribe BTC/USD@10",
      ...["unsubscribe BTC/USD@10", "subscribe BTC/USD@10"],
      ...["unsubscribe BTC/USD@10", "subscribe BTC/USD@10"],
    ]);
    // Until the ack came, the connection was not live.
    const states = lines(h, "connection").map((l) => l["state"]);
    expect(states).toEqual(["connecting", "subscribing", "live"]);
  });

  it("resubscribes when an ack is never followed by its snapshot", async () => {
    const h = await start(
      { reply: (_symbol, n) => (n <= 2 ? { kind: "ack-only" } : { kind: "ok" }) },
      { subscribeTimeoutMs: 300, backoffBaseMs: 200, backoffCapMs: 1000 },
    );
    await h.until(() => isLive(h, "BTC/USD"), "live after the resubscribe");
    expectTwoResyncs(h, "snapshot-timeout");
    expect(server!.requests()).toEqual([
      "subscribe BTC/USD@10",
      ...["unsubscribe BTC/USD@10", "subscribe BTC/USD@10"],
      ...["unsubscribe BTC/USD@10", "subscribe BTC/USD@10"],
    ]);
  });
});

describe("unreadable book frames", () => {
  it("resync the symbols they name, or every book when they name none of ours", async () => {
    const symbols = ["BTC/USD", "ETH/USD"];
    const h = await start({}, { symbols });
    await h.until(allLive(h, symbols), "both live");
    const btc = server!.book("BTC/USD");
    const eth = server!.book("ETH/USD");
    const cases: [string, () => string, string[]][] = [
      ["truncated", () => btc.update().slice(0, 100), ["BTC/USD"]],
      ["a raw control character", () => eth.update().replace('"asks"', '"as\u0007ks"'), ["ETH/USD"]],
      [
        "a leading-zero checksum",
        () => btc.update().replace(/"checksum":(\d+)/, '"checksum":0$1'),
        ["BTC/USD"],
      ],
      [
        "bids under an unknown channel",
        () => eth.update().replace('"channel":"book"', '"channel":"boo"'),
        ["ETH/USD"],
      ],
      ["a symbol not subscribed", () => btc.update().replace("BTC/USD", "BTC/EUR"), ["BTC/USD", "ETH/USD"]],
    ];
    let seen = 0;
    for (const [what, frame, expected] of cases) {
      server!.broadcast(frame());
      await h.until(() => lines(h, "resync").length >= seen + expected.length, `resyncs after ${what}`);
      const resynced = lines(h, "resync").slice(seen);
      seen += expected.length;
      expect([what, resynced]).toEqual([
        what,
        expected.map((symbol) => ({
          type: "resync",
          symbol,
          reason: "bad-frame",
          retryInMs: expect.any(Number) as number,
        })),
      ]);
      // Live again in a view that counts this resync (an older view may still show the book live).
      const resyncs = (symbol: string): number =>
        lines(h, "resync").filter((l) => l["symbol"] === symbol).length;
      await h.until(
        () => symbols.every((sym) => isLive(h, sym) && h.book(sym)!.resyncs === resyncs(sym)),
        `both live again after ${what}`,
      );
    }
    expect(
      lines(h, "error").filter((l) => /malformed frame|not subscribed/.test(l["message"] as string)),
    ).toHaveLength(cases.length);
    expect(h.feed.latest()!.malformed).toBe(cases.length);
  });
});
