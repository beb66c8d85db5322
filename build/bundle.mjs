// @ts-check
/**
 * `npm run build`: bundles src/ with esbuild into dist/, the code the package ships and the tests run.
 *
 * The entry points are the program, its feed worker thread, the library and the modules that the tests
 * and benchmarks load from dist/ (ENTRIES), so all of them run the same bundled code; the installed package
 * needs no runtime dependencies. Everything else goes into them or into shared chunks: the fewer files Node's
 * ESM loader loads at start-up the sooner a command runs (about 20 ms sooner than with every module an
 * entry on Node 20, BENCHMARKS.md). Ink and string-width are patched as they are bundled
 * (build/patches.mjs): a source they were not written for fails the build. dist/bundle-meta.json
 * (esbuild's metafile: which sources each output holds) and the source maps stay out of the package
 * (package.json `files`).
 */
import { build } from "esbuild";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { bundleOptions, ROOT } from "./options.mjs";
import { restoreConstants, sourceConstants } from "./top-level-const.mjs";

const DIST = join(ROOT, "dist");

/** Each is written to its path under dist/ relative to src/ (build/options.mjs). */
const ENTRIES = [
  // The program (bin/kraken-ladder.js) and the feed worker thread it starts, found by URL (feed/client.ts).
  "main.ts",
  "feed/worker.ts",
  // The library: the package's `exports`.
  "lib/index.ts",
  // Loaded from dist/ by the benchmarks (bench/) and by the tests' fixtures and build checks (test/).
  "app/shutdown.ts",
  "book/order-book.ts",
  "feed/publisher.ts",
  "feed/session.ts",
  "protocol/book-scan.ts",
  "protocol/parse.ts",
  "recording/lines.ts",
  "sim/generate.ts",
  "sim/synthetic.ts",
  "ui/colors.ts",
  "ui/components/App.tsx",
  "ui/ink-fast.ts",
  "ui/load-ladder.ts",
  "ui/render-frame.tsx",
  "ui/run-ladder.tsx",
  "ui/store.ts",
  "ui/terminal.ts",
];

const started = performance.now();
await rm(DIST, { recursive: true, force: true });
const result = await build(
  bundleOptions({ entryPoints: ENTRIES.map((e) => join(ROOT, "src", e)), outdir: DIST, patched: true }),
).catch(async (/** @type {Error} */ e) => {
  // esbuild prints the errors of the code it reads, not those a plugin returns when the build ends (a
  // dependency change that did not apply): the failure's message has them all. What was written is not the
  // code the package ships, so it goes.
  process.stderr.write(`${e.message}\n`);
  await rm(DIST, { recursive: true, force: true });
  process.exit(1);
});
await writeFile(join(DIST, "bundle-meta.json"), JSON.stringify(result.metafile));
const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".js"));
// Top-level constants get their `const` back (build/top-level-const.mjs).
const constants = sourceConstants(ROOT);
let restored = 0;
for (const file of outputs) {
  const path = join(ROOT, file);
  const code = await readFile(path, "utf8");
  await constants.load(code);
  const out = restoreConstants(code, constants.get);
  if (out.changed > 0) await writeFile(path, out.code);
  restored += out.changed;
}
process.stdout.write(
  `dist/: ${outputs.length} files bundled in ${Math.round(performance.now() - started)} ms; ${restored} top-level constants kept const\n`,
);
