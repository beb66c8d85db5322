import { withWrite } from "./terminal.js";
/**
 * Every character besides printable ASCII that the ladder draws, with the one ASCII character that stands
 * for it in ASCII mode (`--ascii`, or a locale that is not UTF-8). A glyph added anywhere in the ladder is
 * added here: the table is the list of one-cell characters the renderer relies on (components/LineView.tsx)
 * and the ASCII mode's translation, and test/ui/glyphs.test.ts fails on any glyph in src/ui missing from it.
 *
 * Each glyph takes one cell and its ASCII stand-in one character, so an ASCII frame has exactly the layout
 * of the Unicode one: ASCII mode translates the finished frames (asciiStdout), nothing upstream changes.
 */
export type Glyph = {
  readonly unicode: string;
  readonly ascii: string;
  /** Where the ladder draws it. */
  readonly use: string;
};

export const GLYPHS: readonly Glyph[] = [
  { unicode: "●", ascii: "*", use: "live book; connected" },
  { unicode: "○", ascii: "o", use: "disconnected book; reconnecting" },
  { unicode: "◌", ascii: ".", use: "syncing book; connecting, subscribing, starting" },
  { unicode: "◐", ascii: "%", use: "stale book" },
  { unicode: "◔", ascii: "!", use: "lagging book; quiet connection" },
  { unicode: "↻", ascii: "@", use: "resyncing book" },
  { unicode: "✕", ascii: "X", use: "rejected book" },
  { unicode: "■", ascii: "#", use: "stopped connection; a replay that ended" },
  { unicode: "▶", ascii: ">", use: "selected symbol" },
  { unicode: "▲", ascii: "^", use: "size grew" },
  { unicode: "▼", ascii: "v", use: "size shrank" },
  { unicode: "✓", ascii: "+", use: "checksums ok" },
  { unicode: "✗", ascii: "x", use: "checksums failed; recording stopped" },
  { unicode: "→", ascii: ">", use: "help: next symbol key" },
  { unicode: "←", ascii: "<", use: "help: previous symbol key" },
  { unicode: "│", ascii: "|", use: "status bar separator" },
  { unicode: "─", ascii: "-", use: "spread row rule" },
  { unicode: "·", ascii: "|", use: "separator inside a label" },
  { unicode: "—", ascii: "-", use: "no value; a state's explanation" },
  { unicode: "–", ascii: "-", use: "help: a range of keys" },
  { unicode: "−", ascii: "-", use: "help: the finer-grouping key" },
  { unicode: "…", ascii: "~", use: "text cut to fit" },
  { unicode: "×", ascii: "x", use: "pane size" },
  { unicode: "█", ascii: "#", use: "depth bar, a whole cell" },
  { unicode: "▉", ascii: "=", use: "depth bar, 7/8" },
  { unicode: "▊", ascii: "=", use: "depth bar, 6/8" },
  { unicode: "▋", ascii: "=", use: "depth bar, 5/8" },
  { unicode: "▌", ascii: "=", use: "depth bar, 4/8" },
  { unicode: "▍", ascii: "|", use: "depth bar, 3/8" },
  { unicode: "▎", ascii: "|", use: "depth bar, 2/8" },
  { unicode: "▏", ascii: "|", use: "depth bar, 1/8 (and the least bar drawn)" },
  { unicode: "≥", ascii: ">", use: "board: a bound, the walk ran off the book (depth exhausted)" },
  { unicode: "±", ascii: "+", use: "board: a band around the mid" },
  { unicode: "↑", ascii: "^", use: "board: move up" },
  { unicode: "↓", ascii: "v", use: "board: move down" },
  { unicode: "▁", ascii: "_", use: "board: sparkline, lowest" },
  { unicode: "▂", ascii: ".", use: "board: sparkline, 2/8" },
  { unicode: "▃", ascii: "-", use: "board: sparkline, 3/8" },
  { unicode: "▄", ascii: "-", use: "board: sparkline, 4/8" },
  { unicode: "▅", ascii: "=", use: "board: sparkline, 5/8" },
  { unicode: "▆", ascii: "=", use: "board: sparkline, 6/8" },
  { unicode: "▇", ascii: "#", use: "board: sparkline, 7/8 (█: the highest)" },
];

/** Every glyph of the table, one after another. */
export const GLYPH_CHARS: string = GLYPHS.map((g) => g.unicode).join("");

const ASCII = new Map(GLYPHS.map((g) => [g.unicode, g.ascii]));
const NON_ASCII = /[^\p{ASCII}]/u;
const NON_ASCII_ALL = /[^\p{ASCII}]/gu;
const MARK = /^\p{M}$/u;
/** Characters terminals draw two cells wide (East Asian wide and full-width forms, emoji). */
const WIDE =
  /^[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]$/u;

/**
 * `text` in ASCII: each glyph of the table as its stand-in; any other character that is not ASCII (server
 * text) as `?`, two for a wide one, none for a combining mark, so the width on screen stays the same.
 */
export function toAscii(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text.replace(NON_ASCII_ALL, (c) => ASCII.get(c) ?? (MARK.test(c) ? "" : WIDE.test(c) ? "??" : "?"));
}

/** A stream whose string writes are translated to ASCII (toAscii); everything else passes through. */
export function asciiStdout<S extends { write(chunk: never, ...rest: never[]): unknown }>(stdout: S): S {
  const write = (chunk: unknown, ...rest: unknown[]): unknown =>
    (stdout.write as (...args: unknown[]) => unknown).call(
      stdout,
      typeof chunk === "string" ? toAscii(chunk) : chunk,
      ...rest,
    );
  return withWrite(stdout, write);
}
