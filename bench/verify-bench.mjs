// Benchmark 2, verify on a large recording: wall time and peak resident memory of `kraken-ladder verify`
// on a 500,000-message corpus and on a file four times that size, to show memory does not grow with it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCorpus } from "./lib/corpus.mjs";
import { BIN, load1, log, stealMeter, summary, timeProcess } from "./lib/util.mjs";

const TIME = "/usr/bin/time";
const MAXRSS_HOOK = new URL("./lib/maxrss-hook.mjs", import.meta.url).href;

/**
 * Wall time (ms, around the whole process) and peak RSS (MiB, the kernel's ru_maxrss) of one verify run.
 * Peak RSS comes from /usr/bin/time when installed, else from a preloaded hook that reports
 * process.resourceUsage().maxRSS at exit (the same kernel figure).
 */
function measure(file) {
  const dir = mkdtempSync(join(tmpdir(), "kl-bench-"));
  const out = join(dir, "rss");
  try {
    if (existsSync(TIME)) {
      const { ms } = timeProcess(TIME, ["-f", "%M", "-o", out, process.execPath, BIN, "verify", file]);
      return { ms, peakMiB: Number(readFileSync(out, "utf8").trim().split("\n").at(-1)) / 1024, via: TIME };
    }
    const env = { ...process.env, NODE_OPTIONS: `--import=${MAXRSS_HOOK}`, KL_BENCH_MAXRSS: out };
    const { ms } = timeProcess(process.execPath, [BIN, "verify", file], { env });
    return { ms, peakMiB: Number(readFileSync(out, "utf8")) / 1024, via: "process.resourceUsage().maxRSS" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runVerifyBench({ quick }) {
  const messages = quick ? 100_000 : 500_000;
  const runs = quick ? 2 : 3;
  const sizes = [
    { name: `verify-d10-${messages}`, copies: 1 },
    { name: `verify-d10-${messages}x4`, copies: 4 },
  ];
  const out = { messages, runs: [] };
  for (const size of sizes) {
    const corpus = await ensureCorpus({ name: size.name, depth: 10, messages, copies: size.copies });
    log(`  verify: ${corpus.lines.toLocaleString()} lines, ${runs} runs …`);
    const ms = [];
    const peak = [];
    let via = "";
    const loadBefore = load1();
    const stolen = stealMeter();
    for (let r = 0; r < runs; r++) {
      const m = measure(corpus.file);
      ms.push(m.ms);
      peak.push(m.peakMiB);
      via = m.via;
    }
    const wall = summary(ms);
    out.runs.push({
      lines: corpus.lines,
      copies: size.copies,
      bytes: corpus.bytes,
      wallMs: wall,
      messagesPerSecond: corpus.lines / (wall.median / 1000),
      peakRssMiB: summary(peak),
      peakVia: via,
      loadAverage: [loadBefore, load1()],
      stolenPercent: stolen(),
    });
  }
  return out;
}
