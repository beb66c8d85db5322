import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import type { Socket } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { reap, runBin, until } from "../app/support/run-bin.js";
import { ScriptedServer } from "../feed/support/scripted-server.js";
import { json, request, serve, SseReader } from "./serve-process.js";
import type { Data, Reply, Served } from "./serve-process.js";

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

async function open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const r = await SseReader.open(url, headers);
  readers.push(r);
  return r;
}

/** An OPTIONS request: a browser's preflight of a GET when `origin` is given. */
function options(url: string, origin?: string): Promise<Reply> {
  const headers = origin === undefined ? {} : { origin, "access-control-request-method": "GET" };
  return new Promise((resolve, reject) => {
    httpRequest(url, { method: "OPTIONS", headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on("error", reject)
      .end();
  });
}

/** The status line of a GET with this exact request target, sent over a raw socket. */
function statusLine(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    socket.on("error", reject);
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      reply += chunk;
      if (reply.includes("\r\n")) {
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf("\r\n")));
      }
    });
    socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

async function untilLive(url: string, symbol = "BTC-USD"): Promise<Data> {
  for (;;) {
    const r = await json(`${url}/book/${symbol}`);
    if (r.status === 200) return r.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("serve --demo (installed binary)", () => {
  it("prints the base URL first, answers /health, /symbols and /book by any spelling, 404 naming the served symbols for an unknown one", async () => {
    served = await serve(["--demo", "--port", "0", "BTC/USD", "ETH/USD"]);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const book = await untilLive(served.url);
    expect(book).toMatchObject({ symbol: "BTC/USD", state: "live" });
    expect(Object.keys(book)).toEqual([
      "symbol",
      "state",
      "version",
      "checksum",
      "lagMs",
      "time",
      "bids",
      "asks",
      "spread",
      "mid",
    ]);
    expect(book.bids).toHaveLength(25);
    expect(typeof book.bids[0]?.price).toBe("string");
    expect(typeof book.checksum).toBe("number");
    const encoded = await json(`${served.url}/book/BTC%2FUSD?levels=3`);
    expect(encoded.status).toBe(200);
    expect(encoded.body.asks).toHaveLength(3);
    // As written, with its slash: what a user types.
    const plain = await json(`${served.url}/book/btc/usd?levels=2`);
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ symbol: "BTC/USD", state: "live" });
    expect(plain.body.bids).toHaveLength(2);
    // By the legacy names the command line and the library map (XBT is BTC), in every form.
    for (const alias of ["XBT-USD", "xbt/usd", "XBT%2FUSD"]) {
      const r = await json(`${served.url}/book/${alias}?levels=1`);
      expect(r, alias).toMatchObject({ status: 200, body: { symbol: "BTC/USD", state: "live" } });
    }
    expect((await json(`${served.url}/trades/XBT-USD`)).status).not.toBe(404);
    const unknown = await json(`${served.url}/book/DOGE%2FUSD`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: 'unknown symbol "DOGE/USD": this server serves BTC/USD, ETH/USD',
      symbols: ["BTC/USD", "ETH/USD"],
    });
    expect((await json(`${served.url}/trades/DOGE-USD`)).body.symbols).toEqual(["BTC/USD", "ETH/USD"]);
    const endpoints =
      "/, /health, /symbols, /book/:symbol, /trades/:symbol, /stream, /stream/:symbol, /metrics";
    for (const path of ["/book/BTC/USD/x", "/book/", "/health//", "//book/BTC-USD"])
      expect(await json(`${served.url}${path}`), path).toEqual({
        status: 404,
        body: { error: `not found: this server answers ${endpoints}` },
      });
    // A parameter given twice has no one meaning: said, not guessed (the first was served before).
    for (const path of [
      "/book/BTC-USD?levels=2&levels=3",
      "/stream?levels=2&levels=2",
      "/symbols?token=a&token=b",
    ])
      expect(await json(`${served.url}${path}`), path).toEqual({
        status: 400,
        body: {
          error: expect.stringMatching(
            /^query parameter "(levels|token)" given 2 times: give it once$/,
          ) as string,
        },
      });
    expect((await json(`${served.url}/book/BTC-USD?levels=0`)).status).toBe(400);
    // A misspelt parameter is said, not quietly served the default.
    const unknownParameters: [string, string][] = [
      ["/book/BTC-USD?level=5", '"level": /book/:symbol takes levels, token'],
      ["/trades/BTC-USD?levels=5", '"levels": /trades/:symbol takes limit, token'],
      ["/stream?symbol=BTC-USD", '"symbol": /stream takes levels, token'],
      ["/stream/BTC-USD?levels=2&lvl=3", '"lvl": /stream/:symbol takes levels, token'],
      ["/symbols?levels=3", '"levels": /symbols takes token'],
      ["/metrics?format=json", '"format": /metrics takes token'],
    ];
    for (const [path, said] of unknownParameters) {
      expect(await json(`${served.url}${path}`), path).toEqual({
        status: 400,
        body: { error: `unknown query parameter ${said}` },
      });
    }
    // The page and the health check take what a link or a probe adds.
    expect((await fetch(`${served.url}/?utm_source=chat`)).status).toBe(200);
    expect((await json(`${served.url}/health?probe=1`)).status).toBe(200);
    const health = await json(`${served.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      connection: "live",
      books: [
        { symbol: "BTC/USD", state: "live", servable: true },
        { symbol: "ETH/USD", state: expect.any(String), servable: expect.any(Boolean) },
      ],
    });
    const symbols = await json(`${served.url}/symbols`);
    expect(symbols.body.symbols?.map((s) => s.symbol)).toEqual(["BTC/USD", "ETH/USD"]);
    expect(symbols.body.symbols?.[0]).toMatchObject({ depth: 25, resyncs: 0, checksums: { failed: 0 } });
    expect((await request(`${served.url}/`)).body).toContain("<html");
    // HEAD (a probe asking whether an endpoint is there) is answered at once, with no body, streams too:
    // a HEAD /stream used to hold its headers for ever, and count as a client.
    for (const path of [
      "/",
      "/health",
      "/symbols",
      "/book/BTC-USD",
      "/metrics",
      "/stream",
      "/stream/BTC-USD",
    ]) {
      const head = await fetch(`${served.url}${path}`, {
        method: "HEAD",
        signal: AbortSignal.timeout(5_000),
      });
      expect(head.status, path).toBe(200);
      expect(await head.text(), path).toBe("");
    }
    expect((await fetch(`${served.url}/stream`, { method: "HEAD" })).headers.get("content-type")).toBe(
      "text/event-stream; charset=utf-8",
    );
    expect((await request(`${served.url}/metrics`)).body).toMatch(/^kraken_ladder_sse_clients 0$/m);
    const aliased = await open(`${served.url}/stream/XBT-USD?levels=1`);
    await aliased.until((events) => events.some((e) => e.event === "book" && e.data.symbol === "BTC/USD"));
    const post = await fetch(`${served.url}/book/BTC-USD`, { method: "POST" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    // A path that starts with two slashes is that path (unknown), not a URL naming the host "symbols" (which
    // served the page); a target that is no URL is the client's error, not the server's; an absolute one
    // (what a proxy sends) is its path.
    const port = Number(new URL(served.url).port);
    expect(await statusLine(port, "//symbols")).toBe("HTTP/1.1 404 Not Found");
    expect(await statusLine(port, "//book/BTC-USD")).toBe("HTTP/1.1 404 Not Found");
    expect(await statusLine(port, "http://[")).toBe("HTTP/1.1 400 Bad Request");
    expect(await statusLine(port, "http://elsewhere/symbols")).toBe("HTTP/1.1 200 OK");
    // A slash at the end is the same path; two are not.
    expect(await statusLine(port, "/health/")).toBe("HTTP/1.1 200 OK");
    expect(await statusLine(port, "/book/BTC/USD/")).toBe("HTTP/1.1 200 OK");
    expect(await statusLine(port, "/symbols//")).toBe("HTTP/1.1 404 Not Found");
  });

  it("--quote USD serves every online USD pair of the exchange's list, on every endpoint, books only", async () => {
    // The simulator holds its frames up to 1.5 s: the pair list comes after the stream below is open.
    const sim = runBin(["simulate", "--port", "0", "--burst", "100000", "--burst-wait", "1.5"]);
    onTestFinished(() => reap(sim));
    await until(() => sim.stdout().includes("\n"), "the simulator's URL");
    served = await serve(["--url", sim.stdout().split("\n")[0]!, "--quote", "USD", "--port", "0"]);
    const usd = ["BTC/USD", "DOGE/USD", "ETH/USD", "LTC/USD", "SOL/USD", "XRP/USD"];
    expect((await json(`${served.url}/symbols`)).body.symbols).toEqual([]);
    const all = await open(`${served.url}/stream?levels=1`);
    await untilLive(served.url, "SOL-USD");
    const symbols = await json(`${served.url}/symbols`);
    expect(symbols.body.symbols?.map((s) => s.symbol)).toEqual(usd);
    // The stream of all symbols, opened before the list came, gets every pair's books.
    const events = await all.until(
      (e) =>
        new Set(e.filter((x) => x.event === "book" && x.data.bids.length === 1).map((x) => x.data.symbol))
          .size === usd.length,
    );
    expect(new Set(events.filter((x) => x.event === "book").map((x) => x.data.symbol))).toEqual(new Set(usd));
    expect((await json(`${served.url}/book/ETH-BTC`)).body).toMatchObject({ symbols: usd });
    const health = await json(`${served.url}/health`);
    expect((health.body["books"] as readonly Data[]).map((b) => b.symbol)).toEqual(usd);
    expect(await json(`${served.url}/trades/SOL-USD`)).toEqual({
      status: 404,
      body: {
        symbol: "SOL/USD",
        error:
          "no trades are kept for SOL/USD: a whole market (--quote, --all) is served as books only; name the pairs to serve their trades",
      },
    });
    const metrics = await (await fetch(`${served.url}/metrics`)).text();
    for (const symbol of usd) expect(metrics).toContain(`kraken_ladder_book_servable{symbol="${symbol}"} 1`);
    expect(served.stderr()).toContain(`serving every online USD pair at ${served.url}`);
  });

  it("says on stderr when its connections near the open-file limit, past which they are closed unanswered", async () => {
    // ulimit -n 100: said at 36 connections (100 - SPARE_FILES); /metrics has the same figures.
    served = await serve(["--demo", "--port", "0", "BTC/USD"], process.env, 100);
    const port = Number(new URL(served.url).port);
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const s = connect(port, "127.0.0.1");
        s.on("error", () => undefined);
        sockets.push(s);
        await new Promise((resolve) => s.once("connect", resolve));
      }
      for (let i = 0; i < 100 && !served.stderr().includes("open-file limit"); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(served.stderr()).toContain(
        "kraken-ladder: 36 connections are open, near the open-file limit of 100 (ulimit -n): connections past it are closed unanswered; raise the limit before starting serve (ulimit -n 65536)\n",
      );
      expect((await request(`${served.url}/metrics`)).body).toMatch(/^process_max_fds 100$/m);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it("serves /metrics in the Prometheus text format", async () => {
    served = await serve(["--demo", "--port", "0", "BTC/USD"]);
    await untilLive(served.url);
    const sse = await open(`${served.url}/stream`);
    await sse.until((e) => e.some((x) => x.event === "book"));
    const reply = await request(`${served.url}/metrics`);
    expect(reply.headers["content-type"]).toContain("text/plain");
    const families = new Map(parsePrometheusTextFormat(reply.body).map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string> = {}): number => {
      const f = families.get(name);
      const m = f?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
      return Number(m?.value);
    };
    expect(families.get("kraken_ladder_checksums_total")?.type).toBe("COUNTER");
    expect(value("kraken_ladder_checksums_total", { symbol: "BTC/USD", result: "ok" })).toBeGreaterThan(0);
    expect(value("kraken_ladder_checksums_total", { symbol: "BTC/USD", result: "failed" })).toBe(0);
    expect(value("kraken_ladder_book_state", { symbol: "BTC/USD", state: "live" })).toBe(1);
    expect(value("kraken_ladder_book_servable", { symbol: "BTC/USD" })).toBe(1);
    expect(value("kraken_ladder_connection_state", { state: "live" })).toBe(1);
    expect(value("kraken_ladder_sse_clients")).toBe(1);
    expect(value("kraken_ladder_sse_dropped_clients_total")).toBe(0);
    expect(value("kraken_ladder_reconnects_total")).toBe(0);
    expect(families.get("kraken_ladder_book_lag_seconds")?.type).toBe("GAUGE");
    expect(families.has("process_cpu_user_seconds_total")).toBe(true);
  });

  it("drops a client that stops reading, while another keeps getting every newer view", async () => {
    // Deep views at a high rate fill the paused socket's buffers within seconds.
    served = await serve([
      ...["--demo", "--rate", "200", "--fps", "60", "--depth", "100", "--port", "0", "--client-timeout", "1"],
      ...["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "DOGE/USD"],
    ]);
    await untilLive(served.url);
    const port = Number(new URL(served.url).port);
    const paused = connect(port, "127.0.0.1");
    paused.write(`GET /stream?levels=100 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    paused.pause();
    paused.on("error", () => undefined);
    const reader = await open(`${served.url}/stream/BTC-USD`);
    // Dropped (a paused socket does not read the end of its stream, so the server's count tells).
    for (;;) {
      const metrics = await request(`${served.url}/metrics`);
      if (/^kraken_ladder_sse_dropped_clients_total 1$/m.test(metrics.body)) {
        expect(metrics.body).toMatch(/^kraken_ladder_sse_clients 1$/m);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    paused.destroy();
    const seen = reader.events.filter((e) => e.event === "book").length;
    await reader.until((e) => e.filter((x) => x.event === "book").length > seen + 5);
    const versions = reader.events.filter((e) => e.event === "book").map((e) => Number(e.id?.split("@")[0]));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
  }, 60_000);

  it("a --record that fails keeps serving live books, says so on stderr at once, and fails the run", async () => {
    served = await serve(["--demo", "--port", "0", "--record", "/dev/full", "BTC/USD"]);
    await untilLive(served.url);
    const started = Date.now();
    while (!served.stderr().includes("recording stopped") && Date.now() - started < 10_000)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(served.stderr()).toMatch(/recording stopped, \/dev\/full is incomplete: .*ENOSPC/);
    expect((await json(`${served.url}/book/BTC-USD`)).status).toBe(200);
    served.child.kill("SIGTERM");
    expect(await served.exited(3000)).toBe(1);
    expect(served.stderr()).toMatch(/the recording \/dev\/full is incomplete/);
  });

  it("with every pair rejected, says on stderr that nothing is left to watch and goes on serving", async () => {
    served = await serve(["--demo", "--port", "0", "FOO/BAR"]);
    const started = Date.now();
    while (!served.stderr().includes("nothing left") && Date.now() - started < 10_000)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(served.stderr()).toContain(
      "kraken-ladder: nothing left to watch: the exchange rejected FOO/BAR (Currency pair not supported FOO/BAR)\n",
    );
    expect((await json(`${served.url}/health`)).body).toEqual({
      connection: "live",
      books: [{ symbol: "FOO/BAR", state: "rejected", servable: false }],
    });
    served.child.kill("SIGTERM");
    expect(await served.exited(3000)).toBe(0);
  });

  it("SIGTERM with clients connected ends their streams and exits 0", async () => {
    served = await serve(["--demo", "--port", "0", "BTC/USD"]);
    await untilLive(served.url);
    const a = await open(`${served.url}/stream`);
    // The symbol as written, slash and all.
    const b = await open(`${served.url}/stream/BTC/USD`);
    await a.until((e) => e.some((x) => x.event === "book"));
    await b.until((e) => e.some((x) => x.event === "book"));
    served.child.kill("SIGTERM");
    expect(await served.exited(2000)).toBe(0);
    await b.until(() => b.ended);
    expect(a.ended).toBe(true);
  });

  it("--config names the file its symbols, depth and url come from; one it cannot read is exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serve-config-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "serve.toml");
    writeFileSync(file, 'symbols = ["ETH/USD"]\ndepth = 100\n');
    served = await serve(["--demo", "--port", "0", "--config", file]);
    const symbols = (await json(`${served.url}/symbols`)).body as unknown as {
      symbols: { symbol: string; depth: number }[];
    };
    expect(symbols.symbols.map((s) => [s.symbol, s.depth])).toEqual([["ETH/USD", 100]]);
    served.child.kill("SIGTERM");
    expect(await served.exited(3000)).toBe(0);
    const missing = join(dir, "missing.toml");
    const refused = await serve(["--demo", "--port", "0", "--config", missing]).catch((e: Error) => e);
    expect((refused as Error).message).toBe(
      `serve exited 2: kraken-ladder: config file ${missing}: cannot be read: ENOENT: no such file or directory\n`,
    );
  });

  it("a port already in use: exit 1 at once, saying so, with or without the built-in simulator", async () => {
    served = await serve(["--demo", "--port", "0", "BTC/USD"]);
    const port = new URL(served.url).port;
    for (const args of [["--demo"], ["--url", "ws://127.0.0.1:9"]]) {
      // Rejects when the process exits; one that hung on what it started before failing would time out.
      const refused = await serve([...args, "--port", port, "BTC/USD"]).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toMatch(
        new RegExp(`^serve exited 1: kraken-ladder: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
      );
    }
  });
});

describe("serve --url (scripted feed)", () => {
  it("serves the exact decimal strings of the book, then 503 with no prices while it resyncs", async () => {
    // The second subscribe of BTC/USD (the resync) is never answered: the book stays resyncing.
    scripted = await ScriptedServer.start({
      mids: { "BTC/USD": 63388 },
      updateMs: 60_000,
      reply: (_symbol, n) => (n === 1 ? { kind: "ok" } : { kind: "silent" }),
    });
    served = await serve(["--url", scripted.url, "--port", "0", "--subscribe-timeout", "60", "BTC/USD"]);
    const book = await untilLive(served.url);
    const model = scripted.book("BTC/USD");
    expect(book.bids).toEqual(model.sorted("bids").slice(0, 25));
    expect(book.asks).toEqual(model.sorted("asks").slice(0, 25));
    expect(book.bids[0]).toEqual({ price: "63387.9", qty: expect.stringMatching(/^\d+\.\d{8}$/) });
    expect(book.spread).toBe("0.2");
    expect(book.mid).toBe("63388");
    expect(book.checksum).toBe(model.checksum());

    const stream = await open(`${served.url}/stream/BTC%2FUSD`);
    await stream.until((e) => e.some((x) => x.event === "book"));
    scripted.corruptNext("BTC/USD");
    scripted.broadcast(model.corruptUpdate());
    await stream.until((e) => e.some((x) => x.event === "state" && x.data.state === "resyncing"));
    const resync = await json(`${served.url}/book/BTC-USD`);
    expect(resync.status).toBe(503);
    expect(resync.body).toEqual({ symbol: "BTC/USD", state: "resyncing", reason: "checksum-mismatch" });
    const last = await stream.until(
      (e) => e.at(-1)?.event === "book" && e.at(-1)?.data.state === "resyncing",
    );
    const data = last.at(-1)!.data;
    expect(data).toMatchObject({ bids: [], asks: [], reason: "checksum-mismatch", checksums: { failed: 1 } });
    expect(data).not.toHaveProperty("spread");
    expect(data).not.toHaveProperty("mid");
    expect(data).not.toHaveProperty("checksum");
  });

  it("a verified book with no orders is served as live, with null spread and mid in /book and none in SSE", async () => {
    scripted = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 60_000 });
    served = await serve(["--url", scripted.url, "--port", "0", "BTC/USD"]);
    await untilLive(served.url);
    const stream = await open(`${served.url}/stream/BTC-USD`);
    await stream.until((e) => e.some((x) => x.event === "book"));
    // Kraken's checksum of a book with no levels is the CRC32 of an empty string: 0.
    scripted.broadcast(
      '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":0}]}',
    );
    const empty = await stream.until((e) => e.at(-1)?.event === "book" && e.at(-1)?.data.bids.length === 0);
    const data = empty.at(-1)!.data;
    expect(data).toMatchObject({ state: "live", asks: [], checksum: 0 });
    expect(data).not.toHaveProperty("spread");
    expect(data).not.toHaveProperty("reason");
    const book = await json(`${served.url}/book/BTC-USD`);
    expect(book.status).toBe(200);
    expect(book.body).toMatchObject({ state: "live", bids: [], asks: [], spread: null, mid: null });
  });

  it("a quiet connection's lagging book says how far behind it is (lagMs) in /book's 503 and its SSE data, without prices", async () => {
    scripted = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 20, heartbeatMs: 50 });
    served = await serve([
      "--url",
      scripted.url,
      "--port",
      "0",
      "--quiet-after",
      "0.4",
      "--read-timeout",
      "20",
      "--ping-interval",
      "0.2",
      "BTC/USD",
    ]);
    await untilLive(served.url);
    const stream = await open(`${served.url}/stream/BTC-USD`);
    scripted.goSilent();
    const lagging = (e: readonly { event: string; data: Data }[]): boolean =>
      e.some((x) => x.event === "book" && x.data.state === "lagging" && Number(x.data["lagMs"]) >= 1000);
    const events = await stream.until(lagging);
    const data = events.find(
      (x) => x.event === "book" && x.data.state === "lagging" && Number(x.data["lagMs"]) >= 1000,
    )!.data;
    expect(data).toMatchObject({ bids: [], asks: [] });
    expect(data).not.toHaveProperty("checksum");
    expect(data).not.toHaveProperty("spread");
    const reply = await json(`${served.url}/book/BTC-USD`);
    expect(reply.status).toBe(503);
    expect(Object.keys(reply.body)).toEqual(["symbol", "state", "reason", "lagMs"]);
    // Why it lags: nothing comes in (the connection's state says it too).
    expect(reply.body).toMatchObject({
      symbol: "BTC/USD",
      state: "lagging",
      reason: "connection quiet: nothing received",
    });
    expect(data).toMatchObject({ reason: "connection quiet: nothing received" });
    expect(Number(reply.body["lagMs"])).toBeGreaterThanOrEqual(1000);
  });

  it("a book that fails again waits out its backoff: 503 with retryInMs and Retry-After, SSE data with retryAt", async () => {
    scripted = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 50 });
    // A 20 s base: the second failure waits 10 to 20 s (equal jitter) before subscribing again.
    served = await serve(["--url", scripted.url, "--port", "0", "--backoff-base", "20", "BTC/USD"]);
    await untilLive(served.url);
    const stream = await open(`${served.url}/stream/BTC%2FUSD`);
    // The first failure subscribes again at once: no wait to tell of.
    scripted.corruptNext("BTC/USD");
    await stream.until((e) => e.some((x) => x.event === "state" && x.data.state === "resyncing"));
    await untilLive(served.url);
    const before = stream.events.length;
    scripted.corruptNext("BTC/USD");
    const waiting = await stream.until((e) =>
      e.slice(before).some((x) => x.event === "book" && typeof x.data["retryAt"] === "number"),
    );
    const data = waiting.slice(before).find((x) => x.event === "book" && "retryAt" in x.data)!.data;
    expect(data).toMatchObject({ state: "resyncing", reason: "checksum-mismatch", bids: [], asks: [] });
    const wait = (data["retryAt"] as number) - Date.now();
    expect(wait).toBeGreaterThan(8_000);
    expect(wait).toBeLessThanOrEqual(20_000);
    const reply = await request(`${served.url}/book/BTC-USD`);
    expect(reply.status).toBe(503);
    const body = JSON.parse(reply.body) as Data;
    expect(body).toEqual({
      symbol: "BTC/USD",
      state: "resyncing",
      reason: "checksum-mismatch",
      retryInMs: expect.any(Number) as number,
    });
    expect(Math.abs((body["retryInMs"] as number) - wait)).toBeLessThan(2_000);
    expect(Number(reply.headers["retry-after"])).toBe(Math.ceil((body["retryInMs"] as number) / 1000));
    // /symbols says it too, for a dashboard that polls every symbol at once.
    const listed = (await json(`${served.url}/symbols`)).body.symbols![0]!;
    expect(listed).toMatchObject({ symbol: "BTC/USD", state: "resyncing", servable: false });
    expect(Math.abs((listed["retryInMs"] as number) - wait)).toBeLessThan(3_000);
  });

  it("serves a verified book while a pair the exchange never answers keeps the connection subscribing", async () => {
    scripted = await ScriptedServer.start({
      mids: { "BTC/USD": 63388 },
      updateMs: 60_000,
      reply: (symbol) => (symbol === "ETH/USD" ? { kind: "silent" } : { kind: "ok" }),
    });
    scripted.trade("BTC/USD", 3); // the tape its trade snapshot carries
    served = await serve([
      "--url",
      scripted.url,
      "--port",
      "0",
      "--subscribe-timeout",
      "60",
      "BTC/USD",
      "ETH/USD",
    ]);
    const book = await untilLive(served.url);
    expect(book.bids).toEqual(scripted.book("BTC/USD").sorted("bids").slice(0, 25));
    const health = await json(`${served.url}/health`);
    expect(health.body).toMatchObject({ connection: "subscribing" });
    const eth = await json(`${served.url}/book/ETH-USD`);
    expect(eth.status).toBe(503);
    expect(eth.body).toEqual({ symbol: "ETH/USD", state: "awaiting-snapshot", reason: null });
    // BTC/USD's tape and ticker are current too.
    // The trade snapshot follows the book's on the wire: wait for it, a bounded while.
    let trades = await json(`${served.url}/trades/BTC-USD`);
    for (let i = 0; i < 50 && trades.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      trades = await json(`${served.url}/trades/BTC-USD`);
    }
    expect(trades.body).toMatchObject({ symbol: "BTC/USD", tradeGaps: 0 });
    expect(trades.body.trades).toHaveLength(3);
    const symbols = await json(`${served.url}/symbols`);
    expect(symbols.body.symbols?.find((x) => x.symbol === "BTC/USD")).toMatchObject({
      ticker: { last: expect.any(String) },
    });
  });

  it("SSE: the connection's state, then the current book; Last-Event-ID of this run resumes only with a newer view", async () => {
    scripted = await ScriptedServer.start({ updateMs: 60_000 });
    served = await serve(["--url", scripted.url, "--port", "0", "BTC/USD", "ETH/USD"]);
    await untilLive(served.url);
    await untilLive(served.url, "ETH-USD");
    const all = await open(`${served.url}/stream?levels=2`);
    const first = await all.until((e) => e.filter((x) => x.event === "book").length >= 2);
    expect(first[0]).toMatchObject({ event: "state", data: { scope: "connection", state: "live" } });
    const books = first.filter((x) => x.event === "book");
    expect(books.map((b) => b.data.symbol).sort()).toEqual(["BTC/USD", "ETH/USD"]);
    for (const b of books) {
      expect(b.id).toMatch(new RegExp(`^${b.data.symbol}:${b.data.version}@[0-9a-f]{8}$`));
      expect(b.data.bids).toHaveLength(2);
    }
    const btc = books.find((b) => b.data.symbol === "BTC/USD")!;
    const run = btc.id!.split("@")[1]!;

    // Resuming at the current version: nothing newer, so no book; at an older one: the current book.
    const current = await open(`${served.url}/stream/BTC-USD`, {
      "last-event-id": `${btc.data.version}@${run}`,
    });
    const older = await open(`${served.url}/stream/BTC-USD`, {
      "last-event-id": `${btc.data.version - 1}@${run}`,
    });
    const resumed = await older.until((e) => e.some((x) => x.event === "book"));
    expect(resumed.find((x) => x.event === "book")?.id).toBe(`${btc.data.version}@${run}`);
    // An id of another run (a restarted serve, whose versions started again from 0) or with no run says
    // nothing about what the client holds: it gets the current book, even at a version as high or higher.
    for (const id of [
      `${btc.data.version + 1000}@${run === "00000000" ? "00000001" : "00000000"}`,
      `${btc.data.version}`,
    ]) {
      const other = await open(`${served.url}/stream/BTC-USD`, { "last-event-id": id });
      const got = await other.until((e) => e.some((x) => x.event === "book"));
      expect(got.find((x) => x.event === "book")?.id, id).toBe(`${btc.data.version}@${run}`);
      other.close();
    }
    await current.until((e) => e.some((x) => x.event === "state"));
    scripted.broadcast(scripted.book("BTC/USD").update());
    const next = await current.until((e) => e.some((x) => x.event === "book"));
    expect(Number(next.find((x) => x.event === "book")?.id?.split("@")[0])).toBeGreaterThan(btc.data.version);
    expect(next[0]).toMatchObject({ event: "state", data: { scope: "connection" } });
  });

  it("a replay that has run out is served as ended: 503 with no prices, and the server stays up", async () => {
    const capture = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
    served = await serve(["--replay", capture, "--speed", "max", "--port", "0"]);
    const stream = await open(`${served.url}/stream`);
    const isWithdrawn = (x: { event: string; data: Data }): boolean =>
      x.event === "book" && x.data.reason === "connection ended";
    const events = await stream.until((e) => e.some(isWithdrawn));
    // The withdrawn book is a new version: a client that resumes from the last priced one hears of it.
    const priced = events.filter((x) => x.event === "book" && (x.data.bids as unknown[]).length > 0).at(-1)!;
    const withdrawn = events.find(isWithdrawn)!;
    expect(withdrawn.data).toMatchObject({ state: "live", bids: [], asks: [] });
    expect(withdrawn.data.version).toBeGreaterThan(priced.data.version);
    const resumed = await open(`${served.url}/stream`, { "last-event-id": priced.id! });
    const resumedBook = (await resumed.until((e) => e.some((x) => x.event === "book"))).find(
      (x) => x.event === "book",
    );
    expect(resumedBook).toMatchObject({ id: withdrawn.id, data: { bids: [], reason: "connection ended" } });
    resumed.close();
    const health = await json(`${served.url}/health`);
    expect(health.body).toEqual({
      connection: "ended",
      books: [{ symbol: "BTC/USD", state: "live", servable: false }],
    });
    const book = await json(`${served.url}/book/BTC/USD`);
    expect(book).toEqual({
      status: 503,
      body: { symbol: "BTC/USD", state: "live", reason: "connection ended" },
    });
    // A client that comes after the end: the book's last state, said to be withheld, and why.
    const late = await open(`${served.url}/stream/BTC-USD`);
    const [, first] = await late.until((e) => e.some((x) => x.event === "book"));
    expect(first).toMatchObject({
      event: "book",
      data: { state: "live", bids: [], asks: [], reason: "connection ended" },
    });
    expect(first?.data.mid).toBeUndefined();
    const symbols = await json(`${served.url}/symbols`);
    // Nor is its last lag: it measured a connection that is gone.
    expect(symbols.body.symbols?.[0]).toMatchObject({
      symbol: "BTC/USD",
      servable: false,
      lagMs: null,
      reason: "connection ended",
    });
    expect(first?.data.lagMs).toBeUndefined();
    // The metrics say so too: the book's own state is still live, but it is not served as current.
    const scraped = (await request(`${served.url}/metrics`)).body;
    expect(scraped).toMatch(/^kraken_ladder_book_state\{symbol="BTC\/USD",state="live"\} 1$/m);
    expect(scraped).toMatch(/^kraken_ladder_book_servable\{symbol="BTC\/USD"\} 0$/m);
    // Its lag measured a connection that is gone: none is given.
    expect(scraped).not.toMatch(/^kraken_ladder_book_lag_seconds\{/m);
    const metrics = await request(`${served.url}/metrics`);
    expect(metrics.body).toMatch(/^kraken_ladder_connection_state\{state="ended"\} 1$/m);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(served.child.exitCode).toBe(null);
  });

  it("a token no Authorization header can carry is a usage error naming where it came from, without echoing it", async () => {
    const refusal = async (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> => {
      const e = await serve(["--demo", "--port", "0", ...args], env).catch((x: Error) => x);
      if (!(e instanceof Error)) {
        e.child.kill("SIGKILL"); // it started: the test fails, and leaves no server behind
        throw new Error(`serve started with ${JSON.stringify(args)}`);
      }
      return e.message;
    };
    const ascii =
      "a token must be visible ASCII characters without spaces, as an Authorization header carries it";
    const accented = await refusal(["--token", "pässw0rd"]);
    expect(accented).toMatch(/serve exited 2: /);
    expect(accented).toContain(`error: --token has a character that is not ASCII (character 2): ${ascii}`);
    expect(accented).not.toContain("pässw0rd");
    expect(await refusal(["--token", ""])).toContain(
      "error: --token is empty: give a token, or leave it out to serve without one on loopback",
    );
    const spaced = await refusal([], { ...process.env, KRAKEN_LADDER_TOKEN: "s3cret " });
    expect(spaced).toContain(`error: KRAKEN_LADDER_TOKEN has a space (character 7): ${ascii}`);
    expect(spaced).not.toContain("s3cret");
  });

  it("--cors: usage errors for what is not an origin; allowed origins' answers name them, preflights answered before the token", async () => {
    for (const [value, error] of [
      [
        "http://localhost:3000/ladder",
        '"http://localhost:3000/ladder" is not an origin (it has more than scheme, host and port)',
      ],
      ["localhost:3000", '"localhost:3000" is not an http or https origin'],
      ["*,http://a.example", "* allows every origin: give it alone, or list origins without it"],
    ] as const) {
      const e = await serve(["--demo", "--port", "0", "--cors", value]).catch((x: Error) => x);
      if (!(e instanceof Error)) {
        e.child.kill("SIGKILL");
        throw new Error(`serve started with --cors ${value}`);
      }
      expect(e.message).toMatch(/serve exited 2: /);
      expect(e.message).toContain(error);
    }
    // Two flags add up; an origin is kept as a browser writes it (lower case, no default port, no slash).
    served = await serve([
      "--demo",
      "--port",
      "0",
      "--token",
      "s3cret",
      "--cors",
      "http://A.example:80/",
      "--cors",
      "https://b.example:8443",
    ]);
    const allowed = "http://a.example";
    const answer = await request(`${served.url}/health`, { origin: allowed });
    expect(answer.headers["access-control-allow-origin"]).toBe(allowed);
    expect(answer.headers["vary"]).toBe("Origin");
    const stream = await open(`${served.url}/stream?token=s3cret`, { origin: "https://b.example:8443" });
    expect(stream.headers["access-control-allow-origin"]).toBe("https://b.example:8443");
    // The token's 401 names the origin too, so that the page can read why.
    const refused = await request(`${served.url}/symbols`, { origin: allowed });
    expect(refused.status).toBe(401);
    expect(refused.headers["access-control-allow-origin"]).toBe(allowed);
    expect(refused.headers["access-control-expose-headers"]).toBe("Retry-After, WWW-Authenticate");
    const preflight = await options(`${served.url}/book/BTC-USD`, allowed);
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      "access-control-allow-origin": allowed,
      "access-control-allow-methods": "GET, HEAD",
      "access-control-allow-headers": "Authorization, Last-Event-ID",
      "access-control-max-age": "600",
    });
    const other = await options(`${served.url}/book/BTC-USD`, "http://evil.example");
    expect(other.status).toBe(403);
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    expect(JSON.parse(other.body)).toEqual({
      error:
        'origin "http://evil.example" is not one --cors allows (http://a.example, https://b.example:8443)',
    });
    expect(
      (await request(`${served.url}/health`, { origin: "http://evil.example" })).headers[
        "access-control-allow-origin"
      ],
    ).toBeUndefined();
    // A page opened from a file sends Origin: null, which no list can name: the operator is told so.
    await request(`${served.url}/health`, { origin: "null" });
    await until(
      () =>
        served!
          .stderr()
          .includes(
            `origin "null" is not one --cors allows (http://a.example, https://b.example:8443): only --cors '*' lets in a page opened from a file`,
          ),
      `the note on stderr (stderr: ${served.stderr()})`,
    );
    // An OPTIONS that is no preflight is a method not served, as before.
    expect((await options(`${served.url}/health`)).status).toBe(405);
    expect(served.stderr()).toContain(
      "(bearer token required; pages of http://a.example, https://b.example:8443 may read it)",
    );
  });

  it("says on stderr why the feed cannot connect, once however many tries fail the same way, and when it is live again", async () => {
    // A port nothing listens on (yet).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const tries = ["--backoff-base", "0.05", "--backoff-cap", "0.1"];
    served = await serve(["--url", `ws://127.0.0.1:${port}`, "--port", "0", ...tries, "BTC/USD"]);
    // stdout is the URL alone; the notes go to stderr, after the line saying what is served.
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const refused = `kraken-ladder: cannot connect: connect ECONNREFUSED 127.0.0.1:${port}; retrying\n`;
    for (;;) {
      const symbols = await json(`${served.url}/symbols`);
      if (((symbols.body.connection as { attempt?: number }).attempt ?? 0) >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = served.stderr();
    expect(before.startsWith(`kraken-ladder: serving BTC/USD at ${served.url} (no token)`), before).toBe(
      true,
    );
    // Four tries and more refused the same way: said once (again only after a minute).
    expect(before.split(refused).length - 1, before).toBe(1);

    scripted = await ScriptedServer.start({ port, updateMs: 60_000 });
    await until(
      () => /connection live again after \d+ failed tries\n/.test(served!.stderr()),
      `the recovery note (stderr: ${served.stderr()})`,
    );
    expect(await untilLive(served.url)).toMatchObject({ symbol: "BTC/USD", state: "live" });
    expect(served.stderr().split(refused).length - 1).toBe(1);
  });

  it("says on stderr which book resyncs and why, which pair the exchange rejects, and when the book is served again", async () => {
    const sim = runBin([
      "simulate",
      "--port",
      "0",
      "--corrupt-at",
      "3",
      "--corrupt-symbol",
      "BTC/USD",
      "--reject",
      "FOO/BAR",
    ]);
    onTestFinished(() => reap(sim));
    await until(() => sim.stdout().includes("\n"), "the simulator's URL");
    const url = sim.stdout().split("\n")[0]!;
    served = await serve(["--url", url, "--port", "0", "BTC/USD", "ETH/USD", "FOO/BAR"]);
    await until(
      () => served!.stderr().includes("BTC/USD verified again"),
      `the recovery note (stderr: ${served.stderr()})`,
    );
    const lines = served.stderr().split("\n");
    expect(lines.slice(1)).toEqual([
      "kraken-ladder: FOO/BAR rejected: Currency pair not supported FOO/BAR",
      "kraken-ladder: BTC/USD resyncing: checksum-mismatch",
      "kraken-ladder: BTC/USD verified again after 1 resync",
      "",
    ]);
    expect((await json(`${served.url}/symbols`)).body.symbols).toMatchObject([
      { symbol: "BTC/USD", resyncs: 1, checksums: { failed: 1 } },
      { symbol: "ETH/USD", resyncs: 0 },
      { symbol: "FOO/BAR", state: "rejected" },
    ]);
  });

  it("says the pairs the exchange rejects together in one line, naming five; /health names every one", async () => {
    const pairs = Array.from({ length: 12 }, (_, i) => `X${String.fromCharCode(65 + i)}/USD`);
    const sim = runBin(["simulate", "--port", "0", "--reject", pairs.join(",")]);
    onTestFinished(() => reap(sim));
    await until(() => sim.stdout().includes("\n"), "the simulator's URL");
    served = await serve(["--url", sim.stdout().split("\n")[0]!, "--port", "0", "BTC/USD", ...pairs]);
    // Each line names at most five, counting the rest; one pair alone is said with its whole reason.
    const line = /^kraken-ladder: (X[A-Z]\/USD(?:, X[A-Z]\/USD)*)(?: and (\d+) more)? rejected: (.*)$/;
    const rejected = (): string[] =>
      served!
        .stderr()
        .split("\n")
        .filter((l) => l.includes(" rejected: "));
    const counted = (): number =>
      rejected().reduce((n, l) => {
        const m = line.exec(l);
        return m === null ? n : n + m[1]!.split(", ").length + Number(m[2] ?? 0);
      }, 0);
    await until(() => counted() === pairs.length, `every pair said rejected (stderr: ${served.stderr()})`);
    // Said at the next view: the pairs' answers may straddle one, and then they are more than one line.
    expect(rejected().length).toBeLessThan(pairs.length);
    for (const l of rejected()) {
      const m = line.exec(l);
      expect(m, l).not.toBeNull();
      const names = m![1]!.split(", ");
      expect(names.length, l).toBeLessThanOrEqual(5);
      expect(m![3], l).toBe(
        names.length === 1 ? `Currency pair not supported ${names[0]}` : "Currency pair not supported",
      );
    }
    // Every one of them is named by /health (from its next view: the note may come first).
    const states = async (): Promise<string[]> =>
      ((await json(`${served!.url}/health`)).body.books as Data[])
        .filter((b) => b.symbol !== "BTC/USD")
        .map((b) => `${b.symbol} ${b.state}`);
    await expect.poll(states, { timeout: 10_000 }).toEqual(pairs.map((p) => `${p} rejected`));
  });

  it("off loopback a token is required (exit 2 without one) and checked on every endpoint but /health", async () => {
    scripted = await ScriptedServer.start({ updateMs: 60_000 });
    const refused = await serve(["--url", scripted.url, "--host", "0.0.0.0", "--port", "0"]).catch(
      (e: Error) => e,
    );
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/serve exited 2: .*needs a token/s);

    served = await serve(["--url", scripted.url, "--host", "0.0.0.0", "--port", "0"], {
      ...process.env,
      KRAKEN_LADDER_TOKEN: "s3cret",
    });
    const local = `http://127.0.0.1:${new URL(served.url).port}`;
    expect((await json(`${local}/health`)).status).toBe(200);
    for (const path of ["/symbols", "/book/BTC-USD", "/stream", "/metrics", "/"]) {
      expect((await request(`${local}${path}`)).status).toBe(401);
      expect((await request(`${local}${path}`, { authorization: "Bearer s3cre" })).status).toBe(401);
    }
    expect((await request(`${local}/symbols`, { authorization: "Bearer s3cret" })).status).toBe(200);
    expect((await request(`${local}/metrics`, { authorization: "Bearer s3cret" })).status).toBe(200);
    // The web page's EventSource cannot send headers: it passes the token as a query parameter.
    expect((await request(`${local}/symbols?token=s3cre`)).status).toBe(401);
    expect((await request(`${local}/symbols?token=s3cret`)).status).toBe(200);
    served.child.kill("SIGTERM");
    expect(await served.exited()).toBe(0);

    // A query string is read URL-decoded: a token with + / = must be percent-encoded there, and a 401 of a
    // query token written with a + says so (never the token); one sent in the header is taken as it is.
    const token = "a+b/c=";
    served = await serve(["--url", scripted.url, "--port", "0", "--token", token]);
    const plainHeader = "unauthorised: send Authorization: Bearer <token>";
    const notIt = `${plainHeader}; the ?token= given is not it`;
    const hint = `${notIt} (in a URL, percent-encode the token: a + there reads as a space, %2B is a +)`;
    for (const path of ["/symbols", "/", "/stream"]) {
      const raw = await json(`${served.url}${path}?token=${token}`);
      expect(raw, path).toEqual({ status: 401, body: { error: hint } });
      expect(await json(`${served.url}${path}?levels=1&token=x+y&token=${token}`), path).toEqual({
        status: 401,
        body: { error: hint },
      });
    }
    // Nothing written that a URL reads otherwise (a plain token, or one percent-encoded): the way it was
    // written cannot be why it is not the one, and the 401 does not say it may be.
    for (const given of ["wrong", encodeURIComponent("a+b/c"), `${encodeURIComponent("a+b")}&x=a+b`])
      expect(await json(`${served.url}/symbols?token=${given}`), given).toEqual({
        status: 401,
        body: { error: notIt },
      });
    for (const path of ["/symbols", "/"])
      expect((await request(`${served.url}${path}?token=${encodeURIComponent(token)}`)).status, path).toBe(
        200,
      );
    expect(await json(`${served.url}/symbols`)).toEqual({ status: 401, body: { error: plainHeader } });
    expect(await json(`${served.url}/symbols`, { authorization: "Bearer a b/c=" })).toEqual({
      status: 401,
      body: { error: plainHeader },
    });
    expect((await request(`${served.url}/symbols`, { authorization: `Bearer ${token}` })).status).toBe(200);
    served.child.kill("SIGTERM");
    expect(await served.exited()).toBe(0);

    // --no-auth, given explicitly, serves without a token.
    served = await serve(["--url", scripted.url, "--host", "0.0.0.0", "--port", "0", "--no-auth"]);
    expect((await request(`http://127.0.0.1:${new URL(served.url).port}/symbols`)).status).toBe(200);
  });
});
