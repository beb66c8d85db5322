#!/usr/bin/env node
// `npm run bench` (= npm run build && node bench/run.mjs): every benchmark in one go, a table on stdout,
// the figures in bench/results/latest.json and the generated block of BENCHMARKS.md.
//   --only hot,verify,render,app,realistic,soak,serve,market   run only these (the other sections keep their last figures)
//   --quick                             smaller corpora, fewer runs, shorter app/soak (for development)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { machine, RESULTS_DIR, ROOT, log } from "./lib/util.mjs";
import { formatted, renderTables, updateBenchmarksMd } from "./lib/report.mjs";

const ALL = ["hot", "verify", "render", "app", "realistic", "soak", "serve", "market"];

function parseArgs(argv) {
  let only = ALL;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") quick = true;
    else if (a === "--only" || a.startsWith("--only=")) {
      const v = a === "--only" ? argv[++i] : a.slice("--only=".length);
      only = (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = only.filter((s) => !ALL.includes(s));
      if (bad.length > 0 || only.length === 0) usage(`unknown benchmark ${bad.join(",") || "(none)"}`);
    } else if (a === "--help" || a === "-h") usage();
    else usage(`unknown argument ${a}`);
  }
  return { only, quick };
}

function usage(problem) {
  if (problem) process.stderr.write(`bench: ${problem}\n`);
  process.stderr.write(`usage: node bench/run.mjs [--quick] [--only ${ALL.join(",")}]\n`);
  process.exit(problem ? 2 : 0);
}

const RUNNERS = {
  hot: async (o) => (await import("./hot.mjs")).runHot(o),
  verify: async (o) => (await import("./verify-bench.mjs")).runVerifyBench(o),
  render: async (o) => (await import("./render.mjs")).runRender(o),
  app: async (o) => (await import("./app.mjs")).runApp(o),
  realistic: async (o) => (await import("./realistic.mjs")).runRealistic(o),
  soak: async (o) => (await import("./soak.mjs")).runSoak(o),
  serve: async (o) => (await import("./serve.mjs")).runServe(o),
  market: async (o) => (await import("./market.mjs")).runMarket(o),
};

const { only, quick } = parseArgs(process.argv.slice(2));
if (!existsSync(join(ROOT, "dist", "main.js")))
  usage("dist/ is missing: run `npm run build` (or `npm run bench`)");
mkdirSync(RESULTS_DIR, { recursive: true });
const latestFile = join(RESULTS_DIR, "latest.json");
const latest = existsSync(latestFile) ? JSON.parse(readFileSync(latestFile, "utf8")) : { sections: {} };
latest.machine = machine();

for (const name of only) {
  log(`bench: ${name}${quick ? " (quick)" : ""} …`);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const result = await RUNNERS[name]({ quick });
  latest.sections[name] = {
    ...result,
    quick,
    startedAt,
    seconds: Math.round((Date.now() - t0) / 1000),
    machine: machine(),
  };
  // Saved after each benchmark, so a long run interrupted later keeps what it measured.
  writeFileSync(latestFile, await formatted(JSON.stringify(latest, null, 2), latestFile));
}

process.stdout.write(renderTables(latest, only) + "\n");
await updateBenchmarksMd(latest);
log(`bench: figures in ${latestFile}; BENCHMARKS.md updated`);
