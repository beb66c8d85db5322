#!/usr/bin/env node
// One in-process hot-path measurement, in a fresh process: `node bench/hot-inproc.mjs FILE MODE PASSES`.
// The file's lines are read into an array first (no I/O is timed); then one untimed warm-up pass and
// PASSES timed passes over every line. Prints {lines, ms: [...]} as JSON.
//   MODE engine:   what `verify` does per line: BookScan (lossless scan of a Kraken-layout book frame) →
//                  OrderBook.applyScan per entry (apply, truncate, checksum verify), and parseGeneric →
//                  OrderBook.apply for any other line; throws on any checksum mismatch.
//   MODE baseline: plain JSON.parse of the same lines.
import { readFileSync } from "node:fs";
import { OrderBook } from "../dist/book/order-book.js";
import { BookScan } from "../dist/protocol/book-scan.js";
import { parseGeneric } from "../dist/protocol/parse.js";

const [file, mode, passesArg = "3"] = process.argv.slice(2);
const lines = readFileSync(file, "utf8").split("\n");
if (lines.at(-1) === "") lines.pop();
const passes = Number(passesArg);

function engine() {
  const books = new Map();
  const depths = new Map();
  const scan = new BookScan();
  let ok = 0;
  const applied = (outcome, i) => {
    if (outcome === "checksum-mismatch") throw new Error(`checksum mismatch at line ${i + 1}`);
    ok++;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (scan.scan(line)) {
      const snapshot = scan.snapshot;
      for (let e = 0; e < scan.entries; e++) {
        const symbol = scan.symbol(e);
        let book = books.get(symbol);
        if (snapshot) {
          book = new OrderBook(symbol, depths.get(symbol) ?? 10);
          books.set(symbol, book);
        } else if (book === undefined) continue;
        applied(book.applyScan(scan, e, snapshot), i);
      }
      continue;
    }
    if (line.trim() === "") continue;
    const msg = parseGeneric(line);
    if (msg.kind === "book") {
      const snapshot = msg.type === "snapshot";
      for (const data of msg.data) {
        let book = books.get(data.symbol);
        if (snapshot) {
          book = new OrderBook(data.symbol, depths.get(data.symbol) ?? 10);
          books.set(data.symbol, book);
        } else if (book === undefined) continue;
        applied(book.apply(data, snapshot), i);
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
