import { accessSync, constants } from "node:fs";
import { Command, Option } from "commander";
import { parseDepth } from "../cli/parsers.js";
import { emptyReport, verifyFile } from "./verify.js";
import type { VerifyReport } from "./verify.js";
import { formatReport } from "./report.js";

type VerifyFlags = { depth?: number; json?: boolean };

/** `kraken-ladder verify FILE.jsonl...`: exit 0 all checksums match, 1 any mismatch, 2 bad usage or unreadable file. */
export function verifyCommand(): Command {
  return new Command("verify")
    .description("replay recordings through the book engine and check every Kraken checksum")
    .argument("<files...>", "recordings: one raw Kraken frame per line")
    .addOption(
      new Option("--depth <n>", "book depth when a recording has no subscribe ack (default 10)").argParser(
        parseDepth,
      ),
    )
    .option("--json", "print one JSON object instead of a table")
    .action(async (files: string[], flags: VerifyFlags) => {
      process.exitCode = await runVerify(files, flags);
      // Done once the report is out: a natural exit would first wait for V8's background work (concurrent
      // marking, compile jobs), ~5–10 ms after a large recording. A write callback runs once everything
      // written before it is flushed, on every kind of stdout and stderr.
      process.stdout.write("", () => process.stderr.write("", () => process.exit()));
    });
}

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
