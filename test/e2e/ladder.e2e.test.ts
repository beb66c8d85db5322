import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers/run-cli.js";
import { hasTmux, shellQuote, TmuxSession } from "./helpers/tmux.js";

/**
 * The installed binary (npm pack, then npm install: test/helpers/global-setup.ts) in a real terminal (tmux): `kraken-ladder --demo BTC/USD ETH/USD` on the alternate
 * screen, driven by keys and resizes as a user would, read back with capture-pane.
 */

const MARKER = "ORIGINAL-SCREEN-BEFORE-THE-LADDER";
const PRICE_ROW = /^[\s·]\s*\d+\.\d+\s+\d+\.\d+/;

let tmux: TmuxSession | undefined;
afterEach(() => {
  tmux?.close();
  tmux = undefined;
});

beforeAll(() => {
  if (!hasTmux()) throw new Error("tmux is needed for the end-to-end tests: apt-get install tmux");
});

/**
 * Runs a node script with arguments in tmux (default: the built binary with `--demo BTC/USD ETH/USD`); the
 * shell then writes the exit code to a file and stays, so the screen can be read after.
 */
function startLadder(
  columns: number,
  rows: number,
  script = BIN,
  args = "--demo BTC/USD ETH/USD",
  /** More `NAME=value` words for `env`, given the session's scratch directory. */
  extraEnv: (dir: string) => string = () => "",
): TmuxSession {
  const session = new TmuxSession();
  tmux = session;
  const env = extraEnv(session.dir);
  if (script === BIN) {
    session.runApp(args, columns, rows, { marker: MARKER, ...(env === "" ? {} : { env }) });
    return session;
  }
  // Ink draws nothing live when it thinks it runs in CI; fixtures that call runLadder directly (Ink
  // unbundled) run without it.
  const command = `env -u CI -u CONTINUOUS_INTEGRATION ${env} ${shellQuote(process.execPath)} ${shellQuote(script)} ${args}`;
  session.run(command, columns, rows, MARKER);
  return session;
}

/** The pid of the program running in the pane (the shell's child). */
function programPid(t: TmuxSession): number {
  const shell = t.tmux("display-message", "-p", "-t", t.session, "#{pane_pid}").trim();
  const child = execFileSync("ps", ["-o", "pid=", "--ppid", shell], { encoding: "utf8" })
    .trim()
    .split(/\s+/)[0];
  return Number(child);
}

type Ladder = { header: string; spread: number; asksAbove: number; bidsBelow: number; status: string };

/** The ladder on screen, if it is complete: the header, price rows above and below a spread row, a status bar. */
function ladderOf(lines: readonly string[]): Ladder | undefined {
  const spread = lines.findIndex((l) => /─ spread \S+ · \S+ bps · mid \S+ [─·]/.test(l));
  if (spread < 0) return undefined;
  const asksAbove = lines.slice(0, spread).filter((l) => PRICE_ROW.test(l)).length;
  const bidsBelow = lines.slice(spread + 1).filter((l) => PRICE_ROW.test(l)).length;
  const status = lines[lines.length - 1] ?? "";
  // A whole frame: the header on the first line, the status bar on the last. (Right after a resize the
  // terminal can briefly show a frame drawn for the old size, before the program hears of the change.)
  if (!/^[ ▶]\d /.test(lines[0] ?? "") || asksAbove === 0 || bidsBelow === 0 || !/\/s │/.test(status)) {
    return undefined;
  }
  return { header: lines.find((l) => l.startsWith("▶")) ?? "", spread, asksAbove, bidsBelow, status };
}

/** Nothing drawn outside the pane: no line wider than it (wrapped lines are joined), no more lines than it has. */
function expectWithin(lines: readonly string[], columns: number, rows: number): void {
  expect(lines.length).toBeLessThanOrEqual(rows);
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
}

describe("the ladder in a real terminal", () => {
  it("shows both sides and a spread row, switches symbols, reflows on resize, shows help and quits with 0", async () => {
    const t = startLadder(100, 30);

    const first = await t.waitFor(
      "the ladder with both sides and a spread row",
      (l) => ladderOf(l) !== undefined,
    );
    const ladder = ladderOf(first);
    expect(ladder?.header).toMatch(/^▶1 BTC\/USD\s+● live/);
    expect(first.join("\n")).toMatch(/^ 2 ETH\/USD\s+\S+ \w+/m);
    expect(first[0]).toMatch(/^▶1 BTC\/USD/);
    expect(first.join("\n")).not.toContain(MARKER);
    expectWithin(first, 100, 30);

    t.keys("Right");
    const eth = await t.waitFor(
      "ETH/USD selected",
      (l) => ladderOf(l)?.header.startsWith("▶2 ETH/USD") === true,
    );
    expect(eth.join("\n")).toMatch(/^ 1 BTC\/USD/m);

    t.resize(64, 16);
    const small = await t.waitFor(
      "the ladder reflowed to 64×16",
      (l) =>
        t.size().rows === 16 && (ladderOf(l)?.asksAbove ?? 99) < (ladder?.asksAbove ?? 0) && l.length <= 16,
    );
    expect(small[0]).toMatch(/^ 1 BTC\/USD|^▶2 ETH\/USD/);
    expectWithin(small, 64, 16);
    expect(ladderOf(small)?.header).toMatch(/^▶2 ETH\/USD/);

    t.resize(20, 6);
    const tiny = await t.waitFor("the too-small message", (l) => l.some((x) => x.includes("pane too small")));
    expectWithin(tiny, 20, 6);

    t.resize(120, 40);
    const big = await t.waitFor(
      "the ladder reflowed to 120×40",
      (l) => (ladderOf(l)?.asksAbove ?? 0) > (ladder?.asksAbove ?? 99),
    );
    expectWithin(big, 120, 40);
    expect(big[0]).toMatch(/BTC\/USD/);

    t.keys("?");
    const help = await t.waitFor("the help overlay", (l) => l.some((x) => x.includes("Shift-Tab")));
    const helpText = help.join("\n");
    for (const key of ["Tab", "1 – 9", "+", "Esc", "Ctrl-C"]) expect(helpText).toContain(key);
    t.keys("?");
    await t.waitFor("the ladder again", (l) => ladderOf(l) !== undefined);

    t.keys("q");
    const after = await t.waitFor("the original screen", (l) => l.some((x) => x.includes(MARKER)));
    expect(after.join("\n")).not.toContain("spread");
    // Nor in the history: a pane grown while the ladder ran used to keep some of its lines there (tmux
    // keeps lines of an alternate screen left at another size than it was entered at, unless it is clear).
    const scrollback = t.captureWithHistory().join("\n");
    for (const text of ["spread", "PRICE", "checksums", "BTC/USD"]) expect(scrollback).not.toContain(text);
    expect(await t.exitLine()).toBe("EXIT=0");
  }, 60_000);

  it("in a tall pane subscribes the book deep enough at once: one subscribe, never syncing once live", async () => {
    // 200×60 has 27 rows a side, more than the default depth of 25.
    const t = new TmuxSession();
    tmux = t;
    t.runApp(`--demo --record ${shellQuote(join(t.dir, "rec.jsonl"))} BTC/USD`, 200, 60, { marker: MARKER });
    const first = await t.waitFor("the ladder", (l) => ladderOf(l) !== undefined);
    expect(ladderOf(first)?.header).toMatch(/^▶1 BTC\/USD\s+● live/);
    expect(first.join("\n")).toContain("· book 100");
    const states = new Set<string>();
    for (const end = Date.now() + 1500; Date.now() < end;) {
      states.add(/^▶1 BTC\/USD\s+(\S+ \S+)/.exec(t.capture()[0] ?? "")?.[1] ?? "");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect([...states]).toEqual(["● live"]);
    t.keys("q");
    expect(await t.exitLine()).toBe("EXIT=0");
    // The exchange's answers as recorded: the book was subscribed once, at depth 100.
    const acks = (t.readFile("rec.jsonl") ?? "")
      .split("\n")
      .filter((l) => l.includes('"method":"subscribe"') && l.includes('"channel":"book"'));
    expect(acks).toHaveLength(1);
    expect(acks[0]).toContain('"depth":100');
  }, 30_000);

  it("Ctrl-C quits with 0 and restores the screen", async () => {
    const t = startLadder(90, 24);
    await t.waitFor("the ladder", (l) => ladderOf(l) !== undefined);
    t.keys("C-c");
    await t.waitFor("the original screen", (l) => l.some((x) => x.includes(MARKER)));
    expect(await t.exitLine()).toBe("EXIT=0");
  }, 30_000);

  it("Ctrl-Z (or kill -TSTP) hands the terminal back to the shell; fg brings the ladder back, drawn whole at the pane's new size; keys typed after q are the shell's", async () => {
    // An interactive shell, as a user has: job control is its business.
    const t = new TmuxSession();
    tmux = t;
    t.start("env -u CI -u CONTINUOUS_INTEGRATION bash --norc --noprofile -i", 90, 24);
    t.keys(
      `cd ${shellQuote(ROOT)} && echo ${MARKER} && env CI=true ${shellQuote(process.execPath)} ${shellQuote(BIN)} --demo BTC/USD`,
      "Enter",
    );
    await t.waitFor("the ladder", (l) => ladderOf(l) !== undefined, 20_000);
    const cursor = (): string => t.tmux("display-message", "-p", "-t", t.session, "#{cursor_flag}").trim();
    expect(cursor()).toBe("0");
    const stops = (l: readonly string[]): number => l.filter((x) => /Stopped/.test(x)).length;
    // A SIGTSTP from outside (`kill -TSTP`) does what Ctrl-Z does: the shell's screen, as it was.
    const stopFromOutside = async (n: number): Promise<void> => {
      process.kill(programPid(t), "SIGTSTP");
      const stopped = await t.waitFor(
        `the shell's screen, stopped from outside (${n})`,
        (l) => stops(l) === n,
      );
      expect(ladderOf(stopped)).toBeUndefined();
      t.keys("fg", "Enter");
      await t.waitFor("the ladder again", (l) => ladderOf(l) !== undefined);
    };
    await stopFromOutside(1);
    t.keys("C-z");
    const shell = await t.waitFor("the shell's screen, the ladder stopped", (l) => stops(l) === 2);
    expect(shell.some((x) => x.includes(MARKER))).toBe(true);
    expect(ladderOf(shell)).toBeUndefined();
    // Resized while stopped: the signal went to the shell, not to the ladder.
    t.resize(110, 30);
    const written = join(t.dir, "pane-output");
    t.tmux("pipe-pane", "-t", t.session, "-o", `cat > ${shellQuote(written)}`);
    // Stopped longer than the ladder waits for a stop that never comes (250 ms), as a person is.
    await new Promise((resolve) => setTimeout(resolve, 600));
    t.keys("fg", "Enter");
    const back = await t.waitFor(
      "the ladder at 110×30",
      (l) => ladderOf(l) !== undefined && l.length === 29 && l.some((x) => [...x].length === 110),
    );
    expectWithin(back, 110, 30);
    // Taken back once: the overdue no-stop timer and SIGCONT are one continuation, not two full redraws.
    await new Promise((resolve) => setTimeout(resolve, 700));
    t.tmux("pipe-pane", "-t", t.session);
    expect(readFileSync(written, "latin1").split("\x1b[?1049h").length - 1).toBe(1);
    // Hidden again, as Ink hid it at start.
    expect(cursor()).toBe("0");
    // And from outside again, after a resume.
    await stopFromOutside(3);
    // A command typed as soon as q has taken the ladder off the screen reaches the shell: the ladder, still
    // stopping, does not take it. (Typed before the ladder has read q, it could come in the same read as
    // q, as fast typing does, and be the ladder's: so the test waits for the shell's screen first.)
    t.keys("q");
    await t.waitFor("the shell's screen after q", (l) => l.some((x) => x.includes(MARKER)));
    t.keys(`echo EXIT=$? > ${shellQuote(join(t.dir, "exit"))}`, "Enter");
    expect(await t.exitLine()).toBe("EXIT=0");
  }, 60_000);

  it("a SIGSTOP it never saw, then fg: the ladder takes the terminal back, drawn whole over the shell's lines, and reads keys again", async () => {
    const t = new TmuxSession();
    tmux = t;
    t.start("env -u CI -u CONTINUOUS_INTEGRATION bash --norc --noprofile -i", 90, 24);
    t.keys(
      `cd ${shellQuote(ROOT)} && env CI=true ${shellQuote(process.execPath)} ${shellQuote(BIN)} --demo BTC/USD ETH/USD`,
      "Enter",
    );
    await t.waitFor("the ladder", (l) => ladderOf(l) !== undefined, 20_000);
    process.kill(programPid(t), "SIGSTOP");
    // The shell takes the terminal: its `Stopped` line and prompt land on the ladder's screen.
    await t.waitFor("the shell's Stopped line", (l) => l.some((x) => /Stopped/.test(x)));
    t.keys("fg", "Enter");
    const back = await t.waitFor(
      "the ladder drawn whole again",
      (l) => ladderOf(l) !== undefined && !l.some((x) => /Stopped|bash|fg/.test(x)),
    );
    expectWithin(back, 90, 24);
    // Raw mode again: a key is read at once, not echoed and held for a line.
    t.keys("2");
    await t.waitFor("ETH/USD selected", (l) => l.some((x) => x.startsWith("▶2 ETH/USD")));
    t.keys("q");
    // Typed once the ladder is off the screen: not in the same read as q (see the Ctrl-Z test).
    await t.waitFor("the ladder gone after q", (l) => ladderOf(l) === undefined);
    t.keys(`echo EXIT=$? > ${shellQuote(join(t.dir, "exit"))}`, "Enter");
    expect(await t.exitLine()).toBe("EXIT=0");
  }, 60_000);

  it("Ctrl-Z through a wrapper (npx kraken-ladder) stops the wrapper too, so the shell gets the terminal back; fg resumes it", async () => {
    // npx runs the command as its child (through `sh -c`) and waits for it: stopping the ladder alone left
    // the shell waiting on a running npx, with a blank screen and no prompt.
    const t = new TmuxSession();
    tmux = t;
    t.start("env -u CI -u CONTINUOUS_INTEGRATION bash --norc --noprofile -i", 90, 24);
    const app = dirname(dirname(dirname(BIN)));
    t.keys(
      `cd ${shellQuote(app)} && echo ${MARKER} && env CI=true npx --offline kraken-ladder --demo BTC/USD`,
      "Enter",
    );
    await t.waitFor("the ladder", (l) => ladderOf(l) !== undefined, 30_000);
    t.keys("C-z");
    const shell = await t.waitFor("the shell's screen, npx stopped", (l) =>
      l.some((x) => /Stopped\s+.*npx .*kraken-ladder/.test(x)),
    );
    expect(ladderOf(shell)).toBeUndefined();
    t.keys("fg", "Enter");
    await t.waitFor("the ladder again", (l) => ladderOf(l) !== undefined);
    t.keys("q");
    await t.waitFor("the ladder gone after q", (l) => ladderOf(l) === undefined);
    t.keys(`echo EXIT=$? > ${shellQuote(join(t.dir, "exit"))}`, "Enter");
    expect(await t.exitLine()).toBe("EXIT=0");
  }, 60_000);

  it("Ctrl-Z where no shell can resume it (no job control) leaves the ladder running, with nothing drawn on the shell's screen", async () => {
    const t = startLadder(90, 24, BIN, "--demo BTC/USD");
    await t.waitFor("the ladder", (l) => ladderOf(l) !== undefined);
    t.keys("C-z");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const still = await t.waitFor("the ladder, still running", (l) => ladderOf(l) !== undefined);
    const version = (lines: readonly string[]): string => lines.at(-1) ?? "";
    await t.waitFor("a newer frame", (l) => ladderOf(l) !== undefined && version(l) !== version(still));
    t.keys("q");
    const after = await t.waitFor("the original screen", (l) => l.some((x) => x.includes(MARKER)));
    expect(await t.exitLine()).toBe("EXIT=0");
    // Frames Ink drew while the ladder was off its screen were not written onto the shell's.
    expect(after.join("\n")).not.toMatch(/│|msg\/s|BTC\/USD/);
  }, 30_000);

  it("SIGTERM quits with 0 and restores the screen", async () => {
    const t = startLadder(90, 24);
    await t.waitFor("the ladder", (l) => ladderOf(l) !== undefined);
    process.kill(programPid(t), "SIGTERM");
    await t.waitFor("the original screen", (l) => l.some((x) => x.includes(MARKER)));
    expect(await t.exitLine()).toBe("EXIT=0");
  }, 30_000);

  it("draws every view the feed publishes: frames with new data come every 1/--fps", async () => {
    // The trace hook (src/ui/trace.ts) logs one line per frame written with newer feed data.
    const t = startLadder(
      90,
      24,
      BIN,
      "--demo --rate 100 --fps 10 BTC/USD ETH/USD",
      (dir) => `KRAKEN_LADDER_TRACE=${shellQuote(`${dir}/trace`)}`,
    );
    await t.waitFor("the ladder", (l) => ladderOf(l) !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    t.keys("q");
    expect(await t.exitLine()).toBe("EXIT=0");
    const written = (t.readFile("trace") ?? "")
      .split("\n")
      .filter((line) => /^\d/.test(line))
      .map((line) => Number(line.split(" ")[2]));
    const gaps = written
      .slice(1)
      .map((at, i) => at - written[i]!)
      .sort((a, b) => a - b);
    expect(gaps.length).toBeGreaterThan(20);
    // At --fps 10 the feed publishes a view every 100 ms while the market moves (the demo has quiet spells,
    // so the median, not the rate). Ink's throttle once dropped every other view: a median gap of 200 ms.
    expect(gaps[gaps.length >> 1]).toBeLessThanOrEqual(150);
  }, 30_000);

  it("an uncaught error restores the terminal, prints the error there and exits non-zero", async () => {
    const crash = fileURLToPath(new URL("./fixtures/crash-ladder.mjs", import.meta.url));
    const t = startLadder(80, 20, crash, "1000");
    await t.waitFor("the ladder", (l) => ladderOf(l) !== undefined);
    const after = await t.waitFor("the original screen", (l) => l.some((x) => x.includes(MARKER)));
    const text = after.join("\n");
    expect(text).toContain("boom from a timer");
    expect(text).not.toContain("spread");
    expect(await t.exitLine()).toBe("EXIT=1");
  }, 30_000);
});
