// Benchmark 1, the hot path: lossless parse + apply + truncate + verify against plain JSON.parse of the
// same lines, in process (lines pre-read, fresh process per measurement) and as whole processes
// (`kraken-ladder verify FILE` against bench/baseline-verify.mjs, the headline). A/B order alternates.
import { fileURLToPath } from "node:url";
import { ensureCorpus } from "./lib/corpus.mjs";
import { BIN, load1, log, stealMeter, summary, timeProcess } from "./lib/util.mjs";

const INPROC = fileURLToPath(new URL("./hot-inproc.mjs", import.meta.url));
const BASELINE = fileURLToPath(new URL("./baseline-verify.mjs", import.meta.url));

export async function runHot({ quick }) {
  const messages = quick ? 50_000 : 200_000;
  const rounds = quick ? 3 : 5;
  const passes = quick ? 2 : 3;
  const processRounds = quick ? 3 : 7;
  const out = { messages, depths: {} };
  // The drifting corpus: the mid rises ~1% and comes back, so levels keep leaving the top 1000 at one
  // end (deletes implied by truncation) and re-entering it at the other (inserts at the far end).
  const variants = [
    { key: "10", depth: 10, drift: 0, name: `hot-d10-${messages}` },
    { key: "1000", depth: 1000, drift: 0, name: `hot-d1000-${messages}` },
    { key: "1000, mid drifting 1%", depth: 1000, drift: 0.01, name: `hot-d1000-drift-${messages}` },
  ];
  for (const { key, depth, drift, name } of variants) {
    const corpus = await ensureCorpus({ name, depth, messages, drift });
    const loadBefore = load1();
    const stolen = stealMeter();
    log(`  hot ${name}: in-process, ${rounds} rounds × ${passes} passes …`);
    const inproc = { engine: [], baseline: [], ratios: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ["engine", "baseline"] : ["baseline", "engine"];
      const round = {};
      for (const mode of order) {
        const { stdout } = timeProcess(process.execPath, [INPROC, corpus.file, mode, String(passes)]);
        const { lines, ms } = JSON.parse(stdout);
        round[mode] = ms.map((t) => lines / (t / 1000));
        inproc[mode].push(...round[mode]);
      }
      inproc.ratios.push(summary(round.engine).median / summary(round.baseline).median);
    }
    log(`  hot ${name}: whole processes, ${processRounds} rounds …`);
    const proc = { verify: [], baseline: [], ratios: [] };
    for (let r = 0; r < processRounds; r++) {
      const order = r % 2 === 0 ? ["verify", "baseline"] : ["baseline", "verify"];
      const round = {};
      for (const mode of order) {
        const args = mode === "verify" ? [BIN, "verify", corpus.file] : [BASELINE, corpus.file];
        const { ms } = timeProcess(process.execPath, args);
        round[mode] = corpus.lines / (ms / 1000);
        proc[mode].push(round[mode]);
      }
      proc.ratios.push(round.verify / round.baseline);
    }
    const inEngine = summary(inproc.engine);
    const inBase = summary(inproc.baseline);
    const prVerify = summary(proc.verify);
    const prBase = summary(proc.baseline);
    out.depths[key] = {
      corpus: { lines: corpus.lines, bytes: corpus.bytes, checksums: corpus.checksums },
      inProcess: {
        engine: inEngine,
        baseline: inBase,
        ratio: summary(inproc.ratios).median,
        pairedRatios: summary(inproc.ratios),
      },
      process: {
        verify: prVerify,
        baseline: prBase,
        ratio: summary(proc.ratios).median,
        pairedRatios: summary(proc.ratios),
      },
      loadAverage: [loadBefore, load1()],
      stolenPercent: stolen(),
    };
  }
  return out;
}
