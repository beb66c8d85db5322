// @ts-check
/**
 * esbuild's options for the bundle (build/bundle.mjs), shared with the tests that build a copy without the
 * build-time changes to compare against (test/ui/ink-patches.test.ts).
 *
 * - Each entry is written to its path under `outdir` relative to src/ (src/feed/worker.ts →
 *   dist/feed/worker.js). Code shared between entries, including every dependency (Ink, React, ws,
 *   commander …), goes to `outdir`/chunks/. Dynamic imports stay dynamic, so what is loaded only through
 *   one (the Ink ladder) stays out of runs that do not take it.
 * - Entries sit one folder below `outdir` and chunks in `outdir`/chunks/: code that finds a file relative
 *   to its own URL (the feed worker, src/feed/client.ts) finds it from either. The one entry at the top,
 *   main.ts, is the command line, which reaches that code only through dynamic imports (chunks).
 * - React is bundled as its production build: NODE_ENV is fixed here, not read at run time.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dependencyPatches } from "./patches.mjs";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * @param {{ readonly entryPoints: readonly string[]; readonly outdir: string; readonly patched: boolean }} options
 * @returns {import("esbuild").BuildOptions & { metafile: true }}
 */
export function bundleOptions({ entryPoints, outdir, patched }) {
  return {
    absWorkingDir: ROOT,
    entryPoints: [...entryPoints],
    outdir,
    outbase: join(ROOT, "src"),
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    jsx: "automatic",
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
    define: { "process.env.NODE_ENV": '"production"' },
    // CommonJS dependencies (ws, commander, React) require Node's built-in modules: give them a real require.
    banner: {
      js: 'import { createRequire as __klCreateRequire } from "node:module";\nconst require = __klCreateRequire(import.meta.url);',
    },
    // Optional: ws uses them when installed and works without; Ink loads devtools only when DEV=true.
    external: ["bufferutil", "utf-8-validate", "react-devtools-core"],
    plugins: patched ? [dependencyPatches(ROOT)] : [],
  };
}
