// @ts-check
/**
 * Build-time changes to Ink 6.8.0, string-width 8.3.0, is-in-ci 2.0.0 and commander 14.0.3, applied by an
 * esbuild plugin as the bundle is built (build/bundle.mjs). Each change is written for one exact source, pinned by SHA-256:
 * when the installed file is another one (an upgrade), or a patched file is no longer part of the bundle,
 * the build fails and says which; nothing falls back in silence, and nothing is rewritten at run time.
 *
 * 1. measure-text: Ink keeps the size of every distinct text it has ever measured in a module-level Map
 *    that is never emptied (upstream: vadimdemedes/ink#986). A ladder's rows change many times a second,
 *    so that cache grew for as long as the app ran. Bounded here.
 * 2. string-width, 3. Ink's output stage (`Output.get`) and 4. its sanitizeAnsi (run on every text node of
 *    every frame) take the fast paths of src/ui/ink-fast.ts for the text the ladder draws, with identical
 *    results (tested byte for byte); at 200×60 they are most of a frame's cost (about 40 of 45 ms).
 * 5. is-in-ci: Ink draws no live frames when it believes it runs in CI, but the ladder only ever runs on a
 *    terminal someone is looking at: in this bundle Ink never believes it.
 * 6. commander: its command.js loads node:child_process as it is loaded, only to spawn executable
 *    subcommands (`command('name', 'description')`), which this CLI has none of. Loading child_process
 *    (and node:net with it) is ~5 ms of every command's start on Node 20, `verify` and `--help` included
 *    (BENCHMARKS.md): here it is loaded when a spawn asks for it.
 * 7. log-update: Ink's incremental renderer rewrites every changed line whole; it writes only the changed
 *    cells (src/ui/line-update.ts), about a quarter of the bytes for the ladder, for the same screen.
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The fast paths, imported by the patched modules (bundled once, shared with the app's own imports). */
const FAST = fileURLToPath(new URL("../src/ui/ink-fast.ts", import.meta.url));
/** The writer of changed lines, imported by the patched log-update. */
const LINE_UPDATE = fileURLToPath(new URL("../src/ui/line-update.ts", import.meta.url));

/** @param {string} source */
export const sha256 = (source) => createHash("sha256").update(source).digest("hex");

/** The statement in ink/build/measure-text.js that adds to the cache. */
export const UNBOUNDED = "cache.set(text, dimensions);";
/** The statement at the top of commander/lib/command.js that loads child_process with commander. */
export const EAGER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
/** What ink/build/log-update.js's incremental renderer writes for a changed line (before its newline). */
export const WHOLE_LINE_WRITE =
  "ansiEscapes.cursorTo(0) +\n                nextLines[i] +\n                ansiEscapes.eraseEndLine +";

/**
 * Entries kept before the cache starts afresh: more than one screen measures (a text node per run of lines,
 * or per line at worst: under 60 at 200×60). Yoga measures a changed text once or twice in one layout, so a
 * cache only needs to last a frame. An entry's key is a whole multi-line text (about 12 KB for the ladder's
 * body): kept low, it holds under 1 MB, and few texts live long enough to be copied when V8 collects.
 */
export const MEASURE_CACHE_LIMIT = 64;

/**
 * @typedef {object} Patch
 * @property {string} file the file, relative to the project root, with `/` separators
 * @property {string} sha256 of the exact source the change was written for
 * @property {string} what the package and version, for messages
 * @property {(source: string) => string} apply
 */

/** Replaces exactly one occurrence of `from`, or throws. */
function replaceOnce(/** @type {string} */ source, /** @type {string} */ from, /** @type {string} */ to) {
  const at = source.indexOf(from);
  if (at < 0 || source.indexOf(from, at + 1) >= 0)
    throw new Error(`expected exactly one ${JSON.stringify(from)}`);
  return source.slice(0, at) + to + source.slice(at + from.length);
}

/** @type {readonly Patch[]} */
export const PATCHES = [
  {
    file: "node_modules/ink/build/measure-text.js",
    sha256: "4562d24171af3063b91a0d965c652ebdf1e2bdf4fe7f75c6bc8664fefc77df6a",
    what: "ink 6.8.0 build/measure-text.js",
    apply: (source) =>
      replaceOnce(
        source,
        UNBOUNDED,
        `if (cache.size >= ${MEASURE_CACHE_LIMIT}) cache.clear();\n    ${UNBOUNDED}`,
      ),
  },
  {
    file: "node_modules/string-width/index.js",
    sha256: "abc20775da6b552188b098688ebec671e29f5416d6339d3534bb7b016174003e",
    what: "string-width 8.3.0 index.js",
    apply: (source) =>
      replaceOnce(
        source,
        "export default function stringWidth(input, options = {}) {",
        "function originalStringWidth(input, options = {}) {",
      ) +
      `\nimport { fastStringWidth as __klFastStringWidth } from ${JSON.stringify(FAST)};\n` +
      "export default __klFastStringWidth(originalStringWidth);\n",
  },
  {
    file: "node_modules/ink/build/output.js",
    sha256: "de9078c7fc647c40cf9e32d6658fcbbee91dae9e3f6334e5f4ebfc5905fc401d",
    what: "ink 6.8.0 build/output.js",
    apply: (source) =>
      source +
      "\nimport * as __klAnsiTokenize from '@alcalzone/ansi-tokenize';\n" +
      `import { installFastOutput as __klInstallFastOutput } from ${JSON.stringify(FAST)};\n` +
      "__klInstallFastOutput(Output, __klAnsiTokenize, stringWidth);\n",
  },
  {
    file: "node_modules/ink/build/sanitize-ansi.js",
    sha256: "6324e0b5396fda7b0e9dddad4acad023adee913dfb77e541636efa0a04d5f043",
    what: "ink 6.8.0 build/sanitize-ansi.js",
    apply: (source) =>
      replaceOnce(
        source,
        "export default sanitizeAnsi;",
        `import { fastSanitizeAnsi as __klFastSanitizeAnsi } from ${JSON.stringify(FAST)};\n` +
          "export default __klFastSanitizeAnsi(sanitizeAnsi);",
      ),
  },
  {
    file: "node_modules/is-in-ci/index.js",
    sha256: "20fd548feaa8048ff1e0e4c2b3dddc01de67a9ec8d30d951e6973f396cb733ee",
    what: "is-in-ci 2.0.0 index.js",
    apply: () =>
      "// kraken-ladder: the ladder runs only on a terminal (build/patches.mjs).\nexport default false;\n",
  },
  {
    file: "node_modules/commander/lib/command.js",
    sha256: "c161e3d99c26a125ec591a32f64f65975a7d7aac56dc29a5ff644d39d61c8831",
    what: "commander 14.0.3 lib/command.js",
    apply: (source) =>
      replaceOnce(
        source,
        EAGER_CHILD_PROCESS,
        "// kraken-ladder: loaded when an executable subcommand is spawned (build/patches.mjs).\n" +
          "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      ),
  },
  {
    file: "node_modules/ink/build/log-update.js",
    sha256: "2d184e9776ac98b122a7801b132465035ee2118c2deb510a87aba2a0a1a41ae4",
    what: "ink 6.8.0 build/log-update.js",
    apply: (source) =>
      // Rows from previousVisible on were not drawn by the last frame: those are written whole.
      replaceOnce(
        source,
        WHOLE_LINE_WRITE,
        "__klLineUpdate(i < previousVisible ? previousLines[i] : undefined, nextLines[i]) +",
      ) +
      "\nimport __klStringWidth from 'string-width';\n" +
      `import { createLineUpdate as __klCreateLineUpdate } from ${JSON.stringify(LINE_UPDATE)};\n` +
      "const __klLineUpdate = __klCreateLineUpdate(__klStringWidth);\n",
  },
];

/** What a patch does to `source`; throws, naming the file, when `source` is not the one it was written for. */
export function patchSource(/** @type {Patch} */ patch, /** @type {string} */ source) {
  const found = sha256(source);
  if (found !== patch.sha256)
    throw new Error(
      `${patch.file} is not ${patch.what} (sha256 ${found}, expected ${patch.sha256}): ` +
        "the build-time change in build/patches.mjs was written for that exact source. " +
        "Check the change against the new source, then update it and its hash.",
    );
  return patch.apply(source);
}

/** `path` with symbolic links resolved, or as it is when it does not exist (the build then says it did not apply). */
function realPath(/** @type {string} */ path) {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The esbuild plugin: patches each file of PATCHES as it is loaded into the bundle, and fails the build when
 * a source does not match or a patched file was not part of the bundle at all.
 * @param {string} root the project root, whose node_modules the bundle is built from
 * @param {readonly Patch[]} [patches]
 * @returns {import("esbuild").Plugin}
 */
export function dependencyPatches(root, patches = PATCHES) {
  // By real path, as esbuild loads files: node_modules may be a symbolic link (a git worktree sharing one).
  const byFile = new Map(patches.map((p) => [realPath(join(root, ...p.file.split("/"))), p]));
  return {
    name: "kraken-ladder-dependency-patches",
    setup(build) {
      /** @type {Set<Patch>} */
      const applied = new Set();
      build.onStart(() => applied.clear());
      build.onLoad(
        { filter: /[\\/](measure-text|output|sanitize-ansi|index|command|log-update)\.js$/ },
        async (args) => {
          const patch = byFile.get(args.path);
          if (patch === undefined) return undefined;
          const source = await readFile(args.path, "utf8");
          try {
            const contents = patchSource(patch, source);
            applied.add(patch);
            return { contents, loader: "js", resolveDir: join(args.path, "..") };
          } catch (e) {
            return { errors: [{ text: /** @type {Error} */ (e).message }] };
          }
        },
      );
      build.onEnd((result) => {
        if (result.errors.length > 0) return undefined;
        const where = relative(process.cwd(), root) || ".";
        return {
          errors: patches
            .filter((p) => !applied.has(p))
            .map((p) => ({
              text: `${p.file} (${p.what}) was not bundled from ${where}${sep}: its build-time change did not apply`,
            })),
        };
      });
    },
  };
}
