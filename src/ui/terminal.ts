import { writeSync } from "node:fs";

/** Switch to the alternate screen, clear it and home the cursor. */
export const ENTER_ALT_SCREEN = "\u001b[?1049h\u001b[2J\u001b[H";
/** Show the cursor and leave the alternate screen: the user's screen comes back as it was. */
export const LEAVE_ALT_SCREEN = "\u001b[?25h\u001b[?1049l";
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

/**
 * stdout for Ink on the alternate screen, with the cursor sent home before every write.
 *
 * Ink draws each frame relative to where the previous one left the cursor. In Ink 6.8 the incremental
 * renderer moves up one line too few when the frame ends with a newline (every frame shorter than the
 * terminal), so the ladder slid down a line per frame and scrolled. On the alternate screen the frame always
 * starts at the top-left, so homing first makes Ink's relative moves (which clamp at the top) land exactly.
 * Ink writes each frame in a single write, so nothing is ever homed mid-frame.
 */
export function homedStdout(stdout: NodeJS.WriteStream): NodeJS.WriteStream {
  const write = (chunk: unknown, ...rest: unknown[]): boolean =>
    (stdout.write as (...args: unknown[]) => boolean)(
      typeof chunk === "string" && chunk !== "" ? HOME + chunk : chunk,
      ...rest,
    );
  return new Proxy(stdout, {
    get(target, property) {
      if (property === "write") return write;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
