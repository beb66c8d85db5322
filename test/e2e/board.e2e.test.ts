import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { hasTmux, TmuxSession } from "./helpers/tmux.js";

/**
 * The board as a user sees it: the installed binary in tmux against `--demo` (its nine built-in pairs), and
 * against `--demo --pairs 300 --all` (hundreds of rows), sorting, drilling into a ladder and back, a narrow
 * pane, and a key answered within a couple of seconds while hundreds of books stream.
 */

let tmux: TmuxSession | undefined;
afterEach(() => {
  tmux?.close();
  tmux = undefined;
});

beforeAll(() => {
  if (!hasTmux()) throw new Error("tmux is needed for the end-to-end tests: apt-get install tmux");
});

function start(args: string, columns: number, rows: number): TmuxSession {
  const t = new TmuxSession();
  tmux = t;
  t.runApp(args, columns, rows);
  return t;
}

const NINE = "BTC/USD ETH/USD SOL/USD XRP/USD DOGE/USD ADA/EUR MINA/GBP LTC/USD ETH/BTC";
/** Board rows: a symbol, then a state glyph; a live one has two prices after it. */
const ROW = /^[▶ ]([A-Z0-9]+\/[A-Z0-9]+) +● live +(\d+\.\d+) +(\d+\.\d+)/;
const liveRows = (lines: readonly string[]) => lines.filter((l) => ROW.test(l));
const selected = (lines: readonly string[]) => lines.find((l) => l.startsWith("▶"))?.match(/^▶(\S+)/)?.[1];
const title = (lines: readonly string[]) => lines.find((l) => l.includes("BOARD ·")) ?? "";
/** The ladder, its header tab of `symbol` selected (▶, then its number and name). */
const ladderOf = (lines: readonly string[], symbol: string) =>
  lines.some(
    (l) => l.includes("▶") && l.slice(l.indexOf("▶"), l.indexOf("▶") + 4 + symbol.length).includes(symbol),
  ) && lines.some((l) => l.includes("PRICE"));

describe("the board in a real terminal", () => {
  it("with nine symbols: b shows the board, o re-sorts, Enter opens a ladder and Esc comes back", async () => {
    const t = start(`--demo ${NINE}`, 200, 30);
    await t.waitFor("the ladder", (l) => l.some((x) => x.includes("PRICE")));
    t.keys("b");
    const board = await t.waitFor("nine live rows on the board", (l) => liveRows(l).length === 9);
    expect(title(board)).toContain("sorted by spread bps");
    const columns = board.find((l) => l.includes("SYMBOL")) ?? "";
    for (const c of [
      "BID",
      "ASK",
      "SPREAD",
      "BPS",
      "MID",
      "BID±10",
      "ASK±50",
      "BUY 10k",
      "SELL 10k",
      "IMB",
      "MED5m",
      "P95",
      "MSG/S",
      "LAG",
    ])
      expect(columns).toContain(c);
    // Sorted by spread bps: the BPS column (the 4th figure after the state) does not decrease down the rows.
    const bps = liveRows(board).map((l) => Number(l.replace(/^[▶ ]\S+ +● live +/, "").split(/ +/)[3]));
    expect([...bps].sort((a, b) => a - b)).toEqual(bps);

    t.keys("o");
    const bySize = await t.waitFor("sorted by liquidity", (l) => title(l).includes("sorted by liquidity"));
    const chosen = selected(bySize);
    expect(chosen).toBeDefined();
    t.keys("j");
    const moved = await t.waitFor("the selection moved", (l) => selected(l) !== chosen);
    const target = selected(moved)!;
    t.keys("o");
    const byCost = await t.waitFor("sorted by cost", (l) => title(l).includes("sorted by cost"));
    // The selection follows the symbol across the re-sort.
    expect(selected(byCost)).toBe(target);

    t.keys("Enter");
    await t.waitFor(`${target}'s ladder`, (l) => ladderOf(l, target) && title(l) === "");
    t.keys("Escape");
    const back = await t.waitFor("the board again", (l) => title(l).includes("sorted by cost"));
    expect(selected(back)).toBe(target);

    // A narrow pane: columns go from the right, prices stay whole.
    t.resize(60, 30);
    // (Waiting for nine live rows again: on a loaded machine a demo book can be lagging for a moment.)
    const narrow = await t.waitFor(
      "a narrow board of nine live rows",
      (l) => title(l) !== "" && !l.some((x) => x.includes("LAG")) && liveRows(l).length === 9,
    );
    for (const l of narrow) expect(l.length).toBeLessThanOrEqual(60);

    t.keys("q");
    expect(await t.exitLine()).toBe("EXIT=0");
  }, 60_000);

  it("with --pairs 300 --all --board: hundreds of rows, and a key is answered within two seconds", async () => {
    const t = start("--demo --pairs 300 --all --board", 160, 40);
    const first = await t.waitFor(
      "a full board of live rows",
      (l) => liveRows(l).length >= 30 && Number(/ of (\d+)/.exec(title(l))?.[1] ?? 0) >= 250,
      30_000,
    );
    // Every online pair of the 309 (some synthetic pairs are listed as not online and are not watched).
    expect(title(first)).toMatch(/ 1–\d+ of [23]\d\d /);
    for (const key of ["o", "o", "o"]) {
      const before = title(t.capture());
      const pressed = Date.now();
      t.keys(key);
      await t.waitFor("the sort to change", (l) => title(l) !== before && title(l) !== "", 2_000);
      expect(Date.now() - pressed).toBeLessThan(2_000);
    }
    // Page down: the window follows the selection.
    t.keys("PageDown");
    await t.waitFor("the next page", (l) => !/ 1–\d+ of/.test(title(l)), 2_000);
    t.keys("q");
    expect(await t.exitLine()).toBe("EXIT=0");
  }, 60_000);
});
