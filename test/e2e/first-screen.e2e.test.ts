import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { firstScreenLines } from "../../src/ui/first-screen.js";
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

/** The binary with `--demo BTC/USD ETH/USD` in a 90×24 pane, its ladder held until open() is called. */
function startHeld(): { t: TmuxSession; open: () => void; exit: () => Promise<string | undefined> } {
  const t = new TmuxSession();
  tmux = t;
  writeFileSync(join(t.dir, "gate-hooks.mjs"), GATE_HOOKS);
  writeFileSync(join(t.dir, "gate.mjs"), GATE_PRELOAD);
  const gate = join(t.dir, "go");
  const env = `KL_GATE=${shellQuote(gate)} NODE_OPTIONS=${shellQuote(`--import=${pathToFileURL(join(t.dir, "gate.mjs")).href}`)}`;
  t.runApp("--demo BTC/USD ETH/USD", 90, 24, { env, marker: MARKER });
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
