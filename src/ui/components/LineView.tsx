import chalk from "chalk";
import { Text } from "ink";
import { memo } from "react";
import type { MemoExoticComponent, ReactNode } from "react";
import type { Theme } from "../colors.js";
import { GLYPH_CHARS } from "../glyphs.js";
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

/** Characters the view-model draws that take one terminal cell, besides printable ASCII (ui/glyphs.ts). */
export const ONE_CELL_GLYPHS = GLYPH_CHARS;
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

/** A piece of a line, drawn by a memoised component: a ladder row, a header tab, the status bar. */
export type PieceProps = {
  readonly line: Line;
  /** A line break after it: the piece ends a line that is not the last of its `<Text>`. */
  readonly newline: boolean;
};

export type Piece = MemoExoticComponent<(props: PieceProps) => string>;

/**
 * A memoised component named `name` that draws its line as one styled string (Ink text, inside a `<Text>`).
 * It renders again only when its props change: the store keeps a line that draws as before the same object
 * (keepUnchanged), so a frame restyles only the pieces that changed.
 */
export function piece(name: string): Piece {
  const draw = ({ line, newline }: PieceProps): string => {
    const text = styleLine(line, useTheme());
    return newline ? `${text}\n` : text;
  };
  draw.displayName = name;
  return memo(draw);
}

/** A line of the screen: its pieces left to right (one for most lines; one per tab in the header). */
export type DrawnLine = {
  readonly key: string;
  readonly pieces: readonly Line[];
  readonly Piece: Piece;
};

const isEmpty = (l: DrawnLine): boolean => l.pieces.every((p) => p.text === "");
const isOneCell = (l: DrawnLine): boolean => l.pieces.every(oneCellText);

/** The pieces of a line as children of a `<Text>`, in order. (Keys are unique within a screen part.) */
function pushPieces(children: ReactNode[], l: DrawnLine, newline: boolean): void {
  const { Piece, pieces } = l;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i] as Line;
    children.push(<Piece key={p.key} line={p} newline={newline && i === pieces.length - 1} />);
  }
  if (newline && pieces.length === 0) children.push(`\n`);
}

/**
 * Lines, each at most the frame's width. Consecutive lines whose width is their length (all the ladder
 * draws, unless a server's message has wide characters) are drawn in one multi-line `<Text>` whose children
 * are the lines' memoised pieces: one Ink text node and one Yoga measurement for the whole run, where one
 * per line made React's commit and Yoga's layout a large part of a frame, while React re-renders only the
 * pieces that changed. Any other line gets a `<Text>` of its own, which Ink truncates to the width if need be.
 */
export function LineRuns({ lines }: { readonly lines: readonly DrawnLine[] }) {
  const texts: ReactNode[] = [];
  let run: DrawnLine[] = [];
  const endRun = (): void => {
    const first = run[0];
    if (first === undefined) return;
    // (A run of one empty line is a space: Ink gives an empty text no height.)
    if (run.length === 1 && isEmpty(first)) texts.push(<Text key={first.key}> </Text>);
    else {
      const children: ReactNode[] = [];
      for (let i = 0; i < run.length; i++) pushPieces(children, run[i] as DrawnLine, i < run.length - 1);
      texts.push(<Text key={first.key}>{children}</Text>);
    }
    run = [];
  };
  for (const l of lines) {
    if (isOneCell(l)) {
      run.push(l);
      continue;
    }
    endRun();
    const children: ReactNode[] = [];
    pushPieces(children, l, false);
    texts.push(
      <Text key={l.key} wrap="truncate">
        {isEmpty(l) ? " " : children}
      </Text>,
    );
  }
  endRun();
  return <>{texts}</>;
}

/** A plain line of text (help, the too-small message). */
export const TextLine = piece("TextLine");

/** Lines of one piece each. */
export function drawnLines(lines: readonly Line[], Piece: Piece): DrawnLine[] {
  return lines.map((l) => ({ key: l.key, pieces: [l], Piece }));
}

/** Lines of text, as LineRuns draws them. */
export function Lines({ lines }: { readonly lines: readonly Line[] }) {
  return <LineRuns lines={drawnLines(lines, TextLine)} />;
}
