import { Command, Option } from "commander";
import { parseDepth } from "../cli/parsers.js";
import { runVerify } from "./run.js";
import type { VerifyFlags } from "./run.js";

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
    });
}
