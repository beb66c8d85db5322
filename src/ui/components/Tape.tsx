import type { Line } from "../view-model/line.js";
import { line } from "../view-model/line.js";
import { paddingKey } from "../view-model/screen.js";
import { LineRuns, drawnLines, piece } from "./LineView.js";

/** One line of the time-and-sales tape: a trade (time, side, price, size) or a trade-id gap mark. */
export const TapeRow = piece("TapeRow");

/** The time-and-sales tape, newest first, then `padding` blank lines. */
export function Tape({ lines, padding = 0 }: { readonly lines: readonly Line[]; readonly padding?: number }) {
  const padded = [...lines];
  for (let i = 0; i < padding; i++) padded.push(line(paddingKey(lines.length + i), []));
  return <LineRuns lines={drawnLines(padded, TapeRow)} />;
}
