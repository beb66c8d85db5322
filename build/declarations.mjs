// @ts-check
/**
 * The library's types, after `build/bundle.mjs`: tsc emits declarations for src/lib/index.ts and what it
 * imports (tsconfig.lib.json) into a scratch folder; only the files reachable from lib/index.d.ts are
 * copied into dist/. The build fails when one of them refers to anything outside the package (a bare or
 * `node:` import, a `/// <reference>`): the package is installed without dependencies, so its types may
 * name nothing but their own and the platform's globals.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./options.mjs";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const scratch = mkdtempSync(join(tmpdir(), "kraken-ladder-dts-"));
try {
  execFileSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.lib.json"), "--outDir", scratch], {
    stdio: "inherit",
  });
  const seen = new Set();
  const pending = [join(scratch, "lib", "index.d.ts")];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    const name = relative(scratch, file);
    if (/^\/\/\/\s*<reference/m.test(text)) throw new Error(`${name} has a /// <reference>`);
    // Comments may quote import lines (an example in a doc comment): only code counts.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    for (const [, specifier] of code.matchAll(/(?:from|import\()\s*["']([^"']+)["']/g)) {
      if (specifier === undefined || !specifier.startsWith(".")) {
        throw new Error(`${name} refers to ${specifier ?? "?"}, outside the package`);
      }
      pending.push(resolve(dirname(file), specifier.replace(/\.js$/, ".d.ts")));
    }
  }
  for (const file of seen) {
    const target = join(ROOT, "dist", relative(scratch, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
  process.stdout.write(`dist/: ${seen.size} declaration files for the library\n`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
