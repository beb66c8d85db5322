#!/usr/bin/env node
// One in-process hot-path measurement, in a fresh process: `node bench/hot-inproc.mjs FILE MODE PASSES`.
// The file's lines are read into an array first (no I/O is timed); then one untimed warm-up pass and
// PASSES timed passes over every line. Prints {lines, ms: [...]} as JSON.
//   MODE engine:   exactly what `verify` does per line: parseFrame → OrderBook.apply per book data
//                  (lossless parse, apply, truncate, checksum verify); throws on any checksum mismatch.
//   MODE baseline: plain JSON.parse of the same lines.
import { readFileSync } from "node:fs";
import { OrderBook } from "../dist/book/order-book.js";
import { parseFrame } from "../dist/protocol/parse.js";

const [file, mode, passesArg = "3"] = process.argv.slice(2);
const lines = readFileSync(file, "utf8").split("\n");
if (lines.at(-1) === "") lines.pop();
const passes = Number(passesArg);

function engine() {
  const books = new Map();
  const depths = new Map();
  let ok = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    const msg = parseFrame(line);
    if (msg.kind === "book") {
      const snapshot = msg.type === "snapshot";
      for (const data of msg.data) {
        let book = books.get(data.symbol);
        if (snapshot) {
          book = new OrderBook(data.symbol, depths.get(data.symbol) ?? 10);
          books.set(data.symbol, book);
        } else if (book === undefined) continue;
        if (book.apply(data, snapshot) === "checksum-mismatch") {
          throw new Error(`checksum mismatch at line ${i + 1}`);
        }
        ok++;
      }
    } else if (
      msg.kind === "ack" &&
      msg.channel === "book" &&
      msg.symbol !== undefined &&
      msg.depth !== undefined
    ) {
      depths.set(msg.symbol, msg.depth);
    } else if (msg.kind === "error") {
      throw new Error(`line ${i + 1}: ${msg.message}`);
    }
  }
  return ok;
}

function baseline() {
  let parsed = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    if (JSON.parse(line) !== undefined) parsed++;
  }
  return parsed;
}

const run = mode === "engine" ? engine : mode === "baseline" ? baseline : undefined;
if (run === undefined) throw new Error(`mode must be engine or baseline, not ${mode}`);
let sink = run();
const ms = [];
for (let p = 0; p < passes; p++) {
  const t0 = process.hrtime.bigint();
  sink += run();
  ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
process.stdout.write(JSON.stringify({ lines: lines.length, ms, sink }) + "\n");
