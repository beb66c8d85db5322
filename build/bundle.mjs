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
import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { bundleOptions, ROOT } from "./options.mjs";

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
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".js")).length;
process.stdout.write(`dist/: ${files} files bundled in ${Math.round(performance.now() - started)} ms\n`);
