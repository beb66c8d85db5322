import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dependencyPatches,
  EAGER_CHILD_PROCESS,
  MEASURE_CACHE_LIMIT,
  PATCHES,
  patchSource,
  sha256,
  UNBOUNDED,
  WHOLE_LINE_WRITE,
} from "../../build/patches.mjs";
import type { Patch } from "../../build/patches.mjs";
import { bundleOptions, ROOT } from "../../build/options.mjs";

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const inkDir = dirname(createRequire(import.meta.url).resolve("ink"));
const DIST = join(ROOT, "dist");

function patchFor(file: string): Patch {
  const patch = PATCHES.find((p) => p.file === file);
  if (patch === undefined) throw new Error(`no patch for ${file}`);
  return patch;
}
const installed = (patch: Patch): string => readFileSync(join(ROOT, patch.file), "utf8");
const MEASURE = patchFor("node_modules/ink/build/measure-text.js");
const WIDTH = patchFor("node_modules/string-width/index.js");

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "kraken-ladder-patches-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("the build-time changes to Ink, string-width, is-in-ci and commander", () => {
  it("are written for exactly the installed sources (an upgrade must be looked at)", () => {
    for (const patch of PATCHES) expect(sha256(installed(patch)), patch.file).toBe(patch.sha256);
  });

  it("bound the measure cache, put the fast paths in front, make Ink never believe it runs in CI, load child_process on spawn, and write changed cells", () => {
    const patched = new Map(PATCHES.map((p) => [p.file, patchSource(p, installed(p))]));
    const of = (file: string): string => patched.get(file) ?? "";
    expect(of(MEASURE.file)).toContain(
      `if (cache.size >= ${MEASURE_CACHE_LIMIT}) cache.clear();\n    ${UNBOUNDED}`,
    );
    expect(of(WIDTH.file)).toContain("export default __klFastStringWidth(originalStringWidth);");
    expect(of(WIDTH.file)).not.toContain("export default function");
    const output = of("node_modules/ink/build/output.js");
    expect(output.startsWith(installed(patchFor("node_modules/ink/build/output.js")))).toBe(true);
    expect(output).toContain("__klInstallFastOutput(Output, __klAnsiTokenize, stringWidth);");
    const sanitize = of("node_modules/ink/build/sanitize-ansi.js");
    expect(sanitize).toContain("export default __klFastSanitizeAnsi(sanitizeAnsi);");
    expect(sanitize).not.toContain("export default sanitizeAnsi;");
    expect(of("node_modules/is-in-ci/index.js")).toMatch(/^export default false;$/m);
    const command = of("node_modules/commander/lib/command.js");
    expect(command).not.toContain(EAGER_CHILD_PROCESS);
    expect(command).toContain(
      "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };",
    );
    // Every use of it is a spawn, which the stand-in forwards.
    expect(command.match(/childProcess\.\w+/g)).toEqual(Array(3).fill("childProcess.spawn"));
    // Ink's one write of a changed line goes through the line writer (test/ui/line-update.test.ts).
    const logUpdate = of("node_modules/ink/build/log-update.js");
    expect(logUpdate).not.toContain(WHOLE_LINE_WRITE);
    expect(logUpdate).toContain(
      "__klLineUpdate(i < previousVisible ? previousLines[i] : undefined, nextLines[i]) +",
    );
  });

  it("refuse any other source, naming the file and both hashes", () => {
    for (const patch of PATCHES) {
      const other = `${installed(patch)}// another version\n`;
      expect(() => patchSource(patch, other)).toThrow(
        `${patch.file} is not ${patch.what} (sha256 ${sha256(other)}, expected ${patch.sha256})`,
      );
    }
  });

  /** A scratch project whose string-width is not 8.3.0's, and an entry that imports it or not. */
  async function otherProject(importsWidth: boolean): Promise<{ root: string; entry: string }> {
    const root = join(scratch, importsWidth ? "imports" : "does-not-import");
    const widthDir = join(root, "node_modules", "string-width");
    await mkdir(widthDir, { recursive: true });
    await writeFile(
      join(widthDir, "package.json"),
      '{ "name": "string-width", "type": "module", "main": "index.js" }',
    );
    await writeFile(
      join(widthDir, "index.js"),
      "export default function stringWidth(input, options = {}) { return 1; }\n",
    );
    const entry = join(root, "entry.mjs");
    await writeFile(
      entry,
      importsWidth ? 'import w from "string-width";\nconsole.log(w("x"));\n' : "console.log(1);\n",
    );
    return { root, entry };
  }

  it("fail a real build whose dependency source is not the one they were written for", async () => {
    const { root, entry } = await otherProject(true);
    const building = build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      logLevel: "silent",
      plugins: [dependencyPatches(root, [WIDTH])],
    });
    await expect(building).rejects.toThrow(
      /node_modules\/string-width\/index\.js is not string-width 8\.3\.0 index\.js/,
    );
  });

  it("apply in a project whose node_modules is a symbolic link (a git worktree sharing one)", async () => {
    const root = join(scratch, "linked");
    await mkdir(root, { recursive: true });
    await symlink(join(ROOT, "node_modules"), join(root, "node_modules"));
    const entry = join(root, "entry.mjs");
    await writeFile(entry, 'import w from "string-width";\nconsole.log(w("x"));\n');
    const built = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      logLevel: "silent",
      plugins: [dependencyPatches(root, [WIDTH])],
    });
    expect(built.errors).toEqual([]);
  });

  it("fail a real build in which a file they change is no longer bundled", async () => {
    const { root, entry } = await otherProject(false);
    const building = build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      logLevel: "silent",
      plugins: [dependencyPatches(root, [WIDTH])],
    });
    await expect(building).rejects.toThrow(
      /node_modules\/string-width\/index\.js \(string-width 8\.3\.0 index\.js\) was not bundled/,
    );
  });
});

describe("bounding Ink's text measurement cache", () => {
  async function retained(module: string, count: number): Promise<number> {
    const { stdout } = await run(process.execPath, [
      "--expose-gc",
      fixture("measure-retention.mjs"),
      module,
      String(count),
    ]);
    return (JSON.parse(stdout) as { retainedBytes: number }).retainedBytes;
  }

  it("keeps memory bounded in a real process where Ink as it comes keeps every text", async () => {
    // Ink's measure-text.js bundled alone, with and without the build-time change.
    const patched = join(scratch, "measure-text.mjs");
    await build({
      entryPoints: [join(inkDir, "measure-text.js")],
      bundle: true,
      format: "esm",
      platform: "node",
      outfile: patched,
      logLevel: "silent",
      plugins: [dependencyPatches(ROOT, [MEASURE])],
    });
    const count = 40_000;
    const [unpatched, bounded] = await Promise.all([
      retained(join(inkDir, "measure-text.js"), count),
      retained(patched, count),
    ]);
    // 40,000 distinct 300-character texts: Ink alone keeps them all (over 12 MB)…
    expect(unpatched).toBeGreaterThan(12e6);
    // …bounded, at most MEASURE_CACHE_LIMIT of them remain.
    expect(bounded).toBeLessThan(1e6);
  });
});

describe("the bundle in dist/, with the fast paths built into Ink and string-width", () => {
  const stock = (): string => join(scratch, "stock");

  beforeAll(async () => {
    // The modules the fixture loads, bundled exactly as dist/ is but without the build-time changes.
    const modules = [
      "sim/generate",
      "protocol/parse",
      "feed/session",
      "feed/publisher",
      "ui/colors",
      "ui/render-frame",
      "ui/ink-fast",
    ];
    const entryPoints = modules.map((m) =>
      join(ROOT, "src", `${m}.${m === "ui/render-frame" ? "tsx" : "ts"}`),
    );
    await build({
      ...bundleOptions({ entryPoints, outdir: stock(), patched: false }),
      sourcemap: false,
      logLevel: "silent",
    });
  }, 60_000);

  it("draws real ladder frames byte for byte as stock Ink does, in colour and without", async () => {
    const frames = async (bundle: string, theme: "color" | "mono") => {
      const { stdout } = await run(process.execPath, [fixture("ladder-frames.mjs"), bundle, theme, "120"], {
        env: { ...process.env, FORCE_COLOR: "1" },
        maxBuffer: 64 << 20,
      });
      return JSON.parse(stdout) as { frames: string[]; stats: { fast: number; ink: number } };
    };
    for (const theme of ["color", "mono"] as const) {
      const [patched, unpatched] = await Promise.all([frames(DIST, theme), frames(stock(), theme)]);
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
    // Four processes drawing 120 frames each, two of them through stock Ink (~45 ms a frame at 200×60).
  }, 120_000);
});
