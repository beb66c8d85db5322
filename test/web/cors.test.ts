import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { reap, runBin, until } from "../app/support/run-bin.js";
import type { Run } from "../app/support/run-bin.js";
import { openBrowser } from "./support/browser.js";
import type { Browser } from "./support/browser.js";

/**
 * A dashboard of another origin reading `kraken-ladder serve` (installed binary) from headless Chromium:
 * the browser, not this test, decides whether the page may read each answer.
 */

const TOKEN = "s3cret";

/** What the page read: /book with the token in a header (a preflight first), and /stream's first live book. */
type Read = { readonly book: string; readonly stream: string };

/** Run in the dashboard's page: fetch with Authorization, then an EventSource (which sends no headers). */
const READ = (serve: string): string => `(async () => {
  let book;
  try {
    const r = await fetch(${JSON.stringify(`${serve}/book/BTC-USD?levels=1`)}, {
      headers: { Authorization: "Bearer ${TOKEN}" },
    });
    const body = await r.json();
    book = r.status + " " + body.state + " " + typeof body.bids?.[0]?.price;
  } catch (e) {
    book = "refused: " + e.name;
  }
  const stream = await new Promise((resolve) => {
    const source = new EventSource(${JSON.stringify(`${serve}/stream/BTC-USD?levels=1&token=${TOKEN}`)});
    source.addEventListener("book", (event) => {
      const data = JSON.parse(event.data);
      if (data.state !== "live") return;
      source.close();
      resolve("live " + data.bids.length);
    });
    source.onerror = () => {
      source.close();
      resolve("refused");
    };
  });
  return { book, stream };
})()`;

async function urlOf(run: Run): Promise<string> {
  await until(() => run.stdout().includes("\n"), `the URL on stdout (stderr: ${run.stderr()})`);
  return run.stdout().split("\n")[0] ?? "";
}

/** serve answering /book with prices: the page's reads are then about origins, not about a book still syncing. */
async function liveServe(args: readonly string[]): Promise<{ run: Run; url: string }> {
  const run = runBin(["serve", "--demo", "--port", "0", "--token", TOKEN, ...args, "BTC/USD"]);
  runs.push(run);
  const url = await urlOf(run);
  for (;;) {
    const r = await fetch(`${url}/book/BTC-USD`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (r.status === 200) return { run, url };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const runs: Run[] = [];

describe("serve --cors: a dashboard of another origin in a browser", () => {
  let browser: Browser;
  let dashboard: Server;
  let origin: string;

  beforeAll(async () => {
    browser = await openBrowser();
    dashboard = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><title>dashboard</title>");
    });
    await new Promise<void>((resolve) => dashboard.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(dashboard.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await browser.close();
    await new Promise((resolve) => dashboard.close(resolve));
  });
  afterEach(() => {
    for (const run of runs.splice(0)) reap(run);
  });

  it("without --cors the browser refuses the page every answer, and the operator is told once what lets it in", async () => {
    const { run, url } = await liveServe([]);
    const page = await browser.newPage();
    await page.goto(origin);
    const read = await page.evaluate<Read>(READ(url));
    expect(read).toEqual({ book: "refused: TypeError", stream: "refused" });
    const note = `kraken-ladder: a page of origin "${origin}" may not read this server: start serve with --cors ${origin} (or --cors '*')`;
    await until(() => run.stderr().includes(note), `the note on stderr (stderr: ${run.stderr()})`);
    // Told once for the origin, whatever it asked for (/book's preflight, /stream).
    expect(run.stderr().split(note).length - 1).toBe(1);
  });

  it("with --cors naming its origin the page reads /book with its token (after a preflight) and /stream", async () => {
    const { run, url } = await liveServe(["--cors", `http://localhost:1,${origin}`]);
    const page = await browser.newPage();
    await page.goto(origin);
    const read = await page.evaluate<Read>(READ(url));
    expect(read).toEqual({ book: "200 live string", stream: "live 1" });
    expect(run.stderr()).not.toContain("may not read");
  });

  it("with --cors '*' any page reads it; with --cors naming only another origin, this page is refused", async () => {
    const any = await liveServe(["--cors", "*"]);
    let page = await browser.newPage();
    await page.goto(origin);
    expect(await page.evaluate(READ(any.url))).toEqual({ book: "200 live string", stream: "live 1" });
    const other = await liveServe(["--cors", "http://localhost:3000"]);
    page = await browser.newPage();
    await page.goto(origin);
    expect(await page.evaluate(READ(other.url))).toEqual({ book: "refused: TypeError", stream: "refused" });
    await until(
      () =>
        other.run.stderr().includes(`origin "${origin}" is not one --cors allows (http://localhost:3000)`),
      `the note on stderr (stderr: ${other.run.stderr()})`,
    );
  });
});
