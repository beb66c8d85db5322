import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../build/options.mjs";

/**
 * A module of dist/ named in quotes by a path relative to the file (starting with ../) or, in the scripts
 * a test writes into the project, to the project (starting with ./dist/).
 */
const DIST_MODULE = /["']((?:\.\.\/)+dist\/[\w/.-]+\.js|\.\/dist\/[\w/.-]+\.js)["']/g;
/** A module the benchmarks load through their `dist("…")` helper (bench/lib/util.mjs), relative to dist/. */
const BENCH_DIST_MODULE = /\bdist\(["']([\w/.-]+\.js)["']\)/g;

/** Every file under `dir` (relative to the project) whose name matches `name`. */
function files(dir: string, name: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => name.test(f) && !f.includes("node_modules"))
    .map((f) => join(ROOT, dir, f));
}

describe("the bundle's entry points (build/bundle.mjs ENTRIES)", () => {
  it("include every module of dist/ that a benchmark or a test loads by path", () => {
    const named = [...files("bench", /\.mjs$/), ...files("test", /\.(ts|tsx|mjs)$/)].flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(DIST_MODULE)].map((m) => ({
        from: relative(ROOT, file),
        module: relative(ROOT, resolve(m[1]!.startsWith("./") ? ROOT : dirname(file), m[1]!)),
      })),
    );
    const helped = files("bench", /\.mjs$/).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(BENCH_DIST_MODULE)].map((m) => ({
        from: relative(ROOT, file),
        module: join("dist", m[1]!),
      })),
    );
    // The benchmarks' imports are among them (they are not run by the tests).
    expect(named.map((n) => n.module)).toContain("dist/protocol/book-scan.js");
    expect(helped.map((n) => n.module)).toContain("dist/sim/generate.js");
    named.push(...helped);
    expect(named.filter((n) => !existsSync(join(ROOT, n.module)))).toEqual([]);
  });

  it("leave the modules nothing loads by path inside chunks, so a command starts from few files", () => {
    expect(existsSync(join(ROOT, "dist", "cli", "program.js"))).toBe(false);
    expect(existsSync(join(ROOT, "dist", "verify", "verify.js"))).toBe(false);
    const main = readFileSync(join(ROOT, "dist", "main.js"), "utf8");
    const staticImports = main.match(/^import .*"\.\/chunks\/[^"]+";$|^} from "\.\/chunks\/[^"]+";$/gm) ?? [];
    expect(staticImports.length).toBeGreaterThan(0);
    expect(staticImports.length).toBeLessThan(25);
  });
});
