#!/usr/bin/env node
// Baseline for the whole-process hot-path benchmark: reads FILE exactly the way `kraken-ladder verify`
// does (the same streaming line reader, dist/verify/lines.js) and JSON.parse's every line, keeping
// nothing exact and verifying nothing. Prints the number of lines parsed.
import { readLines } from "../dist/verify/lines.js";

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write("usage: node bench/baseline-verify.mjs FILE.jsonl\n");
  process.exit(2);
}
let parsed = 0;
for await (const [line] of readLines(file)) {
  if (line.trim() === "") continue;
  if (JSON.parse(line) !== undefined) parsed++;
}
process.stdout.write(`${parsed}\n`);
