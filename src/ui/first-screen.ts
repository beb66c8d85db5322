import { ENTER_ALT_SCREEN, HIDE_CURSOR, LEAVE_ALT_SCREEN, writeNow } from "./terminal.js";
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** The terminal, as much of it as the first screen needs (process.stdout and process.stdin on a TTY). */
export type FirstScreenTerminal = {
  readonly stdout: { readonly columns?: number; write(text: string): unknown };
  readonly stdin: { readonly isTTY?: boolean; setRawMode?(raw: boolean): unknown } & Partial<
    Pick<NodeJS.ReadStream, "on" | "off" | "read" | "unshift" | "destroy">
  >;
};

/** The screen shown from launch until the ladder draws. */
export type FirstScreen = {
  /**
   * Whether SIGINT, SIGTERM or SIGHUP arrived while it was shown, or Ctrl-C was typed: the run should end,
   * exit 0.
   */
  readonly quitRequested: () => boolean;
  /**
   * The ladder takes the terminal over as it is (alternate screen, raw mode): this screen's signal and exit
   * listeners go, it stops reading keys (what was typed meanwhile is left for the ladder if it was one key),
   * and close() does nothing any more.
   */
  handOver(): void;
  /** Restores the terminal (the user's screen, cooked mode) unless handed over; idempotent. */
  close(): void;
};

/** The first screen's lines: what is starting, cut to the pane's width. */
export function firstScreenLines(symbols: readonly string[], columns: number): string[] {
  const width = Math.max(1, columns - 1);
  return [` kraken-ladder · ${symbols.join(" ")}`, "", " ◌ connecting…"].map((line) =>
    line.length > width ? line.slice(0, width - 1) + "…" : line,
  );
}

/** More than this many bytes typed early are certainly several keys: no more are kept. */
const EARLY_BYTES = 16;
/** Ctrl-C as the terminal sends it in raw mode. */
const CTRL_C = 0x03;

/**
 * Shows a first screen at once, before the ladder (Ink and React) is loaded: the alternate screen with
 * what is starting, and stdin in raw mode so keys typed meanwhile are not echoed.
 *
 * Keys typed while it is up are read here, all of them together as one input, as the terminal's input
 * queue would have handed them to the ladder in one read: one key alone is put back for the ladder, which
 * acts on it as it draws (`q` quits then, `2` selects the second symbol); several are dropped, never read
 * as keys (the ladder splits a run of keys read together into presses, keys.ts keyPresses: `xx` would
 * remove two pairs). Ctrl-C among them ends the run as SIGINT does. Keys typed before this screen took
 * the terminal (into the shell, while `sleep 1; kraken-ladder` slept) were not typed at the ladder: they
 * are dropped (see `ahead`). Until handed over, a signal only marks the run to end, and the terminal is
 * restored on every way out (close(), or process exit).
 * `symbols` are normalised symbols (letters, digits and `/`): safe to print.
 */
export function showFirstScreen(terminal: FirstScreenTerminal, symbols: readonly string[]): FirstScreen {
  const { stdout, stdin } = terminal;
  let quit = false;
  let open = true;
  const raw = stdin.isTTY === true && typeof stdin.setRawMode === "function";
  let typed = Buffer.alloc(0);
  const onSignal = (): void => {
    quit = true;
  };
  // What waited in the terminal's input queue when raw mode came on (typed ahead, in line mode, which holds
  // it unread until a newline) is readable at once: the first poll of the event loop after reading starts
  // reads it, and that comes before a second turn's check phase, from whichever phase this runs in. A key
  // typed in the first instant of this screen may be dropped with it.
  let ahead = true;
  setImmediate(() => setImmediate(() => (ahead = false)));
  const onKeys = (): void => {
    let chunk: unknown;
    while ((chunk = stdin.read?.()) !== null && chunk !== undefined) {
      if (ahead || !Buffer.isBuffer(chunk)) continue;
      if (chunk.includes(CTRL_C)) quit = true;
      if (typed.length <= EARLY_BYTES) typed = Buffer.concat([typed, chunk]);
    }
  };
  const onExit = (): void => writeNow(1, LEAVE_ALT_SCREEN);
  const detach = (): void => {
    open = false;
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off("exit", onExit);
    if (raw) stdin.off?.("readable", onKeys);
  };

  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on("exit", onExit);
  if (raw) {
    stdin.setRawMode?.(true);
    // Read as Ink reads (`readable`, then read()), so that the ladder's Ink takes the stream over as it is:
    // a stream paused after flowing stops reading a tick later, and Ink, there by then, never read again.
    stdin.on?.("readable", onKeys);
  }
  stdout.write(ENTER_ALT_SCREEN + HIDE_CURSOR + firstScreenLines(symbols, stdout.columns ?? 80).join("\n"));

  return {
    quitRequested: () => quit,
    handOver: () => {
      if (!open) return;
      detach();
      if (oneKey(typed.toString("utf8"))) stdin.unshift?.(typed);
    },
    close: () => {
      if (!open) return;
      detach();
      if (raw) {
        stdin.setRawMode?.(false);
        // Keys typed from now on are the shell's: a stream still reading would take them (run-ladder.tsx).
        stdin.destroy?.();
      }
      stdout.write(LEAVE_ALT_SCREEN);
    },
  };
}

/**
 * Whether `text`, read from a terminal, is one key press: one character, or one escape sequence (an arrow,
 * a function key, Alt and a character).
 */
function oneKey(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^(?:[^\u001b]|\u001b(?:\[[0-?]*[ -/]*[@-~]|O.|[^[O])?)$/su.test(text);
}
