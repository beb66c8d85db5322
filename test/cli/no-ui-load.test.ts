import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holding, meta } from "../helpers/bundle-meta.js";
import { ROOT, runCli } from "../helpers/run-cli.js";
import type { CliResult } from "../helpers/run-cli.js";

/**
 * Proof that `verify`, `--help` and bad usage never load Ink or React: the child runs with a preloaded
 * module that registers a module-resolve hook (node:module `register`) logging every ESM URL resolved, and
 * at exit also logs every CommonJS module in the require cache and every built-in module the process loaded
 * (`process.moduleLoadList`). In the bundle, Ink and React live in chunks of dist/; esbuild's metafile
 * (dist/bundle-meta.json) says which files hold them.
 */

const CAPTURE = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
const execFileAsync = promisify(execFile);
const UI_PACKAGE = /(^|\/)node_modules\/(ink|react|react-reconciler|scheduler|yoga-layout)\//;

/** The bundle's files (relative to dist/) that hold any of Ink or React. */
const UI_FILES = new Set(
  Object.entries(meta.outputs)
    .filter(([, output]) => Object.keys(output.inputs).some((input) => UI_PACKAGE.test(input)))
    .map(([path]) => path.replace(/^dist\//, "")),
);
/** Loaded module URLs of the bundle's files that hold Ink or React, or of those packages themselves. */
function uiModules(loaded: readonly string[]): string[] {
  return loaded.filter((l) => UI_PACKAGE.test(l) || UI_FILES.has(l.replace(/^.*\/dist\//, "")));
}

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
  const builtins = process.moduleLoadList
    .filter((m) => m.startsWith("NativeModule "))
    .map((m) => "builtin " + m.slice("NativeModule ".length) + "\\n");
  appendFileSync(process.env.KL_IMPORT_LOG, "exit\\n" + urls.join("") + builtins.join(""));
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
  expect(text).toMatch(/^builtin fs$/m);
  return text.split("\n").filter((l) => /^(esm|cjs|builtin) /.test(l));
}

/** Runs the built CLI with the hook; returns the result and every module URL it loaded. */
async function traced(args: readonly string[]): Promise<{ r: CliResult; loaded: string[] }> {
  const log = join(dir, `modules-${++runs}.log`);
  await writeFile(log, "");
  // Generous: on a loaded machine a traced start-up can take seconds.
  const r = await runCli(args, { env: hookEnv(log), timeoutMs: 45_000 });
  return { r, loaded: await loadedModules(log) };
}

describe.concurrent("the verify command's module graph", () => {
  it("knows which files of the bundle hold Ink and React", () => {
    expect(UI_FILES.size).toBeGreaterThan(0);
    expect([...UI_FILES].every((f) => f.startsWith("chunks/") || f.startsWith("ui/"))).toBe(true);
  });

  it("does not load Ink or React, while the hook sees the modules verify does load", async () => {
    const { r, loaded } = await traced(["verify", CAPTURE]);
    expect(r.code).toBe(0);
    expect(loaded.some((l) => l.endsWith(`/dist/${holding("src/verify/verify.ts")}`))).toBe(true);
    expect(uiModules(loaded)).toEqual([]);
  });

  it("keeps an NDJSON run of the ladder command free of Ink and React", async () => {
    const { r, loaded } = await traced(["--demo", "--duration", "2", "BTC/USD"]);
    expect(r.code).toBe(0);
    // On a loaded machine the feed may not reach a book line in time; the stream always ends so.
    expect(r.stdout).toContain('{"type":"connection","state":"stopped"}');
    expect(loaded.some((l) => l.endsWith(`/dist/${holding("src/app/ndjson.ts")}`))).toBe(true);
    expect(uiModules(loaded)).toEqual([]);
  }, 60_000);

  it("loads no decimal.js for verify (its flags parse as text; the hot path needs no Decimal)", async () => {
    const { r, loaded } = await traced(["verify", CAPTURE]);
    expect(r.code).toBe(0);
    const decimal = holding("node_modules/decimal.js/decimal.mjs");
    expect(loaded.filter((l) => l.endsWith(`/dist/${decimal}`))).toEqual([]);
  });

  it("also keeps --help and bad usage free of Ink and React", async () => {
    for (const args of [["--help"], ["verify", "--depth", "7", CAPTURE]]) {
      const { loaded } = await traced(args);
      expect(uiModules(loaded)).toEqual([]);
    }
  });

  it("loads no node:child_process for verify, --help or bad usage: commander's is loaded only to spawn (build/patches.mjs)", async () => {
    for (const args of [["verify", CAPTURE], ["--help"], ["verify", "--depth", "7", CAPTURE]]) {
      const { loaded } = await traced(args);
      expect(
        loaded.filter((l) => l.endsWith("child_process")),
        args.join(" "),
      ).toEqual([]);
    }
  });

  it("would catch an eager Ink import: the same check on a copy whose main.js imports ink first", async () => {
    // A throwaway copy of the built package whose entry imports the ladder eagerly.
    const copy = join(dir, "eager");
    await cp(join(ROOT, "dist"), join(copy, "dist"), { recursive: true });
    await cp(join(ROOT, "bin"), join(copy, "bin"), { recursive: true });
    await cp(join(ROOT, "package.json"), join(copy, "package.json"));
    const main = join(copy, "dist", "main.js");
    await writeFile(main, `import "./ui/run-ladder.js";\n${await readFile(main, "utf8")}`);

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
    expect(loaded.some((l) => l.endsWith(`/eager/dist/${holding("src/verify/verify.ts")}`))).toBe(true);
    expect(uiModules(loaded).length).toBeGreaterThan(0);
  });
});
