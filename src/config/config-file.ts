import { readFile } from "node:fs/promises";
import { parse, TomlError } from "smol-toml";
import { normaliseSymbols, SymbolError } from "../feed/symbols.js";
import { BOOK_DEPTHS, isBookDepth } from "../protocol/types.js";
import { didYouMean } from "../text/did-you-mean.js";
import { fileReason } from "../text/file-reason.js";
import { GROUP_STEPS } from "../ui/view-model/grouping.js";
import { keyLine, stringLine } from "./key-lines.js";
import { COLOR_MODES, CONFIG_KEYS, isFps, MAX_FPS } from "./settings-types.js";
import type { AsciiMode, ColorMode, ConfigError, FileSettings } from "./settings-types.js";

/** A config file read and checked: its settings, or the one error that makes it unusable. */
export type ConfigFileResult =
  { readonly kind: "absent" } | { readonly kind: "read"; readonly settings: FileSettings } | ConfigError;

/**
 * Reads the config file at `path`. A missing file is `absent` (no settings) unless `explicit` (named by
 * `--config` or KRAKEN_LADDER_CONFIG), when it is an error like any other file that cannot be read.
 */
export async function readConfigFile(path: string, explicit: boolean): Promise<ConfigFileResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT" && !explicit) return { kind: "absent" };
    return { kind: "config-error", path, message: `cannot be read: ${fileReason(err)}` };
  }
  return parseConfigText(text, path);
}

/** Parses and checks config text (TOML); `path` only names the file in errors. */
export function parseConfigText(text: string, path: string): ConfigFileResult {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    // The parser's message carries a code excerpt after its first line; the position is given apart.
    const message = (e.message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "");
    return {
      kind: "config-error",
      path,
      line: e.line,
      column: e.column,
      message: `not valid TOML: ${message}`,
    };
  }
  const error = (message: string, key: string, table?: string): ConfigError => {
    const line = keyLine(text, key, table);
    return line === undefined
      ? { kind: "config-error", path, message }
      : { kind: "config-error", path, line, message };
  };
  const settings: {
    symbols?: readonly string[];
    depth?: (typeof BOOK_DEPTHS)[number];
    fps?: number;
    url?: string;
    color?: ColorMode;
    ascii?: AsciiMode;
    grouping?: ReadonlyMap<string, number>;
  } = {};
  for (const [key, value] of Object.entries(doc)) {
    switch (key) {
      case "symbols": {
        if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string"))
          return error(`symbols must be a list of pairs, e.g. symbols = ["BTC/USD", "ETH/USD"]`, key);
        try {
          settings.symbols = normaliseSymbols(value).symbols;
        } catch (e) {
          if (!(e instanceof SymbolError)) throw e;
          const bad = value.find((s) => {
            try {
              normaliseSymbols([s]);
              return false;
            } catch {
              return true;
            }
          });
          const from = keyLine(text, key) ?? 1;
          const line = (bad === undefined ? undefined : stringLine(text, bad, from)) ?? keyLine(text, key);
          return { kind: "config-error", path, ...(line === undefined ? {} : { line }), message: e.message };
        }
        break;
      }
      case "depth":
        if (typeof value !== "number" || !isBookDepth(value))
          return error(`depth must be one of ${BOOK_DEPTHS.join(", ")}${unquote(value)}`, key);
        settings.depth = value;
        break;
      case "fps":
        if (!isFps(value))
          return error(`fps must be a whole number from 1 to ${MAX_FPS}${unquote(value)}`, key);
        settings.fps = value;
        break;
      case "url":
        if (typeof value !== "string" || !isWsUrl(value))
          return error(
            `url must be a ws:// or wss:// URL in quotes, e.g. url = "wss://ws.kraken.com/v2"`,
            key,
          );
        settings.url = value;
        break;
      case "color":
        if (typeof value !== "string" || !(COLOR_MODES as readonly string[]).includes(value))
          return error(`color must be "auto", "always" or "never"`, key);
        settings.color = value as ColorMode;
        break;
      case "ascii":
        if (typeof value !== "boolean" && value !== "auto")
          return error(`ascii must be true, false or "auto"`, key);
        settings.ascii = value;
        break;
      case "grouping": {
        const grouping = readGrouping(value);
        if (grouping.kind === "bad")
          return grouping.entry === undefined
            ? error(grouping.message, key)
            : error(grouping.message, grouping.entry, key);
        settings.grouping = grouping.groups;
        break;
      }
      default: {
        const near = didYouMean(key, CONFIG_KEYS);
        return error(
          `unknown key "${key}"${near === undefined ? "" : ` (did you mean "${near}"?)`}; the keys are ${CONFIG_KEYS.join(", ")}`,
          key,
        );
      }
    }
  }
  return { kind: "read", settings };
}

/** A number written in quotes is text to TOML: say so, as `depth = "10"` reads as a number to a person. */
function unquote(value: unknown): string {
  return typeof value === "string" && /^\s*[+-]?\d/.test(value)
    ? ` (without quotes: a quoted "${value}" is text)`
    : "";
}

function isWsUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "ws:" || url.protocol === "wss:";
  } catch {
    return false;
  }
}

type Grouping =
  | { readonly kind: "ok"; readonly groups: ReadonlyMap<string, number> }
  | { readonly kind: "bad"; readonly message: string; readonly entry?: string };

/** `[grouping]` → symbol → ticks, or what is wrong and in which entry. */
function readGrouping(value: unknown): Grouping {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Date)
    return {
      kind: "bad",
      message: `grouping must be a table of pairs and ticks, e.g. [grouping] "BTC/USD" = 10`,
    };
  const out = new Map<string, number>();
  const typedAs = new Map<string, string>();
  for (const [typed, ticks] of Object.entries(value as Record<string, unknown>)) {
    let symbol: string;
    try {
      symbol = normaliseSymbols([typed]).symbols[0]!;
    } catch (e) {
      if (!(e instanceof SymbolError)) throw e;
      return { kind: "bad", message: `grouping: ${e.message}`, entry: typed };
    }
    if (typeof ticks !== "number" || !GROUP_STEPS.includes(ticks))
      return {
        kind: "bad",
        message: `grouping for ${symbol} must be one of ${GROUP_STEPS.join(", ")} ticks${unquote(ticks)}`,
        entry: typed,
      };
    const earlier = typedAs.get(symbol);
    if (earlier !== undefined)
      return {
        kind: "bad",
        message: `grouping: ${JSON.stringify(earlier)} and ${JSON.stringify(typed)} both name ${symbol}: give it once`,
        entry: typed,
      };
    typedAs.set(symbol, typed);
    out.set(symbol, ticks);
  }
  return { kind: "ok", groups: out };
}
