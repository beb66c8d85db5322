import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { hasTmux, TmuxSession } from "./helpers/tmux.js";

/** The built binary in a real terminal (tmux), recording onto a full disk (/dev/full). */

const MARKER = "ORIGINAL-SCREEN-BEFORE-THE-LADDER";

let tmux: TmuxSession | undefined;
afterEach(() => {
  tmux?.close();
  tmux = undefined;
});

beforeAll(() => {
  if (!hasTmux()) throw new Error("tmux is needed for the end-to-end tests: apt-get install tmux");
});

describe("the ladder recording onto a full disk", () => {
  it("shows that the recording stopped, keeps the ladder, and after q says the recording is incomplete and exits 1", async () => {
    const t = new TmuxSession();
    tmux = t;
    t.runApp("--demo BTC/USD --record /dev/full", 100, 24, { marker: MARKER });
    const screen = await t.waitFor(
      "the recording warning over a live ladder",
      (lines) =>
        lines.some((l) => l.includes("─ spread ")) &&
        lines.some((l) => l.startsWith(" ✗ recording stopped, /dev/full is incomplete")),
      // The first screen can take a while on a loaded machine (the whole suite runs in parallel).
      30_000,
    );
    // The warning sits right above the status bar, on the last line.
    expect(screen.at(-2)).toMatch(/^ ✗ recording stopped, \/dev\/full is incomplete: ENOSPC/);
    expect(screen.at(-1)).toMatch(/│/);
    t.keys("q");
    // The message is written just after the ladder leaves the alternate screen: wait for both.
    const after = await t.waitFor(
      "the original screen and the message",
      (lines) => lines.some((l) => l.includes(MARKER)) && lines.some((l) => l.includes("is incomplete")),
    );
    expect(after.join("\n")).toMatch(/kraken-ladder: the recording \/dev\/full is incomplete: ENOSPC/);
    expect(after.join("\n")).not.toContain("spread");
    expect(await t.exitLine()).toBe("EXIT=1");
  }, 60_000);
});
