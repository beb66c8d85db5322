import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { boundMeasureCache, MEASURE_CACHE_LIMIT, UNBOUNDED } from "../../src/ui/ink-hooks.js";

const run = promisify(execFile);
const fixture = fileURLToPath(new URL("./fixtures/measure-retention.mjs", import.meta.url));
const installedMeasureText = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve("ink")), "measure-text.js"),
  "utf8",
);

async function retained(mode: "patched" | "unpatched", count: number): Promise<number> {
  const { stdout } = await run(process.execPath, ["--expose-gc", fixture, mode, String(count)]);
  return (JSON.parse(stdout) as { retainedBytes: number }).retainedBytes;
}

describe("bounding Ink's text measurement cache", () => {
  it("finds the unbounded cache in the installed Ink (an Ink upgrade that changes it must be looked at)", () => {
    expect(installedMeasureText).toContain(UNBOUNDED);
    const patched = boundMeasureCache(installedMeasureText);
    expect(patched).toContain(`if (cache.size >= ${MEASURE_CACHE_LIMIT}) cache.clear();`);
    expect(patched.replace(/\s+/g, "")).toContain(UNBOUNDED.replace(/\s+/g, ""));
  });

  it("leaves a source without that statement as it is", () => {
    expect(boundMeasureCache("export default () => 1;")).toBe("export default () => 1;");
  });

  it("keeps memory bounded in a real process where unpatched Ink keeps every text", async () => {
    const count = 40_000;
    const [unpatched, patched] = await Promise.all([
      retained("unpatched", count),
      retained("patched", count),
    ]);
    // 40,000 distinct 300-character texts: Ink alone keeps them all (over 12 MB)…
    expect(unpatched).toBeGreaterThan(12e6);
    // …bounded, at most MEASURE_CACHE_LIMIT of them remain.
    expect(patched).toBeLessThan(4e6);
  });
});
