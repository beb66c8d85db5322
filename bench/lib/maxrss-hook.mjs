// Preloaded with --import when /usr/bin/time is missing: writes this process's peak RSS (KiB) to
// $KL_BENCH_MAXRSS at exit.
import { writeFileSync } from "node:fs";

const out = process.env.KL_BENCH_MAXRSS;
if (out !== undefined) process.on("exit", () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
