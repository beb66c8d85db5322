import { runCli } from "./cli/program.js";

/**
 * Composition root. Commands load their heavy parts (Ink, React, ws) lazily, so that
 * `verify` and `--help` start fast and never load the UI.
 */
process.exitCode = await runCli(process.argv);
