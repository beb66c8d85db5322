import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it, onTestFinished } from "vitest";
import { ScriptedServer } from "../feed/support/scripted-server.js";
import { BIN, reap, runBin, until } from "./support/run-bin.js";
import type { Run } from "./support/run-bin.js";

let server: ScriptedServer | undefined;
let run: Run | undefined;
const dir = mkdtempSync(join(tmpdir(), "kl-app-"));
afterEach(async () => {
  reap(run);
  await server?.close();
  run = undefined;
  server = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Line = Record<string, unknown>;
const books = (lines: Line[], symbol: string): Line[] =>
  lines.filter((l) => l["type"] === "book" && l["symbol"] === symbol);

describe("kraken-ladder (root command) with stdout piped: NDJSON", () => {
  it("a resync line says how long the book waits before it is subscribed again: 0 at first, a backoff after", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 63388 } });
    // A 20 s base: the second failure waits 10 to 20 s (equal jitter).
    run = runBin(["--url", server.url, "--depth", "10", "--backoff-base", "20", "BTC/USD"]);
    const resyncs = (): Line[] => run!.lines().filter((l) => l["type"] === "resync");
    const liveAfter = (i: number): boolean =>
      books(run!.lines().slice(i), "BTC/USD").some((l) => l["state"] === "live");
    await until(() => liveAfter(0), "BTC live");
    server.corruptNext("BTC/USD");
    await until(() => resyncs().length === 1, "a resync line");
    await until(() => liveAfter(run!.lines().indexOf(resyncs()[0]!)), "BTC live again");
    server.corruptNext("BTC/USD");
    await until(() => resyncs().length === 2, "a second resync line");
    const [first, second] = resyncs();
    expect(first).toEqual({ type: "resync", symbol: "BTC/USD", reason: "checksum-mismatch", retryInMs: 0 });
    expect(second).toMatchObject({ type: "resync", symbol: "BTC/USD", reason: "checksum-mismatch" });
    expect(second!["retryInMs"]).toBeGreaterThanOrEqual(10_000);
    expect(second!["retryInMs"]).toBeLessThanOrEqual(20_000);
  });

  it("streams connection, book, resync, rejected and error lines, and stops on SIGTERM with exit 0", async () => {
    server = await ScriptedServer.start({ reject: ["FOO/BAR"], mids: { "BTC/USD": 63388 } });
    run = runBin(["--url", server.url, "--depth", "10", "btc/usd", "ETH/USD", "FOO/BAR"]);
    await until(() => books(run!.lines(), "ETH/USD").some((l) => l["state"] === "live"), "ETH live");
    server.corruptNext("BTC/USD");
    // A broken heartbeat: reported, and (unlike a broken book frame) no book resyncs for it.
    server.broadcast('{"channel":"heartbeat",oops}');
    await until(() => run!.lines().some((l) => l["type"] === "resync"), "a resync line");
    await until(() => run!.lines().some((l) => l["type"] === "error"), "an error line");
    // The corrupted update can be BTC's first after its snapshot: wait for it to be live again with its lag
    // measured (a snapshot alone gives none) before stopping, or a loaded machine stops it first.
    const resyncedAt = run.lines().findIndex((l) => l["type"] === "resync");
    await until(
      () =>
        books(run!.lines().slice(resyncedAt), "BTC/USD").some((l) => l["state"] === "live" && "lagMs" in l),
      "BTC live again, with its lag",
    );
    run.child.kill("SIGTERM");
    const { code } = await run.exit;
    expect(code).toBe(0);
    const lines = run.lines();
    expect(lines.filter((l) => l["type"] === "connection").slice(0, 3)).toEqual([
      { type: "connection", state: "connecting", attempt: 1 },
      { type: "connection", state: "subscribing" },
      { type: "connection", state: "live" },
    ]);
    expect(lines.at(-1)).toEqual({ type: "connection", state: "stopped" });
    expect(lines).toContainEqual({
      type: "rejected",
      symbol: "FOO/BAR",
      reason: "Currency pair not supported FOO/BAR",
    });
    expect(lines).toContainEqual({
      type: "resync",
      symbol: "BTC/USD",
      reason: "checksum-mismatch",
      retryInMs: 0,
    });
    expect(lines.find((l) => l["type"] === "error")?.["message"]).toMatch(/malformed/);
    // The first live line after an update has been measured (a snapshot alone gives no lag).
    const btc = books(lines, "BTC/USD").find((l) => l["state"] === "live" && "lagMs" in l)!;
    expect(Object.keys(btc)).toEqual([
      "type",
      "symbol",
      "state",
      "bid",
      "ask",
      "spread",
      "mid",
      "checksums",
      "resyncs",
      "time",
      "lagMs",
    ]);
    expect(btc["bid"]).toEqual({ price: "63387.9", qty: expect.stringMatching(/^\d+\.\d{8}$/) as unknown });
    expect(btc["spread"]).toBe("0.2");
    expect(btc["mid"]).toBe("63388");
    // A resyncing book is printed without prices.
    const resyncing = books(lines, "BTC/USD").find((l) => l["state"] === "resyncing");
    if (resyncing !== undefined) expect(resyncing["bid"]).toBeUndefined();
    await until(() => server!.closeCodes.length === 1, "server saw the close");
    expect(server.closeCodes).toEqual([1000]);
  });

  it("stops by itself after --duration, and on SIGINT, both with exit 0", async () => {
    server = await ScriptedServer.start();
    run = runBin(["--url", server.url, "--depth", "10", "--duration", "2"]);
    const started = Date.now();
    expect((await run.exit).code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(books(run.lines(), "BTC/USD").length).toBeGreaterThan(0);
    expect(run.lines().at(-1)).toEqual({ type: "connection", state: "stopped" });

    run = runBin(["--url", server.url, "--depth", "10"]);
    await until(() => books(run!.lines(), "BTC/USD").length > 0, "a book line");
    run.child.kill("SIGINT");
    expect((await run.exit).code).toBe(0);
  });

  it("ends with exit 1 and says why when nothing is left to watch: every pair rejected, or a market that lists none", async () => {
    server = await ScriptedServer.start({ reject: ["FOO/BAR", "XYZ/USD"] });
    run = runBin(["--url", server.url, "FOO/BAR", "XYZ/USD"]);
    expect((await run.exit).code).toBe(1);
    const said = "nothing left to watch: the exchange rejected every pair watched: FOO/BAR, XYZ/USD";
    expect(run.stderr()).toBe(`kraken-ladder: ${said}\n`);
    const lines = run.lines();
    expect(lines.filter((l) => l["type"] === "rejected").map((l) => l["symbol"])).toEqual([
      "FOO/BAR",
      "XYZ/USD",
    ]);
    expect(lines).toContainEqual({ type: "error", message: said });
    expect(lines.at(-1)).toEqual({ type: "connection", state: "stopped" });

    run = runBin(["--demo", "--quote", "ZZZ"]);
    expect((await run.exit).code).toBe(1);
    expect(run.stderr()).toBe(
      "kraken-ladder: the exchange lists no online pairs quoted in ZZZ: nothing to watch\n",
    );

    // One pair rejected among others: the run goes on.
    run = runBin(["--url", server.url, "--duration", "1.5", "BTC/USD", "FOO/BAR"]);
    expect((await run.exit).code).toBe(0);
    expect(run.lines()).toContainEqual(expect.objectContaining({ type: "rejected", symbol: "FOO/BAR" }));
    expect(run.stderr()).toBe("");
  });

  it("prints book lines at most --fps times a second per symbol, and only on change", async () => {
    server = await ScriptedServer.start({ updateMs: 5 });
    run = runBin(["--url", server.url, "--depth", "10", "--fps", "4", "--duration", "2.5", "--json"]);
    expect((await run.exit).code).toBe(0);
    const lines = books(run.lines(), "BTC/USD");
    // At most 2.5 s at 4 per second, plus the final one on stop; the server sent ~100 updates.
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(12);
    for (let i = 1; i < lines.length; i++) expect(lines[i]).not.toEqual(lines[i - 1]);
  });

  it("keeps reconnecting with backoff while the server is down, reporting each attempt", async () => {
    server = await ScriptedServer.start();
    const url = server.url;
    await server.close();
    server = undefined;
    run = runBin(["--url", url, "--backoff-base", "0.05", "--backoff-cap", "0.2", "--duration", "2"]);
    expect((await run.exit).code).toBe(0);
    const reconnecting = run.lines().filter((l) => l["state"] === "reconnecting");
    expect(reconnecting.length).toBeGreaterThanOrEqual(3);
    expect(reconnecting.map((l) => l["attempt"]).slice(0, 3)).toEqual([2, 3, 4]);
    for (const l of reconnecting) expect(l["retryInMs"]).toBeLessThanOrEqual(200);
    // Nothing was lost: no socket ever opened.
    const errors = run.lines().filter((l) => l["type"] === "error");
    expect(errors.length).toBeGreaterThanOrEqual(3);
    for (const e of errors)
      expect(e["message"]).toMatch(/^cannot connect: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  /** The `error` lines of a run against `url` that never connects: each one says `message`. */
  async function connectErrors(url: string, message: string): Promise<void> {
    run = runBin(["--url", url, "--backoff-base", "0.05", "--duration", "1"]);
    expect((await run.exit).code).toBe(0);
    const errors = run.lines().filter((l) => l["type"] === "error");
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const e of errors) expect(e["message"]).toBe(`cannot connect: ${message}`);
  }

  it("says what to try when a wss:// URL reaches a server without TLS", async () => {
    server = await ScriptedServer.start();
    await connectErrors(
      server.url.replace(/^ws:/, "wss:"),
      "TLS failed: the server answered without TLS (a ws:// endpoint, not wss://?)",
    );
  });

  it("says what to check when the URL reaches an HTTP server that does not open a WebSocket", async () => {
    const http = createServer((_req, res) => res.writeHead(404).end("no such page"));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => void http.close());
    const { port } = http.address() as AddressInfo;
    await connectErrors(
      `ws://127.0.0.1:${port}/nope`,
      "the server answered HTTP 404 instead of opening a WebSocket: check the URL (Kraken's ends in /v2)",
    );
  });

  it("says the endpoint is refusing for now, not that the URL is wrong, for an HTTP 429 or 5xx; backs off slowly after a 429", async () => {
    for (const [status, message] of [
      [429, "the server answered HTTP 429 (too many requests): refused for now, retrying slowly"],
      [503, "the server answered HTTP 503: unavailable for now (down, overloaded or shutting down?)"],
    ] as const) {
      const http = createServer((_req, res) => res.writeHead(status).end());
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
      try {
        await connectErrors(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/v2`, message);
      } finally {
        http.close();
      }
      // --backoff-base 0.05: a first retry waits up to 50 ms, a slow one (a server pushing back) 100–200 ms.
      const first = run?.lines().find((l) => l["type"] === "connection" && l["state"] === "reconnecting");
      expect(first?.["retryInMs"]).toSatisfy((ms: number) => (status === 429 ? ms >= 100 : ms <= 50));
    }
  });

  it("says what it means when a server takes the connection but never answers the WebSocket handshake", async () => {
    // A stopped server's socket still takes connections (the kernel's backlog), and answers nothing.
    const silent = createNetServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => void silent.close());
    const { port } = silent.address() as AddressInfo;
    run = runBin([
      "--url",
      `ws://127.0.0.1:${port}`,
      "--read-timeout",
      "1.6",
      "--ping-interval",
      "0.5",
      "--duration",
      "2.5",
    ]);
    expect((await run.exit).code).toBe(0);
    const errors = run.lines().filter((l) => l["type"] === "error");
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]!["message"]).toBe(
      "cannot connect: the server took the connection but did not answer the WebSocket handshake within --read-timeout (stopped, or overloaded?)",
    );
  });

  it("records with --record, and the recording verifies", async () => {
    server = await ScriptedServer.start();
    const file = join(dir, "rec.jsonl");
    run = runBin(["--url", server.url, "--depth", "10", "--record", file, "ETH/USD"]);
    await until(() => server!.sent.length > 20, "20 frames sent");
    run.child.kill("SIGTERM");
    expect((await run.exit).code).toBe(0);
    const recorded = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(recorded.length).toBeGreaterThan(10);
    expect(recorded).toEqual(server.sent.slice(0, recorded.length));
    const verify = spawnSync(process.execPath, [BIN, "verify", file], { encoding: "utf8" });
    expect(verify.status).toBe(0);
  });

  it("exits 2 for an empty --record or --replay (a variable that was not set), naming the option", async () => {
    for (const flag of ["--record", "--replay"]) {
      run = runBin(["--demo", flag, "", "BTC/USD"]);
      expect((await run.exit).code, flag).toBe(2);
      expect(run.stderr()).toMatch(
        new RegExp(
          `^error: option '${flag} <file>' argument '' is invalid\\. expected a file name; it is empty\\.\n`,
        ),
      );
      expect(run.stdout()).toBe("");
    }
  });

  it("exits 2 with a clear message for a bad symbol, before connecting", async () => {
    server = await ScriptedServer.start();
    run = runBin(["--url", server.url, "BTC/USD", "BTCUSD"]);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toMatch(/bad symbol "BTCUSD": expected BASE\/QUOTE/);
    expect(run.stdout()).toBe("");
    expect(server.connections).toBe(0);
  });

  it("maps legacy names with a notice on stderr", async () => {
    server = await ScriptedServer.start();
    run = runBin(["--url", server.url, "--depth", "10", "XBT/USD"]);
    await until(() => server!.requests().length > 0, "a subscribe");
    run.child.kill("SIGTERM");
    expect((await run.exit).code).toBe(0);
    expect(run.stderr()).toMatch(/XBT\/USD is a legacy name; using BTC\/USD/);
    expect(server.requests()[0]).toBe("subscribe BTC/USD@10");
  });
});
