// @ts-check
/**
 * `npm run build`: bundles src/ with esbuild into dist/, the code the package ships and the tests run.
 *
 * Every module of src/ is an entry point (build/options.mjs), so the binary, the feed worker thread, the
 * lazily loaded ladder and the tests and benchmarks that load one module all run the same bundled code; the
 * installed package needs no runtime dependencies. Ink and string-width are patched as they are bundled
 * (build/ink-patches.mjs): a source they were not written for fails the build. dist/bundle-meta.json
 * (esbuild's metafile: which sources each output holds) and the source maps stay out of the package
 * (package.json `files`).
 */
import { build } from "esbuild";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { bundleOptions, ROOT } from "./options.mjs";
import { restoreConstants, sourceConstants } from "./top-level-const.mjs";

const DIST = join(ROOT, "dist");

/** Every module of src/. @param {string} dir @returns {Promise<string[]>} */
async function sources(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const started = performance.now();
await rm(DIST, { recursive: true, force: true });
const result = await build(
  bundleOptions({ entryPoints: await sources(join(ROOT, "src")), outdir: DIST, patched: true }),
).catch(() => {
  // esbuild has printed the errors.
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
