import chalk from "chalk";
import { Text } from "ink";
import type { ReactNode } from "react";
import type { Theme } from "../colors.js";
import type { Segment, Line } from "../view-model/line.js";
import { useTheme } from "./theme-context.js";

/**
 * A segment's text with its styles, applied in the order Ink's own `<Text>` applies them (dim, colour, bold,
 * inverse) and with the same chalk, so a line drawn as one `<Text>` of styled strings is drawn exactly as
 * nested `<Text color bold …>` elements would be (test/ui/line-view.test.tsx compares the two).
 */
export function styleSegment(segment: Segment, theme: Theme): string {
  let text = segment.text;
  if (segment.dim === true) text = chalk.dim(text);
  const color = segment.role === undefined ? undefined : theme.roles[segment.role];
  if (color !== undefined) text = chalk[color](text);
  if (segment.bold === true) text = chalk.bold(text);
  if (segment.inverse === true) text = chalk.inverse(text);
  return text;
}

/** The line as one styled string. */
export function styleLine(line: Line, theme: Theme): string {
  let text = "";
  for (const segment of line.segments) text += styleSegment(segment, theme);
  return text;
}

/** Characters the view-model draws that take one terminal cell, besides printable ASCII. */
export const ONE_CELL_GLYPHS = "—–−…·×✕✓✗●○◌◐◔■▶▲▼→←↻│─█▉▊▋▌▍▎▏";
const ONE_CELL = new Set(Array.from(ONE_CELL_GLYPHS, (glyph) => glyph.charCodeAt(0)));

/**
 * Whether every character of the line takes one cell, so its width is its length. A loop over char codes:
 * it runs over every line of every frame, and a regular expression with the glyph class cost ~4 times more.
 * It reads the segments, not `line.text`: that is a concatenation V8 would copy into one string to read it.
 */
export function oneCellText(line: Line): boolean {
  for (const segment of line.segments) {
    const text = segment.text;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if ((c < 0x20 || c > 0x7e) && !ONE_CELL.has(c)) return false;
    }
  }
  return true;
}

/**
 * A run of lines, each at most the frame's width. Consecutive lines whose width is their length (all the
 * ladder draws, unless a server's message has wide characters) are drawn as one multi-line `<Text>`: one
 * React element, one Ink text node and one Yoga measurement for the whole run, where one per line made
 * React's commit and Yoga's layout a large part of a frame. Any other line gets a `<Text>` of its own,
 * which Ink truncates to the width if need be.
 */
export function Lines({ lines }: { readonly lines: readonly Line[] }) {
  const theme = useTheme();
  const texts: ReactNode[] = [];
  let run: string[] = [];
  let runKey = "";
  const endRun = (): void => {
    // (A run of one empty line is a space: Ink gives an empty text no height.)
    if (run.length > 0) texts.push(<Text key={runKey}>{run.join("\n") || " "}</Text>);
    run = [];
  };
  for (const l of lines) {
    if (oneCellText(l)) {
      if (run.length === 0) runKey = l.key;
      run.push(styleLine(l, theme));
    } else {
      endRun();
      texts.push(
        <Text key={l.key} wrap="truncate">
          {l.segments.length === 0 ? " " : styleLine(l, theme)}
        </Text>,
      );
    }
  }
  endRun();
  return <>{texts}</>;
}
