import type { ForegroundColorName } from "chalk";
import type { Role } from "./view-model/line.js";

/** Colours for the roles in the view-model; `undefined` means the terminal's default colour. */
export type Theme = {
  readonly color: boolean;
  readonly roles: { readonly [R in Role]?: ForegroundColorName };
};

const COLOURS: Theme["roles"] = {
  ask: "red",
  bid: "green",
  up: "green",
  down: "red",
  spread: "yellow",
  warn: "yellow",
  good: "green",
  accent: "cyan",
  muted: "gray",
};

export const COLOR_THEME: Theme = { color: true, roles: COLOURS };
/** No colours at all; bold, dim and inverse still carry emphasis, and glyphs (▲ ▼ ▶ ● ↻) carry meaning. */
export const MONO_THEME: Theme = { color: false, roles: {} };

type Env = { readonly [name: string]: string | undefined };

/**
 * Whether to use colour. `FORCE_COLOR` wins when set (`0`/`false` turn colour off), as in Node's own
 * `getColorDepth`; otherwise a non-empty `NO_COLOR` turns it off (https://no-color.org); otherwise colour
 * follows what the terminal supports (chalk's detection). chalk itself does not look at `NO_COLOR`, which
 * is why this is decided here and the theme simply has no colours.
 */
export function colorEnabled(env: Env, terminalSupportsColor: boolean): boolean {
  const force = env["FORCE_COLOR"];
  if (force !== undefined) return !(force === "0" || force.toLowerCase() === "false");
  const noColor = env["NO_COLOR"];
  if (noColor !== undefined && noColor !== "") return false;
  return terminalSupportsColor;
}

export function themeFor(env: Env, terminalSupportsColor: boolean): Theme {
  return colorEnabled(env, terminalSupportsColor) ? COLOR_THEME : MONO_THEME;
}
