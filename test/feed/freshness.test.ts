import { afterEach, describe, expect, it } from "vitest";
import type { FeedEvent } from "../../src/feed/types.js";
import { reap, runBin, until } from "../app/support/run-bin.js";
import type { Run } from "../app/support/run-bin.js";
import { feedOptions, harness } from "./support/feed-harness.js";
import type { Harness } from "./support/feed-harness.js";
import { ScriptedServer } from "./support/scripted-server.js";

/**
 * Freshness and bounded frames as a user sees them: the real CLI (`--json`, so NDJSON) or the real
 * feed worker against the scripted server on 127.0.0.1, with short real timers.
 */

let server: ScriptedServer | undefined;
let run: Run | undefined;
let h: Harness | undefined;
afterEach(async () => {
  reap(run);
  await h?.feed.stop();
  await server?.close();
  run = undefined;
  h = undefined;
  server = undefined;
});

type Line = Record<string, unknown>;
const books = (r: Run, state?: string): Line[] =>
  r.lines().filter((l) => l["type"] === "book" && (state === undefined || l["state"] === state));
const connections = (r: Run): string[] =>
  r
    .lines()
    .filter((l) => l["type"] === "connection")
    .map((l) => String(l["state"]));
/** Lines written from `from` on. */
const since = (r: Run, from: number): Line[] => r.lines().slice(from);

function cli(url: string, ...flags: string[]): Run {
  return runBin(["--url", url, "--json", "--depth", "10", "--fps", "20", ...flags, "BTC/USD"]);
}

describe("freshness in the NDJSON stream", () => {
  it("marks a book lagging with its lagMs when the exchange timestamps fall behind, and live when it catches up", async () => {
    server = await ScriptedServer.start({ updateMs: 20, heartbeatMs: 100 });
    run = cli(server.url, "--max-lag", "1");
    await until(
      () => books(run!, "live").some((l) => typeof l["lagMs"] === "number"),
      "a live book with its lag",
    );
    expect(books(run, "live").every((l) => Number(l["lagMs"] ?? 0) < 1000)).toBe(true);

    // From now on every update describes a moment 2.5 s before it is sent.
    server.timeShiftMs = -2500;
    const behindFrom = run.lines().length;
    await until(() => since(run!, behindFrom).some((l) => l["state"] === "lagging"), "lagging");
    const lagging = since(run, behindFrom).find((l) => l["state"] === "lagging")!;
    expect(lagging["lagMs"]).toBeGreaterThan(1000);
    expect(lagging["lagMs"]).toBeLessThan(2500 + 1000);
    expect(lagging["reason"]).toBe("updates arrive behind the exchange's timestamps");
    // Its verified prices stay in the stream, labelled lagging, never live.
    expect(lagging).toMatchObject({ bid: { price: expect.any(String) }, ask: { price: expect.any(String) } });
    await until(() => since(run!, behindFrom).some((l) => Number(l["lagMs"]) >= 2000), "lag near 2.5 s");
    const late = since(run, behindFrom).filter((l) => Number(l["lagMs"]) > 1000);
    expect(late.every((l) => l["state"] === "lagging")).toBe(true);

    server.timeShiftMs = 0;
    const caughtUp = run.lines().length;
    await until(() => since(run!, caughtUp).some((l) => l["state"] === "live"), "live again");
    const back = since(run, caughtUp).find((l) => l["state"] === "live")!;
    expect(back["lagMs"]).toBeLessThan(1000);
    expect(back).not.toHaveProperty("reason");
    expect(connections(run)).toEqual(["connecting", "subscribing", "live"]);
  });

  it("marks every book on the connection lagging when the stream falls behind, even one whose own updates stopped", async () => {
    server = await ScriptedServer.start({ updateMs: 20, heartbeatMs: 100 });
    run = runBin([
      "--url",
      server.url,
      "--json",
      "--depth",
      "10",
      "--fps",
      "20",
      "--max-lag",
      "1",
      "BTC/USD",
      "ETH/USD",
    ]);
    const of = (r: Run, symbol: string, from = 0): Line[] =>
      since(r, from).filter((l) => l["type"] === "book" && l["symbol"] === symbol);
    await until(
      () => ["BTC/USD", "ETH/USD"].every((s) => of(run!, s).some((l) => typeof l["lagMs"] === "number")),
      "both books live with their lag",
    );
    // ETH/USD goes quiet; BTC/USD's updates, on the same socket, now describe a moment 2.5 s back:
    // anything ETH/USD might send would wait behind them, so it is as late.
    server.muted.add("ETH/USD");
    server.timeShiftMs = -2500;
    const behindFrom = run.lines().length;
    await until(
      () => of(run!, "ETH/USD", behindFrom).some((l) => l["state"] === "lagging"),
      "ETH/USD lagging",
    );
    const eth = of(run, "ETH/USD", behindFrom).find((l) => l["state"] === "lagging")!;
    expect(eth["lagMs"]).toBeGreaterThan(1000);
    expect(of(run, "BTC/USD", behindFrom).some((l) => l["state"] === "lagging")).toBe(true);
  });

  it("marks the books lagging when everything is held back from the first frame: the pings' answers are late too", async () => {
    // Timestamps cannot show this delay (the offset cancels it); the round trip of the feed's pings does.
    server = await ScriptedServer.start({ updateMs: 20, heartbeatMs: 100, sendDelayMs: 2500 });
    run = cli(server.url, "--max-lag", "1", "--ping-interval", "1");
    await until(() => books(run!, "lagging").length > 0, "lagging", 10_000);
    const lagging = books(run, "lagging")[0]!;
    expect(lagging["lagMs"]).toBeGreaterThan(1000);
    expect(lagging["reason"]).toBe("the exchange is slow to answer pings");
    // Its verified prices stay, labelled lagging.
    expect(lagging).toMatchObject({ bid: { price: expect.any(String) } });
    // And it stays so while the delay lasts: every answer takes 2.5 s.
    const from = run.lines().length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const later = books(run).slice(books(run).findIndex((l) => l["state"] === "lagging"));
    expect(later.length).toBeGreaterThan(1);
    expect(later.filter((l) => l["state"] === "live")).toEqual([]);
    expect(since(run, from).some((l) => l["type"] === "book" && Number(l["lagMs"]) >= 2000)).toBe(true);
    expect(connections(run)).toEqual(["connecting", "subscribing", "live"]);
  });

  it("does not take a constant clock offset for lag, either way", async () => {
    for (const offset of [-7000, 7000]) {
      server = await ScriptedServer.start({ updateMs: 20, heartbeatMs: 100, timeShiftMs: offset });
      run = cli(server.url, "--max-lag", "1");
      await until(
        () => books(run!, "live").filter((l) => "lagMs" in l).length >= 20,
        "20 measured live lines",
      );
      const measured = books(run).filter((l) => "lagMs" in l);
      expect(
        measured.every((l) => l["state"] === "live" && Number(l["lagMs"]) < 1000),
        `offset ${offset}`,
      ).toBe(true);
      reap(run);
      await run.exit;
      await server.close();
    }
    server = undefined;
  });

  it("turns a silent connection quiet within --quiet-after, every book lagging, then replaces it at the read timeout", async () => {
    server = await ScriptedServer.start({ updateMs: 20, heartbeatMs: 50 });
    run = cli(server.url, "--quiet-after", "0.4", "--read-timeout", "1.5", "--ping-interval", "0.2");
    await until(() => books(run!, "live").length >= 3, "live");
    const from = run.lines().length;
    const silentAt = Date.now();
    server.goSilent();
    await until(() => connections(run!).includes("quiet"), "quiet");
    const quietAfter = Date.now() - silentAt;
    expect(quietAfter).toBeGreaterThanOrEqual(350);
    expect(quietAfter).toBeLessThan(1500);
    await until(() => since(run!, from).some((l) => l["state"] === "lagging"), "a lagging book");
    const lagging = since(run, from).find((l) => l["state"] === "lagging")!;
    expect(Number(lagging["lagMs"])).toBeGreaterThanOrEqual(400);
    expect(lagging["reason"]).toBe("connection quiet: nothing received");
    expect(lagging["bid"]).toBeDefined();
    // Nothing live between quiet and the reconnect.
    await until(() => connections(run!).includes("reconnecting"), "the read timeout");
    const after = since(run, from);
    const quietAt = after.findIndex((l) => l["state"] === "quiet");
    const lostAt = after.findIndex((l) => l["state"] === "reconnecting");
    expect(after.slice(quietAt, lostAt).some((l) => l["state"] === "live")).toBe(false);
    expect(after.some((l) => l["type"] === "error" && /read timeout/.test(String(l["message"])))).toBe(true);
    // The new socket may already be on its way (the first retry comes at once): its states follow.
    expect(connections(run).slice(0, 5)).toEqual([
      "connecting",
      "subscribing",
      "live",
      "quiet",
      "reconnecting",
    ]);
    await until(() => connections(run!).at(-1) === "live", "live on a new socket");
  });

  it("goes quiet, and its verified books lagging, while a pair the exchange never answers keeps it subscribing", async () => {
    // ETH/USD's subscribe is never answered: the connection stays `subscribing`, BTC/USD is live on it.
    server = await ScriptedServer.start({
      updateMs: 20,
      heartbeatMs: 50,
      reply: (symbol) => (symbol === "ETH/USD" ? { kind: "silent" } : { kind: "ok" }),
    });
    run = runBin(
      ["--url", server.url, "--json", "--depth", "10", "--fps", "20", "--quiet-after", "0.3"].concat([
        "--read-timeout",
        "5",
        "--subscribe-timeout",
        "60",
        "BTC/USD",
        "ETH/USD",
      ]),
    );
    await until(() => books(run!, "live").length >= 3, "BTC live");
    expect(connections(run)).toEqual(["connecting", "subscribing"]);
    server.goSilent();
    const from = run.lines().length;
    await until(() => since(run!, from).some((l) => l["state"] === "lagging"), "a lagging book");
    expect(connections(run)).toEqual(["connecting", "subscribing", "quiet"]);
    server.resume();
    await until(() => connections(run!).length === 4, "heard again");
    // Back to what it was: still waiting for ETH/USD's answer, not live.
    expect(connections(run).at(-1)).toBe("subscribing");
    expect(server.connections).toBe(1);
  });

  it("is live again without a reconnect when frames resume before the read timeout", async () => {
    server = await ScriptedServer.start({ updateMs: 20, heartbeatMs: 50 });
    run = cli(server.url, "--quiet-after", "0.3", "--read-timeout", "5");
    await until(() => books(run!, "live").length >= 3, "live");
    server.goSilent();
    await until(() => connections(run!).includes("quiet"), "quiet");
    const from = run.lines().length;
    server.resume();
    await until(() => connections(run!).at(-1) === "live", "live again");
    await until(() => since(run!, from).some((l) => l["state"] === "live"), "a live book");
    expect(connections(run)).toEqual(["connecting", "subscribing", "live", "quiet", "live"]);
    expect(server.connections).toBe(1);
  });

  it("drops a connection that sends a frame over --max-frame, says why, and comes back live", async () => {
    server = await ScriptedServer.start({ updateMs: 20 });
    run = cli(server.url, "--max-frame", "64KiB", "--backoff-base", "0.05");
    await until(() => books(run!, "live").length >= 3, "live");
    server.broadcast(`{"channel":"heartbeat","pad":"${"x".repeat(100 * 1024)}"}`);
    await until(() => connections(run!).filter((s) => s === "live").length === 2, "live on a new socket");
    const errors = run.lines().filter((l) => l["type"] === "error");
    expect(errors.map((l) => l["message"])).toEqual([
      "connection lost: protocol fault: a frame over 64 KiB (--max-frame)",
    ]);
    expect(server.closeCodes[0]).toBe(1009);
    // Nothing frozen: the new connection's book counts on.
    const from = run.lines().length;
    await until(() => since(run!, from).filter((l) => l["state"] === "live").length >= 3, "books flowing");
  });

  it("rejects a malformed --max-frame with a usage error", async () => {
    run = runBin(["--max-frame", "lots", "--json"]);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toMatch(/--max-frame.*1KiB to 256MiB/s);
  });
});

describe("a busy feed worker", () => {
  it("does not take the time it spent on one large frame for silence: no false quiet, no false read timeout", async () => {
    // Compressed, the frame crosses the socket at once: the time that follows is the worker's own.
    server = await ScriptedServer.start({ updateMs: 20, heartbeatMs: 20, deflate: true });
    // Wide enough that a hiccup of this loaded test process (the server) is no silence.
    const limits = { readTimeoutMs: 3000, quietAfterMs: 2000 };
    h = harness(feedOptions(server.url, { ...limits, maxFrameBytes: 32 * 1024 * 1024 }));
    await h.until(
      () => h!.book("BTC/USD")?.state === "live" && h!.feed.latest()?.connection.state === "live",
      "live",
    );
    const viewTimes: number[] = [];
    h.feed.subscribe((e: FeedEvent) => {
      if (e.type === "view") viewTimes.push(Date.now());
    });
    // The gap is measured between views, so the busy spell must start after one has been seen.
    await h.until(() => viewTimes.length >= 3, "views flowing before the large frame");
    // Parsing this takes the worker well over --quiet-after even on an idle machine (about 0.2 s of CPU a
    // MiB); heartbeats queue behind it.
    server.broadcast(`{"channel":"heartbeat","pad":"${"x".repeat(24 * 1024 * 1024)}"}`);
    const gap = (): number => Math.max(0, ...viewTimes.slice(1).map((t, i) => t - viewTimes[i]!));
    const afterGap = (): number =>
      viewTimes.length - viewTimes.findIndex((t, i) => i > 0 && t - viewTimes[i - 1]! > limits.quietAfterMs);
    // The test means something only if the worker really was busy for longer than --quiet-after.
    // The worker's own states: the main thread may call it `stalled` while it is busy (it is: its books
    // are not current meanwhile, see stall.ts), and says its state again when it answers.
    const states = (): string[] =>
      h!.events
        .flatMap((e) =>
          e.type === "connection" ? [e.state === "reconnecting" ? `reconnecting: ${e.reason}` : e.state] : [],
        )
        .filter((s, i, all) => s !== "stalled" && !(all[i - 1] === "stalled" && s === all[i - 2]));
    await h.until(
      () => states().length > 3 || (gap() > limits.quietAfterMs && afterGap() >= 10),
      "a gap in views longer than --quiet-after, then views flowing again",
      60_000,
    );
    expect(states()).toEqual(["connecting", "subscribing", "live"]);
    expect(gap()).toBeGreaterThan(limits.quietAfterMs);
  }, 80_000);
});
