import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startSimServer } from "../../src/sim/server.js";
import type { FaultOptions, SimServer } from "../../src/sim/server.js";
import type { FeedEvent } from "../../src/feed/types.js";
import { feedOptions, harness } from "./support/feed-harness.js";
import type { Harness } from "./support/feed-harness.js";

const capture = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
let server: SimServer | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.feed.stop();
  await server?.close();
  h = undefined;
  server = undefined;
});

const demo = (faults: FaultOptions = {}, rate = 40): Promise<SimServer> =>
  startSimServer({ host: "127.0.0.1", port: 0, rate, seed: 7, faults });
const ofType = <T extends FeedEvent["type"]>(h: Harness, type: T): Extract<FeedEvent, { type: T }>[] =>
  h.events.filter((e): e is Extract<FeedEvent, { type: T }> => e.type === type);
const ok = (h: Harness, symbol: string): number => h.book(symbol)?.checksums.ok ?? 0;

/** Waits for the connection to go quiet and then live again: the index of that live view. */
async function heardAgain(h: Harness): Promise<number> {
  const connection = (): string[] => h.views().map((v) => v.connection.state);
  await h.until(() => connection().includes("quiet"), "the silence", 5000);
  return h.until(
    () => {
      const states = connection();
      const i = states.indexOf("live", states.indexOf("quiet"));
      return i < 0 ? undefined : i;
    },
    "the connection back",
    5000,
  );
}

describe("feed worker against the built-in Kraken-compatible server", () => {
  it("keeps deep books live with every checksum matching", async () => {
    server = await demo({}, 80);
    h = harness(
      feedOptions(server.url, { symbols: ["BTC/USD", "ETH/USD", "MINA/GBP"], depth: 1000, levels: 20 }),
    );
    await h.until(
      () => ["BTC/USD", "ETH/USD", "MINA/GBP"].every((s) => ok(h!, s) >= 60),
      "60 checksums each",
    );
    for (const b of h.feed.latest()!.books) {
      expect(b).toMatchObject({ state: "live", checksums: { failed: 0 }, resyncs: 0 });
      expect(b.bids).toHaveLength(20);
      expect(b.messagesPerSecond).toBeGreaterThan(0);
    }
    expect(ofType(h, "error")).toEqual([]);
    expect(h.book("MINA/GBP")!.priceDecimals).toBe(4);
  });

  it("a corrupted checksum on one symbol resyncs it alone", async () => {
    server = await demo({ corruptProbability: 0.1, corruptSymbol: "ETH/USD" });
    h = harness(feedOptions(server.url, { symbols: ["BTC/USD", "ETH/USD"] }));
    await h.until(
      () => (h!.book("ETH/USD")?.resyncs ?? 0) >= 2 && ok(h!, "BTC/USD") >= 40,
      "ETH resyncs twice",
    );
    const btc = h.book("BTC/USD")!;
    expect(btc).toMatchObject({ resyncs: 0, checksums: { failed: 0 } });
    expect(h.book("ETH/USD")!.checksums.failed).toBeGreaterThanOrEqual(2);
    expect(new Set(ofType(h, "resync").map((e) => `${e.symbol} ${e.reason}`))).toEqual(
      new Set(["ETH/USD checksum-mismatch"]),
    );
    await h.until(() => h!.book("ETH/USD")?.state === "live", "ETH live again");
  });

  it("reconnects after abrupt drops and resubscribes", async () => {
    server = await demo({ dropEveryMs: 300, dropMode: "terminate" });
    h = harness(feedOptions(server.url, { symbols: ["BTC/USD", "SOL/USD"] }));
    await h.until(
      () => ofType(h!, "connection").filter((e) => e.state === "live").length >= 3,
      "live three times",
    );
    expect(ofType(h, "connection").filter((e) => e.state === "reconnecting").length).toBeGreaterThanOrEqual(
      2,
    );
    await h.until(() => h!.book("SOL/USD")?.state === "live", "SOL live");
  });

  it("detects the server going silent with the socket open", async () => {
    server = await demo({ silenceAfterMs: 300, silenceMs: 5000 });
    h = harness(feedOptions(server.url, { readTimeoutMs: 500, pingIntervalMs: 100 }));
    const e = await h.until(
      () => ofType(h!, "connection").find((c) => c.state === "reconnecting"),
      "reconnecting",
      4000,
    );
    expect(e.state === "reconnecting" && e.reason).toMatch(/read timeout/);
  });

  it("after a silence that lost a ping, the books are live once current updates come: the lost ping's answer is not waited for", async () => {
    // Silent from 0.5 s to 3 s: the ping of 2 s is lost with the frames; the next goes out at 4 s. Waiting
    // for the lost one's answer made the books lagging from 3.5 s (1.5 s after it went out) until then.
    server = await demo({ silenceAfterMs: 500, silenceMs: 2500 });
    h = harness(
      feedOptions(server.url, {
        quietAfterMs: 1000,
        pingIntervalMs: 2000,
        readTimeoutMs: 10_000,
        maxLagMs: 1500,
      }),
    );
    const back = await heardAgain(h);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const after = h.views().slice(back);
    expect(after.map((v) => v.connection.state)).not.toContain("quiet");
    expect(after.map((v) => v.books[0]!.state)).not.toContain("lagging");
    expect(h.book("BTC/USD")!.state).toBe("live");
  });

  it("after a silence that dropped frames, no book verified before it is live again before a new snapshot", async () => {
    // The server drops what it would have sent from 1 s to 3 s, then goes on with the socket still open.
    server = await demo({ silenceAfterMs: 1000, silenceMs: 2000 });
    const symbols = ["BTC/USD", "ETH/USD", "SOL/USD"];
    h = harness(feedOptions(server.url, { symbols, quietAfterMs: 600, readTimeoutMs: 10_000 }));
    const back = await heardAgain(h);
    // Heard again: every book is resubscribed before any view says so, none shown as it was before.
    expect(h.views()[back]!.books.map((b) => b.state)).toEqual(symbols.map(() => "resyncing"));
    await h.until(
      () => symbols.every((s) => h!.book(s)?.state === "live" && ok(h!, s) >= 20),
      "every book live again, 20 checksums each",
    );
    // Had a book kept its levels through the silence, its next update would have failed the checksum.
    for (const s of symbols) expect(h.book(s)).toMatchObject({ resyncs: 1, checksums: { failed: 0 } });
    expect(new Set(ofType(h, "resync").map((e) => `${e.symbol} ${e.reason} ${e.retryInMs}`))).toEqual(
      new Set(symbols.map((s) => `${s} connection-quiet 0`)),
    );
  });

  it("counts malformed frames, resyncs books it cannot apply, ignores unknown channels", async () => {
    server = await demo({ malformedEveryMs: 60, malformedKinds: ["json", "types", "channel"] });
    h = harness(feedOptions(server.url));
    await h.until(() => (h!.feed.latest()?.malformed ?? 0) >= 4, "4 malformed frames");
    const view = h.feed.latest()!;
    expect(ofType(h, "error").length).toBeGreaterThanOrEqual(4);
    expect(ofType(h, "error").every((e) => /malformed frame/.test(e.message))).toBe(true);
    expect(ofType(h, "resync").some((e) => e.reason === "bad-frame")).toBe(true);
    // Never fatal: still connected on the first socket.
    expect(view.connection.state).toBe("live");
    expect(ofType(h, "connection").filter((e) => e.state === "connecting")).toHaveLength(1);
  });

  it("reports a rejected symbol while the others stay live", async () => {
    server = await demo({ rejectSymbols: ["ADA/EUR"] });
    h = harness(feedOptions(server.url, { symbols: ["ADA/EUR", "XRP/USD"] }));
    await h.until(() => ok(h!, "XRP/USD") >= 5, "XRP live");
    expect(h.book("ADA/EUR")!.state).toBe("rejected");
    expect(ofType(h, "rejected")).toHaveLength(1);
    expect(ofType(h, "rejected")[0]!.reason).toMatch(/ADA\/EUR/);
  });

  it("replays the real capture with all 301 checksums matching and no resync", async () => {
    server = await startSimServer({ host: "127.0.0.1", port: 0, replayPath: capture, speed: Infinity });
    // As `--replay` runs it: the book times are the recording's (August), so the server's pong times, which
    // are today's, must not set the zero of the lag (or the book is months behind: lagging).
    h = harness(feedOptions(server.url, { depth: 10, replayTimes: true }));
    const b = await h.until(() => ok(h!, "BTC/USD") === 301 && h!.book("BTC/USD"), "301 checksums");
    expect(b).toMatchObject({ state: "live", resyncs: 0, checksums: { ok: 301, failed: 0 } });
    expect(b.time).toBe("2026-08-01T02:54:53.266327Z");
  });

  it("replayed as a server (`simulate --replay`, a client with --url), its pongs keep the recording's clock: live, not months behind", async () => {
    // The client does not know it is a replay: it measures lag against the server's pong times as against
    // Kraken's. Pings every 500 ms, so several are answered while the book is checked.
    server = await startSimServer({ host: "127.0.0.1", port: 0, replayPath: capture, speed: 4 });
    h = harness(feedOptions(server.url, { depth: 10 }));
    await h.until(() => ok(h!, "BTC/USD") >= 60 && h!.book("BTC/USD"), "60 checksums", 20_000);
    const states = new Set<string>();
    const lags: number[] = [];
    await h.until(
      () => {
        const b = h!.book("BTC/USD")!;
        states.add(b.state);
        if (b.lagMs !== undefined) lags.push(b.lagMs);
        return ok(h!, "BTC/USD") >= 120;
      },
      "120 checksums",
      20_000,
    );
    expect([...states]).toEqual(["live"]);
    expect(Math.max(...lags)).toBeLessThan(3000);
    // Feed latency is read through the pongs' clock too: the replay's own, not the recording's age.
    expect(h.book("BTC/USD")!.latencyP99).toBeLessThan(3000);
  });
});
