import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fillPipe, mkfifo } from "../helpers/fifo.js";
import { BIN, ROOT } from "../helpers/run-cli.js";
import { endToEnd } from "./helpers/parts.js";
import { attributesAt, shellQuote } from "./helpers/tmux.js";

/**
 * A feed that falls behind, as a user sees it in a real terminal: the built binary in tmux against
 * `kraken-ladder simulate --drip`, which releases one frame at a time while the market keeps moving,
 * so every frame that arrives is older than the last.
 */

const PRICE_ROW = /^\s+\d+\.\d+\s+\d+\.\d+/;

const e2e = endToEnd();

describe("a lagging feed in a real terminal", () => {
  it("keeps the verified prices, dimmed, labelled with the lag, never a green live mark", async () => {
    const url = await e2e.simulate("--drip", "0.1", "--rate", "30", "--seed", "3");
    const t = e2e.tmux();
    t.runApp(`--url ${shellQuote(url)} --max-lag 1 --depth 10 BTC/USD`, 100, 30);
    const screen = await t.waitFor(
      "the ladder lagging",
      (l) => l.some((x) => /◔ LAGGING — lag \d+(\.\d)? s behind the exchange/.test(x)),
      20_000,
    );
    const text = screen.join("\n");
    const spread = screen.findIndex((l) => l.includes("LAGGING"));
    // Prices on both sides of the labelled spread row.
    expect(screen.slice(0, spread).some((l) => PRICE_ROW.test(l))).toBe(true);
    expect(screen.slice(spread + 1).some((l) => PRICE_ROW.test(l))).toBe(true);
    expect(screen[0]).toMatch(/BTC\/USD\s+◔ lagging/);
    expect(text).not.toMatch(/● live/);
    expect(screen.at(-1)).toMatch(/lag \d+(\.\d)? s/);
    t.keys("q");
  }, 40_000);
});

describe("the market context of a lagging feed in a real terminal", () => {
  it("dims the ticker and the last trade's mark with the book: nothing bold or inverse on them", async () => {
    const url = await e2e.simulate("--drip", "0.1", "--rate", "30", "--seed", "3");
    const t = e2e.tmux();
    t.runApp(`--url ${shellQuote(url)} --max-lag 1 --depth 10 BTC/USD`, 160, 40, { env: "FORCE_COLOR=1" });
    // The attributes are read from the very capture the condition held on: the mark moves between rows.
    const styled = await t.waitForStyled(
      "the ladder lagging, with its ticker and a last-trade mark on a row",
      (l) =>
        l.some((x) => x.includes("◔ LAGGING")) &&
        l[1]?.startsWith(" last ") === true &&
        l.some((x) => x.includes("← ")),
      20_000,
    );
    const dimOnly = { bold: false, dim: true, inverse: false };
    expect(styled[1]).toContain(" last ");
    expect(attributesAt(styled, 1, " last ")).toEqual(dimOnly);
    const markRow = styled.findIndex((l) => l.includes("← "));
    expect(attributesAt(styled, markRow, "← ")).toEqual(dimOnly);
    t.keys("q");
  }, 40_000);
});

/** The header's tabs: at 100 columns, one symbol a line. */
const header = (lines: readonly string[]): string => lines.slice(0, 2).join("\n");

describe("a pair the exchange never answers, in a real terminal", () => {
  it("hides no other book: BTC/USD live with prices while ETH/USD waits, then resyncs with the reason", async () => {
    const url = await e2e.simulate("--unanswered", "ETH/USD", "--seed", "3");
    const t = e2e.tmux();
    t.runApp(`--url ${shellQuote(url)} --subscribe-timeout 2 --depth 10 BTC/USD ETH/USD`, 100, 30);
    const screen = await t.waitFor(
      "BTC/USD live beside ETH/USD waiting",
      (l) => /BTC\/USD\s+● live\s+\d/.test(header(l)) && /ETH\/USD\s+◌ syncing/.test(header(l)),
      20_000,
    );
    const spread = screen.findIndex((l) => /─ spread \S+ · \S+ bps · mid/.test(l));
    expect(screen.slice(0, spread).some((l) => PRICE_ROW.test(l))).toBe(true);
    expect(screen.slice(spread + 1).some((l) => PRICE_ROW.test(l))).toBe(true);
    expect(screen.at(-1)).toMatch(/^ ◌ subscribing │/);
    // ETH/USD's subscribe times out and is sent again; BTC/USD stays live throughout.
    const later = await t.waitFor(
      "ETH/USD resyncing",
      (l) => /ETH\/USD\s+↻ resyncing/.test(header(l)),
      20_000,
    );
    expect(header(later)).toMatch(/BTC\/USD\s+● live/);
    t.keys("Tab");
    await t.waitFor(
      "ETH/USD's reason",
      (l) => l.some((x) => /RESYNCING .*subscribe-timeout/.test(x)),
      10_000,
    );
    t.keys("q");
  }, 60_000);
});

describe("a feed worker that stops answering, in a real terminal", () => {
  it("shows the books lagging and the feed stalled, recovers, and still quits when the worker cannot be ended", async () => {
    const url = await e2e.simulate("--rate", "20", "--seed", "3");
    const t = e2e.tmux();
    // --record to a named pipe the test holds open and does not read: once the pipe is full, the feed
    // worker blocks in its write (as it would on a pipe to a stalled reader, or a hung disk).
    const fifo = join(t.dir, "record.fifo");
    mkfifo(fifo);
    const holder = openSync(fifo, "r+");
    let drain: ChildProcess | undefined;
    try {
      // At depth 25: the 30-row pane fills it, so the ladder never resubscribes deeper (a book resyncing
      // for that when the pipe fills would be no verified book to show lagging).
      t.runApp(`--url ${shellQuote(url)} --record ${shellQuote(fifo)} --depth 25 BTC/USD`, 100, 30);
      await t.waitFor("BTC/USD live", (l) => /BTC\/USD\s+● live/.test(header(l)), 20_000);

      fillPipe(fifo);
      const stalled = await t.waitFor(
        "the feed stalled",
        (l) => /^ ◔ stalled \d+s │ lag \d+ s/.test(l.at(-1) ?? ""),
        15_000,
      );
      expect(header(stalled)).toMatch(/BTC\/USD\s+◔ lagging/);
      expect(stalled.join("\n")).not.toMatch(/● live/);
      // No rate or latency from before the stall is shown as a figure of now.
      expect(stalled.at(-1)).toMatch(/│ 0(?: msg)?\/s │/);
      expect(stalled.at(-1)).toMatch(/p50 — p99 —/);
      const spread = stalled.findIndex((l) => l.includes("LAGGING"));
      expect(spread).toBeGreaterThan(0);
      expect(stalled.slice(0, spread).some((l) => PRICE_ROW.test(l))).toBe(true);

      // A reader comes: the write completes, the worker runs again, and the book is live again.
      drain = spawn("cat", [fifo], { stdio: "ignore" });
      await t.waitFor(
        "live again",
        (l) => /BTC\/USD\s+● live/.test(header(l)) && /^ ● connected/.test(l.at(-1) ?? ""),
        15_000,
      );
      drain.kill();
      await new Promise((resolve) => drain!.once("exit", resolve));

      fillPipe(fifo);
      await t.waitFor("stalled again", (l) => /^ ◔ stalled/.test(l.at(-1) ?? ""), 15_000);
      t.keys("q");
      expect(await t.exitLine(10_000)).toBe("EXIT=137");
      const after = t.capture().join("\n");
      expect(after).toMatch(
        /kraken-ladder: the feed worker did not stop: it is blocked in a system call .*; ending the process with SIGKILL/,
      );
    } finally {
      drain?.kill();
      closeSync(holder);
    }
  }, 90_000);
});

describe("the ladder back from Ctrl-Z, in a real terminal", () => {
  it("never draws the books it held from before the stop as live: lagging until the feed has read a frame since", async () => {
    const sim = await e2e.simulator("--rate", "20", "--seed", "3");
    const t = e2e.tmux();
    // An interactive shell, for job control; --max-lag, --quiet-after and --read-timeout far off, so that
    // the feed itself calls nothing lagging, quiet or dead during the test.
    t.start("env -u CI -u CONTINUOUS_INTEGRATION bash --norc --noprofile -i", 100, 30);
    t.keys(
      `cd ${shellQuote(ROOT)} && env CI=true ${shellQuote(process.execPath)} ${shellQuote(BIN)} ` +
        `--url ${shellQuote(sim.url)} --max-lag 60 --quiet-after 60 --read-timeout 60 --depth 10 BTC/USD`,
      "Enter",
    );
    await t.waitFor("BTC/USD live", (l) => /BTC\/USD\s+● live/.test(header(l)), 20_000);
    // The exchange sends nothing more until the end: after the stop there is no frame for the feed to read,
    // so whatever the ladder shows of the book is from before it.
    process.kill(sim.pid, "SIGSTOP");
    const written = join(t.dir, "pane-output");
    try {
      t.keys("C-z");
      await t.waitFor("the shell, the ladder stopped", (l) => l.some((x) => /Stopped/.test(x)));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      t.tmux("pipe-pane", "-t", t.session, "-o", `cat > ${shellQuote(written)}`);
      t.keys("fg", "Enter");
      const back = await t.waitFor("the ladder again, lagging", (l) =>
        /BTC\/USD\s+◔ lagging/.test(header(l)),
      );
      expect(back.join("\n")).toMatch(/LAGGING — lag [\d.]+ s behind the exchange/);
      // Asked for a whole view each second, the feed still has read nothing since: still not live.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(header(t.capture())).toMatch(/BTC\/USD\s+◔ lagging/);
      t.tmux("pipe-pane", "-t", t.session);
      // eslint-disable-next-line no-control-regex
      const drawn = readFileSync(written, "utf8").replace(/\u001b\[[\d;?]*[A-Za-z]/g, "");
      expect(drawn).toContain("BTC/USD");
      expect(drawn).not.toContain("● live");
    } finally {
      process.kill(sim.pid, "SIGCONT");
    }
    // Frames again: the feed's own word, live once caught up.
    await t.waitFor("live again", (l) => /BTC\/USD\s+● live/.test(header(l)), 20_000);
    t.keys("q");
    await t.waitFor("the shell after q", (l) => !l.some((x) => x.includes("PRICE")));
  }, 60_000);
});
