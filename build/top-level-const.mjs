// @ts-check
/**
 * Gives the bundle's top-level constants their `const` back (build/bundle.mjs runs it on every output).
 *
 * esbuild writes each top-level `const`, `let` and class of a bundle as `var`, by design and with no option
 * to keep them (https://esbuild.github.io/faq/#top-level-var). V8's optimizing compiler folds a module-level
 * `const` into the code that reads it, as its value can never change, but must load a `var` and check what
 * it holds at every use. On the hot path (the book scanner's literals and tables, the book sides' slot
 * layout, the checksum tables) that cost about a fifth of the time per book message (BENCHMARKS.md).
 *
 * esbuild heads each module's code in an output with a `// src/…` comment, and prints the module's
 * top-level statements from column 0. A line `var NAME = …` there becomes `const NAME = …` when that source
 * declares NAME at its top level as a `const` or a class, bindings TypeScript never lets the code assign, so
 * the bundle keeps the source's own semantics. Anything else (a `let`, a name esbuild renamed to avoid a
 * clash, a dependency's code) stays as esbuild wrote it. On a changed line, the source map's columns after
 * the keyword are off by the two characters `const` adds (the maps are for debugging and are not shipped).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

const SECTION = /^\/\/ (src\/\S+\.tsx?)$/;
const OTHER_SECTION = /^\/\/ \S+$/;
const TOP_LEVEL_VAR = /^var ([A-Za-z_$][\w$]*) = /;

/**
 * The names a TypeScript source declares at its top level with `const NAME` or `class NAME`.
 * @param {string} source
 * @returns {Set<string>}
 */
export function constantsOf(source) {
  const names = new Set();
  for (const m of source.matchAll(/^(?:export )?(?:declare )?const ([A-Za-z_$][\w$]*)\b/gm)) names.add(m[1]);
  for (const m of source.matchAll(/^(?:export )?(?:default )?(?:abstract )?class ([A-Za-z_$][\w$]*)\b/gm))
    names.add(m[1]);
  return names;
}

/**
 * `code` with the top-level `var`s of its `src/` sections that are constants in their source written as
 * `const`; `constants(path)` gives a source's constants (see constantsOf).
 * @param {string} code
 * @param {(path: string) => ReadonlySet<string>} constants
 * @returns {{ code: string; changed: number }}
 */
export function restoreConstants(code, constants) {
  /** @type {ReadonlySet<string> | undefined} */
  let names;
  let changed = 0;
  const lines = code.split("\n").map((line) => {
    const section = SECTION.exec(line);
    if (section !== null) {
      names = constants(section[1] ?? "");
      return line;
    }
    if (OTHER_SECTION.test(line)) {
      names = undefined;
      return line;
    }
    const name = names === undefined ? undefined : TOP_LEVEL_VAR.exec(line)?.[1];
    if (name === undefined || !names?.has(name)) return line;
    changed++;
    return `const ${line.slice("var ".length)}`;
  });
  return { code: lines.join("\n"), changed };
}

/**
 * A reader of the constants of the sources under `root`, each file read once.
 * @param {string} root
 */
export function sourceConstants(root) {
  /** @type {Map<string, Set<string>>} */
  const cache = new Map();
  return {
    /** Reads the sources that `code`'s sections name, so `get` can answer synchronously. */
    async load(/** @type {string} */ code) {
      for (const m of code.matchAll(new RegExp(SECTION.source, "gm"))) {
        const path = m[1] ?? "";
        if (!cache.has(path)) cache.set(path, constantsOf(await readFile(join(root, path), "utf8")));
      }
    },
    /** @param {string} path */
    get: (path) => cache.get(path) ?? new Set(),
  };
}
