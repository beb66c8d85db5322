import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../build/options.mjs";
import { holding } from "../helpers/bundle-meta.js";
import { constantsOf, restoreConstants } from "../../build/top-level-const.mjs";

describe("top-level constants stay const in the bundle (build/top-level-const.mjs)", () => {
  it("finds a source's top-level const and class names, not its lets, functions or nested consts", () => {
    const names = constantsOf(
      [
        "export const A = 1;",
        "const B = new Map();",
        "let c = 0;",
        "export class D {}",
        "export abstract class E {}",
        "function f() {",
        "  const g = 2;",
        "}",
      ].join("\n"),
    );
    expect([...names].sort()).toEqual(["A", "B", "D", "E"]);
  });

  it("writes back as const only the top-level vars of a src section that its source declares constant", () => {
    const sources: Record<string, ReadonlySet<string>> = {
      "src/a.ts": new Set(["A", "K"]),
    };
    const code = [
      "// node_modules/dep/index.js",
      "var A = 1;",
      "// src/a.ts",
      "var A = 1;",
      "var K = class {",
      "  x = 1;",
      "};",
      "var b = 2;",
      "var A2 = 3;",
      "function f() {",
      "  var A = 4;",
      "}",
      "// src/b.ts",
      "var K = 5;",
    ].join("\n");
    const out = restoreConstants(code, (path) => sources[path] ?? new Set());
    expect(out.changed).toBe(2);
    expect(out.code.split("\n")).toEqual([
      "// node_modules/dep/index.js",
      "var A = 1;", // a dependency's code: as esbuild wrote it
      "// src/a.ts",
      "const A = 1;",
      "const K = class {",
      "  x = 1;",
      "};",
      "var b = 2;", // not a constant in the source
      "var A2 = 3;", // a name esbuild renamed
      "function f() {",
      "  var A = 4;", // not top level
      "}",
      "// src/b.ts",
      "var K = 5;", // another source, where K is no constant
    ]);
  });

  it("the built hot path holds its constants as const", () => {
    // dist/protocol/book-scan.js re-exports from the chunk that holds the scanner's code.
    const of = (source: string): string => readFileSync(join(ROOT, "dist", holding(source)), "utf8");
    expect(of("src/protocol/book-scan.ts")).toMatch(/^const PRICE = new Literal\(/m);
    expect(of("src/book/book-side.ts")).toMatch(/^const BookSide = class \{/m);
    expect(of("src/book/book-side.ts")).toMatch(/^const INTS = 5;/m);
    expect(of("src/book/crc-combine.ts")).toMatch(/^const T0 = /m);
  });
});
