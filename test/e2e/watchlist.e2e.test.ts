import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { hasTmux, shellQuote, TmuxSession } from "./helpers/tmux.js";

/**
 * The installed binary in tmux: symbols added with `/`, removed with `x`, saved with `s` into a config file
 * under a scratch XDG_CONFIG_HOME and read back at the next start; the help at 40×10; "+N" in the header.
 */

let tmux: TmuxSession | undefined;
afterEach(() => {
  tmux?.close();
  tmux = undefined;
});

beforeAll(() => {
  if (!hasTmux()) throw new Error("tmux is needed for the end-to-end tests: apt-get install tmux");
});

/** The binary with `args`, XDG_CONFIG_HOME in the session's scratch directory; the exit code goes to a file. */
function run(
  session: TmuxSession,
  args: string,
  columns: number,
  rows: number,
  config = `${session.dir}/config`,
): void {
  session.runApp(args, columns, rows, { env: `XDG_CONFIG_HOME=${shellQuote(config)}` });
}

/** The header's tab lines: those that name a symbol and its state glyph. */
const tabs = (lines: readonly string[]): string[] =>
  lines.filter((l) => /^[▶ ][1-9 ] [A-Z0-9]+\/[A-Z0-9]+ /.test(l));
const live = (lines: readonly string[], symbol: string): boolean =>
  tabs(lines).some((l) => l.includes(symbol) && l.includes("●"));

describe("the watchlist in a real terminal", () => {
  it("adds a pair found with /, removes one with x, saves with s, and starts with the saved list", async () => {
    const config = mkdtempSync(join(tmpdir(), "kraken-ladder-config-"));
    onTestFinished(() => rmSync(config, { recursive: true, force: true }));
    const t = (tmux = new TmuxSession());
    run(t, "--demo BTC/USD", 100, 30, config);
    await t.waitFor("BTC/USD live", (l) => live(l, "BTC/USD"));

    t.keys("/");
    await t.waitFor("the search", (l) => l.some((x) => x.includes("Add symbol:")));
    t.keys("-l", "eth");
    const found = await t.waitFor("ETH pairs listed", (l) => l.some((x) => x.includes("Add symbol: eth")));
    expect(found.some((x) => x.includes("ETH/USD"))).toBe(true);
    expect(found.some((x) => x.includes("ETH/BTC"))).toBe(true);
    expect(found.some((x) => x.includes("SOL/USD"))).toBe(false);
    t.keys("Down", "Enter");
    await t.waitFor("ETH/USD added and live", (l) => live(l, "ETH/USD") && live(l, "BTC/USD"));
    expect(t.capture().some((x) => x.includes("Add symbol:"))).toBe(false);

    // Letters typed with Ctrl or Alt are not those keys: nothing is removed, saved, shown or hidden.
    t.keys("C-x", "M-x", "C-s", "M-s", "C-b", "C-t", "C-h", "M-q", "?");
    await t.waitFor("the help, after the modified keys", (l) => l.some((x) => x.includes("Book states")));
    t.keys("Escape");
    await t.waitFor("the ladder again", (l) => l.some((x) => x.includes("spread")));
    expect(tabs(t.capture()).filter((x) => x.includes("ETH/USD") || x.includes("BTC/USD"))).toHaveLength(2);
    expect(t.capture().some((x) => x.includes("saved"))).toBe(false);
    expect(existsSync(join(config, "kraken-ladder/config.toml"))).toBe(false);
    // A paste is not keys: "fix sql" pasted into the wrong pane removes nothing (x), saves nothing (s),
    // does not quit (q) or jump (1); the notice line says it was ignored. Into the search it is typed.
    t.paste("fix sql 1");
    await t.waitFor("the paste ignored", (l) => l.some((x) => x.includes("a paste is not read as keys")));
    expect(tabs(t.capture()).filter((x) => x.includes("ETH/USD") || x.includes("BTC/USD"))).toHaveLength(2);
    expect(tabs(t.capture())[1]).toMatch(/^▶2 ETH\/USD/);
    expect(existsSync(join(config, "kraken-ladder/config.toml"))).toBe(false);
    t.keys("/");
    await t.waitFor("the search", (l) => l.some((x) => x.includes("Add symbol:")));
    t.paste("eth/b q");
    await t.waitFor("the paste typed", (l) => l.some((x) => x.includes("Add symbol: eth/bq")));
    // The search edits as a shell's prompt does: Ctrl-W drops the last word, Ctrl-U all of it.
    t.keys("C-w");
    await t.waitFor("a word dropped", (l) => l.some((x) => x.includes("Add symbol: eth▏")));
    t.keys("C-u");
    await t.waitFor("the search cleared", (l) => l.some((x) => x.includes("Add symbol: ▏")));
    t.keys("Escape");
    await t.waitFor("the ladder again", (l) => l.some((x) => x.includes("spread")));
    // Ctrl-L draws the whole screen again over what another program wrote on the terminal: here a clear
    // screen, and a scribble on the column titles' line, which the ladder never redraws by itself.
    const titles = t.capture().findIndex((x) => x.includes("PRICE"));
    expect(titles).toBeGreaterThan(0);
    const tty = t.tmux("display-message", "-p", "-t", t.session, "#{pane_tty}").trim();
    writeFileSync(tty, `\x1b[2J\x1b[${titles + 1};1HSCRIBBLED`);
    await t.waitFor("the scribble", (l) => l[titles]?.startsWith("SCRIBBLED") === true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(t.capture()[titles]).toMatch(/^SCRIBBLED/);
    t.keys("C-l");
    await t.waitFor("the screen drawn again", (l) => l[titles]?.includes("PRICE") === true);
    expect(t.capture().some((x) => x.includes("SCRIBBLED"))).toBe(false);

    // Selected after adding: x removes ETH/USD again; then add SOL/USD and remove BTC/USD.
    t.keys("x");
    await t.waitFor("ETH/USD removed", (l) => !tabs(l).some((x) => x.includes("ETH/USD")));
    t.keys("/");
    t.keys("-l", "sol");
    await t.waitFor("SOL/USD listed", (l) => l.some((x) => x.includes("Add symbol: sol")));
    expect(t.capture().some((x) => x.includes("▶ SOL/USD"))).toBe(true);
    t.keys("Enter");
    await t.waitFor("SOL/USD live", (l) => live(l, "SOL/USD"));
    t.keys("1", "x");
    await t.waitFor("BTC/USD removed", (l) => tabs(l).length === 1 && live(l, "SOL/USD"));
    // The last symbol stays.
    t.keys("x");
    await t.waitFor("the last symbol kept", (l) => l.some((x) => x.includes("is the last symbol")));
    expect(tabs(t.capture())).toHaveLength(1);

    t.keys("s");
    await t.waitFor("the save notice", (l) =>
      l.some((x) => x.includes("saved 1 symbol to") && x.includes("kraken-ladder/config.toml")),
    );
    expect(readFileSync(join(config, "kraken-ladder/config.toml"), "utf8")).toBe('symbols = ["SOL/USD"]\n');
    t.keys("q");
    expect(await t.exitLine()).toBe("EXIT=0");
    t.close();

    // A new start with no symbols typed watches the saved list.
    const again = (tmux = new TmuxSession());
    run(again, "--demo", 100, 30, config);
    const lines = await again.waitFor("the saved symbol live", (l) => live(l, "SOL/USD"));
    expect(tabs(lines)).toHaveLength(1);
  });

  it("at 80 columns a save that fails says why and names the file, its path cut in the middle", async () => {
    const root = mkdtempSync(join(tmpdir(), "kraken-ladder-config-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const config = join(root, "home", "alexandra-with-a-long-name", ".config");
    mkdirSync(config, { recursive: true });
    const t = (tmux = new TmuxSession());
    run(t, "--demo BTC/USD", 80, 24, config);
    await t.waitFor("BTC/USD live", (l) => live(l, "BTC/USD"));
    // A file where the config's folder would be, once the run has started: the save cannot go there.
    writeFileSync(join(config, "kraken-ladder"), "");
    t.keys("s");
    const lines = await t.waitFor("the failed save's notice", (l) =>
      l.some((x) => x.startsWith(" ! not saved")),
    );
    expect(lines.find((x) => x.startsWith(" ! not saved"))).toMatch(
      /^ ! not saved: \/tmp.*….*\/config\.toml: cannot be read: ENOTDIR: not a directory$/,
    );
    t.keys("q");
    expect(await t.exitLine()).toBe("EXIT=0");
  });

  it("shows the help at 40×10, scrolls it, closes it with Esc without quitting; a second Esc quits", async () => {
    const t = (tmux = new TmuxSession());
    run(t, "--demo BTC/USD ETH/USD", 40, 10);
    await t.waitFor("BTC/USD live", (l) => live(l, "BTC/USD"));
    t.keys("?");
    const first = await t.waitFor("the help", (l) => l.some((x) => /^ 1–\d+\/\d+ /.test(x)));
    expect(first.some((x) => x.startsWith(" Keys"))).toBe(true);
    for (const l of first) expect(l.length).toBeLessThanOrEqual(40);
    t.keys("j", "j");
    await t.waitFor("scrolled two lines", (l) => l.some((x) => /^ 3–\d+\/\d+ /.test(x)));
    t.keys("PageDown");
    await t.waitFor("a page further", (l) => l.some((x) => /^ ([4-9]|\d\d)–\d+\/\d+ /.test(x)));
    t.keys("Escape");
    await t.waitFor("the ladder again", (l) => l.some((x) => x.includes("PRICE")));
    expect(t.readFile("exit")).toBeUndefined();
    t.keys("?");
    await t.waitFor("the help again", (l) => l.some((x) => x.startsWith(" Keys")));
    t.keys("?");
    await t.waitFor("? closes it too", (l) => l.some((x) => x.includes("PRICE")));
    t.keys("Escape");
    expect(await t.exitLine()).toBe("EXIT=0");
  });

  it("at 80×24 shows nine symbols as compact tabs on two lines, and the ladder keeps its rows", async () => {
    const all = "BTC/USD ETH/USD SOL/USD XRP/USD DOGE/USD ADA/EUR MINA/GBP LTC/USD ETH/BTC";
    const t = (tmux = new TmuxSession());
    run(t, `--demo ${all}`, 80, 24);
    const lines = await t.waitFor(
      "nine compact tabs, every one live",
      (l) => tabs(l).length === 2 && all.split(" ").every((s) => live(l, s)),
    );
    // No prices in the tabs, no "+N": the ladder has the room (at least eight rows a side).
    expect(tabs(lines).some((x) => / \/ /.test(x) || / \+\d+$/.test(x))).toBe(false);
    const spread = lines.findIndex((x) => x.includes(" spread "));
    expect(spread - lines.findIndex((x) => x.includes("PRICE")) - 1).toBeGreaterThanOrEqual(8);
    // The last symbol selected (← wraps): its tab is marked.
    t.keys("Left");
    const last = await t.waitFor("ETH/BTC selected", (l) => tabs(l).some((x) => x.includes("▶9 ETH/BTC")));
    for (const l of last) expect(l.length).toBeLessThanOrEqual(80);
  });

  it("at 40 columns drops the header's columns before it cuts a price", async () => {
    const t = (tmux = new TmuxSession());
    run(t, "--demo BTC/USD", 40, 12);
    const lines = await t.waitFor("BTC/USD live", (l) => live(l, "BTC/USD"));
    const tab = tabs(lines)[0] ?? "";
    expect(tab).toMatch(/\d+\.\d \/ \d+\.\d$/);
    expect(tab).not.toContain("…");
  });
});
