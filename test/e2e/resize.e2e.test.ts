import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { helpLines } from "../../src/ui/view-model/help.js";
import { MIN_COLUMNS, MIN_ROWS } from "../../src/ui/view-model/screen.js";
import { hasTmux, shellQuote, TmuxSession } from "./helpers/tmux.js";

/**
 * The built binary in tmux, resized 20 times while it runs: after each resize every line the frame should
 * hold is on screen (a line that did not change from the frame before must be drawn all the same).
 */

let tmux: TmuxSession | undefined;
afterEach(() => {
  tmux?.close();
  tmux = undefined;
});

beforeAll(() => {
  if (!hasTmux()) throw new Error("tmux is needed for the end-to-end tests: apt-get install tmux");
});

const PRICE_ROW = /^[\s·]\s*\d+\.\d+\s+\d+\.\d+/;
const HEADER = /^[ ▶]\d /;
const STATUS = /^ ● /;

/** What is missing from a ladder frame of `rows` rows: a line per header, titles, price rows, spread, status. */
function missingFromLadder(lines: readonly string[], rows: number): string[] {
  const missing: string[] = [];
  if (lines.length !== rows - 1) missing.push(`${rows - 1} lines (have ${lines.length})`);
  if (!HEADER.test(lines[0] ?? "")) missing.push("the header");
  const titles = lines.findIndex((l) => /^\s+PRICE\s+SIZE/.test(l));
  const spread = lines.findIndex((l) => /─ spread \S+ · \S+ bps · mid \S+ [─·]/.test(l));
  if (titles < 0) missing.push("the column titles");
  if (spread < 0) missing.push("the spread row");
  if (!STATUS.test(lines[lines.length - 1] ?? "")) missing.push("the status bar");
  if (titles >= 0 && spread > titles) {
    // Asks fill every line between the titles and the spread row; as many bids follow it; the frame's
    // height may leave one blank line before the status bar.
    const asks = lines.slice(titles + 1, spread);
    const blankAsks = asks.filter((l) => !PRICE_ROW.test(l)).length;
    if (blankAsks > 0) missing.push(`${blankAsks} ask rows`);
    const below = lines.slice(spread + 1, lines.length - 1);
    const bids = below.slice(0, asks.length);
    const blankBids = bids.filter((l) => !PRICE_ROW.test(l)).length;
    if (blankBids > 0) missing.push(`${blankBids} bid rows`);
    if (below.length > asks.length + 1) missing.push(`a frame of ${rows - 1} lines`);
  }
  return missing;
}

/** What is missing from the help overlay at this width: its first lines (it scrolls), the header and the status bar. */
function missingFromHelp(lines: readonly string[], columns: number): string[] {
  const missing: string[] = [];
  if (!HEADER.test(lines[0] ?? "")) missing.push("the header");
  if (!STATUS.test(lines[lines.length - 1] ?? "")) missing.push("the status bar");
  for (const help of helpLines(columns).slice(0, 3)) {
    const text = help.text.trimEnd();
    if (text !== "" && !lines.includes(text)) missing.push(`help line ${JSON.stringify(text)}`);
  }
  return missing;
}

/** What is missing from the "pane too small" screen (all four lines fit the sizes used here). */
function missingFromTooSmall(lines: readonly string[], columns: number, rows: number): string[] {
  const expected = [
    "pane too small",
    `need ${MIN_COLUMNS}×${MIN_ROWS}`,
    `have ${columns}×${rows}`,
    "q quits",
  ];
  return expected.filter((text, i) => lines[i] !== text).map((text) => JSON.stringify(text));
}

type Step = { readonly columns: number; readonly rows: number; readonly toggleHelp?: true };

/** Twenty sizes: growing, shrinking, into and out of "too small", with help open for a stretch. */
const STEPS: readonly Step[] = [
  { columns: 80, rows: 24 },
  { columns: 120, rows: 40 },
  { columns: 100, rows: 30 },
  { columns: 30, rows: 8 },
  { columns: 90, rows: 26 },
  { columns: 90, rows: 20 },
  { columns: 20, rows: 6 },
  { columns: 39, rows: 12 },
  { columns: 100, rows: 20 },
  { columns: 100, rows: 30, toggleHelp: true },
  { columns: 100, rows: 36 },
  { columns: 110, rows: 28 },
  { columns: 30, rows: 9 },
  { columns: 120, rows: 36 },
  { columns: 120, rows: 30 },
  { columns: 50, rows: 7 },
  { columns: 64, rows: 24 },
  { columns: 110, rows: 34, toggleHelp: true },
  { columns: 40, rows: 10 },
  { columns: 60, rows: 18 },
];

describe("the ladder after a live resize", () => {
  it("draws every line after each of 20 resizes, into and out of too small, with help open and closed", async () => {
    const t = new TmuxSession();
    tmux = t;
    t.runApp("--demo BTC/USD ETH/USD", 100, 30);
    await t.waitFor("the ladder", (l) => missingFromLadder(l, 30).length === 0, 30_000);

    let help = false;
    const failures: string[] = [];
    for (const [i, step] of STEPS.entries()) {
      const { columns, rows } = step;
      t.resize(columns, rows);
      if (step.toggleHelp === true) {
        help = !help;
        t.keys("?");
      }
      const small = columns < MIN_COLUMNS || rows < MIN_ROWS;
      const missing = (lines: readonly string[]): string[] => {
        const size = t.size();
        if (size.columns !== columns || size.rows !== rows) return [`the pane at ${columns}×${rows}`];
        if (small) return missingFromTooSmall(lines, columns, rows);
        return help ? missingFromHelp(lines, columns) : missingFromLadder(lines, rows);
      };
      let lines: string[] = [];
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        lines = t.capture();
        if (missing(lines).length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const left = missing(lines);
      if (left.length > 0) {
        const what = small ? "too small" : help ? "help" : "ladder";
        failures.push(
          `resize ${i + 1} to ${columns}×${rows} (${what}): missing ${left.join(", ")}; the screen was:\n${lines.join("\n")}`,
        );
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

describe("keys while the pane is too small", () => {
  it("act only to quit: the ladder, the help, the search and the board are as they were left, nothing saved", async () => {
    const t = new TmuxSession();
    tmux = t;
    const config = join(t.dir, "config");
    t.runApp("--demo BTC/USD ETH/USD SOL/USD", 100, 30, { env: `XDG_CONFIG_HOME=${shellQuote(config)}` });
    const tabs = (l: readonly string[]): string[] => l.filter((x) => /^[▶ ][1-9] [A-Z]+\/USD /.test(x));
    const ladder = (l: readonly string[]): boolean =>
      l.some((x) => x.includes("PRICE")) && tabs(l).length === 3 && tabs(l)[0]!.startsWith("▶1 BTC/USD");
    await t.waitFor("the ladder, three symbols", ladder, 30_000);
    // Each key is sent on its own (one read each), then a run of them at once, and a paste.
    const typeWhileSmall = async (...keys: string[]): Promise<void> => {
      t.resize(30, 8);
      await t.waitFor("pane too small", (l) => l[0] === "pane too small");
      for (const key of keys) t.keys(key);
      t.keys("-l", "/eth");
      t.paste("fix sql 1");
      // Long enough for any of them to have been acted on.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(t.capture()[0]).toBe("pane too small");
      t.resize(100, 30);
    };

    await typeWhileSmall("x", "x", "x", "s", "2", "+", "t", "?", "b", "Enter");
    await t.waitFor("the ladder as it was", ladder);
    expect(t.capture().join("\n")).not.toMatch(/Add symbol:|sorted by|saved|paste|Keys/);
    expect(t.capture().some((x) => /^\s+PRICE\s+SIZE/.test(x))).toBe(true);

    t.keys("?");
    await t.waitFor("the help", (l) => l.some((x) => /^ 1–\d+\/\d+ /.test(x)));
    await typeWhileSmall("?", "j", "j", "PageDown", "Enter");
    await t.waitFor("the help as it was, not scrolled", (l) => l.some((x) => /^ 1–\d+\/\d+ /.test(x)));
    t.keys("?");
    await t.waitFor("the ladder", ladder);

    t.keys("/");
    await t.waitFor("the search", (l) => l.some((x) => x.includes("Add symbol: ▏")));
    await typeWhileSmall("s", "o", "l", "Down", "Enter");
    await t.waitFor("the search as it was, empty", (l) => l.some((x) => x.includes("Add symbol: ▏")));
    expect(tabs(t.capture())).toHaveLength(3);
    t.keys("Escape");
    await t.waitFor("the ladder", ladder);

    t.keys("b");
    await t.waitFor("the board", (l) => l.some((x) => x.includes("sorted by spread")));
    await typeWhileSmall("o", "j", "Enter", "b");
    await t.waitFor("the board as it was", (l) => l.some((x) => x.includes("sorted by spread")));
    t.keys("b");
    await t.waitFor("the ladder as it was", ladder);
    expect(existsSync(join(config, "kraken-ladder", "config.toml"))).toBe(false);

    // The quit keys still quit.
    t.resize(30, 8);
    await t.waitFor("pane too small", (l) => l[0] === "pane too small");
    t.keys("q");
    expect(await t.exitLine()).toBe("EXIT=0");
  }, 90_000);
});
