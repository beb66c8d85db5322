// Shared helpers for the benchmarks: statistics, paths, child processes, machine description.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = fileURLToPath(new URL("../../bin/kraken-ladder.js", import.meta.url));
export const DIST = new URL("../../dist/", import.meta.url);
export const CORPUS_DIR = fileURLToPath(new URL("../corpus/", import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL("../results/", import.meta.url));

/** Loads a compiled module from dist/ (run `npm run build` first). */
export function dist(path) {
  return import(new URL(path, DIST).href);
}

/** The five pairs every benchmark uses, with Kraken's real precisions (see src/sim/catalogue.ts). */
export const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "DOGE/USD"];

export function median(xs) {
  return percentile(xs, 0.5);
}

/** Nearest-rank percentile (p in 0..1) of a non-empty list. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (p === 0.5 && s.length % 2 === 0) return (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

/** {median, min, max, runs} of a list of figures. */
export function summary(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/**
 * Runs a command to completion and returns its wall time in ms, measured around the child's whole life
 * (start-up included), plus its exit status and output. Throws when it fails.
 */
export function timeProcess(cmd, args, { env } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, env: env ?? process.env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
  }
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/** The machine the figures come from. */
export function machine() {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  const nproc = spawnSync("nproc", [], { encoding: "utf8" }).stdout?.trim() || String(os.cpus().length);
  const load = os.loadavg().map((x) => x.toFixed(2));
  return {
    nproc: Number(nproc),
    ...gitState(),
    cpu,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: load,
  };
}

/** The commit measured, and source files changed from it (the benchmarks run whatever dist/ was built from). */
export function gitState() {
  const git = (...args) => spawnSync("git", ["-C", ROOT, ...args], { encoding: "utf8" }).stdout ?? "";
  const dirty = git("status", "--porcelain", "--", "src")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice(3));
  return { commit: git("rev-parse", "--short", "HEAD").trim(), uncommittedSrc: dirty };
}

/** The machine's CPU time so far in /proc/stat's units (Linux): all of it, and the part stolen. */
function cpuTimes() {
  try {
    const fields = readFileSync("/proc/stat", "utf8")
      .split("\n", 1)[0]
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] };
  } catch {
    return undefined;
  }
}

/**
 * The machine's stolen time so far, in the kernel's clock ticks (/proc/stat: 10 ms on Linux), or undefined
 * where there is no /proc/stat. Two readings that differ tell that the host stole time in between; equal ones
 * do not tell that it did not (a theft shorter than a tick may not advance the count).
 */
export function stolenTicks() {
  return cpuTimes()?.steal;
}

/**
 * Starts measuring the machine's stolen time: on a virtual machine, time a virtual CPU wanted to run while the
 * host ran something else, which no thread inside can see (it counts as running). Returns a function giving the
 * share of all CPU time stolen since, in percent, or undefined where /proc/stat is not there.
 */
export function stealMeter() {
  const start = cpuTimes();
  return () => {
    const end = cpuTimes();
    if (start === undefined || end === undefined || end.total === start.total) return undefined;
    return Number(((100 * (end.steal - start.steal)) / (end.total - start.total)).toFixed(2));
  };
}

/** Load average right now (1 min), to record how busy the shared machine was during a benchmark. */
export function load1() {
  return Number(os.loadavg()[0].toFixed(2));
}

export function fmt(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function log(...args) {
  process.stderr.write(args.join(" ") + "\n");
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
