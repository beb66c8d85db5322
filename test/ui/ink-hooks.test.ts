import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  boundMeasureCache,
  fastOutputSource,
  fastSanitizeSource,
  fastStringWidthSource,
  MEASURE_CACHE_LIMIT,
  OUTPUT_SHA256,
  SANITIZE_SHA256,
  sha256,
  STRING_WIDTH_SHA256,
  UNBOUNDED,
} from "../../src/ui/ink-hooks.js";

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const require = createRequire(import.meta.url);
const inkDir = dirname(require.resolve("ink"));
const installed = {
  measureText: readFileSync(join(inkDir, "measure-text.js"), "utf8"),
  output: readFileSync(join(inkDir, "output.js"), "utf8"),
  sanitize: readFileSync(join(inkDir, "sanitize-ansi.js"), "utf8"),
  // The string-width Ink itself imports (ink/build/output.js, widest-line).
  stringWidth: readFileSync(createRequire(join(inkDir, "output.js")).resolve("string-width"), "utf8"),
};

async function retained(mode: "patched" | "unpatched", count: number): Promise<number> {
  const { stdout } = await run(process.execPath, [
    "--expose-gc",
    fixture("measure-retention.mjs"),
    mode,
    String(count),
  ]);
  return (JSON.parse(stdout) as { retainedBytes: number }).retainedBytes;
}

describe("bounding Ink's text measurement cache", () => {
  it("finds the unbounded cache in the installed Ink (an Ink upgrade that changes it must be looked at)", () => {
    expect(installed.measureText).toContain(UNBOUNDED);
    const patched = boundMeasureCache(installed.measureText);
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
    expect(patched).toBeLessThan(1e6);
  });
});

describe("the fast paths in string-width and Ink's output stage and sanitizeAnsi", () => {
  it("are written for exactly the installed string-width and Ink (an upgrade must be looked at)", () => {
    expect(sha256(installed.stringWidth), "string-width's index.js is not 8.3.0's").toBe(STRING_WIDTH_SHA256);
    expect(sha256(installed.output), "ink/build/output.js is not Ink 6.8.0's").toBe(OUTPUT_SHA256);
    expect(sha256(installed.sanitize), "ink/build/sanitize-ansi.js is not Ink 6.8.0's").toBe(SANITIZE_SHA256);
    const sanitize = fastSanitizeSource(installed.sanitize);
    expect(sanitize).toContain("export default __klFastSanitizeAnsi(sanitizeAnsi);");
    expect(sanitize).not.toContain("export default sanitizeAnsi;");
    const width = fastStringWidthSource(installed.stringWidth);
    expect(width).toContain("export default __klFastStringWidth(originalStringWidth);");
    expect(width).not.toContain("export default function");
    const output = fastOutputSource(installed.output);
    expect(output.startsWith(installed.output)).toBe(true);
    expect(output).toContain("__klInstallFastOutput(Output, __klAnsiTokenize, stringWidth);");
  });

  it("leave any other source as it is, so another version loads unchanged", () => {
    for (const source of [installed.stringWidth, installed.output, installed.sanitize]) {
      const other = source.replace("export default", "export  default");
      expect(fastStringWidthSource(other)).toBe(other);
      expect(fastOutputSource(other)).toBe(other);
      expect(fastSanitizeSource(other)).toBe(other);
    }
  });

  it("draw real ladder frames byte for byte as Ink alone does, in colour and without", async () => {
    const frames = async (mode: "patched" | "unpatched", theme: "color" | "mono") => {
      const { stdout } = await run(process.execPath, [fixture("ladder-frames.mjs"), mode, theme, "120"], {
        env: { ...process.env, FORCE_COLOR: "1" },
        maxBuffer: 64 << 20,
      });
      return JSON.parse(stdout) as { frames: string[]; stats: { fast: number; ink: number } };
    };
    for (const theme of ["color", "mono"] as const) {
      const [patched, unpatched] = await Promise.all([frames("patched", theme), frames("unpatched", theme)]);
      expect(patched.frames.length).toBe(120);
      expect(patched.frames.some((f) => f.includes("\u001b[7m"))).toBe(true);
      // eslint-disable-next-line no-control-regex
      expect(patched.frames.some((f) => /\u001b\[3\dm/.test(f))).toBe(theme === "color");
      for (let i = 0; i < patched.frames.length; i++)
        expect(patched.frames[i], `frame ${i}`).toBe(unpatched.frames[i]);
      // The fast path drew nearly all of them; frames with wide or combining text were left to Ink.
      expect(patched.stats.fast).toBeGreaterThan(100);
      expect(patched.stats.ink).toBeGreaterThan(0);
      expect(unpatched.stats).toEqual({ fast: 0, ink: 0 });
    }
  });
});
