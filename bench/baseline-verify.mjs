#!/usr/bin/env node
// Baseline for the whole-process hot-path benchmark: reads FILE the way `kraken-ladder verify` does
// (the same reader, readBlocks of dist/recording/lines.js: synchronous 64 KiB reads into one reused
// buffer, whole lines handed out per read) and JSON.parse's every line, keeping nothing exact and
// verifying nothing. Prints the number of lines parsed.
//
// JSON.parse needs strings, verify reads bytes: each block of whole lines is decoded once as UTF-8
// and split on "\n" (dropping a "\r" before it, as verify's splitter does). Measured against decoding
// each line on its own (buf.toString("utf8", …), utf8Slice, latin1Slice after splitting the bytes as
// verify does): this was the fastest, by ~5–8% of the whole run at depth 1000.
import { readBlocks } from "../dist/recording/lines.js";

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write("usage: node bench/baseline-verify.mjs FILE.jsonl\n");
  process.exit(2);
}
let parsed = 0;
const block = (bytes, from, to) => {
  const text = bytes.toString("utf8", from, to);
  let start = 0;
  let nl = text.indexOf("\n");
  for (;;) {
    const last = nl < 0;
    if (last && start === text.length) break;
    const stop = last ? text.length : nl;
    const end = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
    const line = text.slice(start, end);
    if (line.trim() !== "" && JSON.parse(line) !== undefined) parsed++;
    if (last) break;
    start = nl + 1;
    nl = text.indexOf("\n", start);
  }
};
// A line too long to hold (over 257 MiB) is no frame; no corpus has one.
readBlocks(file, block, () => undefined);
process.stdout.write(`${parsed}\n`);
