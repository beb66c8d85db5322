import { accessSync, constants } from "node:fs";
import { emptyReport, verifyFile } from "./verify.js";
import type { VerifyReport } from "./verify.js";
import { formatReport } from "./report.js";

export type VerifyFlags = { depth?: number; json?: boolean };

/**
 * Runs `kraken-ladder verify` once its arguments are parsed: prints the report, resolves to the exit
 * code (0 all checksums match, 1 any mismatch, 2 an unreadable file). Free of commander, so that the
 * plain invocations main.ts parses itself (see cli/verify-args.ts) load nothing else.
 */
export async function runVerify(files: readonly string[], flags: VerifyFlags): Promise<number> {
  for (const file of files) {
    try {
      accessSync(file, constants.R_OK);
    } catch (e) {
      process.stderr.write(
        `kraken-ladder verify: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}\n`,
      );
      return 2;
    }
  }
  const report: VerifyReport = emptyReport();
  for (const file of files) {
    try {
      await verifyFile(file, report, flags.depth ?? 10);
    } catch (e) {
      process.stderr.write(`kraken-ladder verify: cannot read ${file}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  process.stdout.write(flags.json === true ? JSON.stringify(report) + "\n" : formatReport(report, files));
  return report.checksums.failed > 0 ? 1 : 0;
}
