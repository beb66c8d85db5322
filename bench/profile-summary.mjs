#!/usr/bin/env node
// Top self-time functions of a V8 CPU profile (from `node --cpu-prof`):
//   node bench/profile-summary.mjs FILE.cpuprofile [N=15]
import { readFileSync } from "node:fs";

const [file, nArg = "15"] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write("usage: node bench/profile-summary.mjs FILE.cpuprofile [N]\n");
  process.exit(2);
}

/** [{name, where, selfMs, percent}] sorted by self time, from a .cpuprofile's samples. */
export function topSelf(profile, n) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...dt.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map();
  for (const [id, us] of dt) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const where = url === "" ? "" : `${url.replace(/^.*\/(dist|node_modules)\//, "$1/")}:${lineNumber + 1}`;
    const key = `${functionName || "(anonymous)"} ${where}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  return [...byFn]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, us]) => ({ fn: key, selfMs: us / 1000, percent: (100 * us) / total }));
}

const rows = topSelf(JSON.parse(readFileSync(file, "utf8")), Number(nArg));
for (const r of rows)
  process.stdout.write(
    `${r.percent.toFixed(1).padStart(5)}%  ${r.selfMs.toFixed(0).padStart(7)} ms  ${r.fn}\n`,
  );
