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
} else {
  const { runCli } = await import("./cli/program.js");
  process.exitCode = await runCli(process.argv);
}
