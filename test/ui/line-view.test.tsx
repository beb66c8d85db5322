import chalk from "chalk";
import stringWidth from "string-width";
import { Box, renderToString, Text } from "ink";
import type { TextProps } from "ink";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Theme } from "../../src/ui/colors.js";
import { COLOR_THEME, MONO_THEME } from "../../src/ui/colors.js";
import { Lines, ONE_CELL_GLYPHS, oneCellText } from "../../src/ui/components/LineView.js";
import { ThemeContext } from "../../src/ui/components/theme-context.js";
import { buildFrame } from "../../src/ui/render-frame.js";
import type { Line, Segment } from "../../src/ui/view-model/line.js";
import { line } from "../../src/ui/view-model/line.js";
import { screenLines } from "../../src/ui/view-model/screen.js";
import { btcBook, ethBook, feedView, NOW } from "./helpers/views.js";

/** Each segment its own `<Text>` with Ink's style props: the reference the one-`<Text>` lines must match. */
function NestedLines({ lines, theme }: { readonly lines: readonly Line[]; readonly theme: Theme }) {
  const props = (s: Segment): TextProps => ({
    ...(s.role === undefined || theme.roles[s.role] === undefined ? {} : { color: theme.roles[s.role] }),
    ...(s.bold === true ? { bold: true } : {}),
    ...(s.dim === true ? { dimColor: true } : {}),
    ...(s.inverse === true ? { inverse: true } : {}),
  });
  return (
    <>
      {lines.map((l) =>
        l.segments.length === 0 ? (
          <Text key={l.key}> </Text>
        ) : (
          <Text key={l.key} wrap="truncate">
            {l.segments.map((s, i) => (
              <Text key={i} {...props(s)}>
                {s.text}
              </Text>
            ))}
          </Text>
        ),
      )}
    </>
  );
}

const level = chalk.level;
beforeAll(() => {
  chalk.level = 1;
});
afterAll(() => {
  chalk.level = level;
});

describe("a line drawn as one <Text> of styled text", () => {
  // A rejected book whose reason has wide characters: those lines take two cells a character.
  const wide = "通貨ペアがサポートされていません ".repeat(4);
  const view = feedView([
    btcBook(),
    ethBook({ state: "stale" }),
    btcBook({ symbol: "SOL/USD", state: "rejected", reason: wide }),
  ]);
  const symbols = ["BTC/USD", "ETH/USD", "SOL/USD"];
  const screens = [0, 1, 2].flatMap((selected) =>
    [false, true].map((help) =>
      buildFrame(view, { symbols, columns: 100, rows: 24, selected, help, now: NOW }),
    ),
  );

  it("is drawn exactly as one <Text> per styled segment would be, in colour and without", () => {
    for (const theme of [COLOR_THEME, MONO_THEME]) {
      for (const screen of screens) {
        const lines = screenLines(screen);
        const draw = (node: React.ReactNode) =>
          renderToString(
            <ThemeContext.Provider value={theme}>
              <Box flexDirection="column" width={screen.width}>
                {node}
              </Box>
            </ThemeContext.Provider>,
            { columns: screen.width },
          );
        const flat = draw(<Lines lines={lines} />);
        if (lines.some((l) => l.text.includes("通貨"))) expect(flat).toContain("通貨");
        expect(flat).toBe(draw(<NestedLines lines={lines} theme={theme} />));
        expect(flat).toContain("\u001b[7m");
        if (theme === COLOR_THEME) expect(flat).toContain("\u001b[31m");
      }
    }
  });
});

describe("a run of lines", () => {
  it("keeps an empty line one row high between lines drawn on their own", () => {
    const wideLine = line("a", [{ text: "漢字" }]);
    const lines = [wideLine, line("b", []), line("c", [{ text: "文字" }]), line("d", [{ text: "ok" }])];
    const out = renderToString(
      <Box flexDirection="column">
        <Lines lines={lines} />
      </Box>,
      { columns: 20 },
    );
    expect(out).toBe("漢字\n\n文字\nok");
  });
});

describe("one-cell lines", () => {
  it("are told by glyphs that each take one cell", () => {
    for (const glyph of ONE_CELL_GLYPHS) expect(stringWidth(glyph), glyph).toBe(1);
    // One UTF-16 unit each: oneCellText tests char codes.
    expect([...ONE_CELL_GLYPHS].every((glyph) => glyph.length === 1)).toBe(true);
    expect(oneCellText(line("s", [{ text: "ok 😀" }]))).toBe(false);
    expect(oneCellText(line("w", [{ text: "a 漢" }]))).toBe(false);
    expect(oneCellText(line("e", [{ text: "e\u0301" }]))).toBe(false);
  });

  it("are every line of the ladder, the header, the status bar and the help, whatever the book's state", () => {
    // Drawn as one <Text> a run: a glyph added to the view-model must be added to ONE_CELL_GLYPHS too.
    const states = ["live", "stale", "lagging", "resyncing", "rejected", "awaiting-snapshot"] as const;
    const view = feedView(
      states.map((state, i) => btcBook({ symbol: `S${i}/USD`, state, reason: "no reason" })),
    );
    for (let selected = 0; selected < states.length; selected++) {
      for (const help of [false, true]) {
        const screen = buildFrame(view, {
          symbols: states.map((_, i) => `S${i}/USD`),
          columns: 120,
          rows: 30,
          selected,
          help,
          now: NOW,
        });
        for (const l of screenLines(screen)) expect(oneCellText(l), l.text).toBe(true);
      }
    }
  });
});
