import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServer as createHttpServer, request } from "node:http";
import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import type { Page } from "playwright-core";
import { reap, runBin, until } from "../app/support/run-bin.js";
import type { Run } from "../app/support/run-bin.js";
import { openBrowser, poll } from "./support/browser.js";
import type { Browser } from "./support/browser.js";

/** The web ladder in headless Chromium against the real `kraken-ladder serve` (installed binary). */

const card = (symbol: string): string => `section.book[data-symbol="${symbol}"]`;

/** The first stdout line of a server command: its URL. */
async function urlOf(run: Run): Promise<string> {
  await until(() => run.stdout().includes("\n"), `the URL on stdout (stderr: ${run.stderr()})`);
  return run.stdout().split("\n")[0] ?? "";
}

/** The best ask and bid the page shows for a symbol ("" when none). */
async function touch(page: Page, symbol: string): Promise<string> {
  const ask = await page.locator(`${card(symbol)} .asks tr:last-child td.price`).textContent();
  const bid = await page.locator(`${card(symbol)} .bids tr:first-child td.price`).textContent();
  return `${ask ?? ""}/${bid ?? ""}`;
}

type Seen = { readonly symbol: string; readonly state: string; readonly prices: number };

/**
 * Records, in the page, every state a book's card takes and how many prices it shows at that moment (a
 * resync may last only milliseconds, so the test watches every change rather than polling). Plain
 * JavaScript run in the page (this project's TypeScript has no DOM types).
 */
const RECORD_STATES = `
  globalThis.seen = [];
  const books = document.querySelector("#books");
  new MutationObserver(() => {
    for (const card of books.querySelectorAll("section.book")) {
      const prices = [...card.querySelectorAll("td.price")].filter((cell) => cell.textContent !== "").length;
      const entry = { symbol: card.dataset.symbol, state: card.dataset.state, prices };
      const last = globalThis.seen.findLast((s) => s.symbol === entry.symbol);
      if (last === undefined || last.state !== entry.state || last.prices !== entry.prices) globalThis.seen.push(entry);
    }
  }).observe(books, { subtree: true, childList: true, characterData: true, attributes: true });
`;

async function seenStates(page: Page): Promise<Seen[]> {
  return page.evaluate("globalThis.seen");
}

describe("the web ladder against kraken-ladder serve", () => {
  let browser: Browser;
  const runs: Run[] = [];

  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });
  beforeEach(async () => {
    await browser.newPage();
  });
  afterEach(() => {
    for (const run of runs.splice(0)) reap(run);
  });

  it("serve --demo: the page shows live ladders whose prices change", async () => {
    const serve = runBin(["serve", "--demo", "--port", "0", "BTC/USD", "ETH/USD"]);
    runs.push(serve);
    const { page } = browser;
    await page.goto(await urlOf(serve));
    for (const symbol of ["BTC/USD", "ETH/USD"]) {
      await poll(() => page.locator(card(symbol)).getAttribute("data-state")).toBe("live");
    }
    await poll(() => touch(page, "BTC/USD")).toMatch(/^\d+\.\d+\/\d+\.\d+$/);
    const first = await touch(page, "BTC/USD");
    const sizes = async (): Promise<string[]> => page.locator(`${card("BTC/USD")} td.qty`).allTextContents();
    const firstSizes = await sizes();
    // The demo market moves: sizes (and, sooner or later, the touch) change under the page's eyes.
    await poll(
      async () => (await touch(page, "BTC/USD")) !== first || (await sizes()).join() !== firstSizes.join(),
    ).toBe(true);
    expect(await page.locator("#connection").textContent()).toBe("● connected");
    expect(browser.errors).toEqual([]);
  });

  it("serve --demo --quote USD --depth 10: a ladder for every USD pair, ten levels a side", async () => {
    // At depth 10 the page asks for ten levels: it asked for 15 and the stream refused it (400).
    const serve = runBin(["serve", "--demo", "--quote", "USD", "--depth", "10", "--port", "0"]);
    runs.push(serve);
    const { page } = browser;
    await page.goto(await urlOf(serve));
    const usd = ["BTC/USD", "DOGE/USD", "ETH/USD", "LTC/USD", "SOL/USD", "XRP/USD"];
    for (const symbol of usd)
      await poll(() => page.locator(card(symbol)).getAttribute("data-state")).toBe("live");
    expect(await page.locator("section.book").count()).toBe(usd.length);
    expect(await page.locator(`${card("ETH/USD")} .asks tr`).count()).toBe(10);
    await poll(() => touch(page, "ETH/USD")).toMatch(/^\d+\.\d+\/\d+\.\d+$/);
    expect(browser.errors).toEqual([]);
  });

  it("a forced resync (a corrupted checksum) withdraws the book's prices, and they come back verified", async () => {
    const sim = runBin(["simulate", "--port", "0", "--corrupt-at", "6", "--corrupt-symbol", "BTC/USD"]);
    runs.push(sim);
    const serve = runBin(["serve", "--url", await urlOf(sim), "--port", "0", "BTC/USD", "ETH/USD"]);
    runs.push(serve);
    const { page } = browser;
    await page.goto(await urlOf(serve));
    await page.evaluate(RECORD_STATES);
    await poll(() => touch(page, "BTC/USD")).toMatch(/^\d+\.\d+\/\d+\.\d+$/);

    await poll(
      async () => (await seenStates(page)).some((s) => s.symbol === "BTC/USD" && s.state === "resyncing"),
      30_000,
    ).toBe(true);
    const btc = (await seenStates(page)).filter((s) => s.symbol === "BTC/USD");
    // While it was resyncing, the page showed no price for it at all.
    expect(btc.filter((s) => s.state === "resyncing").every((s) => s.prices === 0)).toBe(true);
    // Verified again, live with prices; ETH/USD was never touched.
    await poll(() => page.locator(card("BTC/USD")).getAttribute("data-state")).toBe("live");
    await poll(() => touch(page, "BTC/USD")).toMatch(/^\d+\.\d+\/\d+\.\d+$/);
    expect(await page.locator(`${card("BTC/USD")} .stats`).textContent()).toMatch(/✗1 │ resyncs 1/);
    expect((await seenStates(page)).some((s) => s.symbol === "ETH/USD" && s.state === "resyncing")).toBe(
      false,
    );
  }, 45_000);

  it("a dropped stream: the page opens a new one and shows the current book again, though it has not changed", async () => {
    // A market that hardly moves: the book's version stays as it was across the drop. A resumed stream
    // (Last-Event-ID) would leave that view out, and the page had dropped its prices with the stream.
    // With this seed and rate BTC/USD's first market message is due some 20 minutes after it is subscribed
    // (at --rate 0.02 without a seed, one came now and then within the test, moving the touch it compares).
    const sim = runBin(["simulate", "--port", "0", "--rate", "0.001", "--seed", "2"]);
    runs.push(sim);
    const serve = runBin([
      "serve",
      "--url",
      await urlOf(sim),
      "--port",
      "0",
      "--stale-after",
      "600",
      "BTC/USD",
    ]);
    runs.push(serve);
    const target = new URL(await urlOf(serve));
    // The page reaches serve through a proxy whose connections the test cuts (a network that drops).
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("error", () => undefined);
        s.on("close", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const { page } = browser;
      await page.goto(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`);
      await poll(() => touch(page, "BTC/USD")).toMatch(/^\d+\.\d+\/\d+\.\d+$/);
      const before = await touch(page, "BTC/USD");
      for (const s of sockets) s.destroy();
      sockets.clear();
      await poll(() => page.locator("#stream").getAttribute("data-state")).toBe("reconnecting");
      expect(await touch(page, "BTC/USD")).toBe("/");
      await poll(() => page.locator("#stream").getAttribute("data-state")).toBe("open");
      await poll(() => touch(page, "BTC/USD"), 5_000).toBe(before);
      expect(await page.locator(`${card("BTC/USD")} .state`).textContent()).toMatch(/^● live/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 30_000);

  it("a stream refused for now (a proxy's 502 while serve restarts): the page says so and asks again until it is served", async () => {
    const serve = runBin(["serve", "--demo", "--port", "0", "BTC/USD"]);
    runs.push(serve);
    const target = new URL(await urlOf(serve));
    // A reverse proxy in front of serve: while `down`, every request gets its 502 page (HTML, not serve's JSON).
    let down = false;
    let refusals = 0;
    const proxy = createHttpServer((req, res) => {
      if (down) {
        if (req.url?.startsWith("/stream") === true) refusals++;
        res.writeHead(502, { "content-type": "text/html" }).end("<h1>502 Bad Gateway</h1>");
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const { page } = browser;
      await page.goto(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`);
      await poll(() => touch(page, "BTC/USD")).toMatch(/^\d+\.\d+\/\d+\.\d+$/);
      await page.evaluate(`
        globalThis.streamStates = [];
        const el = document.querySelector("#stream");
        new MutationObserver(() => globalThis.streamStates.push(el.dataset.state))
          .observe(el, { attributes: true, childList: true, characterData: true, subtree: true });
      `);
      down = true;
      proxy.closeAllConnections();
      await poll(() => page.locator("#stream").textContent()).toBe(
        "○ stream reconnecting (the server answered 502 Bad Gateway)",
      );
      expect(await touch(page, "BTC/USD")).toBe("/");
      // Asked again (an EventSource and the fetch that asks why, each time), later each time.
      await poll(() => refusals, 10_000).toBeGreaterThanOrEqual(4);
      down = false;
      await poll(() => page.locator("#stream").getAttribute("data-state"), 15_000).toBe("open");
      await poll(() => touch(page, "BTC/USD")).toMatch(/^\d+\.\d+\/\d+\.\d+$/);
      expect(await page.locator("#stream").textContent()).toBe("● stream open");
      expect(await page.evaluate("globalThis.streamStates")).not.toContain("closed");
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 45_000);

  it("serve restarted with another token: the page says why its stream is refused, as serve's 401 says it", async () => {
    const { page } = browser;
    /**
     * The page opened with `?token=` written as `written` against serve started with `before` (no token
     * when undefined), then serve started again on the same port with `after`: what the page says.
     */
    const refused = async (before: string | undefined, written: string, after: string): Promise<string> => {
      const first = runBin([
        "serve",
        "--demo",
        "--port",
        "0",
        ...(before === undefined ? [] : ["--token", before]),
        "BTC/USD",
      ]);
      runs.push(first);
      const url = await urlOf(first);
      await page.goto(`${url}/?token=${written}`);
      await poll(() => page.locator("#stream").getAttribute("data-state")).toBe("open");
      first.child.kill("SIGTERM");
      await first.exit;
      // The same port, another token: the page's next stream carries the token it was opened with.
      const second = runBin(["serve", "--demo", "--port", new URL(url).port, "--token", after, "BTC/USD"]);
      runs.push(second);
      await poll(() => page.locator("#stream").getAttribute("data-state")).toBe("closed");
      await poll(() => page.locator("#stream").textContent()).toMatch(/given is not it/);
      const said = (await page.locator("#stream").textContent()) ?? "";
      second.child.kill("SIGTERM");
      await second.exit;
      return said;
    };
    const notIt =
      "✕ stream closed: the server answered 401 unauthorised: send Authorization: Bearer <token>; the ?token= given is not it";
    // The token the page was opened with was the one: how it was written cannot be why it is refused now.
    expect(await refused("old", "old", "a+b")).toBe(notIt);
    expect(await refused("a+b", encodeURIComponent("a+b"), "c+d")).toBe(notIt);
    // Opened while serve wanted no token, with a + not encoded (a space): that may be why, and it says so once.
    expect(await refused(undefined, "a+b", "a+b")).toBe(
      `${notIt} (in a URL, percent-encode the token: a + there reads as a space, %2B is a +)`,
    );
  }, 45_000);

  it("a silent feed: the page says each book is lagging and by how much, the lag growing, with no prices", async () => {
    const sim = runBin(["simulate", "--port", "0", "--silence", "60", "--silence-after", "3"]);
    runs.push(sim);
    const serve = runBin([
      "serve",
      "--url",
      await urlOf(sim),
      "--port",
      "0",
      "--quiet-after",
      "1",
      "--read-timeout",
      "60",
      "BTC/USD",
    ]);
    runs.push(serve);
    const { page } = browser;
    await page.goto(await urlOf(serve));
    await poll(() => touch(page, "BTC/USD")).toMatch(/^\d+\.\d+\/\d+\.\d+$/);
    const state = (): Promise<string | null> => page.locator(`${card("BTC/USD")} .state`).textContent();
    const lag = async (): Promise<number> =>
      Number(/^◔ lagging \(lag (\d+(?:\.\d)?) s\)$/.exec((await state()) ?? "")?.[1] ?? NaN);
    await poll(lag, 15_000).toBeGreaterThanOrEqual(1);
    const first = await lag();
    expect(await touch(page, "BTC/USD")).toBe("/");
    // Said again as it grows (the server sends the lagging book each second its lag moves on).
    await poll(lag, 10_000).toBeGreaterThanOrEqual(first + 2);
    expect(await touch(page, "BTC/USD")).toBe("/");
    expect(browser.errors).toEqual([]);
  }, 45_000);
});
