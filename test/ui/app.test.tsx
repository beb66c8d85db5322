import { afterEach, describe, expect, it } from "vitest";
import { btcBook, ethBook, feedView, levels, MemoryFeed, NOW } from "./helpers/views.js";
import { KEYS, mount } from "./helpers/mount.js";

const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD"] as const;

function solBook() {
  return ethBook({
    symbol: "SOL/USD",
    asks: levels([["150.12", "3.000"]]),
    bids: levels([["150.10", "1.000"]]),
    spread: "0.02",
    mid: "150.11",
  });
}

let mounted: ReturnType<typeof mount> | undefined;
afterEach(() => {
  mounted?.dispose();
  mounted = undefined;
});

function start(options: { columns?: number; rows?: number } = {}) {
  const feed = new MemoryFeed(feedView([btcBook(), ethBook(), solBook()]));
  mounted = mount(feed, { symbols: SYMBOLS, ...options });
  return { feed, ui: mounted };
}

/** The header line of the selected symbol. */
function selectedLine(frame: string): string {
  return frame.split("\n").find((l) => l.startsWith("▶")) ?? "";
}

describe("the ladder app", () => {
  it("draws the header, the selected ladder with both sides and a spread row, and the status bar", async () => {
    const { ui } = start();
    const frame = await ui.frame();
    expect(selectedLine(frame)).toContain("1 BTC/USD");
    expect(frame).toContain(" 2 ETH/USD");
    expect(frame).toContain(" 3 SOL/USD");
    expect(frame).toMatch(/63388\.8\s+0\.34887114/);
    expect(frame).toMatch(/63388\.7\s+0\.25761908/);
    expect(frame).toMatch(/─+ spread 0\.1 · 0\.02 bps · mid 63388\.75 ─+/);
    expect(frame).toContain("✓120 ✗0");
    expect(frame.split("\n").length).toBeLessThanOrEqual(23);
  });

  it("→, l and Tab select the next symbol, wrapping from the last to the first", async () => {
    const { ui } = start();
    await ui.press(KEYS.right);
    expect(selectedLine(await ui.frame())).toContain("2 ETH/USD");
    expect(await ui.frame()).toContain("3120.55");
    await ui.press("l");
    expect(selectedLine(await ui.frame())).toContain("3 SOL/USD");
    await ui.press(KEYS.tab);
    expect(selectedLine(await ui.frame())).toContain("1 BTC/USD");
  });

  it("←, h and Shift-Tab select the previous symbol, wrapping from the first to the last", async () => {
    const { ui } = start();
    await ui.press(KEYS.left);
    expect(selectedLine(await ui.frame())).toContain("3 SOL/USD");
    await ui.press("h");
    expect(selectedLine(await ui.frame())).toContain("2 ETH/USD");
    await ui.press(KEYS.shiftTab);
    expect(selectedLine(await ui.frame())).toContain("1 BTC/USD");
  });

  it("1–9 jump to a symbol; a number past the last symbol does nothing", async () => {
    const { ui } = start();
    await ui.press("3");
    expect(selectedLine(await ui.frame())).toContain("3 SOL/USD");
    await ui.press("9");
    expect(selectedLine(await ui.frame())).toContain("3 SOL/USD");
    await ui.press("2");
    expect(selectedLine(await ui.frame())).toContain("2 ETH/USD");
  });

  it("+ and − change the price grouping of the selected symbol and ask the feed for enough levels", async () => {
    const { ui, feed } = start();
    const before = ui.store.levels;
    await ui.press("+", "+", "+");
    const frame = await ui.frame();
    expect(frame).toContain("group 1.0");
    expect(frame).toMatch(/63388\.0\s+0\.75761908\s+0\.75761908/);
    expect(feed.levelRequests.at(-1)).toBe(before * 10);
    await ui.press("-");
    expect(await ui.frame()).toContain("group 0.5");
    await ui.press("-", "-");
    expect(await ui.frame()).not.toContain("group");
  });

  it("? toggles the help overlay listing the keys", async () => {
    const { ui } = start();
    await ui.press("?");
    const help = await ui.frame();
    expect(help).toContain("Keys");
    expect(help).toContain("Shift-Tab");
    expect(help).not.toContain("spread 0.1");
    await ui.press("?");
    const back = await ui.frame();
    expect(back).not.toContain("Shift-Tab");
    expect(back).toContain("spread 0.1");
  });

  it("q, Esc and Ctrl-C call the quit path; other keys do not", async () => {
    const { ui } = start();
    await ui.press("x", "Q", KEYS.right);
    expect(ui.quits()).toBe(0);
    await ui.press("q");
    expect(ui.quits()).toBe(1);
    await ui.press(KEYS.escape);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(ui.quits()).toBe(2);
    await ui.press(KEYS.ctrlC);
    expect(ui.quits()).toBe(3);
  });

  it("keys typed faster than they are read each count, Backspace held down and Ctrl-C among them", async () => {
    const { ui } = start();
    // One read each, as a terminal delivers keys typed (or a key repeating) faster than the app reads.
    await ui.press("/eth");
    expect(await ui.frame()).toContain("Add symbol: eth");
    await ui.press("\u007f\u007f");
    expect(await ui.frame()).toMatch(/Add symbol: e▏?\n/);
    await ui.press("\b\u007fsol\u007f");
    expect(await ui.frame()).toMatch(/Add symbol: so▏?\n/);
    expect(ui.quits()).toBe(0);
    await ui.press("l\u0003");
    expect(ui.quits()).toBe(1);
  });

  it("labels books that are not live and never draws them as live", async () => {
    const feed = new MemoryFeed(
      feedView([
        btcBook({ state: "resyncing", reason: "checksum-mismatch", bids: [], asks: [] }),
        ethBook({ state: "stale" }),
        btcBook({
          symbol: "SOL/USD",
          state: "rejected",
          reason: "Currency pair not supported\u001b[2J SOL/USD",
        }),
      ]),
    );
    mounted = mount(feed, { symbols: SYMBOLS });
    const ui = mounted;
    let frame = await ui.frame();
    expect(frame).toContain("↻ resyncing");
    expect(frame).toContain("◐ stale");
    expect(frame).toContain("✕ rejected");
    expect(frame).toContain("RESYNCING — not live");
    expect(frame).toContain("checksum-mismatch");
    await ui.press("3");
    frame = await ui.frame();
    expect(frame).toContain("REJECTED");
    expect(frame).toContain("Currency pair not supported[2J SOL/USD");
    expect(frame).not.toContain("\u001b[2J");
  });

  it("shows disconnected books and a countdown while reconnecting", async () => {
    const { ui, feed } = start();
    feed.publish(
      feedView([btcBook(), ethBook(), solBook()], {
        state: "reconnecting",
        attempt: 2,
        retryInMs: 5000,
        retryAt: NOW + 4500,
        reason: "socket closed",
      }),
    );
    const frame = await ui.frame();
    expect(frame).toContain("○ disconnected");
    expect(frame).toContain("DISCONNECTED — not live");
    expect(frame).toContain("reconnecting in 4.5s (attempt 2");
  });

  it("redraws when the feed publishes a new view", async () => {
    const { ui, feed } = start();
    expect(await ui.frame()).toContain("0.25761908");
    feed.publish(feedView([btcBook({ bids: levels([["63388.7", "7.00000000"]]) }), ethBook(), solBook()]));
    const frame = await ui.frame();
    expect(frame).toMatch(/63388\.7\s+7\.00000000▲/);
  });

  it("reflows on resize: more rows when taller, a too-small message when tiny, never taller than the pane", async () => {
    const { ui, feed } = start({ columns: 80, rows: 16 });
    const rowsIn = (frame: string) => frame.split("\n").filter((l) => /^\s+\d+\.\d+\s/.test(l)).length;
    const small = await ui.frame();
    const requestsBefore = feed.levelRequests.length;
    ui.resize(100, 30);
    const big = await ui.frame();
    expect(rowsIn(big)).toBeGreaterThan(rowsIn(small));
    expect(big.split("\n").length).toBeLessThanOrEqual(29);
    expect(feed.levelRequests.length).toBeGreaterThan(requestsBefore);
    ui.resize(20, 6);
    const tiny = await ui.frame();
    expect(tiny).toContain("pane too small");
    expect(tiny.split("\n").length).toBeLessThanOrEqual(5);
    for (const l of tiny.split("\n")) expect(l.length).toBeLessThanOrEqual(20);
    ui.resize(60, 14);
    const back = await ui.frame();
    expect(back).toContain("spread");
    for (const l of back.split("\n")) expect(l.length).toBeLessThanOrEqual(60);
  });
});
