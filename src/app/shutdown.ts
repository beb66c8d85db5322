import { EXIT, worstExitCode } from "./exit-codes.js";
import { closedPipe, onStdoutError } from "./stdout.js";

/** The signals that ask every command to stop cleanly (exit 0). */
const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export type ShutdownReason =
  | { readonly kind: "signal"; readonly signal: NodeJS.Signals }
  | { readonly kind: "request"; readonly code: number };

/** A cleanup step: stop a feed, close a server, restore a terminal. */
export type CleanupStep = () => void | Promise<void>;

export type ShutdownOptions = {
  /** Signals that ask to stop (default SHUTDOWN_SIGNALS); listened to from creation until run() ends. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Told of a cleanup step that threw (the run then exits 1 at least). */
  readonly report?: (message: string) => void;
};

/**
 * One command's way out. The first signal or request() settles `requested` (later ones change
 * nothing); run() runs the cleanup steps once, last registered first, each even when an earlier one
 * threw, then stops listening to the signals. Its code is the worst of the run's own code, a
 * request()'s code and 1 when a step threw; a signal asks for 0.
 *
 * Its signal listeners stay for the whole run: a process with a listener for a signal is not killed
 * by it (Ink's signal-exit re-raises a signal it finds no other listener for).
 */
export type Shutdown = {
  readonly requested: Promise<ShutdownReason>;
  /** The first reason to stop, once there is one. */
  reason(): ShutdownReason | undefined;
  onCleanup(step: CleanupStep): void;
  request(code: number): void;
  /** Idempotent: every call returns the first call's promise. */
  run(code: number): Promise<number>;
};

export function createShutdown(options: ShutdownOptions = {}): Shutdown {
  const signals = options.signals ?? SHUTDOWN_SIGNALS;
  const steps: CleanupStep[] = [];
  let reason: ShutdownReason | undefined;
  let settle: (reason: ShutdownReason) => void = () => undefined;
  const requested = new Promise<ShutdownReason>((resolve) => (settle = resolve));
  let ran: Promise<number> | undefined;
  const ask = (r: ShutdownReason): void => {
    if (reason !== undefined) return;
    reason = r;
    settle(r);
  };
  const onSignal = (signal: NodeJS.Signals): void => ask({ kind: "signal", signal });
  for (const signal of signals) process.on(signal, onSignal);
  // Output that cannot be delivered is not worth producing: a closed pipe ends the run as asked (0),
  // any other failed write (already said on stderr) as a failure.
  const offStdout = onStdoutError((error) =>
    ask({ kind: "request", code: closedPipe(error) ? EXIT.OK : EXIT.FAILURE }),
  );

  const cleanUp = async (code: number): Promise<number> => {
    let failed = false;
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (e) {
        failed = true;
        options.report?.(`while stopping: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const signal of signals) process.off(signal, onSignal);
    offStdout();
    const asked = reason?.kind === "request" ? reason.code : EXIT.OK;
    return worstExitCode(code, asked, failed ? EXIT.FAILURE : EXIT.OK);
  };

  return {
    requested,
    reason: () => reason,
    onCleanup: (step) => void steps.push(step),
    request: (code) => ask({ kind: "request", code }),
    run: (code) => (ran ??= cleanUp(code)),
  };
}

/**
 * Exits with `code` once everything written to stdout and stderr so far is flushed (a write callback
 * runs after the writes before it, on every kind of stream), without waiting for the event loop to
 * empty: a natural exit first waits for V8's background work (concurrent marking, compile jobs).
 * The exit waits one turn of the loop more, for the `error` event of a write that failed (stdout.ts).
 */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => setImmediate(() => process.exit(code))));
}
