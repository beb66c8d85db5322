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

const drawn = (l: Line, Piece: Piece): DrawnLine => ({ key: l.key, pieces: [l], Piece });

/** Column titles, asks (best at the bottom), the spread row, bids (best at the top), then `padding` blanks. */
export function Ladder({ rows, padding }: { readonly rows: LadderRows; readonly padding: number }) {
  const lines: DrawnLine[] = [drawn(rows.titles, ColumnTitles)];
  for (const ask of rows.asks) lines.push(drawn(ask, Row));
  lines.push(drawn(rows.spread, SpreadRow));
  for (const bid of rows.bids) lines.push(drawn(bid, Row));
  const body = lines.length;
  for (let i = 0; i < padding; i++) lines.push(drawn(line(paddingKey(body + i), []), Blank));
  return <LineRuns lines={lines} />;
}
