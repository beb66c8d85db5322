import chalk from "chalk";
import { afterEach, describe, expect, it } from "vitest";
import { colorEnabled, COLOR_THEME, MONO_THEME, themeFor } from "../../src/ui/colors.js";
import { renderFrame } from "../../src/ui/render-frame.js";
import { btcBook, ethBook, feedView, NOW } from "./helpers/views.js";

describe("colour choice", () => {
  it("follows the terminal when neither variable is set", () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
  });

  it("turns colour off for a non-empty NO_COLOR, and ignores an empty one", () => {
    expect(colorEnabled({ NO_COLOR: "1" }, true)).toBe(false);
    expect(colorEnabled({ NO_COLOR: "" }, true)).toBe(true);
  });

  it("lets FORCE_COLOR win, and FORCE_COLOR=0 or false turn colour off", () => {
    expect(colorEnabled({ FORCE_COLOR: "1" }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: "1", NO_COLOR: "1" }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: "0" }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: "false" }, true)).toBe(false);
    expect(themeFor({ NO_COLOR: "1" }, true)).toBe(MONO_THEME);
    expect(themeFor({}, true)).toBe(COLOR_THEME);
  });
});

describe("a frame without colour", () => {
  const level = chalk.level;
  afterEach(() => {
    chalk.level = level;
  });
  const view = feedView([btcBook(), ethBook({ state: "stale" })]);
  const options = { symbols: ["BTC/USD", "ETH/USD"], columns: 90, rows: 20, now: NOW };
  // SGR foreground colours: 30–37, 90–97, 38;…
  // eslint-disable-next-line no-control-regex
  const COLOUR = /\u001b\[(3[0-8]|9[0-7])(;\d+)*m/;

  it("has no colour codes but keeps bold, inverse and dim, so selection and state still show", () => {
    chalk.level = 1;
    const mono = renderFrame(view, { ...options, theme: MONO_THEME });
    expect(mono).not.toMatch(COLOUR);
    expect(mono).toContain("\u001b[7m"); // the selected symbol, inverse
    expect(mono).toContain("\u001b[2m"); // the stale book, dimmed
    expect(mono).toContain("▶1 BTC/USD");
    const colour = renderFrame(view, { ...options, theme: COLOR_THEME });
    expect(colour).toMatch(COLOUR);
  });
});
