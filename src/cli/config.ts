import { Command, CommanderError } from "commander";
import { EXIT } from "../app/exit-codes.js";
import { DEFAULT_DEPTH } from "../app/options.js";
import { DEFAULT_SYMBOL, normaliseSymbols, SymbolError } from "../feed/symbols.js";
import { escapeUnsafe } from "../text/sanitize.js";
import { depthOption, fpsOption, urlOption } from "./program.js";
import { fail } from "../app/stdout.js";
import { addDisplayOptions, settingsOf } from "./settings.js";
import type { Resolved, SettingSource } from "./settings.js";

/**
 * `kraken-ladder config [options] [symbols...]`: the settings the ladder would run with, and where each
 * came from (a flag, an environment variable, the config file, or the default). It takes the same
 * flags, so `kraken-ladder config --depth 100` shows what that run would use.
 */
export function configCommand(): Command {
  const cmd = new Command("config")
    .description("print the effective settings and where each came from (flag, environment, file, default)")
    .helpOption("-h, --help", "show this help")
    .argument("[symbols...]", "pairs, as the ladder takes them")
    .addOption(urlOption())
    .addOption(depthOption())
    .addOption(fpsOption());
  addDisplayOptions(cmd).action((_symbols: string[], _flags: unknown, self: Command) => {
    const settings = settingsOf(self);
    if (settings === undefined) return;
    // Typed symbols are checked and named as the ladder would (the file's and the environment's already
    // are): `config btc-usd` is the same usage error, `config xbt/usd` shows BTC/USD.
    let symbols = settings.symbols.value;
    if (settings.symbols.source.kind === "flag") {
      try {
        const normalised = normaliseSymbols(symbols);
        for (const notice of normalised.notices) fail(notice);
        symbols = normalised.symbols;
      } catch (e) {
        if (!(e instanceof SymbolError)) throw e;
        fail(e.message);
        throw new CommanderError(EXIT.USAGE, "kraken-ladder.symbols", e.message);
      }
    }
    const rows: [string, string, string][] = [
      ["symbols", list(symbols, DEFAULT_SYMBOL), from(settings.symbols)],
      ["depth", String(settings.depth.value ?? DEFAULT_DEPTH), from(settings.depth)],
      ["fps", String(settings.fps.value), from(settings.fps)],
      ["url", settings.url.value, from(settings.url)],
      [
        "grouping",
        [...settings.grouping.value].map(([symbol, ticks]) => `${symbol}=${ticks}`).join(" ") || "1 tick",
        from(settings.grouping),
      ],
      ["color", settings.color.value, from(settings.color)],
      ["ascii", settings.ascii.value ? "on" : "off", from(settings.ascii)],
    ];
    const file = settings.file;
    const fileNote =
      file.source === "flag" ? "--config" : file.source === "env" ? "KRAKEN_LADDER_CONFIG" : "default place";
    const lines = [
      `config file  ${file.path} (${fileNote}${file.found ? "" : ", not found"})`,
      ...rows.map(([key, value, source]) => `${key.padEnd(9)}    ${value.padEnd(24)} ${source}`),
    ];
    process.stdout.write(lines.map((line) => escapeUnsafe(line.trimEnd())).join("\n") + "\n");
  });
  return cmd;
}

function list(symbols: readonly string[], fallback: string): string {
  return symbols.length === 0 ? fallback : symbols.join(" ");
}

function from(resolved: Resolved<unknown>): string {
  return sourceText(resolved.source);
}

/** `flag --depth`, `env KRAKEN_LADDER_URL`, `file /path/config.toml`, `default`. */
export function sourceText(source: SettingSource): string {
  switch (source.kind) {
    case "flag":
      return `flag ${source.name}`;
    case "env":
      return `env ${source.name}${source.note === undefined ? "" : ` (${source.note})`}`;
    case "file":
      return `file ${source.path}${source.note === undefined ? "" : ` (${source.note})`}`;
    case "recording":
      return `recording ${source.path}`;
    case "default":
      return source.note === undefined ? "default" : `default (${source.note})`;
    default:
      return source satisfies never;
  }
}
