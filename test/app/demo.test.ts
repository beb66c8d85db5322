import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startSimServer } from "../../src/sim/server.js";
import { reap, runBin, until } from "./support/run-bin.js";
import type { Run } from "./support/run-bin.js";

const capture = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
let run: Run | undefined;
afterEach(() => {
  reap(run);
  run = undefined;
});

type Line = Record<string, unknown>;

describe("kraken-ladder --demo / --replay with stdout piped", () => {
  // What is streamed is checked on a run stopped once it has streamed enough, not on a fixed --duration:
  // on a loaded machine start-up can eat most of a short duration (CI once saw 3 live lines in 2 s).
  it("streams NDJSON that parses line by line and exits 0 on SIGTERM: connection and live book lines with exact prices, nothing on stderr", async () => {
    run = runBin(["--demo", "BTC/USD", "ETH/USD"]);
    const liveLines = (symbol: string): Line[] =>
      run!.lines().filter((l) => l["type"] === "book" && l["symbol"] === symbol && l["state"] === "live");
    await until(
      () => liveLines("BTC/USD").length > 3 && liveLines("ETH/USD").length > 3,
      "4 live lines of each book",
    );
    run.child.kill("SIGTERM");
    expect(await run.exit).toEqual({ code: 0, signal: null });
    const raw = run.stdout();
    expect(raw.endsWith("\n")).toBe(true);
    const lines = raw
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Line);
    // Market-context lines (whichever channels the server offers) beside them; nothing else, no error.
    const market = new Set(["status", "instrument", "trade", "ticker"]);
    const types = new Set(lines.map((l) => l["type"] as string).filter((t) => !market.has(t)));
    expect(types).toEqual(new Set(["connection", "book"]));
    for (const symbol of ["BTC/USD", "ETH/USD"]) {
      const live = liveLines(symbol);
      expect(live.length).toBeGreaterThan(3);
      for (const l of live) {
        const bid = l["bid"] as { price: string; qty: string };
        const ask = l["ask"] as { price: string; qty: string };
        expect(typeof bid.price).toBe("string");
        expect(Number(bid.price)).toBeLessThan(Number(ask.price));
        expect(l["checksums"]).toMatchObject({ failed: 0 });
      }
    }
    expect(lines.at(-1)).toEqual({ type: "connection", state: "stopped" });
    expect(run.stderr()).toBe("");
  });

  it("exits 0 on its own after --duration, the stopped line last and nothing on stderr", async () => {
    run = runBin(["--demo", "BTC/USD", "--duration", "1"]);
    expect((await run.exit).code).toBe(0);
    expect(run.lines().at(-1)).toEqual({ type: "connection", state: "stopped" });
    expect(run.stderr()).toBe("");
  });

  it("--replay takes symbols and depth from the recording, reproduces its checksums, and ends with it", async () => {
    run = runBin(["--replay", capture, "--speed", "max"]);
    // No signal: the end of the recording ends the stream, exit 0.
    expect(await run.exit).toEqual({ code: 0, signal: null });
    const lines = run.lines();
    const books = lines.filter((l) => l["type"] === "book");
    expect(books.at(-1)).toMatchObject({
      symbol: "BTC/USD",
      state: "live",
      checksums: { ok: 301, failed: 0 },
      resyncs: 0,
    });
    expect(lines.some((l) => l["type"] === "resync")).toBe(false);
    // The books' last state, then the end, then the stop: no book line after the end says live.
    const ended = lines.findIndex((l) => l["type"] === "connection" && l["state"] === "ended");
    expect(ended).toBeGreaterThan(lines.lastIndexOf(books.at(-1)!));
    expect(lines.at(-1)).toEqual({ type: "connection", state: "stopped" });
    expect(lines.slice(ended).filter((l) => l["type"] === "book")).toEqual([]);
    expect(run.stderr()).toBe("");
  });

  it("--replay --speed max of two pairs with trades replays all of it: both books to their last checksum, every trade, then the end", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kl-replay-")), "two.jsonl");
    run = runBin(["--demo", "--seed", "7", "--record", file, "BTC/USD", "ETH/USD"]);
    const live = (symbol: string): boolean =>
      run!.lines().some((l) => l["type"] === "book" && l["symbol"] === symbol && l["state"] === "live");
    const trades = (): number => run!.lines().filter((l) => l["type"] === "trade").length;
    await until(() => live("BTC/USD") && live("ETH/USD") && trades() > 100, "both live, and trades");
    run.child.kill("SIGTERM");
    expect((await run.exit).code).toBe(0);
    run = runBin(["verify", "--json", file]);
    expect((await run.exit).code).toBe(0);
    const report = run.lines()[0] as {
      symbols: Record<string, { ok: number }>;
      trades: Record<string, { trades: number }>;
    };
    // At max speed the first book's frames could all be sent before the second's subscription started,
    // and the end was then said with ETH/USD never live and no trade replayed.
    run = runBin(["--replay", file, "--speed", "max"]);
    expect(await run.exit).toEqual({ code: 0, signal: null });
    const lines = run.lines();
    for (const symbol of ["BTC/USD", "ETH/USD"]) {
      const books = lines.filter((l) => l["type"] === "book" && l["symbol"] === symbol);
      expect(books.at(-1), symbol).toMatchObject({
        state: "live",
        checksums: { ok: report.symbols[symbol]!.ok, failed: 0 },
      });
      const replayed = lines.filter((l) => l["type"] === "trade" && l["symbol"] === symbol).length;
      expect(replayed, symbol).toBe(report.trades[symbol]!.trades);
    }
    // The server's `replay_ended` is said by the connection alone: it is no exchange status, and nothing
    // but the run's stop comes after `ended`.
    expect(lines.filter((l) => l["type"] === "status").map((l) => l["system"])).not.toContain("replay_ended");
    expect(lines.slice(-2)).toEqual([
      { type: "connection", state: "ended" },
      { type: "connection", state: "stopped" },
    ]);
  });

  it("--replay of a session with a resync and a trade gap replays them once, at any speed, and ends", async () => {
    // Recorded from the real simulator: BTC/USD's first book frame after 1 s fails its checksum (the feed
    // resyncs: a second snapshot in the file), and a trade id is skipped after 1 s (the feed renews its
    // trade subscription: a second trade snapshot).
    const sim = await startSimServer({
      seed: 5,
      rate: 20,
      faults: {
        corruptAtMs: 1000,
        corruptSymbol: "BTC/USD",
        skipTradeId: [{ symbol: "BTC/USD", atMs: 1000 }],
      },
    });
    const file = join(mkdtempSync(join(tmpdir(), "kl-replay-")), "faults.jsonl");
    try {
      run = runBin(["--url", sim.url, "--record", file, "BTC/USD"]);
      const seen = (type: string): boolean => run!.lines().some((l) => l["type"] === type);
      const trades = (): number => run!.lines().filter((l) => l["type"] === "trade").length;
      await until(
        () => seen("resync") && seen("trade-gap") && trades() > 70,
        "a resync, a trade gap, trades",
      );
      run.child.kill("SIGTERM");
      expect((await run.exit).code).toBe(0);
    } finally {
      await sim.close();
    }
    run = runBin(["verify", "--json", file]);
    expect((await run.exit).code).toBe(1); // the recorded mismatch
    const report = run.lines()[0] as {
      symbols: Record<string, { snapshots: number; ok: number; failed: number }>;
      trades: Record<string, { trades: number; gaps: unknown[] }>;
    };
    expect(report.symbols["BTC/USD"]).toMatchObject({ snapshots: 2, failed: 1 });
    expect(report.trades["BTC/USD"]!.gaps).toHaveLength(1);
    // Each resubscribe used to start the recording over, to fail the same checksum or show the same trade
    // gap again, for ever (and at max speed, as fast as it could).
    for (const speed of ["max", "4"]) {
      run = runBin(["--replay", file, "--speed", speed]);
      expect(await run.exit, speed).toEqual({ code: 0, signal: null });
      const lines = run.lines();
      const of = (type: string): Line[] => lines.filter((l) => l["type"] === type);
      expect(of("book").at(-1), speed).toMatchObject({
        state: "live",
        checksums: { ok: report.symbols["BTC/USD"]!.ok, failed: 1 },
        resyncs: 1,
      });
      expect(of("resync"), speed).toHaveLength(1);
      expect(of("trade-gap"), speed).toHaveLength(1);
      // Every trade once: none sent twice after the renewal.
      const ids = of("trade").map((l) => l["tradeId"]);
      expect(new Set(ids).size, speed).toBe(ids.length);
      expect(ids.length, speed).toBe(report.trades["BTC/USD"]!.trades);
      expect(lines.slice(-2), speed).toEqual([
        { type: "connection", state: "ended" },
        { type: "connection", state: "stopped" },
      ]);
    }
  }, 60_000);

  it("--replay at speed 1 keeps every stream in step however old the recorded snapshots: no book lags, a resync's included, and it lasts as long as the recording", async () => {
    // Recorded from the real simulator: BTC/USD resyncs once (its first book frame after 1 s fails its
    // checksum), so the file holds a second snapshot of it mid-way.
    const sim = await startSimServer({
      seed: 9,
      rate: 20,
      faults: { corruptAtMs: 1000, corruptSymbol: "BTC/USD" },
    });
    const file = join(mkdtempSync(join(tmpdir(), "kl-replay-")), "old-snapshots.jsonl");
    const ok = (symbol: string): number => {
      const last = run!
        .lines()
        .findLast((l) => l["type"] === "book" && l["symbol"] === symbol && l["state"] === "live");
      return (last?.["checksums"] as { ok: number } | undefined)?.ok ?? 0;
    };
    try {
      run = runBin(["--url", sim.url, "--record", file, "BTC/USD", "ETH/USD"]);
      await until(
        () => run!.lines().some((l) => l["type"] === "resync") && ok("BTC/USD") > 60 && ok("ETH/USD") > 60,
        "a resync, and both books moving for a while",
      );
      run.child.kill("SIGTERM");
      expect((await run.exit).code).toBe(0);
    } finally {
      await sim.close();
    }
    // As on Kraken, where a snapshot's timestamp is its book's last change: a quiet pair's is hours old. The
    // replay paced each stream from its snapshot's timestamp: BTC/USD's first update came ~10 s late, ETH/USD's
    // ~5 s, and every book lagged, its updates seconds behind the other's.
    const age: Record<string, number> = { "BTC/USD": 3_600_000, "ETH/USD": 600_000 };
    const lines = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) =>
        l.startsWith(`{"channel":"book","type":"snapshot"`)
          ? l.replace(/"timestamp":"([^"]+)"/, (_, t: string) => {
              const symbol = /"symbol":"([^"]+)"/.exec(l)![1]!;
              return `"timestamp":"${new Date(Date.parse(t) - age[symbol]!).toISOString()}"`;
            })
          : l,
      );
    writeFileSync(file, lines.join("\n") + "\n");
    const updates = lines
      .filter((l) => l.startsWith(`{"channel":"book","type":"update"`))
      .map((l) => Date.parse(/"timestamp":"([^"]+)"/.exec(l)![1]!));
    const recordedS = (updates.at(-1)! - updates[0]!) / 1000;
    run = runBin(["verify", "--json", file]);
    expect((await run.exit).code).toBe(1); // the recorded mismatch
    const report = run.lines()[0] as { symbols: Record<string, { ok: number }> };

    run = runBin(["--replay", file, "--speed", "1"]);
    await until(() => ok("BTC/USD") > 0 && ok("ETH/USD") > 0, "both books live");
    const started = Date.now();
    expect(await run.exit).toEqual({ code: 0, signal: null });
    const tookS = (Date.now() - started) / 1000;
    const books = run.lines().filter((l) => l["type"] === "book");
    expect(books.filter((l) => l["state"] === "lagging")).toEqual([]);
    expect(books.filter((l) => Number(l["lagMs"] ?? 0) >= 1000)).toEqual([]);
    expect(books.findLast((l) => l["symbol"] === "BTC/USD")).toMatchObject({
      state: "live",
      checksums: { ok: report.symbols["BTC/USD"]!.ok, failed: 1 },
      resyncs: 1,
    });
    expect(books.findLast((l) => l["symbol"] === "ETH/USD")).toMatchObject({
      state: "live",
      checksums: { ok: report.symbols["ETH/USD"]!.ok, failed: 0 },
    });
    // Generous bounds on a busy machine: the old pacing took the recording's time and ~10 s more.
    expect(tookS).toBeGreaterThan(recordedS * 0.5);
    expect(tookS).toBeLessThan(recordedS + 5);
  }, 60_000);

  it("--replay at speed 1 is not lagging: the server's pong times do not set the zero of a recording's lag", async () => {
    run = runBin(["--replay", capture, "--ping-interval", "0.2", "--max-lag", "1", "--duration", "5"]);
    expect((await run.exit).code).toBe(0);
    const books = run.lines().filter((l) => l["type"] === "book" && "lagMs" in l);
    expect(books.length).toBeGreaterThanOrEqual(3);
    expect(books.every((l) => l["state"] === "live" && Number(l["lagMs"]) < 1000)).toBe(true);
  });

  it("an unreadable recording for --replay exits 2 with a message", async () => {
    run = runBin(["--replay", "/nonexistent/rec.jsonl"]);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toMatch(/cannot replay \/nonexistent\/rec\.jsonl/);
  });
});
