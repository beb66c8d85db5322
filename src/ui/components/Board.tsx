import type { Line } from "../view-model/line.js";
import { line } from "../view-model/line.js";
import { paddingKey } from "../view-model/screen.js";
import { LineRuns, drawnLines, piece } from "./LineView.js";

/** One line of the board: its title, the column titles, or one symbol's row. */
export const BoardRow = piece("BoardRow");

/** The board (`b`): title, column titles, one row per symbol shown, then `padding` blank lines. */
export function Board({
  title,
  columns,
  rows,
  padding,
}: {
  readonly title: Line;
  readonly columns: Line;
  readonly rows: readonly Line[];
  readonly padding: number;
}) {
  const lines = [title, columns, ...rows];
  for (let i = 0; i < padding; i++) lines.push(line(paddingKey(lines.length), []));
  return <LineRuns lines={drawnLines(lines, BoardRow)} />;
}
