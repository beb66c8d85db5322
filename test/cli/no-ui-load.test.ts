import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/run-cli.js";
import type { CliResult } from "../helpers/run-cli.js";

/**
 * Proof that `verify` never loads Ink or React: the child runs with a preloaded module that
 * registers a module-resolve hook (node:module `register`) logging every ESM URL resolved, and
 * at exit also logs every CommonJS module in the require cache (React is CommonJS).
 */

const CAPTURE = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
const execFileAsync = promisify(execFile);
const UI_MODULE = /\/node_modules\/(ink|react|react-reconciler|scheduler|yoga-layout)\//;

const HOOKS = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.KL_IMPORT_LOG, "esm " + result.url + "\\n");
  return result;
}
`;
const PRELOAD = `import { register, createRequire } from "node:module";
import { appendFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
register(new URL("./hooks.mjs", import.meta.url));
const cache = createRequire(import.meta.url).cache;
process.on("exit", () => {
  const urls = Object.keys(cache).map((p) => "cjs " + pathToFileURL(p).href + "\\n");
  appendFileSync(process.env.KL_IMPORT_LOG, "exit\\n" + urls.join(""));
});
`;

let dir: string;
let preload: string;
let runs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kraken-ladder-noui-"));
  await writeFile(join(dir, "hooks.mjs"), HOOKS);
  preload = join(dir, "preload.mjs");
  await writeFile(preload, PRELOAD);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function hookEnv(log: string): NodeJS.ProcessEnv {
  return { ...process.env, KL_IMPORT_LOG: log, NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` };
}

/** Module URLs a traced run loaded, after checking the log shows the hook at work. */
async function loadedModules(log: string): Promise<string[]> {
  const text = await readFile(log, "utf8");
  expect(text).toContain("\nexit\n");
  return text.split("\n").filter((l) => l.startsWith("esm ") || l.startsWith("cjs "));
}

/** Runs the built CLI with the hook; returns the result and every module URL it loaded. */
async function traced(args: readonly string[]): Promise<{ r: CliResult; loaded: string[] }> {
  const log = join(dir, `modules-${++runs}.log`);
  await writeFile(log, "");
  const r = await runCli(args, { env: hookEnv(log) });
  return { r, loaded: await loadedModules(log) };
}

describe.concurrent("the verify command's module graph", () => {
  it("does not load Ink or React, while the hook sees the modules verify does load", async () => {
    const { r, loaded } = await traced(["verify", CAPTURE]);
    expect(r.code).toBe(0);
    expect(loaded.some((l) => l.includes("/dist/verify/verify.js"))).toBe(true);
    expect(loaded.some((l) => l.includes("/node_modules/commander/"))).toBe(true);
    expect(loaded.filter((l) => UI_MODULE.test(l))).toEqual([]);
  });

  it("also keeps --help and bad usage free of Ink and React", async () => {
    for (const args of [["--help"], ["verify", "--depth", "7", CAPTURE]]) {
      const { loaded } = await traced(args);
      expect(loaded.filter((l) => UI_MODULE.test(l))).toEqual([]);
    }
  });

  it("would catch an eager Ink import: the same check on a copy whose main.js imports ink first", async () => {
    // A throwaway install of the built package whose entry imports ink eagerly.
    const copy = join(dir, "eager");
    await cp(join(ROOT, "dist"), join(copy, "dist"), { recursive: true });
    await cp(join(ROOT, "bin"), join(copy, "bin"), { recursive: true });
    await cp(join(ROOT, "package.json"), join(copy, "package.json"));
    await symlink(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    const main = join(copy, "dist", "main.js");
    await writeFile(main, `import "ink";\n${await readFile(main, "utf8")}`);

    const log = join(dir, "eager.log");
    await writeFile(log, "");
    const { stdout } = await execFileAsync(
      process.execPath,
      [join(copy, "bin", "kraken-ladder.js"), "verify", CAPTURE],
      {
        env: hookEnv(log),
        timeout: 15_000,
      },
    );
    expect(stdout).toMatch(/checksums: 301 ok, 0 failed/);
    const loaded = await loadedModules(log);
    expect(loaded.some((l) => l.includes("/eager/dist/verify/verify.js"))).toBe(true);
    expect(loaded.filter((l) => UI_MODULE.test(l)).length).toBeGreaterThan(0);
  });
});
