import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, ROOT, runCli } from "../helpers/run-cli.js";
import { BookChecker, TestClient, isBook, isBookOf } from "./kraken-client.js";

const CAPTURE = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));

type Running = { child: ChildProcessWithoutNullStreams; url: string; exited: Promise<number | null> };

let children: ChildProcessWithoutNullStreams[] = [];
let clients: TestClient[] = [];
afterEach(() => {
  for (const c of clients) c.close();
  for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill("SIGKILL");
  children = [];
  clients = [];
});

/** Starts `kraken-ladder simulate ...args` and resolves with the URL from its first stdout line. */
function simulate(args: readonly string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, "simulate", ...args], { cwd: ROOT, stdio: "pipe" });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve({ child, url: out.slice(0, nl), exited });
    });
    void exited.then((code) => reject(new Error(`simulate exited (${code}) before printing a URL: ${err}`)));
  });
}

async function connect(url: string): Promise<TestClient> {
  const c = await TestClient.connect(url);
  clients.push(c);
  return c;
}

describe("kraken-ladder simulate", () => {
  it("prints its ws:// URL on the first line, serves the demo market, and exits 0 on SIGTERM", async () => {
    const sim = await simulate(["--seed", "3", "--rate", "200"]);
    expect(sim.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const c = await connect(sim.url);
    c.subscribe(["BTC/USD", "DOGE/USD"], 10);
    await c.waitFor(isBookOf("DOGE/USD"));
    await c.waitForCount(isBook, 20);
    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
    // A server going away says so (1001), as a dropped connection (1006) would not.
    expect(await c.waitClosed()).toBe(1001);
  });

  it("--pairs N serves N synthetic pairs beside the built-in ones in instrument, each subscribable at depth 1000 with every checksum right", async () => {
    const sim = await simulate(["--seed", "4", "--rate", "50", "--pairs", "30"]);
    const c = await connect(sim.url);
    c.send({ method: "subscribe", params: { channel: "instrument" }, req_id: 1 });
    const snapshot = (t: string): boolean => t.startsWith('{"channel":"instrument","type":"snapshot"');
    await c.waitFor(snapshot);
    const frame = c.json(snapshot)[0] as {
      data: { pairs: { symbol: string; price_precision: number; quote: string }[] };
    };
    const symbols = frame.data.pairs.map((p) => p.symbol);
    expect(symbols).toHaveLength(9 + 30);
    expect(new Set(frame.data.pairs.map((p) => p.price_precision)).size).toBeGreaterThan(3);
    const synthetic = symbols.slice(9, 15);
    c.subscribe(synthetic, 1000);
    const checker = new BookChecker(1000);
    await c.waitForCount(isBook, 60);
    for (const f of c.frames) if (isBook(f.text)) checker.apply(f.text);
    expect(checker.totals.snapshots).toBe(synthetic.length);
    expect(checker.totals.mismatched + checker.totals.crossed).toBe(0);
    for (const s of synthetic) expect(checker.books.get(s)!.bids.size).toBe(1000);
  });

  it("exits 0 on SIGINT too", async () => {
    const sim = await simulate([]);
    sim.child.kill("SIGINT");
    expect(await sim.exited).toBe(0);
  });

  it("passes fault flags to the server: --reject and --drop-every with --drop-mode terminate", async () => {
    const sim = await simulate(["--reject", "ETH/USD", "--drop-every", "0.5", "--drop-mode", "terminate"]);
    const c = await connect(sim.url);
    c.subscribe(["ETH/USD", "BTC/USD"], 10, 4);
    await c.waitFor((t) => t.includes("Currency pair not supported ETH/USD"));
    await c.waitFor(isBookOf("BTC/USD"));
    expect(await c.waitClosed()).toBe(1006);
    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
  });

  it("names a fault's pairs as the client does: eth/usd and XBT/USD are ETH/USD and BTC/USD", async () => {
    const sim = await simulate(["--reject", "eth/usd", "--unanswered", "xbt/usd"]);
    const c = await connect(sim.url);
    c.subscribe(["ETH/USD", "BTC/USD", "SOL/USD"], 10, 4);
    await c.waitFor((t) => t.includes("Currency pair not supported ETH/USD"));
    await c.waitFor(isBookOf("SOL/USD"));
    expect(c.frames.some((f) => f.text.includes('"symbol":"BTC/USD"'))).toBe(false);
    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
  });

  it("passes market fault flags to the server: --pair-status, --system-status, --repeat-trade-id (repeatable)", async () => {
    const sim = await simulate([
      "--seed",
      "5",
      "--rate",
      "500",
      "--pair-status",
      "BTC/USD=limit_only@1s",
      "--pair-status",
      "ETH/USD=delisted@1.2",
      "--system-status",
      "post_only@2.5s",
      "--repeat-trade-id",
      "BTC/USD@1.5s",
    ]);
    const c = await connect(sim.url);
    c.send({ method: "subscribe", params: { channel: "instrument" }, req_id: 1 });
    c.send({ method: "subscribe", params: { channel: "trade", symbol: ["BTC/USD"] }, req_id: 2 });
    await c.waitFor((t) => t.includes(`"system":"post_only"`), { timeoutMs: 5000 });
    const updates = c.frames.filter((f) => f.text.startsWith(`{"channel":"instrument","type":"update"`));
    expect(updates.map((f) => /"symbol":"([^"]+)".*"status":"([a-z_]+)"/.exec(f.text)!.slice(1))).toEqual([
      ["BTC/USD", "limit_only"],
      ["ETH/USD", "delisted"],
    ]);
    const ids = [
      ...c.frames
        .map((f) => f.text)
        .join("")
        .matchAll(/"trade_id":(\d+)/g),
    ].map((m) => Number(m[1]));
    expect(ids.slice(1).filter((id, k) => id === ids[k]).length).toBe(1);
    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
  });

  it("passes bound flags to the server: --msg-rate, --msg-burst, --max-symbols, --max-buffer", async () => {
    const sim = await simulate(["--msg-rate", "0.5", "--msg-burst", "3", "--max-symbols", "2"]);
    const c = await connect(sim.url);
    c.subscribe(["BTC/USD", "ETH/USD", "SOL/USD"], 10, 1);
    c.send({ method: "ping", req_id: 2 });
    c.send({ method: "ping", req_id: 3 });
    c.send({ method: "ping", req_id: 4 });
    await c.waitFor((t) => t.includes(`"req_id":4`));
    const replies = c.json((t) => t.includes(`"req_id"`));
    expect(replies.map((r) => [r["req_id"], r["error"]])).toEqual([
      [1, "Too many symbols: 3 in one request, at most 2"],
      [2, undefined],
      [3, undefined],
      [4, "Exceeded msg rate"],
    ]);
    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);

    const big = await simulate(["--max-buffer", "0.25", "--msg-rate", "100", "--msg-burst", "100"]);
    let err = "";
    const dropped = new Promise<string>((resolve) =>
      big.child.stderr.on("data", (chunk: string) => {
        err += chunk;
        const m = /dropped connection #0 .*/.exec(err);
        if (m !== null) resolve(m[0]);
      }),
    );
    const slow = await connect(big.url);
    slow.ws.pause();
    // Depth-1000 snapshots of every pair, 40 times over: more than the kernel's buffers hold.
    const pairs = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "DOGE/USD", "ADA/EUR", "LTC/USD"];
    for (let i = 0; i < 40; i++) {
      slow.subscribe(pairs, 1000);
      slow.unsubscribe(pairs, 1000);
    }
    expect(await dropped).toMatch(/send buffer over 256 KiB: client not reading .*close 1013$/);
    big.child.kill("SIGTERM");
    expect(await big.exited).toBe(0);
  });

  it("replays a recording with --replay and --speed max", async () => {
    const sim = await simulate(["--replay", CAPTURE, "--speed", "max"]);
    const c = await connect(sim.url);
    c.subscribe(["BTC/USD"], 10);
    await c.waitForCount(isBook, 301);
    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
  });

  it("--seed repeats a replay's chance faults: the same checksums corrupted on the same frames", async () => {
    const checksums = async (seed: string): Promise<string[]> => {
      const sim = await simulate([
        "--replay",
        CAPTURE,
        "--speed",
        "max",
        "--corrupt-prob",
        "0.3",
        "--seed",
        seed,
      ]);
      const c = await connect(sim.url);
      c.subscribe(["BTC/USD"], 10);
      await c.waitForCount(isBook, 301);
      sim.child.kill("SIGTERM");
      expect(await sim.exited).toBe(0);
      return c.json(isBook).map((m) => JSON.stringify((m.data as { checksum: number }[])[0]!.checksum));
    };
    const [a, b, other] = [await checksums("5"), await checksums("5"), await checksums("6")];
    expect(a).toHaveLength(301);
    expect(b).toEqual(a);
    expect(other).not.toEqual(a);
    // Without a chance fault a replay draws nothing from the seed.
    const r = await runCli(["simulate", "--replay", CAPTURE, "--corrupt-at", "1", "--seed", "5"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      "error: --seed is for the demo market, and for --corrupt-prob and --malformed-prob; it does nothing with --replay without one of them",
    );
  });

  it("rejects bad values with exit 2: rate, port, speed, drop mode, malformed kinds, probability, bounds", async () => {
    for (const args of [
      ["--rate", "0"],
      ["--port", "70000"],
      ["--speed", "fast"],
      ["--drop-mode", "explode"],
      ["--malformed-kinds", "json,nonsense"],
      ["--corrupt-prob", "2"],
      ["--silence", "0"],
      ["--max-buffer", "0"],
      ["--msg-rate", "0"],
      ["--msg-burst", "1.5"],
      ["--max-symbols", "0"],
      ["--pair-status", "BTC/USD@10s"],
      ["--system-status", "sleepy@1"],
      ["--skip-trade-id", "BTC/USD@soon"],
      ["--unanswered", "nope"],
      ["--reject", "ETH-USD"],
      ["--corrupt-symbol", "btc_usd"],
      ["--repeat-trade-id", "BTC/US$D@1s"],
      ["--replay", ""],
      ["--bogus"],
    ]) {
      const r = await runCli(["simulate", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("Usage: kraken-ladder simulate");
    }
    // A status is any word of lower case and _: Kraken's are examples, not the only ones taken.
    const status = await runCli(["simulate", "--pair-status", "BTC/USD=post-only@5s"]);
    expect(status.stderr).toContain(
      "STATUS is lower case and _ (Kraken's: online, cancel_only, post_only, limit_only, reduce_only, maintenance, delisted; any other word tries a client on one it does not know)",
    );
    // Without its time, each flag's message names its own shape.
    for (const [flag, value, shape] of [
      ["--pair-status", "BTC/USD=halted", "expected SYMBOL=STATUS@SECONDS, e.g. BTC/USD=post_only@10s."],
      ["--system-status", "maintenance", "expected STATUS@SECONDS, e.g. maintenance@20s."],
      ["--skip-trade-id", "BTC/USD", "expected SYMBOL@SECONDS, e.g. BTC/USD@5s."],
    ] as const) {
      const r = await runCli(["simulate", flag, value]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr, flag).toContain(shape);
    }
  });

  it("a flag that would do nothing is exit 2, naming what it needs; with what it needs, the server starts", async () => {
    for (const [args, message] of [
      [
        ["--corrupt-symbol", "BTC/USD"],
        "--corrupt-symbol limits --corrupt-prob and --corrupt-at; it does nothing without one of them",
      ],
      [
        ["--drop-mode", "terminate"],
        "--drop-mode is how --drop-every drops a connection; it does nothing without --drop-every",
      ],
      [
        ["--malformed-kinds", "json"],
        "--malformed-kinds chooses the frames of --malformed-prob and --malformed-every; it does nothing without one of them",
      ],
      [
        ["--silence-after", "3"],
        "--silence-after is when --silence starts; it does nothing without --silence",
      ],
      [
        ["--burst-wait", "2"],
        "--burst-wait is how long --burst holds a partial group; it does nothing without --burst",
      ],
      [["--burst", "1"], "--burst 1 releases each frame as it comes; it does nothing (give 2 or more)"],
      [
        ["--unanswered", "ETH/USD", "--reject", "eth/usd"],
        "--unanswered ETH/USD does nothing: --reject ETH/USD refuses every subscription to that pair",
      ],
      [
        ["--reject", "BTC/USD", "--corrupt-symbol", "XBT/USD", "--corrupt-prob", "0.5"],
        "--corrupt-symbol BTC/USD does nothing: --reject BTC/USD refuses every subscription to that pair",
      ],
      [
        ["--reject", "SOL/USD", "--repeat-trade-id", "SOL/USD@2"],
        "--repeat-trade-id SOL/USD does nothing: --reject SOL/USD refuses every subscription to that pair",
      ],
      [
        ["--unanswered", "ETH/USD", "--corrupt-symbol", "ETH/USD", "--corrupt-at", "1"],
        "--corrupt-symbol ETH/USD does nothing: --unanswered ETH/USD sends that pair no book frame to corrupt",
      ],
      [
        ["--drop-every", "3", "--silence", "1"],
        "--silence would start 5 s after a connection opens (--silence-after), but --drop-every 3 s closes every connection first: it would never happen",
      ],
      [
        ["--drop-every", "2", "--corrupt-at", "2"],
        "--corrupt-at 2 s would never happen: --drop-every 2 s closes every connection first",
      ],
      [
        ["--drop-every", "1.5", "--malformed-every", "4"],
        "--malformed-every 4 s would never happen: --drop-every 1.5 s closes every connection first",
      ],
    ] as const) {
      const r = await runCli(["simulate", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(r.stderr.split("\n").slice(0, 2), args.join(" ")).toEqual([
        `error: ${message}`,
        "Usage: kraken-ladder simulate [options]",
      ]);
    }
    const sim = await simulate([
      ...["--drop-every", "3", "--drop-mode", "terminate", "--silence", "1", "--silence-after", "2"],
      ...["--corrupt-symbol", "BTC/USD", "--corrupt-at", "1", "--malformed-kinds", "json"],
      ...["--malformed-every", "2.5", "--burst", "2", "--burst-wait", "0.5"],
      ...["--reject", "ETH/USD", "--unanswered", "SOL/USD", "--skip-trade-id", "BTC/USD@1"],
    ]);
    expect(sim.url).toMatch(/^ws:\/\//);
  });

  it("a market fault with --replay is exit 2: a replay serves the recorded frames as they are", async () => {
    // The recording holds BTC/USD: the faults name a pair it has, and used to be accepted, then ignored.
    for (const args of [
      ["--skip-trade-id", "BTC/USD@1"],
      ["--repeat-trade-id", "BTC/USD@1"],
      ["--pair-status", "BTC/USD=post_only@2"],
      ["--system-status", "maintenance@2"],
    ]) {
      const r = await runCli(["simulate", "--replay", CAPTURE, "--speed", "max", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(r.stderr.split("\n")[0], args.join(" ")).toBe(
        `error: ${args[0]} is a fault of the demo market; it does nothing with --replay, which serves the recorded frames as they are`,
      );
    }
  });

  it("fails with exit 2 when the recording cannot be read, saying what the file system said", async () => {
    const r = await runCli(["simulate", "--replay", "/nonexistent/file.jsonl"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "kraken-ladder simulate: cannot serve /nonexistent/file.jsonl: ENOENT: no such file or directory\n",
    );
  });

  it("an address it cannot listen on is exit 1 with the reason, a recording given or not", async () => {
    const busy = await simulate([]);
    const port = new URL(busy.url).port;
    for (const args of [
      ["--port", port],
      ["--replay", CAPTURE, "--port", port],
    ]) {
      const r = await runCli(["simulate", ...args]);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toBe(
        `kraken-ladder simulate: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`,
      );
    }
  });

  it("a fault aimed at a pair the market or the recording does not have is exit 2, naming flag and pair", async () => {
    const r = await runCli([
      "simulate",
      "--skip-trade-id",
      "BTC/USDT@3s",
      "--pair-status",
      "ETH/USD=post_only@1s",
      "--unanswered",
      "FOO/USD",
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      "kraken-ladder simulate: --unanswered FOO/USD: the demo market has no such pair, so the fault would never happen",
      "kraken-ladder simulate: --skip-trade-id BTC/USDT: the demo market has no such pair, so the fault would never happen",
    ]);
    // The recording holds BTC/USD alone.
    const replay = await runCli([
      ...["simulate", "--replay", CAPTURE],
      ...["--corrupt-symbol", "ETH/USD", "--corrupt-prob", "0.1"],
    ]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toBe(
      `kraken-ladder simulate: --corrupt-symbol ETH/USD: the recording ${CAPTURE} has no such pair, so the fault would never happen\n`,
    );
  });
});
