// Deterministic benchmark corpora: raw Kraken v2 frames, one per line, from the simulator's generator
// (src/sim/generate.ts). Written once to bench/corpus/ (gitignored) and reused while the parameters match;
// each is checked once with `kraken-ladder verify` when written: every checksum must match.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { BIN, CORPUS_DIR, dist, log, SYMBOLS, timeProcess } from "./util.mjs";

const FORMAT = 1;

/**
 * Path of the corpus `name` for these parameters, generating and verifying it if needed.
 * `copies` > 1 writes the generated session that many times in a row (a longer recording whose every
 * copy starts with its own status, acks and snapshots), to make large files cheaply.
 * `drift` > 0 moves each pair's mid up by about that fraction and back over the updates (see
 * generateFrames): at depth 1000, levels keep leaving the range and re-entering it at its far end.
 */
export async function ensureCorpus({
  name,
  depth,
  messages,
  seed = 20260101,
  symbols = SYMBOLS,
  copies = 1,
  drift = 0,
}) {
  mkdirSync(CORPUS_DIR, { recursive: true });
  const file = join(CORPUS_DIR, `${name}.jsonl`);
  const manifestFile = join(CORPUS_DIR, `${name}.json`);
  const params = {
    format: FORMAT,
    depth,
    messages,
    seed,
    symbols,
    copies,
    ...(drift === 0 ? {} : { drift }),
  };
  if (existsSync(file) && existsSync(manifestFile)) {
    const m = JSON.parse(readFileSync(manifestFile, "utf8"));
    if (JSON.stringify(m.params) === JSON.stringify(params) && statSync(file).size === m.bytes)
      return { file, ...m };
  }
  const { generateFrames } = await dist("sim/generate.js");
  log(
    `  generating ${name}: ${messages.toLocaleString()} updates × ${copies}, depth ${depth}, ${symbols.length} pairs${drift === 0 ? "" : `, mid drifting ${drift * 100}%`} …`,
  );
  const frames = [];
  for (const frame of generateFrames({ symbols, depth, seed, messages, drift })) frames.push(frame);
  const fd = openSync(file, "w");
  let bytes = 0;
  for (let c = 0; c < copies; c++) {
    let chunk = "";
    for (const f of frames) {
      chunk += f + "\n";
      if (chunk.length > 1 << 20) {
        bytes += writeSync(fd, chunk);
        chunk = "";
      }
    }
    bytes += writeSync(fd, chunk);
  }
  closeSync(fd);
  const lines = frames.length * copies;
  frames.length = 0;
  // Checked once with the real verify command: every checksum must match.
  const { stdout } = timeProcess(process.execPath, [BIN, "verify", "--json", file]);
  const report = JSON.parse(stdout);
  const applied = Object.values(report.symbols).reduce((n, s) => n + s.snapshots + s.updates, 0);
  if (report.checksums.failed !== 0 || report.errors.length !== 0 || report.checksums.ok !== applied) {
    throw new Error(
      `corpus ${name} does not verify: ${JSON.stringify(report.checksums)}, ${report.errors.length} errors`,
    );
  }
  const manifest = { params, lines, bytes, checksums: report.checksums.ok };
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n");
  log(
    `  ${name}: ${lines.toLocaleString()} lines, ${(bytes / 2 ** 20).toFixed(1)} MiB, ${report.checksums.ok.toLocaleString()} checksums ok`,
  );
  return { file, ...manifest };
}
