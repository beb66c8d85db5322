import type { Line } from "../view-model/line.js";
import { LineRuns, piece } from "./LineView.js";

const TickerPiece = piece("Ticker");

/** The selected symbol's ticker: last, 24 h change, high, low, volume, VWAP. */
export function Ticker({ line }: { readonly line: Line }) {
  return <LineRuns lines={[{ key: line.key, pieces: [line], Piece: TickerPiece }]} />;
}
