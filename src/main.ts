import { guardOutput } from "./app/stdout.js";
import { runCli } from "./cli/program.js";
import { STUCK_MESSAGE, stuckWorkers } from "./feed/stuck.js";

/**
 * Composition root. Commands load their heavy parts (Ink, React, ws) lazily, so that
 * `verify` and `--help` start fast and never load the UI.
 */
guardOutput();
process.exitCode = await runCli(process.argv);

// A feed worker blocked in a system call keeps the process from exiting, even by process.exit: the run is
// over and its terminal restored, so say so and end it the only way left (the shell sees 137).
// What was written is flushed first, unless a reader holds that up too.
if (stuckWorkers.size > 0) {
  const end = (): void => void process.kill(process.pid, "SIGKILL");
  setTimeout(end, 2_000);
  process.stdout.write("", () =>
    process.stderr.write(`kraken-ladder: ${STUCK_MESSAGE}; ending the process with SIGKILL\n`, end),
  );
}
