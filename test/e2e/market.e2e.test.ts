import { describe, expect, it } from "vitest";
import { endToEnd } from "./helpers/parts.js";
import { shellQuote } from "./helpers/tmux.js";
import type { TmuxSession } from "./helpers/tmux.js";

/**
 * Trades, ticker and status on the ladder, as a user sees them: the installed binary in tmux, against
 * `--demo` (whose market trades) or `kraken-ladder simulate` with fault flags (a pair going post-only, the
 * exchange going into maintenance, a skipped trade id).
 */

const e2e = endToEnd();

function start(args: string, columns: number, rows: number): TmuxSession {
  const t = e2e.tmux();
  t.runApp(args, columns, rows);
  return t;
}

const TAPE_ROW = /│ \d\d:\d\d:\d\d [▲▼] [BS] +\d+\.\d+ +\d+\.\d+/;
const LAST_MARK = /← [▲▼] [BS] \d+\.\d+|· last [▲▼] [BS] \d+\.\d+ @ \d+\.\d+/;

describe("market context in a real terminal", () => {
  it("at 160×50 shows the tape beside the ladder, the last trade's mark, the volume column and the ticker", async () => {
    const t = start("--demo BTC/USD ETH/USD", 160, 50);
    const screen = await t.waitFor(
      "the ticker, the tape, the last trade's mark and the volume column",
      (l) =>
        /^ last \d/.test(l[1] ?? "") &&
        l.some((x) => TAPE_ROW.test(x)) &&
        l.some((x) => LAST_MARK.test(x)) &&
        l.some((x) => /\d\.\d{3}\s/.test(x) && x.includes("│ ")),
      20_000,
    );
    const text = screen.join("\n");
    expect(text).toMatch(/PRICE +SIZE +LAST +CUM +VAP 5m +DEPTH.*│ TIME +SIDE +PRICE +SIZE/);
    expect(screen[1]).toMatch(
      /^ last \d+\.\d+ │ 24h [▲▼] [-+]\d+\.\d+ \([-+]\d+\.\d+%\) │ high \d+\.\d+ │ low \d+\.\d+ │ vol/,
    );
    expect(text).toMatch(/trade gaps 0/);
    // Rows past level 10 (depth 25) carry the coverage mark; their running totals say so.
    expect(text).toMatch(/^·\d+\.\d+ +\d+\.\d+ .*~\d+\.\d+/m);
    for (const l of screen) expect([...l].length).toBeLessThanOrEqual(160);
    t.keys("q");
  }, 40_000);

  it("at 80×24 hides the tape and the market columns; t shows the tape, Esc closes it, q quits with 0", async () => {
    const t = start("--demo BTC/USD ETH/USD", 80, 24);
    const ladder = await t.waitFor("the ladder", (l) => l.some((x) => /─ spread \S+ · /.test(x)), 20_000);
    const text = ladder.join("\n");
    expect(text).not.toMatch(/TIME|VAP|LAST|←/);
    t.keys("t");
    const tape = await t.waitFor(
      "the tape",
      (l) => l.some((x) => /^ \d\d:\d\d:\d\d [▲▼] [BS] /.test(x)),
      20_000,
    );
    expect(tape.join("\n")).toMatch(/^ TIME +SIDE +PRICE +SIZE/m);
    expect(tape.join("\n")).not.toMatch(/─ spread/);
    t.keys("Escape");
    await t.waitFor("the ladder again", (l) => l.some((x) => /─ spread \S+ · /.test(x)));
    t.keys("q");
    expect(await t.exitLine()).toBe("EXIT=0");
  }, 40_000);

  it("shows a pair's post-only badge, a skipped trade id, and the exchange's maintenance", async () => {
    // Taker trades stop while a pair or the exchange is not online, so the gap comes first.
    const url = await e2e.simulate(
      "--seed",
      "5",
      "--skip-trade-id",
      "ETH/USD@1s",
      "--pair-status",
      "BTC/USD=post_only@1s",
      "--system-status",
      "maintenance@12s",
    );
    const t = start(`--url ${shellQuote(url)} ETH/USD BTC/USD`, 160, 50);
    const gap = await t.waitFor(
      "the trade gap and the badge in BTC/USD's tab",
      (l) =>
        l.some((x) => /trade gaps 1 /.test(x)) &&
        l.some((x) => /│─+ gap: expected \d+, got \d+ ─+$/.test(x)) &&
        l.some((x) => /VAP 5m \(gap\)/.test(x)) &&
        l.some((x) => /2 BTC\/USD .*\[POST_ONLY\]/.test(x)),
      20_000,
    );
    expect(gap.join("\n")).toContain("exchange online");
    t.keys("2");
    await t.waitFor("BTC/USD's ladder with its badge", (l) =>
      l.some((x) => x.includes("[POST_ONLY] spread")),
    );
    await t.waitFor(
      "the maintenance notice and status",
      (l) =>
        l.some((x) => x.includes("exchange status: maintenance (was online)")) &&
        l.some((x) => x.includes("exchange MAINTENANCE")),
      20_000,
    );
    t.keys("q");
  }, 60_000);
});
