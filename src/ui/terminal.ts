import { writeSync } from "node:fs";

/**
 * Switch to the alternate screen, clear it and home the cursor; and ask the terminal to bracket what is
 * pasted (DEC mode 2004), so a paste is told from keys typed (keys.ts, PASTE_START).
 */
export const ENTER_ALT_SCREEN = "\u001b[?1049h\u001b[2J\u001b[H\u001b[?2004h";
/**
 * End bracketed paste, clear the alternate screen, show the cursor and leave it: the user's screen comes
 * back as it was, and a paste into the shell is plain text again. Cleared
 * first: tmux keeps some lines of an alternate screen left at another size than it was entered at (a pane
 * resized while the ladder ran) in the pane's history, where the user scrolls back into them. Written only
 * while on the alternate screen: on the user's own, the clear would wipe it.
 */
export const LEAVE_ALT_SCREEN = "\u001b[?2004l\u001b[2J\u001b[?25h\u001b[?1049l";
/** Hides the cursor; LEAVE_ALT_SCREEN shows it again. */
export const HIDE_CURSOR = "\u001b[?25l";
/** Clear the screen and home the cursor (after a resize, before a full redraw). */
export const CLEAR_SCREEN = "\u001b[2J\u001b[H";

/** A synchronous write, for `exit` handlers where nothing asynchronous runs any more. */
export function writeNow(fd: number, text: string): void {
  try {
    writeSync(fd, text);
  } catch {
    // The terminal is gone (hang-up): nothing left to restore.
  }
}

/** Cursor to the top-left corner. */
export const HOME = "\u001b[H";

/** Ink brackets each frame it writes to a terminal with these (synchronized output, DEC mode 2026). */
export const BEGIN_SYNC = "\u001b[?2026h";
export const END_SYNC = "\u001b[?2026l";

/**
 * stdout for Ink on the alternate screen, with the cursor sent home before every write, and each frame
 * handed to the terminal in one write.
 *
 * Ink draws each frame relative to where the previous one left the cursor. In Ink 6.8 the incremental
 * renderer moves up one line too few when the frame ends with a newline (every frame shorter than the
 * terminal), so the ladder slid down a line per frame and scrolled. On the alternate screen the frame always
 * starts at the top-left, so homing first makes Ink's relative moves (which clamp at the top) land exactly.
 *
 * Ink writes a frame as three writes in one synchronous call: BEGIN_SYNC, the frame, END_SYNC. They are
 * joined here into one, so a frame costs one system call and one wake-up of the terminal, not three.
 * Whatever is held is written at the latest when the current task's microtasks run, so nothing waits for
 * an END_SYNC that does not come.
 */
export function homedStdout(stdout: NodeJS.WriteStream): NodeJS.WriteStream {
  const out = (chunk: unknown, ...rest: unknown[]): boolean =>
    (stdout.write as (...args: unknown[]) => boolean)(chunk, ...rest);
  let held: string | undefined;
  const flush = (): void => {
    if (held === undefined) return;
    const text = held;
    held = undefined;
    out(HOME + text);
  };
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk !== "string" || chunk === "") {
      flush();
      return out(chunk, ...rest);
    }
    if (chunk === BEGIN_SYNC && rest.length === 0) {
      flush();
      held = chunk;
      queueMicrotask(flush);
      return true;
    }
    if (held !== undefined && rest.length === 0) {
      held += chunk;
      if (chunk === END_SYNC) flush();
      return true;
    }
    flush();
    return out(HOME + chunk, ...rest);
  };
  return withWrite(stdout, write);
}

/**
 * stdout for Ink that writes nothing while `held()` (the ladder is suspended and the shell has the
 * terminal). What Ink drew meanwhile is lost, so the ladder draws every line again when it resumes.
 */
export function heldStdout(stdout: NodeJS.WriteStream, held: () => boolean): NodeJS.WriteStream {
  const out = stdout.write.bind(stdout) as (...args: unknown[]) => boolean;
  return withWrite(stdout, (...args: unknown[]): boolean => {
    if (!held()) return out(...args);
    // Dropped, but done as far as the writer knows.
    const done = args.at(-1);
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  });
}

/** `stream` with `write` replaced, everything else its own (methods bound to it). */
export function withWrite<S extends object>(stream: S, write: (...args: never[]) => unknown): S {
  return new Proxy(stream, {
    get(target, property) {
      if (property === "write") return write;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
