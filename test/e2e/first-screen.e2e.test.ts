import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { firstScreenLines } from "../../src/ui/first-screen.js";
import { BIN } from "../helpers/run-cli.js";
import { hasTmux, shellQuote, TmuxSession } from "./helpers/tmux.js";

/**
 * The installed binary in tmux, from launch to the ladder. So that the first screen stays up for as long
 * as the test needs, the child runs with a test-only module-resolve hook (preloaded with --import) that
 * holds the ladder's module until the test creates a file: "before the ladder is ready" is then a state
 * the test controls, not a race.
 */

const MARKER = "ORIGINAL-SCREEN-BEFORE-THE-LADDER";
const GATE_HOOKS = `import { existsSync } from "node:fs";
export async function resolve(specifier, context, next) {
  if (/run-ladder\\.js$/.test(specifier))
    while (!existsSync(process.env.KL_GATE)) await new Promise((r) => setTimeout(r, 20));
  return next(specifier, context);
}
`;
const GATE_PRELOAD = `import { register } from "node:module";
register(new URL("./gate-hooks.mjs", import.meta.url));
`;

let tmux: TmuxSession | undefined;
afterEach(() => {
  tmux?.close();
  tmux = undefined;
});
beforeAll(() => {
  if (!hasTmux()) throw new Error("tmux is needed for the end-to-end tests: apt-get install tmux");
});

/** The binary with `--demo SYMBOLS` in a 90×24 pane, its ladder held until open() is called. */
function startHeld(symbols = "BTC/USD ETH/USD"): {
  t: TmuxSession;
  open: () => void;
  exit: () => Promise<string | undefined>;
} {
  const t = new TmuxSession();
  tmux = t;
  writeFileSync(join(t.dir, "gate-hooks.mjs"), GATE_HOOKS);
  writeFileSync(join(t.dir, "gate.mjs"), GATE_PRELOAD);
  const gate = join(t.dir, "go");
  const env = `KL_GATE=${shellQuote(gate)} NODE_OPTIONS=${shellQuote(`--import=${pathToFileURL(join(t.dir, "gate.mjs")).href}`)}`;
  t.runApp(`--demo ${symbols}`, 90, 24, { env, marker: MARKER });
  return { t, open: () => writeFileSync(gate, ""), exit: () => t.exitLine() };
}

describe("the first screen", () => {
  it("appears before the ladder is loaded; keys typed meanwhile are not echoed and reach the ladder", async () => {
    const { t, open, exit } = startHeld();
    const expected = firstScreenLines(["BTC/USD", "ETH/USD"], 90);
    await t.waitFor("the first screen", (l) => l.join("\n") === expected.join("\n"));

    // `2` selects the second symbol once the ladder runs; typed now, the terminal must not echo it.
    t.keys("2");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.capture()).toEqual(expected);

    open();
    const ladder = await t.waitFor("the ladder, second symbol selected", (l) =>
      l.some((x) => x.startsWith("▶2 ETH/USD")),
    );
    expect(ladder.join("\n")).not.toContain("connecting…");

    t.keys("q");
    const after = await t.waitFor("the original screen", (l) => l.some((x) => x.includes(MARKER)));
    // Nothing typed was echoed onto the user's screen either.
    expect(after.filter((x) => x !== "").map((x) => x.trim())).toEqual([MARKER]);
    expect(await exit()).toBe("EXIT=0");
  });

  it("drops several keys typed while it is up, read together or seconds apart: none of them acts", async () => {
    const { t, open, exit } = startHeld("BTC/USD ETH/USD SOL/USD");
    await t.waitFor("the first screen", (l) => l.some((x) => x.includes("◌ connecting…")));
    // `3` then `x` would select SOL/USD and remove it.
    t.keys("3");
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.keys("x");
    await new Promise((resolve) => setTimeout(resolve, 300));
    open();
    const three = (l: readonly string[]): boolean =>
      l.some((x) => x.startsWith("▶1 BTC/USD")) &&
      ["ETH/USD", "SOL/USD"].every((s) => l.join("\n").includes(s));
    await t.waitFor(
      "the ladder, all three symbols, the first selected",
      (l) => three(l) && l.some((x) => x.includes("PRICE")),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(three(t.capture())).toBe(true);
    t.keys("q");
    expect(await exit()).toBe("EXIT=0");
  });

  it("ends the run, exit 0, on Ctrl-C typed among other keys while it is up, before the ladder draws", async () => {
    const { t, open, exit } = startHeld();
    await t.waitFor("the first screen", (l) => l.some((x) => x.includes("◌ connecting…")));
    t.keys("x", "C-c");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const written = join(t.dir, "pane-output");
    t.tmux("pipe-pane", "-t", t.session, "-o", `cat > ${shellQuote(written)}`);
    open();
    await t.waitFor("the original screen", (l) => l.some((x) => x.includes(MARKER)));
    expect(await exit()).toBe("EXIT=0");
    t.tmux("pipe-pane", "-t", t.session);
    expect(readFileSync(written, "utf8")).not.toContain("PRICE");
  });

  it("drops keys typed into the shell before it started (sleep 2; kraken-ladder): one or several, none acts", async () => {
    for (const typed of ["x", "xx", "3x"]) {
      const t = new TmuxSession();
      tmux = t;
      t.run(
        `sleep 2; env CI=true ${shellQuote(process.execPath)} ${shellQuote(BIN)} --demo BTC/USD ETH/USD SOL/USD`,
        90,
        24,
      );
      // Typed at once, while the shell's command sleeps: the terminal holds them in line mode.
      t.keys(typed);
      const three = (l: readonly string[]): boolean =>
        l.some((x) => x.startsWith("▶1 BTC/USD")) &&
        ["ETH/USD", "SOL/USD"].every((s) => l.join("\n").includes(s)) &&
        l.some((x) => x.includes("PRICE"));
      await t.waitFor(`the ladder, all three symbols, after ${typed}`, three, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(three(t.capture()), typed).toBe(true);
      t.keys("q");
      expect(await t.exitLine()).toBe("EXIT=0");
      t.close();
      tmux = undefined;
    }
  }, 60_000);

  it("gives the terminal back when a signal arrives before the ladder is ready, exiting 0", async () => {
    const { t, open, exit } = startHeld();
    await t.waitFor("the first screen", (l) => l.some((x) => x.includes("◌ connecting…")));
    const shell = t.tmux("display-message", "-p", "-t", t.session, "#{pane_pid}").trim();
    t.tmux("run-shell", `pkill -TERM -P ${shell}`);
    open();
    await t.waitFor("the original screen", (l) => l.some((x) => x.includes(MARKER)));
    expect(await exit()).toBe("EXIT=0");
  });
});
