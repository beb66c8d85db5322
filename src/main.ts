import { plainVerifyArgs } from "./cli/verify-args.js";

/**
 * Composition root. Commands load their heavy parts (Ink, React, ws) lazily, so that
 * `verify` and `--help` start fast and never load the UI. A plain `verify` invocation does not even
 * load commander (see plainVerifyArgs); everything else goes through the full command line.
 */
const plain = plainVerifyArgs(process.argv.slice(2));
if (plain !== undefined) {
  const { runVerify } = await import("./verify/run.js");
  process.exitCode = await runVerify(plain.files, plain.flags);
  // Done once the report is out: a natural exit would first wait for V8's background work (concurrent
  // marking, compile jobs), ~5–10 ms after a large recording. A write callback runs once everything
  // written before it is flushed, on every kind of stdout and stderr.
  process.stdout.write("", () => process.stderr.write("", () => process.exit()));
} else {
  const { runCli } = await import("./cli/program.js");
  process.exitCode = await runCli(process.argv);
}
