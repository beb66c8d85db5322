import { escapeUnsafe } from "../text/sanitize.js";
import { fileReason } from "../text/file-reason.js";
import { EXIT, worstExitCode } from "./exit-codes.js";

/**
 * What became of stdout, watched once for the whole process (main.ts). A write that fails, whether
 * stdout is a file on a full disk, a pipe whose reader has gone or a terminal that has gone, must
 * neither crash the process with a stack trace (an `error` event nobody listens to) nor pass unnoticed
 * with exit 0.
 *
 * - EPIPE, the reader has gone (`| head`): nothing more can be delivered, and nobody is left to tell.
 *   Not a failure: a run that streams stops with 0.
 * - Any other error (ENOSPC, EIO, …): said once on stderr, and the process exits 1 at least.
 *
 * Commands that run until stopped learn of it through their shutdown (createShutdown), which stops
 * them: output they could not deliver is not worth producing.
 */

type Listener = (error: NodeJS.ErrnoException) => void;

let failure: NodeJS.ErrnoException | undefined;
const listeners = new Set<Listener>();

/**
 * Listens to stdout's errors from now on, and keeps the exit code at 1 at least after a failed write.
 * stderr's errors are dropped: a message that cannot be written has nowhere else to go, but the exit code
 * it goes with still tells (unheard, the `error` event would end the process with 1, a usage error's 2
 * lost with its message).
 */
export function guardOutput(
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): void {
  stderr.on("error", () => undefined);
  const failed = (error: NodeJS.ErrnoException): void => {
    if (failure !== undefined) return;
    failure = error;
    if (!closedPipe(error))
      process.stderr.write(`kraken-ladder: cannot write to stdout: ${fileReason(error)}\n`);
    for (const listener of [...listeners]) listener(error);
  };
  stdout.on("error", failed);
  // The exit code is settled here, whichever way the process ends (process.exit or the loop emptying),
  // so no command's own code hides a failed write. A failed write's `error` comes a tick or two after it:
  // exitWhenFlushed waits for it.
  process.on("exit", (code) => {
    if (failure !== undefined && !closedPipe(failure)) process.exitCode = worstExitCode(code, EXIT.FAILURE);
  });
}

/** Calls `listener` with stdout's first error, if it comes; returns a function that stops listening. */
export function onStdoutError(listener: Listener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** The reader has gone: the usual end of `… | head`, not a failure. */
export function closedPipe(error: NodeJS.ErrnoException): boolean {
  return error.code === "EPIPE";
}

/** A line on stderr; server and file text in it is shown escaped, never raw (see text/sanitize.ts). */
export function fail(message: string): void {
  process.stderr.write(`kraken-ladder: ${escapeUnsafe(message)}\n`);
}
