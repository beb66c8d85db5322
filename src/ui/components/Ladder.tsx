import type { LadderRows } from "../view-model/ladder.js";
import type { Line } from "../view-model/line.js";
import { line } from "../view-model/line.js";
import { paddingKey } from "../view-model/screen.js";
import type { DrawnLine, Piece } from "./LineView.js";
import { LineRuns, piece } from "./LineView.js";

/** PRICE, SIZE, CUM, DEPTH, and the price grouping when it is not the tick. */
export const ColumnTitles = piece("ColumnTitles");
/** One price level: price, size (with its flash), cumulative size, depth bar. */
export const Row = piece("Row");
/** Spread, bps and mid, or the book's state when it is not live. */
export const SpreadRow = piece("SpreadRow");
/** A blank line that keeps the status bar on the frame's last line. */
export const Blank = piece("Blank");

const drawn = (l: Line, Piece: Piece, beside?: Line): DrawnLine => ({
  key: l.key,
  pieces: beside === undefined ? [l] : [l, beside],
  Piece,
});

type LadderProps = {
  readonly rows: LadderRows;
  readonly padding: number;
  /**
   * The tape's lines beside the ladder's (the ladder's are padded to its width): each pair is one line of
   * two memoised pieces, so a frame still writes every row at x = 0 (Ink's fast output path, ink-fast.ts).
   */
  readonly tape?: readonly Line[] | undefined;
};

/**
 * Column titles, asks (best at the bottom), the spread row, bids (best at the top), each with the tape's line
 * beside it in a wide pane, then `padding` blanks.
 */
export function Ladder({ rows, padding, tape }: LadderProps) {
  let i = 0;
  const lines: DrawnLine[] = [drawn(rows.titles, ColumnTitles, tape?.[i++])];
  for (const ask of rows.asks) lines.push(drawn(ask, Row, tape?.[i++]));
  lines.push(drawn(rows.spread, SpreadRow, tape?.[i++]));
  for (const bid of rows.bids) lines.push(drawn(bid, Row, tape?.[i++]));
  const body = lines.length;
  for (let i = 0; i < padding; i++) lines.push(drawn(line(paddingKey(body + i), []), Blank));
  return <LineRuns lines={lines} />;
}
