import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { openBrowser, poll } from "./support/browser.js";
import type { Browser } from "./support/browser.js";
import { ScriptedStream } from "./support/scripted-stream.js";
import type { BookData } from "./support/scripted-stream.js";

/** The web ladder in headless Chromium against a real HTTP server with a scripted /stream. */

const SYMBOL = "BTC/USD";

function liveBook(version: number, bestAsk: string, bestBid: string): BookData {
  return {
    symbol: SYMBOL,
    state: "live",
    version,
    checksum: 123456789,
    time: new Date().toISOString(),
    asks: [
      { price: bestAsk, qty: "0.5" },
      { price: "63390.5", qty: "1.25" },
    ],
    bids: [
      { price: bestBid, qty: "2" },
      { price: "63380.1", qty: "0.125" },
    ],
    spread: "0.1",
    mid: "63388.75",
    checksums: { ok: version, failed: 0 },
    resyncs: 0,
  };
}

/** A book the server sends without levels (not verified, or not servable), never verified unless `over` says so. */
function bookWithoutLevels(symbol: string, state: string, over: Partial<BookData> = {}): BookData {
  return {
    symbol,
    state,
    version: 0,
    bids: [],
    asks: [],
    checksums: { ok: 0, failed: 0 },
    resyncs: 0,
    ...over,
  };
}

const card = (symbol: string): string => `section.book[data-symbol="${symbol}"]`;

/** The texts of a side's price cells that hold a price, best first. */
async function prices(page: Page, side: "asks" | "bids"): Promise<string[]> {
  const texts = await page.locator(`${card(SYMBOL)} .${side} td.price`).allTextContents();
  const shown = texts.filter((t) => t !== "");
  return side === "asks" ? shown.reverse() : shown;
}

describe("the web ladder against a scripted stream", () => {
  let browser: Browser;
  let server: ScriptedStream;

  // One browser for the file (launching is the slow part), a fresh page per test.
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });
  beforeEach(async () => {
    await browser.newPage();
  });
  afterEach(async () => {
    await server.close();
  });

  /** A stream with one live book, and the page showing its prices. */
  async function pageWithLiveBook(): Promise<Page> {
    server = await ScriptedStream.start();
    server.book(liveBook(1, "63388.8", "63388.7"));
    const { page } = browser;
    await page.goto(server.url);
    await poll(() => prices(page, "asks")).toEqual(["63388.8", "63390.5"]);
    return page;
  }

  it("draws a live book's ladder, follows its changes, and withdraws its prices the moment it resyncs", async () => {
    server = await ScriptedStream.start();
    server.book(liveBook(1, "63388.8", "63388.7"));
    const { page } = browser;
    await page.goto(server.url);

    await poll(() => page.locator(card(SYMBOL)).getAttribute("data-state")).toBe("live");
    await poll(() => prices(page, "asks")).toEqual(["63388.8", "63390.5"]);
    expect(await prices(page, "bids")).toEqual(["63388.7", "63380.1"]);
    // Sizes line up on the point; totals are exact running sums from the touch outwards.
    expect(
      await page
        .locator(`${card(SYMBOL)} .bids td.qty`)
        .first()
        .textContent(),
    ).toBe("2.000");
    expect(
      await page
        .locator(`${card(SYMBOL)} .bids td.total`)
        .nth(1)
        .textContent(),
    ).toBe("2.125");
    expect(await page.locator(`${card(SYMBOL)} .middle td`).textContent()).toContain("spread 0.1");
    expect(await page.locator(`${card(SYMBOL)} .state`).textContent()).toBe("● live");
    expect(await page.locator("#connection").textContent()).toBe("● connected");

    server.book(liveBook(2, "63388.9", "63388.6"));
    await poll(() => prices(page, "asks")).toEqual(["63388.9", "63390.5"]);
    expect(await prices(page, "bids")).toEqual(["63388.6", "63380.1"]);

    // A state change withdraws the prices before any new view arrives.
    server.state({ scope: "book", symbol: SYMBOL, state: "resyncing", reason: "checksum-mismatch" });
    await poll(() => page.locator(card(SYMBOL)).getAttribute("data-state")).toBe("resyncing");
    expect(await prices(page, "asks")).toEqual([]);
    expect(await prices(page, "bids")).toEqual([]);
    expect(await page.locator(`${card(SYMBOL)} .state`).textContent()).toBe(
      "↻ resyncing (checksum-mismatch)",
    );
    expect(await page.locator(`${card(SYMBOL)} .middle td`).textContent()).toBe(
      "↻ RESYNCING — checksum-mismatch · no prices",
    );

    // Failing again, it waits out a backoff before it is subscribed again: the page says when, and counts down.
    server.book(
      bookWithoutLevels(SYMBOL, "resyncing", {
        version: 3,
        reason: "checksum-mismatch",
        retryAt: Date.now() + 12_500,
        checksums: { ok: 2, failed: 2 },
      }),
    );
    await poll(() => page.locator(`${card(SYMBOL)} .state`).textContent()).toMatch(
      /^↻ resyncing \(checksum-mismatch, subscribing again in 1[12]s\)$/,
    );
    expect(await page.locator(`${card(SYMBOL)} .middle td`).textContent()).toMatch(
      /^↻ RESYNCING — checksum-mismatch, subscribing again in 1[12]s · no prices$/,
    );
    await poll(() => page.locator(`${card(SYMBOL)} .state`).textContent()).toMatch(/again in (9|10)s\)$/);

    // Verified again: prices come back with the next view.
    server.book(liveBook(4, "63389.0", "63388.5"));
    await poll(() => prices(page, "asks")).toEqual(["63389.0", "63390.5"]);
    expect(browser.errors).toEqual([]);
  });

  it("shows spread and mid at the book's price precision, as the terminal does: 0.10, not 0.1", async () => {
    server = await ScriptedStream.start();
    server.book({
      ...liveBook(1, "3104.95", "3104.85"),
      asks: [{ price: "3104.95", qty: "1" }],
      bids: [{ price: "3104.85", qty: "2" }],
      spread: "0.1",
      mid: "3104.9",
    });
    const { page } = browser;
    await page.goto(server.url);
    await poll(() => page.locator(`${card(SYMBOL)} .middle td`).textContent()).toBe(
      "spread 0.10 · 0.32 bps · mid 3104.90",
    );
  });

  it("shows lagging with its lag, stale with its prices, and rejected with its reason", async () => {
    server = await ScriptedStream.start();
    server.book(liveBook(1, "63388.8", "63388.7"));
    server.book(
      bookWithoutLevels("ETH/USD", "lagging", { version: 7, lagMs: 24_300, checksums: { ok: 9, failed: 0 } }),
    );
    server.book(
      bookWithoutLevels("FOO/BAR", "rejected", { version: 1, reason: "Currency pair not supported FOO/BAR" }),
    );
    const { page } = browser;
    await page.goto(server.url);
    await poll(() => page.locator(`${card("ETH/USD")} .state`).textContent()).toBe("◔ lagging (lag 24 s)");
    expect(await page.locator(`${card("FOO/BAR")} .state`).textContent()).toBe(
      "✕ rejected (Currency pair not supported FOO/BAR)",
    );

    server.book({ ...liveBook(2, "63388.8", "63388.7"), state: "stale" });
    await poll(() => page.locator(`${card(SYMBOL)} .state`).textContent()).toBe("◐ stale");
    expect(await prices(page, "asks")).toEqual(["63388.8", "63390.5"]);

    // A book that claims to be lagging never shows prices, even if a view carried some.
    server.book({ ...liveBook(3, "63388.8", "63388.7"), state: "lagging", lagMs: 4_000 });
    await poll(() => page.locator(`${card(SYMBOL)} .state`).textContent()).toBe("◔ lagging (lag 4.0 s)");
    expect(await prices(page, "asks")).toEqual([]);
  });

  it("withdraws every price while the feed's connection is down or the stream itself dropped", async () => {
    const page = await pageWithLiveBook();

    server.state({ scope: "connection", state: "reconnecting", attempt: 2, reason: "read timeout" });
    await poll(() => page.locator(card(SYMBOL)).getAttribute("data-state")).toBe("disconnected");
    expect(await prices(page, "asks")).toEqual([]);
    expect(await page.locator("#connection").textContent()).toBe("○ reconnecting (attempt 2: read timeout)");

    server.state({ scope: "connection", state: "live" });
    server.book(liveBook(2, "63388.8", "63388.7"));
    await poll(() => prices(page, "asks")).toEqual(["63388.8", "63390.5"]);

    // The stream drops: what the page held is no longer vouched for. The browser reconnects by itself and
    // the server's first views bring the prices back.
    server.dropClients({ hold: true });
    await poll(() => page.locator("#stream").getAttribute("data-state")).toBe("reconnecting");
    expect(await prices(page, "asks")).toEqual([]);
    expect(await page.locator(card(SYMBOL)).getAttribute("data-state")).toBe("disconnected");
    // The counts are what happened: they stay (they read ✓0 once).
    expect(await page.locator(`${card(SYMBOL)} footer.stats`).textContent()).toMatch(
      /^checksums ✓2 ✗0 │ resyncs 0 │ updated /,
    );
    server.release();
    await poll(() => page.locator("#stream").getAttribute("data-state")).toBe("open");
    await poll(() => prices(page, "asks")).toEqual(["63388.8", "63390.5"]);
  });

  it("calls a book connecting, not disconnected, until it has verified once", async () => {
    server = await ScriptedStream.start();
    server.state({ scope: "connection", state: "connecting", attempt: 1 });
    server.book(bookWithoutLevels(SYMBOL, "awaiting-snapshot"));
    const { page } = browser;
    await page.goto(server.url);
    await poll(() => page.locator(card(SYMBOL)).getAttribute("data-state")).toBe("connecting");
    expect(await page.locator(`${card(SYMBOL)} .state`).textContent()).toBe("◌ connecting");

    server.state({ scope: "connection", state: "live" });
    server.book(liveBook(1, "63388.8", "63388.7"));
    await poll(() => prices(page, "asks")).toEqual(["63388.8", "63390.5"]);
    server.state({ scope: "connection", state: "connecting", attempt: 2 });
    await poll(() => page.locator(card(SYMBOL)).getAttribute("data-state")).toBe("disconnected");
  });

  it("says a stalled feed as the terminal does, its books lagging and without prices", async () => {
    const page = await pageWithLiveBook();

    server.state({ scope: "connection", state: "stalled", since: Date.now() - 4_000 });
    server.book({ ...liveBook(2, "63388.8", "63388.7"), state: "lagging", lagMs: 4_000 });
    await poll(() => page.locator(`${card(SYMBOL)} .state`).textContent()).toBe("◔ lagging (lag 4.0 s)");
    expect(await prices(page, "asks")).toEqual([]);
    expect(await page.locator("#connection").textContent()).toMatch(
      /^◔ stalled: the feed has not answered for [45]s$/,
    );
  });

  it("says the end of a replay as the terminal does: the book ended, without prices", async () => {
    const page = await pageWithLiveBook();

    // The feed ended; its book stays as it was (live), but nothing on an ended feed is.
    server.state({ scope: "connection", state: "ended" });
    await poll(() => page.locator(card(SYMBOL)).getAttribute("data-state")).toBe("ended");
    expect(await page.locator(`${card(SYMBOL)} .state`).textContent()).toBe("■ ended");
    expect(await prices(page, "asks")).toEqual([]);
    expect(await page.locator("#connection").textContent()).toBe("■ replay ended: nothing is live");
  });

  it("shows a live book with its prices while another pair keeps the connection subscribing", async () => {
    server = await ScriptedStream.start();
    server.state({ scope: "connection", state: "subscribing" });
    server.book(liveBook(1, "63388.8", "63388.7"));
    const { page } = browser;
    await page.goto(server.url);
    await poll(() => prices(page, "asks")).toEqual(["63388.8", "63390.5"]);
    expect(await page.locator(card(SYMBOL)).getAttribute("data-state")).toBe("live");
    expect(await page.locator("#connection").textContent()).toBe("◌ subscribing");
  });

  it("draws no card far off the screen (a whole market), and one scrolled into view shows its current book, never an older one", async () => {
    server = await ScriptedStream.start();
    const symbols = Array.from({ length: 30 }, (_, i) => `P${String(i).padStart(2, "0")}/USD`);
    const book = (symbol: string, version: number, bestAsk: string): BookData => ({
      ...liveBook(version, bestAsk, "63388.7"),
      symbol,
    });
    for (const symbol of symbols) server.book(book(symbol, 1, "63388.8"));
    const { page } = browser;
    await page.goto(server.url);
    const first = card(symbols[0]!);
    const last = card(symbols.at(-1)!);
    const shown = (selector: string): Promise<string[]> =>
      page
        .locator(`${selector} td.price`)
        .allTextContents()
        .then((t) => t.filter((x) => x !== ""));
    await poll(() => shown(first)).toHaveLength(4);
    // The last card is far below: it carries its state, but no prices are drawn into it.
    await poll(() => page.locator(last).getAttribute("data-state")).toBe("live");
    expect(await shown(last)).toEqual([]);
    // Its book moves on while it is off the screen (stale now: still served, with prices), and is not drawn;
    // scrolled into view, it shows the book as it is now.
    server.book({ ...book(symbols.at(-1)!, 2, "63391.0"), state: "stale" });
    await poll(() => page.locator(last).getAttribute("data-state")).toBe("stale");
    expect(await shown(last)).toEqual([]);
    await page.locator(last).scrollIntoViewIfNeeded();
    await poll(() => shown(last)).toEqual(["63390.5", "63391.0", "63388.7", "63380.1"]);
    // And the first, now far above, is blanked.
    await poll(() => shown(first)).toEqual([]);
  });

  it("shows server text as text: markup is not parsed, control and invisible characters are dropped", async () => {
    server = await ScriptedStream.start();
    const hostile = '<img src=x onerror="window.pwned=1">\u202e\u001b[2Jevil';
    server.book(bookWithoutLevels('<b id="injected">X</b>', "rejected", { version: 1, reason: hostile }));
    const { page } = browser;
    await page.goto(server.url);
    await poll(() => page.locator("section.book .state").textContent()).toBe(
      '✕ rejected (<img src=x onerror="window.pwned=1">[2Jevil)',
    );
    expect(await page.locator("section.book h2").textContent()).toBe('<b id="injected">X</b>');
    expect(await page.locator("img, #injected").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { pwned?: unknown }).pwned)).toBeUndefined();
  });

  it("passes the page's ?token= on to /stream, and says why when the stream is refused", async () => {
    server = await ScriptedStream.start({ token: "s3cret" });
    server.book(liveBook(1, "63388.8", "63388.7"));
    const { page } = browser;
    await page.goto(`${server.url}/?token=s3cret`);
    await poll(() => prices(page, "asks")).toEqual(["63388.8", "63390.5"]);
    expect(server.streamRequests).toContain("/stream?levels=15&token=s3cret");

    // A + not percent-encoded reads as a space: the page says why the server refused it, as the server does.
    await page.goto(`${server.url}/?token=s3+cret`);
    await poll(() => page.locator("#stream").getAttribute("data-state")).toBe("closed");
    expect(server.streamRequests).toContain("/stream?levels=15&token=s3+cret");
    await poll(() => page.locator("#stream").textContent()).toBe(
      "✕ stream closed: the server answered 401 unauthorised: send Authorization: Bearer <token>; the ?token= given is not it (in a URL, percent-encode the token: a + there reads as a space, %2B is a +)",
    );
    expect(await page.locator("section.book").count()).toBe(0);
    // Another token, nothing in it a URL reads otherwise: not it, and no hint that can't be why.
    for (const written of ["s3cre", "s3%2Bcret"]) {
      await page.goto(`${server.url}/?token=${written}`);
      await poll(() => page.locator("#stream").textContent()).toBe(
        "✕ stream closed: the server answered 401 unauthorised: send Authorization: Bearer <token>; the ?token= given is not it",
      );
    }
    // No token at all: where to put one.
    await page.goto(server.url);
    await poll(() => page.locator("#stream").textContent()).toBe(
      "✕ stream closed: the server answered 401 unauthorised: send Authorization: Bearer <token>; a token goes in the page URL as ?token=",
    );
  });
});
