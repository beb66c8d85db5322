import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/run-cli.js";
import { hasTmux, shellQuote, TmuxSession } from "./helpers/tmux.js";

/** The built binary in real terminals that are not the usual one: ASCII only, TERM=dumb, stdin not a terminal. */

let tmux: TmuxSession | undefined;
afterEach(() => {
  tmux?.close();
  tmux = undefined;
});

beforeAll(() => {
  if (!hasTmux()) throw new Error("tmux is needed for the end-to-end tests: apt-get install tmux");
});

const NON_ASCII = /[^\x20-\x7e]/;

const ladder = `${shellQuote(process.execPath)} ${shellQuote(BIN)}`;

describe("terminals", () => {
  it("--ascii draws the same ladder with ASCII characters only, the help too", async () => {
    const t = new TmuxSession();
    tmux = t;
    t.run(`env CI=true ${ladder} --ascii --demo BTC/USD ETH/USD`);
    const screen = await t.waitFor(
      "an ASCII ladder",
      (lines) => lines.some((l) => l.includes("- spread ")) && lines.some((l) => l.includes("* connected")),
      30_000,
    );
    expect(screen[0]).toMatch(/^>1 BTC\/USD \* live /);
    expect(screen.at(-1)).toMatch(/^ \* connected \| .*\| \+\d+ x0 \|/);
    expect(screen.filter((l) => NON_ASCII.test(l))).toEqual([]);
    t.keys("?");
    await t.waitFor("the help", (lines) => lines.some((l) => l.includes("Keys")));
    t.keys("j", "j", "j");
    const help = await t.waitFor("the help's book states", (lines) =>
      lines.some((l) => l.includes("Book states")),
    );
    expect(help.filter((l) => NON_ASCII.test(l))).toEqual([]);
    expect(help.join("\n")).toContain("* live");
    t.keys("q");
    expect(await t.exitLine(15_000)).toBe("EXIT=0");
  }, 60_000);

  it("a locale that is not UTF-8 turns ASCII on by itself; --no-ascii keeps the glyphs", async () => {
    const t = new TmuxSession();
    tmux = t;
    t.run(`env -u LC_ALL -u LC_CTYPE LANG=C CI=true ${ladder} --demo`);
    const screen = await t.waitFor(
      "an ASCII ladder",
      (lines) => lines.some((l) => l.includes("* connected")),
      30_000,
    );
    expect(screen.filter((l) => NON_ASCII.test(l))).toEqual([]);
    t.keys("q");
    expect(await t.exitLine(15_000)).toBe("EXIT=0");

    const u = new TmuxSession();
    tmux = u;
    t.close();
    u.run(`env -u LC_ALL -u LC_CTYPE LANG=C CI=true ${ladder} --demo --no-ascii`);
    await u.waitFor("a Unicode ladder", (lines) => lines.some((l) => l.includes("● connected")), 30_000);
    u.keys("q");
    expect(await u.exitLine(15_000)).toBe("EXIT=0");
  }, 90_000);

  it("the config file's symbols, grouping and ascii reach the ladder", async () => {
    const t = new TmuxSession();
    tmux = t;
    const config = join(t.dir, "config.toml");
    writeFileSync(config, 'symbols = ["ETH/USD", "SOL/USD"]\nascii = true\n[grouping]\n"ETH/USD" = 10\n');
    t.run(`env CI=true KRAKEN_LADDER_CONFIG=${shellQuote(config)} ${ladder} --demo`);
    const screen = await t.waitFor(
      "the file's watchlist, grouped",
      (lines) => lines.some((l) => l.includes("- spread ")) && lines.some((l) => /PRICE/.test(l)),
      30_000,
    );
    expect(screen[0]).toMatch(/^>1 ETH\/USD /);
    expect(screen[1]).toMatch(/^ 2 SOL\/USD /);
    expect(screen.find((l) => l.includes("PRICE"))).toContain("group 0.10");
    expect(screen.filter((l) => NON_ASCII.test(l))).toEqual([]);
    t.keys("q");
    expect(await t.exitLine(15_000)).toBe("EXIT=0");
  }, 60_000);

  /**
   * Runs `command` in a pane after `echo BEFORE`: it must print `message` on the normal screen, leave what
   * was there, and exit 2 (bad usage). Resolves with the screen's text.
   */
  async function badUsageOnTerminal(command: string, message: string): Promise<string> {
    const t = new TmuxSession();
    tmux = t;
    t.run(`echo BEFORE; ${command}`);
    const screen = await t.waitFor("the message", (lines) => lines.join("\n").includes(message));
    expect(screen.join("\n")).toContain("BEFORE");
    expect(await t.exitLine(15_000)).toBe("EXIT=2");
    return screen.join("\n");
  }

  it("TERM=dumb: a clear message pointing at --json, exit 2, and the screen left alone", async () => {
    await badUsageOnTerminal(
      `env TERM=dumb ${ladder} --demo`,
      "kraken-ladder: TERM=dumb: this terminal cannot draw the full-screen ladder; use --json to stream NDJSON instead.",
    );
  }, 60_000);

  it("an NDJSON flag on the ladder does nothing, so it is bad usage: exit 2 naming it, the screen left alone", async () => {
    await badUsageOnTerminal(
      `${ladder} --demo --analytics`,
      "error: --analytics is for NDJSON (--json); it does nothing on the ladder",
    );
  }, 60_000);

  it("stdin not a terminal: a clear message, exit 2, never a stack trace", async () => {
    const text = await badUsageOnTerminal(
      `echo | ${ladder} --demo`,
      "kraken-ladder: the ladder reads keys from stdin, which is not a terminal; use --json to stream NDJSON instead, or run it in a terminal.",
    );
    expect(text).not.toMatch(/\bat \w+ \(|Error:/);
  }, 60_000);
});
