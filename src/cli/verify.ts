import { accessSync, constants } from "node:fs";
import { Command, Option } from "commander";
import { EXIT } from "../app/exit-codes.js";
import { exitWhenFlushed } from "../app/shutdown.js";
import { parseDepth } from "./parsers.js";
import { emptyReport, tradeGapCount, verifyFile } from "../verify/verify.js";
import type { VerifyReport } from "../verify/verify.js";
import { escapeJson, escapeUnsafe } from "../text/sanitize.js";
import { formatReport } from "../verify/report.js";
import { fileReason } from "../text/file-reason.js";

type VerifyFlags = { depth?: number; json?: boolean };

/**
 * `kraken-ladder verify FILE.jsonl...`. Exit codes: 0 every checksum matched, every file had book data
 * to verify and every pair's trade ids ran without a break; 1 a checksum mismatch, a trade-id gap, or a file in which no checksum could be checked (empty, garbage,
 * binary, no book data); 2 bad usage or a file that cannot be read.
 */
export function verifyCommand(): Command {
  return new Command("verify")
    .description("replay recordings through the book engine and check every Kraken checksum")
    .helpOption("-h, --help", "show this help")
    .argument("<files...>", "recordings: one raw Kraken frame per line (- reads stdin)")
    .addOption(
      new Option("--depth <n>", "book depth when a recording has no subscribe ack (default: 10)").argParser(
        parseDepth,
      ),
    )
    .option("--json", "print one JSON object instead of a table")
    .action((files: string[], flags: VerifyFlags) => {
      // Done once the report is out: nothing to clean up, and a natural exit would first wait ~5–10 ms
      // for V8's background work after a large recording.
      exitWhenFlushed(runVerify(files, flags));
    });
}

/** A line on stderr; file names and messages are shown with control characters escaped. */
function complain(message: string): void {
  process.stderr.write(`kraken-ladder verify: ${escapeUnsafe(message)}\n`);
}

/**
 * `-` is stdin (a compressed recording decompressed on the way: `zcat rec.jsonl.gz | … verify -`), read
 * through /dev/stdin as a file of its own, and named `stdin` in the report.
 */
const pathOf = (file: string): string => (file === "-" ? "/dev/stdin" : file);
const nameOf = (file: string): string => (file === "-" ? "stdin" : file);

function runVerify(typed: readonly string[], flags: VerifyFlags): number {
  const files = typed.map(nameOf);
  for (const file of typed) {
    try {
      accessSync(pathOf(file), constants.R_OK);
    } catch (e) {
      complain(`cannot read ${nameOf(file)}: ${fileReason(e)}`);
      return EXIT.USAGE;
    }
  }
  const report: VerifyReport = emptyReport();
  /** Files in which not one checksum could be checked. */
  const unverified: string[] = [];
  const problems: string[] = [];
  for (const typedFile of typed) {
    const file = nameOf(typedFile);
    const checked = report.checksums.ok + report.checksums.failed;
    const frames = report.frames;
    const invalid = report.invalidLines;
    try {
      verifyFile(pathOf(typedFile), report, flags.depth ?? 10, file);
    } catch (e) {
      complain(`cannot read ${file}: ${fileReason(e)}`);
      return EXIT.USAGE;
    }
    if (report.checksums.ok + report.checksums.failed > checked) continue;
    unverified.push(file);
    problems.push(
      `nothing verified in ${file}: ${why(report.frames - frames, report.invalidLines - invalid)}`,
    );
  }
  process.stdout.write(
    flags.json === true
      ? escapeJson(JSON.stringify({ ...report, unverified })) + "\n"
      : formatReport(report, files),
  );
  for (const problem of problems) complain(problem);
  const failed = report.checksums.failed > 0 || unverified.length > 0 || tradeGapCount(report) > 0;
  return failed ? EXIT.FAILURE : EXIT.OK;
}

/** Why a file gave no checksum to check, from its count of frames (non-blank lines) and unreadable ones. */
function why(frames: number, unreadable: number): string {
  const lines = `${frames} line${frames === 1 ? "" : "s"}`;
  if (frames === 0) return "it has no frames (it is empty or blank)";
  if (unreadable === frames) return `none of its ${lines} is a readable frame`;
  return `no book snapshot with a checksum in its ${lines}`;
}
