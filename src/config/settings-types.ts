import type { BookDepth } from "../protocol/types.js";

/** `color` in the config file and `--color`: follow the terminal (and NO_COLOR/FORCE_COLOR), or force. */
export type ColorMode = "auto" | "always" | "never";
export const COLOR_MODES: readonly ColorMode[] = ["auto", "always", "never"];

/** `ascii`: ASCII glyphs on or off, or `auto` (on when the locale is not UTF-8). */
export type AsciiMode = boolean | "auto";

/** What a config file may hold, each key checked; absent keys are not set. */
export type FileSettings = {
  /** Normalised (upper-case v2 names, legacy names mapped, no duplicates). */
  readonly symbols?: readonly string[];
  readonly depth?: BookDepth;
  readonly fps?: number;
  readonly url?: string;
  readonly color?: ColorMode;
  readonly ascii?: AsciiMode;
  /** Price grouping per symbol, in ticks (one of the ladder's steps). */
  readonly grouping?: ReadonlyMap<string, number>;
};

/**
 * The most views a second `fps` takes (`--fps`, KRAKEN_LADDER_FPS and the file's `fps` alike): one a
 * millisecond. The feed publishes at most one view an interval of 1000/fps ms and the ladder draws at most
 * one frame a whole millisecond, so at 1000 a view already follows nearly every change (coalescing is off);
 * a larger number could not mean what it says.
 */
export const MAX_FPS = 1000;

/** Whether `value` is an `fps`: a whole number from 1 to MAX_FPS. */
export function isFps(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_FPS;
}

/** The keys a config file may hold, in the order `kraken-ladder config` prints them. */
export const CONFIG_KEYS = ["symbols", "depth", "fps", "url", "grouping", "color", "ascii"] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** A config file that cannot be used: where, and why (one line, no stack). */
export type ConfigError = {
  readonly kind: "config-error";
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
};

/** The one line that reports a broken config file: the file, the line (and column), what is wrong. */
export function configErrorText(e: ConfigError): string {
  const where =
    e.line === undefined
      ? ""
      : e.column === undefined
        ? `, line ${e.line}`
        : `, line ${e.line}, column ${e.column}`;
  return `config file ${e.path}${where}: ${e.message}`;
}
