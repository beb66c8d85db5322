import { homedir } from "node:os";
import type { Command } from "commander";
import { CommanderError, Option } from "commander";
import { EXIT } from "../app/exit-codes.js";
import { fail } from "../app/stdout.js";
import { localeIsUtf8, localeVariable } from "../config/locale.js";
import { configLocation } from "../config/paths.js";
import type { ConfigLocation } from "../config/paths.js";
import { COLOR_MODES, configErrorText } from "../config/settings-types.js";
import type { ColorMode, ConfigError, FileSettings } from "../config/settings-types.js";
import { normaliseSymbols, SymbolError } from "../feed/symbols.js";

/**
 * Where a setting's value came from, for `kraken-ladder config` and for precedence; `note`, what an `auto`
 * there was decided from (`auto: LANG=C.UTF-8`).
 */
export type SettingSource =
  | { readonly kind: "flag"; readonly name: string }
  | { readonly kind: "env"; readonly name: string; readonly note?: string }
  | { readonly kind: "file"; readonly path: string; readonly note?: string }
  | { readonly kind: "recording"; readonly path: string }
  | { readonly kind: "default"; readonly note?: string };

export type Resolved<T> = { readonly value: T; readonly source: SettingSource };

/** The settings a config file can hold, as a run uses them, each with where it came from. */
export type ResolvedSettings = {
  readonly file: ConfigLocation & { readonly found: boolean };
  /** Empty: the default (BTC/USD), or a replay's own symbols. */
  readonly symbols: Resolved<readonly string[]>;
  /** Undefined: the default (25), or a replay's own depth. */
  readonly depth: Resolved<number | undefined>;
  readonly fps: Resolved<number>;
  readonly url: Resolved<string>;
  readonly grouping: Resolved<ReadonlyMap<string, number>>;
  readonly color: Resolved<ColorMode>;
  /** Resolved: `auto` has been decided from the locale. */
  readonly ascii: Resolved<boolean>;
};

export const ENV = {
  symbols: "KRAKEN_LADDER_SYMBOLS",
  depth: "KRAKEN_LADDER_DEPTH",
  fps: "KRAKEN_LADDER_FPS",
  url: "KRAKEN_LADDER_URL",
  color: "KRAKEN_LADDER_COLOR",
  ascii: "KRAKEN_LADDER_ASCII",
} as const;

/** `--config <file>`: the config file a command with the feed's options reads (the ladder, `serve`, `config`). */
export function addConfigOption(cmd: Command): Command {
  return cmd.option("--config <file>", "read settings from FILE (default: the platform's config folder)");
}

/** The ladder's display options that the config file also sets: --config, --color, --ascii/--no-ascii. */
export function addDisplayOptions(cmd: Command): Command {
  return addConfigOption(cmd)
    .addOption(
      new Option("--color <when>", "colours: auto (the terminal's, NO_COLOR), always or never")
        .choices(COLOR_MODES)
        .env(ENV.color),
    )
    .option("--ascii", "draw with ASCII characters only (automatic when the locale is not UTF-8)")
    .option("--no-ascii", "draw with Unicode glyphs even when the locale is not UTF-8");
}

type Env = { readonly [name: string]: string | undefined };

const resolvedByCommand = new WeakMap<Command, ResolvedSettings>();

/** The settings resolved for the command about to run (see useSettings). */
export function settingsOf(cmd: Command): ResolvedSettings | undefined {
  return resolvedByCommand.get(cmd);
}

/**
 * Before a command with the feed's options runs (the ladder, `serve`, `config`): fills every setting not
 * given as a flag from the environment, then the config file, leaving commander's defaults last
 * (flags > environment > file > defaults). A broken config file or a bad environment value is one line
 * on stderr and exit 2.
 */
export function useSettings(program: Command): void {
  program.hook("preAction", async (_root, action) => {
    if (!action.options.some((o) => o.attributeName() === "url")) return;
    const resolved = await resolveSettings(action, process.env, process.platform, homedir());
    if (resolved.kind === "config-error") {
      const text = configErrorText(resolved);
      fail(text);
      throw new CommanderError(EXIT.USAGE, "kraken-ladder.config", text);
    }
    if (resolved.kind === "env-error") {
      fail(resolved.message);
      throw new CommanderError(EXIT.USAGE, "kraken-ladder.env", resolved.message);
    }
    resolvedByCommand.set(action, resolved.settings);
  });
}

type Resolution =
  | { readonly kind: "ok"; readonly settings: ResolvedSettings }
  | { readonly kind: "env-error"; readonly message: string }
  | ConfigError;

/**
 * Resolves the settings of `cmd` (parsed, before its action) and writes the values from the environment and
 * the file back into it with their source (`setOptionValueWithSource`), and the symbols into its first
 * argument, so its action sees the effective values.
 */
export async function resolveSettings(
  cmd: Command,
  env: Env,
  platform: NodeJS.Platform,
  home: string,
): Promise<Resolution> {
  const opts = cmd.opts<{ config?: string; replay?: string }>();
  const location = configLocation(opts.config, env, platform, home);
  // Loaded here, not with the command line: --help, verify and simulate never need the TOML parser.
  const { readConfigFile } = await import("../config/config-file.js");
  const read = await readConfigFile(location.path, location.explicit);
  if (read.kind === "config-error") return read;
  const file: FileSettings = read.kind === "read" ? read.settings : {};
  const fromFile = { kind: "file", path: location.path } as const;
  const replay = opts.replay;

  /** An option's value: as commander has it from a flag or its env variable, else the file's, else default. */
  const option = <T>(
    key: string,
    flag: string,
    envName: string | undefined,
    fileValue: T | undefined,
  ): Resolved<T> => {
    const source = cmd.getOptionValueSource(key);
    if (source === "cli")
      return { value: cmd.getOptionValue(key) as T, source: { kind: "flag", name: flag } };
    if (source === "env" && envName !== undefined)
      return { value: cmd.getOptionValue(key) as T, source: { kind: "env", name: envName } };
    if (fileValue !== undefined) {
      cmd.setOptionValueWithSource(key, fileValue, "config");
      return { value: fileValue, source: fromFile };
    }
    return { value: cmd.getOptionValue(key) as T, source: { kind: "default" } };
  };

  // Symbols: typed, else KRAKEN_LADDER_SYMBOLS, else the file's; with --replay only typed ones count, and
  // --quote/--all watch the exchange's list instead of a saved one.
  const typed = (cmd.processedArgs[0] as string[] | undefined) ?? [];
  let symbols: Resolved<readonly string[]>;
  const envSymbols = env[ENV.symbols];
  const market = ["quote", "all"].find((flag) => cmd.getOptionValue(flag) !== undefined);
  if (typed.length > 0) symbols = { value: typed, source: { kind: "flag", name: "arguments" } };
  else if (replay !== undefined) symbols = { value: [], source: { kind: "recording", path: replay } };
  else if (market !== undefined) symbols = { value: [], source: { kind: "flag", name: `--${market}` } };
  else if (envSymbols !== undefined && envSymbols.trim() !== "") {
    let list: readonly string[];
    try {
      list = normaliseSymbols(envSymbols.split(/[\s,]+/).filter((s) => s !== "")).symbols;
    } catch (e) {
      if (!(e instanceof SymbolError)) throw e;
      return { kind: "env-error", message: `${ENV.symbols}: ${e.message}` };
    }
    symbols = { value: list, source: { kind: "env", name: ENV.symbols } };
  } else if (file.symbols !== undefined) symbols = { value: file.symbols, source: fromFile };
  else symbols = { value: [], source: { kind: "default" } };
  if (cmd.registeredArguments.length > 0) cmd.processedArgs[0] = [...symbols.value];

  const url = option<string>("url", "--url", ENV.url, file.url);
  let depth = option<number | undefined>("depth", "--depth", ENV.depth, file.depth);
  // A replay is served at its recorded depth: the environment's and the file's give way (a flag is a
  // usage error, checkUsage in program.ts).
  if (replay !== undefined) {
    cmd.setOptionValueWithSource("depth", undefined, "default");
    depth = { value: undefined, source: { kind: "recording", path: replay } };
  }
  const fps = option<number>("fps", "--fps", ENV.fps, file.fps);

  let color: Resolved<ColorMode> = {
    value: file.color ?? "auto",
    source: file.color === undefined ? { kind: "default" } : fromFile,
  };
  const colorSource = cmd.getOptionValueSource("color");
  if (colorSource === "cli")
    color = { value: cmd.getOptionValue("color") as ColorMode, source: { kind: "flag", name: "--color" } };
  else if (colorSource === "env")
    color = { value: cmd.getOptionValue("color") as ColorMode, source: { kind: "env", name: ENV.color } };
  else {
    // NO_COLOR and FORCE_COLOR are environment too: they beat the file, as they always beat the terminal.
    const force = env["FORCE_COLOR"];
    const noColor = env["NO_COLOR"];
    if (force !== undefined)
      color = {
        value: force === "0" || force.toLowerCase() === "false" ? "never" : "always",
        source: { kind: "env", name: "FORCE_COLOR" },
      };
    else if (noColor !== undefined && noColor !== "")
      color = { value: "never", source: { kind: "env", name: "NO_COLOR" } };
  }

  const ascii = resolveAscii(cmd, env, platform, file, fromFile);
  if (ascii.kind === "env-error") return ascii;

  const grouping: Resolved<ReadonlyMap<string, number>> =
    file.grouping === undefined
      ? { value: new Map(), source: { kind: "default" } }
      : { value: file.grouping, source: fromFile };

  return {
    kind: "ok",
    settings: {
      file: { ...location, found: read.kind === "read" },
      symbols,
      depth,
      fps,
      url,
      grouping,
      color,
      ascii: ascii.resolved,
    },
  };
}

function resolveAscii(
  cmd: Command,
  env: Env,
  platform: NodeJS.Platform,
  file: FileSettings,
  fromFile: Extract<SettingSource, { readonly kind: "file" }>,
):
  | { readonly kind: "ok"; readonly resolved: Resolved<boolean> }
  | { readonly kind: "env-error"; readonly message: string } {
  if (cmd.getOptionValueSource("ascii") === "cli") {
    const on = cmd.getOptionValue("ascii") === true;
    return {
      kind: "ok",
      resolved: { value: on, source: { kind: "flag", name: on ? "--ascii" : "--no-ascii" } },
    };
  }
  const auto = (source: Extract<SettingSource, { readonly note?: string }>): Resolved<boolean> => {
    const utf8 = localeIsUtf8(env, platform);
    const locale = localeVariable(env);
    const why =
      platform === "win32"
        ? "Windows"
        : locale === undefined
          ? "no LC_ALL, LC_CTYPE or LANG"
          : `${locale.name}=${locale.value}`;
    const note = `auto: ${why}${utf8 ? "" : ", not UTF-8"}`;
    return { value: !utf8, source: { ...source, note } };
  };
  const typed = env[ENV.ascii];
  if (typed !== undefined && typed !== "") {
    const word = typed.trim().toLowerCase();
    const source = { kind: "env", name: ENV.ascii } as const;
    if (["1", "true", "yes", "on"].includes(word)) return { kind: "ok", resolved: { value: true, source } };
    if (["0", "false", "no", "off"].includes(word)) return { kind: "ok", resolved: { value: false, source } };
    if (word === "auto") return { kind: "ok", resolved: auto(source) };
    return {
      kind: "env-error",
      message: `${ENV.ascii}: expected 1, true, yes or on; 0, false, no or off; or auto, not ${JSON.stringify(typed)}`,
    };
  }
  if (file.ascii === true || file.ascii === false)
    return { kind: "ok", resolved: { value: file.ascii, source: fromFile } };
  return { kind: "ok", resolved: auto(file.ascii === "auto" ? fromFile : { kind: "default" }) };
}
