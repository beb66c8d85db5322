import { isBookDepth } from "../protocol/types.js";
import type { BookDepth } from "../protocol/types.js";
import type { VerifyFlags } from "../verify/run.js";

/** The depth a `--depth` value stands for, or undefined when commander's parser rejects it (parseDepth). */
export function depthFromText(value: string): BookDepth | undefined {
  const n = Number(value);
  return /^\d+$/.test(value) && isBookDepth(n) ? n : undefined;
}

/**
 * The arguments of a plain, valid `verify` invocation (`args` as after `kraken-ladder`), exactly as
 * commander would parse them; undefined for anything else, which main.ts leaves to commander.
 *
 * Plain: `verify` first, then files and only `--json`, `--depth N` and `--depth=N` with N a valid
 * depth, in any order (a repeated flag: the last one counts, as in commander). Anything starting
 * with `-` beyond those (help, `--`, a bad or missing depth, an unknown flag) goes to commander, which
 * owns every message and exit code for them. Commander and the command definitions cost ~15–20 ms of
 * start-up, and commander loads child_process (and with it net and dgram) for its executable
 * subcommands: more than verify's own start-up, for a command most often run in scripts.
 */
export function plainVerifyArgs(
  args: readonly string[],
): { files: string[]; flags: VerifyFlags } | undefined {
  if (args[0] !== "verify") return undefined;
  const files: string[] = [];
  const flags: VerifyFlags = {};
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("-")) {
      files.push(arg);
    } else if (arg === "--json") {
      flags.json = true;
    } else if (arg === "--depth" || arg.startsWith("--depth=")) {
      const value = arg === "--depth" ? args[++i] : arg.slice("--depth=".length);
      const depth = value === undefined ? undefined : depthFromText(value);
      if (depth === undefined) return undefined;
      flags.depth = depth;
    } else {
      return undefined;
    }
  }
  return files.length === 0 ? undefined : { files, flags };
}
