import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/run-cli.js";

/** Folders below cli/ in the dependency order (design.md: protocol ← book ← feed/recording ← … ← cli). */
const DOMAIN = [
  "protocol",
  "book",
  "feed",
  "recording",
  "sim",
  "verify",
  "ui",
  "app",
  "text",
  "serve",
  "events",
  "lib",
  "config",
];
/** Static and dynamic import specifiers, and export-from. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

describe("layout", () => {
  it("no domain folder imports cli/, statically or dynamically", () => {
    const offenders: string[] = [];
    for (const folder of DOMAIN) {
      let files: string[];
      try {
        files = readdirSync(join(ROOT, "src", folder), { recursive: true, encoding: "utf8" });
      } catch {
        continue; // a folder that does not exist (yet) imports nothing
      }
      for (const file of files.filter((f) => /\.tsx?$/.test(f))) {
        const path = join(ROOT, "src", folder, file);
        for (const [, spec] of readFileSync(path, "utf8").matchAll(SPECIFIER)) {
          if (/(^|\/)cli\//.test(spec!)) offenders.push(`${relative(ROOT, path)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
