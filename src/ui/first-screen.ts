import { ENTER_ALT_SCREEN, HIDE_CURSOR, LEAVE_ALT_SCREEN, writeNow } from "./terminal.js";
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** The terminal, as much of it as the first screen needs (process.stdout and process.stdin on a TTY). */
export type FirstScreenTerminal = {
  readonly stdout: { readonly columns?: number; write(text: string): unknown };
  readonly stdin: { readonly isTTY?: boolean; setRawMode?(raw: boolean): unknown };
};

/** The screen shown from launch until the ladder draws. */
export type FirstScreen = {
  /** Whether SIGINT, SIGTERM or SIGHUP arrived while it was shown: the run should end, exit 0. */
  readonly quitRequested: () => boolean;
  /**
   * The ladder takes the terminal over as it is (alternate screen, raw mode): this screen's signal and exit
   * listeners go, and close() does nothing any more.
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

/**
 * Shows a first screen at once, before the ladder (Ink and React) is loaded: the alternate screen with
 * what is starting, and stdin in raw mode so keys typed meanwhile are not echoed. Nothing reads stdin
 * until the ladder starts, so those keys wait in the terminal's input queue and reach the ladder then
 * (`q` typed early quits as soon as it draws; what waited is split into key presses, keys.ts
 * keyPresses, so each key typed early acts then). Until handed over, a signal only marks the run to end, and
 * the terminal is restored on every way out (close(), or process exit).
 * `symbols` are normalised symbols (letters, digits and `/`): safe to print.
 */
export function showFirstScreen(terminal: FirstScreenTerminal, symbols: readonly string[]): FirstScreen {
  const { stdout, stdin } = terminal;
  let quit = false;
  let open = true;
  const raw = stdin.isTTY === true && typeof stdin.setRawMode === "function";
  const onSignal = (): void => {
    quit = true;
  };
  const onExit = (): void => writeNow(1, LEAVE_ALT_SCREEN);
  const detach = (): void => {
    open = false;
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off("exit", onExit);
  };

  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on("exit", onExit);
  if (raw) stdin.setRawMode?.(true);
  stdout.write(ENTER_ALT_SCREEN + HIDE_CURSOR + firstScreenLines(symbols, stdout.columns ?? 80).join("\n"));

  return {
    quitRequested: () => quit,
    handOver: () => {
      if (open) detach();
    },
    close: () => {
      if (!open) return;
      detach();
      if (raw) stdin.setRawMode?.(false);
      stdout.write(LEAVE_ALT_SCREEN);
    },
  };
}
