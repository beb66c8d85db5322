import { describe, expect, it } from "vitest";
import { endToEnd } from "./helpers/parts.js";
import { shellQuote } from "./helpers/tmux.js";
import type { TmuxSession } from "./helpers/tmux.js";

/**
 * The ladder writes only the cells that changed in each line (src/ui/line-update.ts): after hundreds of
 * frames written that way, the screen in a real terminal must be the one a full redraw gives. The built
 * binary runs in tmux against a busy simulator that then goes silent, with the quiet, lag, stale and read
 * limits beyond the silence, so the ladder stays as the last frames left it (live, nothing moving but the
 * status bar's clocks); a resize then makes it redraw every line, and the two screens are compared cell by
 * cell, styles included.
 */

const e2e = endToEnd();

const PRICE_ROW = /^[\s·]\s*\d+\.\d+\s+\d+\.\d+/;
const TAPE_ROW = /│ \d\d:\d\d:\d\d [▲▼] [BS] /;
/** What moves while the feed is silent: the status bar's rates and ages. */
const CLOCKED = /ago/;
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[([0-9;]*)m/g;

type Row = { readonly text: string; readonly cells: string };

/**
 * Each row of `capture-pane -e` as its text and its cells, each `character@style` (the SGR codes in force,
 * in a fixed order), with the blank cells at its end left off. tmux writes the codes between two cells,
 * carrying the style from row to row, and codes for blank cells that draw nothing: comparing cells, not its
 * output, compares what is on screen.
 */
function rowsOf(capture: readonly string[]): Row[] {
  let style = new Map<string, string>();
  return capture.map((row) => {
    const out: { ch: string; key: string }[] = [];
    let at = 0;
    const text = (upTo: number): void => {
      const key = [...style.entries()]
        .map(([k, v]) => `${k}=${v}`)
        .sort()
        .join(";");
      for (const ch of row.slice(at, upTo)) out.push({ ch, key });
    };
    for (const m of row.matchAll(SGR)) {
      text(m.index);
      at = m.index + m[0].length;
      const codes = (m[1] === "" ? "0" : m[1]!).split(";").map(Number);
      for (let i = 0; i < codes.length; i++) {
        const c = codes[i]!;
        if (c === 0) style = new Map();
        else if (c === 38 || c === 48) {
          const n = codes[i + 1] === 5 ? 2 : 4;
          style.set(c === 38 ? "fg" : "bg", codes.slice(i + 1, i + 1 + n).join(":"));
          i += n;
        } else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) style.set("fg", String(c));
        else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) style.set("bg", String(c));
        else if (c === 39) style.delete("fg");
        else if (c === 49) style.delete("bg");
        else if (c === 22) for (const bold of ["1", "2"]) style.delete(bold);
        else if (c > 20 && c < 30) style.delete(String(c - 20));
        else style.set(String(c), "on");
      }
    }
    text(row.length);
    // A blank draws nothing unless it has a background, is inverse, or is underlined or struck through.
    const drawsNothing = (cell: { ch: string; key: string }): boolean =>
      cell.ch === " " && !/(^|;)(bg|7|4|9)=/.test(cell.key);
    while (out.length > 0 && drawsNothing(out.at(-1)!)) out.pop();
    return { text: out.map((c) => c.ch).join(""), cells: out.map((c) => `${c.ch}@${c.key}`).join("|") };
  });
}

/** The screen, then the screen after a resize to one column more and back has redrawn every line. */
async function writtenAndRedrawn(t: TmuxSession): Promise<{ written: Row[]; redrawn: Row[] }> {
  const written = rowsOf(t.captureStyled());
  const { columns, rows } = t.size();
  t.resize(columns + 1, rows);
  await t.waitFor("the wider frame", () => t.size().columns === columns + 1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.resize(columns, rows);
  await new Promise((resolve) => setTimeout(resolve, 700));
  return { written, redrawn: rowsOf(t.captureStyled()) };
}

/** The rows that draw the same in both, besides those that count time. */
function compare(written: readonly Row[], redrawn: readonly Row[], when: string): number[] {
  const compared = written.flatMap((row, i) =>
    CLOCKED.test(row.text) || CLOCKED.test(redrawn[i]?.text ?? "") ? [] : [i],
  );
  for (const i of compared)
    expect(written[i]!.cells, `${when}, row ${i}: ${written[i]!.text}`).toBe(redrawn[i]!.cells);
  return compared;
}

describe("the ladder's incremental writes in a real terminal", () => {
  it("leave the screen exactly as a full redraw draws it, on the ladder and on every screen a key opens", async () => {
    const url = await e2e.simulate("--rate", "50", "--seed", "5", "--silence", "90", "--silence-after", "6");
    const t = e2e.tmux();
    const limits = "--quiet-after 120 --read-timeout 120 --max-lag 120 --stale-after 120";
    t.runApp(`--url ${shellQuote(url)} ${limits} BTC/USD ETH/USD SOL/USD`, 160, 50, { env: "FORCE_COLOR=1" });
    // No message for two seconds: the silence has begun, and the last frame of the market is drawn.
    await t.waitFor("the silence", (l) => /updated [2-9]s ago/.test(l.at(-1) ?? ""), 30_000);
    const { written, redrawn } = await writtenAndRedrawn(t);
    const compared = compare(written, redrawn, "after the market");
    // Every line but the status bar: the book's rows, the tape beside them, the headers; in colour (the
    // tests' CI=true would turn chalk's colours off), so styles are compared too.
    expect(compared.length).toBe(written.length - 1);
    expect(written[0]?.cells).toContain("●@fg=32");
    expect(compared.filter((i) => PRICE_ROW.test(written[i]!.text)).length).toBeGreaterThan(30);
    expect(compared.filter((i) => TAPE_ROW.test(written[i]!.text)).length).toBeGreaterThan(30);

    // Each key draws its screen over the last one, cell by cell.
    const steps: readonly (readonly [key: string, shows: RegExp])[] = [
      ["2", /▶2 ETH\/USD/],
      ["?", /Keys/],
      ["j", /./],
      ["?", /PRICE/],
      ["t", /PRICE/],
      ["t", /TIME +SIDE/],
      ["b", /BOARD ·/],
      ["j", /▶SOL\/USD|▶\S+/],
      ["Enter", /PRICE/],
      ["1", /▶1 BTC\/USD/],
    ];
    for (const [key, shows] of steps) {
      t.keys(key);
      await t.waitFor(`the screen after ${key}`, (l) => shows.test(l.join("\n")));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = await writtenAndRedrawn(t);
      expect(compare(after.written, after.redrawn, `after ${key}`).length).toBeGreaterThan(40);
    }
    t.keys("q");
  }, 90_000);
});
