import { inspect } from "node:util";
import chalk from "chalk";
import { render } from "ink";
import type { Instance, RenderOptions } from "ink";
import type { AnalyticsOptions } from "../analytics/types.js";
import type { FeedClient, FeedEvent } from "../feed/types.js";
import { escapeUnsafe } from "../text/sanitize.js";
import { COLOR_THEME, MONO_THEME, themeFor } from "./colors.js";
import type { Theme } from "./colors.js";
import { asciiStdout } from "./glyphs.js";
import { App } from "./components/App.js";
import { LadderStore } from "./store.js";
import type { SaveWatchlist } from "./store.js";
import { RepaintOnResize } from "./components/RepaintOnResize.js";
import {
  ENTER_ALT_SCREEN,
  heldStdout,
  HIDE_CURSOR,
  homedStdout,
  LEAVE_ALT_SCREEN,
  writeNow,
} from "./terminal.js";
import { traceFrames } from "./trace.js";

export type LadderOptions = {
  /** Symbols in command-line order. */
  readonly symbols: readonly string[];
  /** The feed's views a second (`--fps`): frames follow them, and Ink's `maxFps` is set from it. */
  readonly fps: number;
  /** What `s` does: save the watchlist, resolving with where it went. */
  readonly onSave?: SaveWatchlist;
  /** The feed serves a `--replay`: its end is shown. */
  readonly replay?: boolean;
  /** The depth asked for: depth changes never go below it (see LadderStoreOptions.baseDepth). */
  readonly baseDepth?: number;
  /** `always`/`never` force colour on or off; `auto` (the default) follows the terminal and NO_COLOR. */
  readonly color?: "auto" | "always" | "never";
  /** ASCII characters only: every frame is translated through the glyph table (glyphs.ts). */
  readonly ascii?: boolean;
  /** Price grouping per symbol at start, in ticks. */
  readonly groups?: ReadonlyMap<string, number>;
  /** The volume-at-price column's window (`--vap-window`), ms; default 5 minutes. */
  readonly vapWindowMs?: number;
  /** Market events heard before the ladder listened; called once, as the ladder starts listening. */
  readonly earlyEvents?: () => readonly FeedEvent[];
  /** Start on the board (`--board`). */
  readonly board?: boolean;
  /** The board's liquidity bands and trade size (`--bps`, `--notional`). */
  readonly figures?: AnalyticsOptions;
};

function themeOf(color: LadderOptions["color"]): Theme {
  if (color === "never") return MONO_THEME;
  if (color === "always") {
    // chalk found no colour support (a pipe-like terminal, TERM without colours): asked for, so given.
    if (chalk.level === 0) chalk.level = 1;
    return COLOR_THEME;
  }
  return themeFor(process.env, chalk.level > 0);
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * After Ctrl-Z, how long to wait for the stop before taking it that none came: the kernel discards a
 * SIGTSTP sent to a process group no shell controls (a program started as a tmux pane's own command,
 * say), and the ladder then comes straight back.
 */
const NO_STOP_MS = 250;

/** A SIGCONT this soon after the ladder took the terminal back belongs to the same continuation. */
const SAME_CONTINUATION_MS = 500;

/** Ink's options for the ladder's frames (the render benchmark mounts Ink with them too). */
export type FrameOptions = Required<Pick<RenderOptions, "exitOnCtrlC" | "maxFps" | "incrementalRendering">>;

/** Ink's options for drawing the ladder's frames at the feed's `fps` views a second. */
export function frameOptions(fps: number): FrameOptions {
  return {
    exitOnCtrlC: false,
    // Frames follow the feed's views, which come at most `fps` a second. Ink's throttle window must not
    // equal the views' interval: with timer jitter every other view fell inside it and was never drawn
    // (measured: 5 of 10 views a second at --fps 10). A window half as long draws each view at once.
    maxFps: Math.max(1, fps) * 2,
    incrementalRendering: true,
  };
}

/**
 * Runs the full-screen ladder on the alternate screen until the user quits (q, Esc, Ctrl-C) or a signal
 * (SIGINT, SIGTERM, SIGHUP) arrives; resolves 0 then. On an uncaught error the terminal is restored, the
 * error printed on the normal screen, and it resolves 1. The terminal is restored on every way out. The
 * caller owns the feed and stops it afterwards.
 */
export function runLadder(feed: FeedClient, options: LadderOptions): Promise<number> {
  const stdout = process.stdout;
  const stdin = process.stdin;
  return new Promise<number>((resolve) => {
    let instance: Instance | undefined;
    let done = false;
    // Suspended, the ladder has left the alternate screen already (see suspend).
    const restoreOnExit = (): void => {
      if (!suspended) writeNow(1, LEAVE_ALT_SCREEN);
    };

    const finish = (code: number, error?: unknown): void => {
      if (done) return;
      done = true;
      // Our signal listeners stay until the signal being handled has reached every listener: signal-exit
      // (loaded by Ink) re-raises a signal it sees as the only remaining listener of, killing the process.
      setImmediate(() => {
        for (const signal of SIGNALS) process.off(signal, onSignal);
        process.off("uncaughtException", onError);
        process.off("unhandledRejection", onError);
      });
      stdout.off("resize", onResize);
      process.off("SIGCONT", resume);
      process.off("SIGTSTP", onStop);
      clearTimeout(noStop);
      store.dispose();
      try {
        instance?.unmount();
        instance?.cleanup();
      } catch {
        // Restoring the terminal below matters more than a clean unmount.
      }
      // Keys typed from now on are the shell's (`q`, then a command at once). Ink leaves stdin reading, so
      // this process, still stopping its feed, would take them and exit with them; closed, it leaves them
      // in the terminal for the shell.
      if (stdin.isTTY) stdin.destroy();
      if (!suspended) stdout.write(LEAVE_ALT_SCREEN);
      process.off("exit", restoreOnExit);
      if (error !== undefined) {
        const text = error instanceof Error ? (error.stack ?? error.message) : inspect(error);
        // A message may quote server text: each line is printed with control characters escaped.
        process.stderr.write(`kraken-ladder: ${text.split("\n").map(escapeUnsafe).join("\n")}\n`);
      }
      resolve(code);
    };
    const onSignal = (): void => finish(0);
    const onError = (error: unknown): void => finish(1, error);

    // Ctrl-Z (a key in raw mode, not a signal), or a SIGTSTP sent from outside (`kill -TSTP`): the
    // terminal goes back to the shell as it was, and the process stops as any program does on SIGTSTP,
    // raised again with our listener off (Ink takes no such signal). Ctrl-Z stops the whole process
    // group, as the terminal's own Ctrl-Z does outside raw mode (and as vim does): started through a
    // wrapper (`npx kraken-ladder`, an npm script, a shell script), the wrapper must stop too, or the
    // shell, waiting on it, never gets the terminal back. A signal from outside stops only the process it
    // was sent to. On `fg` (SIGCONT) the ladder takes the terminal again and draws every line afresh, at
    // whatever size it now has: a resize, as far as the ladder and Ink are concerned. The feed stopped
    // with the process; what it missed meanwhile shows as lag until it has caught up. A SIGCONT after a
    // stop the ladder did not see (SIGSTOP from outside: the shell printed `Stopped` and its prompt over
    // the ladder, and `fg` gives the terminal back in whatever mode) takes the terminal and draws it all
    // afresh the same way. What the ladder held was made before the stop: it is drawn as not current
    // (store.resumed) until the feed has read what came meanwhile, and nothing is drawn on the cleared
    // screen before the whole of it is (`repaintDue`).
    let suspended = false;
    let repaintDue = false;
    let noStop: NodeJS.Timeout | undefined;
    const suspend = (whole: "group" | "process"): void => {
      if (done || suspended) return;
      suspended = true;
      writeNow(1, LEAVE_ALT_SCREEN);
      if (stdin.isTTY) stdin.setRawMode(false);
      noStop = setTimeout(resume, NO_STOP_MS);
      // With no listener left, the signal takes its default action: the process stops here.
      process.off("SIGTSTP", onStop);
      process.kill(whole === "group" ? 0 : process.pid, "SIGTSTP");
    };
    const onStop = (): void => suspend("process");
    let resumedAt = -Infinity;
    function resume(): void {
      clearTimeout(noStop);
      if (done) return;
      // One continuation can call this twice: the no-stop timer, overdue once the process runs again,
      // fires before SIGCONT is read. The second would clear and draw the whole screen again.
      if (!suspended && Date.now() - resumedAt < SAME_CONTINUATION_MS) return;
      resumedAt = Date.now();
      // No frame is written from here until the whole screen is drawn again (onResize, after the SIGWINCH
      // below): on the screen as it is then (cleared, or the shell's lines after a stop the ladder did not
      // see) a frame would show only the lines that changed. The first is of the held view, not current.
      repaintDue = true;
      store.resumed();
      if (suspended) {
        suspended = false;
        process.on("SIGTSTP", onStop);
      }
      // Raw mode set afresh, off then on: libuv skips setting the mode it set last, and after a stop the
      // ladder did not see, the shell has put the terminal back in its own (line, echo) mode.
      if (stdin.isTTY) stdin.setRawMode(false).setRawMode(true);
      // Ink hid the cursor once, at its first frame; leaving the alternate screen showed it.
      writeNow(1, ENTER_ALT_SCREEN + HIDE_CURSOR);
      // A terminal resized meanwhile signalled the shell, not us: SIGWINCH has Node read the size again
      // (its listener, registered with stdout, runs first and says "resize" when the size changed). The
      // same size is drawn again all the same.
      const columns = stdout.columns;
      const rows = stdout.rows;
      process.once("SIGWINCH", () => {
        if (!done && stdout.columns === columns && stdout.rows === rows) stdout.emit("resize");
      });
      process.kill(process.pid, "SIGWINCH");
    }

    const store = new LadderStore(feed, {
      symbols: options.symbols,
      columns: stdout.columns || 80,
      rows: stdout.rows || 24,
      onError,
      ...(options.onSave === undefined ? {} : { onSave: options.onSave }),
      ...(options.replay === true ? { replay: true } : {}),
      ...(options.baseDepth === undefined ? {} : { baseDepth: options.baseDepth }),
      ...(options.groups === undefined ? {} : { groups: options.groups }),
      frameMs: Math.ceil(1000 / Math.max(1, options.fps)),
      ...(options.vapWindowMs === undefined ? {} : { vapWindowMs: options.vapWindowMs }),
      ...(options.earlyEvents === undefined ? {} : { earlyEvents: options.earlyEvents }),
      ...(options.board === true ? { board: true } : {}),
      ...(options.figures === undefined ? {} : { figures: options.figures }),
    });

    const theme = themeOf(options.color);
    const app = (
      <>
        <App store={store} theme={theme} onQuit={() => finish(0)} onSuspend={() => suspend("group")} />
        <RepaintOnResize />
      </>
    );

    // Registered before Ink's own resize handler, which redraws at once: the new size is committed
    // synchronously (rerender is synchronous) first, so Ink never draws the old-size frame onto the resized
    // terminal, where its too-wide lines would wrap and scroll. <RepaintOnResize> then clears the screen and
    // has Ink draw every line (after Ink's handler). Clearing here instead left lines blank: Ink's `clear()`
    // re-syncs its incremental renderer to the frame it last drew, so it skipped every line the new frame
    // shares with the old one, on a screen where they had been wiped.
    const onResize = (): void => {
      // Frames are written again from here: <RepaintOnResize> then draws the whole of the latest.
      repaintDue = false;
      store.setSize(stdout.columns, stdout.rows);
      instance?.rerender(app);
    };

    for (const signal of SIGNALS) process.on(signal, onSignal);
    process.on("SIGTSTP", onStop);
    process.on("SIGCONT", resume);
    process.on("uncaughtException", onError);
    process.on("unhandledRejection", onError);
    process.on("exit", restoreOnExit);
    stdout.on("resize", onResize);

    try {
      stdout.write(ENTER_ALT_SCREEN);
      store.start();
      instance = render(app, {
        stdout: traceFrames(
          homedStdout(
            heldStdout(options.ascii === true ? asciiStdout(stdout) : stdout, () => suspended || repaintDue),
          ),
          store,
          feed,
        ),
        stdin,
        ...frameOptions(options.fps),
      });
      instance.waitUntilExit().then(
        () => finish(0),
        (error: unknown) => finish(1, error),
      );
    } catch (error) {
      finish(1, error);
    }
  });
}
