import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { settingsOf } from "../../src/cli/settings.js";
import type { ResolvedSettings } from "../../src/cli/settings.js";

/** Settings precedence, in process: flags > environment > config file > defaults. */

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kraken-ladder-precedence-"));
  file = join(dir, "config.toml");
  await writeFile(
    file,
    [
      'symbols = ["SOL/USD", "ETH/USD"]',
      "depth = 100",
      "fps = 12",
      'url = "ws://127.0.0.1:1111"',
      'color = "always"',
      "ascii = true",
      "[grouping]",
      '"SOL/USD" = 5',
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Commander's env variables are read from process.env while parsing: every one starts unset here. */
function clearEnv(): void {
  for (const name of [
    "KRAKEN_LADDER_SYMBOLS",
    "KRAKEN_LADDER_DEPTH",
    "KRAKEN_LADDER_FPS",
    "KRAKEN_LADDER_URL",
    "KRAKEN_LADDER_COLOR",
    "KRAKEN_LADDER_ASCII",
    "KRAKEN_LADDER_CONFIG",
    "NO_COLOR",
    "FORCE_COLOR",
  ])
    vi.stubEnv(name, undefined);
  vi.stubEnv("LANG", "en_US.UTF-8");
  vi.stubEnv("LC_ALL", undefined);
  vi.stubEnv("LC_CTYPE", undefined);
}

/**
 * Parses `args` as the root command (the ladder) with its real hooks, and returns the settings its action
 * would get; the action is replaced, so nothing starts.
 */
async function settingsFor(args: readonly string[]): Promise<{ settings: ResolvedSettings; cmd: Command }> {
  const program = buildProgram();
  let resolved: ResolvedSettings | undefined;
  program.action((_symbols: string[], _flags: unknown, cmd: Command) => {
    resolved = settingsOf(cmd);
  });
  await program.parseAsync(["node", "kraken-ladder", ...args]);
  if (resolved === undefined) throw new Error("no settings");
  return { settings: resolved, cmd: program };
}

describe("settings precedence", () => {
  it("without flags, environment or file: the defaults", async () => {
    clearEnv();
    const { settings, cmd } = await settingsFor([]);
    expect(settings.symbols).toEqual({ value: [], source: { kind: "default" } });
    expect(settings.depth).toEqual({ value: undefined, source: { kind: "default" } });
    expect(settings.fps).toEqual({ value: 30, source: { kind: "default" } });
    expect(settings.url).toEqual({ value: "wss://ws.kraken.com/v2", source: { kind: "default" } });
    expect(settings.color).toEqual({ value: "auto", source: { kind: "default" } });
    expect(settings.ascii).toEqual({
      value: false,
      source: { kind: "default", note: "auto: LANG=en_US.UTF-8" },
    });
    expect(settings.grouping.value.size).toBe(0);
    expect(cmd.getOptionValueSource("fps")).toBe("default");
  });

  it("the file beats the defaults, and commander is told so (the source is config, not default)", async () => {
    clearEnv();
    vi.stubEnv("KRAKEN_LADDER_CONFIG", file);
    const { settings, cmd } = await settingsFor([]);
    const fromFile = { kind: "file", path: file };
    expect(settings.symbols).toEqual({ value: ["SOL/USD", "ETH/USD"], source: fromFile });
    expect(settings.depth).toEqual({ value: 100, source: fromFile });
    expect(settings.fps).toEqual({ value: 12, source: fromFile });
    expect(settings.url).toEqual({ value: "ws://127.0.0.1:1111", source: fromFile });
    expect(settings.color).toEqual({ value: "always", source: fromFile });
    expect(settings.ascii).toEqual({ value: true, source: fromFile });
    expect([...settings.grouping.value]).toEqual([["SOL/USD", 5]]);
    expect(cmd.opts()).toMatchObject({ depth: 100, fps: 12, url: "ws://127.0.0.1:1111" });
    expect(cmd.getOptionValueSource("fps")).toBe("config");
    // The symbols reach the action as its argument.
    expect(cmd.processedArgs[0]).toEqual(["SOL/USD", "ETH/USD"]);
  });

  it("the environment beats the file", async () => {
    clearEnv();
    vi.stubEnv("KRAKEN_LADDER_CONFIG", file);
    vi.stubEnv("KRAKEN_LADDER_SYMBOLS", "xbt/usd, ada/eur");
    vi.stubEnv("KRAKEN_LADDER_DEPTH", "500");
    vi.stubEnv("KRAKEN_LADDER_FPS", "7");
    vi.stubEnv("KRAKEN_LADDER_URL", "ws://127.0.0.1:2222");
    vi.stubEnv("KRAKEN_LADDER_ASCII", "0");
    vi.stubEnv("NO_COLOR", "1");
    const { settings, cmd } = await settingsFor([]);
    expect(settings.symbols).toEqual({
      value: ["BTC/USD", "ADA/EUR"],
      source: { kind: "env", name: "KRAKEN_LADDER_SYMBOLS" },
    });
    expect(settings.depth).toEqual({ value: 500, source: { kind: "env", name: "KRAKEN_LADDER_DEPTH" } });
    expect(settings.fps).toEqual({ value: 7, source: { kind: "env", name: "KRAKEN_LADDER_FPS" } });
    expect(settings.url).toEqual({
      value: "ws://127.0.0.1:2222",
      source: { kind: "env", name: "KRAKEN_LADDER_URL" },
    });
    expect(settings.color).toEqual({ value: "never", source: { kind: "env", name: "NO_COLOR" } });
    expect(settings.ascii).toEqual({ value: false, source: { kind: "env", name: "KRAKEN_LADDER_ASCII" } });
    expect(cmd.opts()).toMatchObject({ depth: 500, fps: 7 });
  });

  it("flags beat the environment and the file", async () => {
    clearEnv();
    vi.stubEnv("KRAKEN_LADDER_SYMBOLS", "ADA/EUR");
    vi.stubEnv("KRAKEN_LADDER_DEPTH", "500");
    vi.stubEnv("KRAKEN_LADDER_COLOR", "always");
    vi.stubEnv("KRAKEN_LADDER_ASCII", "1");
    const { settings, cmd } = await settingsFor([
      "--config",
      file,
      "--depth",
      "10",
      "--fps",
      "3",
      "--url",
      "ws://127.0.0.1:3333",
      "--color",
      "never",
      "--no-ascii",
      "LTC/USD",
    ]);
    expect(settings.symbols).toEqual({ value: ["LTC/USD"], source: { kind: "flag", name: "arguments" } });
    expect(settings.depth).toEqual({ value: 10, source: { kind: "flag", name: "--depth" } });
    expect(settings.fps).toEqual({ value: 3, source: { kind: "flag", name: "--fps" } });
    expect(settings.url).toEqual({ value: "ws://127.0.0.1:3333", source: { kind: "flag", name: "--url" } });
    expect(settings.color).toEqual({ value: "never", source: { kind: "flag", name: "--color" } });
    expect(settings.ascii).toEqual({ value: false, source: { kind: "flag", name: "--no-ascii" } });
    expect(settings.file).toMatchObject({ path: file, source: "flag", found: true });
    expect(cmd.getOptionValueSource("depth")).toBe("cli");
  });

  it("a locale that is not UTF-8 turns ASCII on by itself, unless said otherwise", async () => {
    clearEnv();
    vi.stubEnv("LANG", "C");
    expect((await settingsFor([])).settings.ascii).toEqual({
      value: true,
      source: { kind: "default", note: "auto: LANG=C, not UTF-8" },
    });
    expect((await settingsFor(["--no-ascii"])).settings.ascii.value).toBe(false);
  });

  it("--replay keeps the recording's symbols and depth over the environment's and the file's", async () => {
    clearEnv();
    vi.stubEnv("KRAKEN_LADDER_CONFIG", file);
    vi.stubEnv("KRAKEN_LADDER_DEPTH", "500");
    const { settings } = await settingsFor(["--replay", "rec.jsonl"]);
    expect(settings.symbols).toEqual({ value: [], source: { kind: "recording", path: "rec.jsonl" } });
    expect(settings.depth).toEqual({ value: undefined, source: { kind: "recording", path: "rec.jsonl" } });
  });

  it("--quote and --all watch the exchange's list: the environment's and the file's symbols give way", async () => {
    clearEnv();
    vi.stubEnv("KRAKEN_LADDER_CONFIG", file);
    expect((await settingsFor(["--quote", "USD"])).settings.symbols).toEqual({
      value: [],
      source: { kind: "flag", name: "--quote" },
    });
    vi.stubEnv("KRAKEN_LADDER_SYMBOLS", "BTC/USD");
    expect((await settingsFor(["--all"])).settings.symbols.value).toEqual([]);
  });
});
