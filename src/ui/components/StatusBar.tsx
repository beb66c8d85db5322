import type { Line } from "../view-model/line.js";
import { LineRuns, piece } from "./LineView.js";

const Status = piece("Status");
const NoticePiece = piece("Notice");

/** Connection, msg/s, checksums, resyncs, latency, age of the last change, key hints. */
export function StatusBar({ line }: { readonly line: Line }) {
  return <LineRuns lines={[{ key: line.key, pieces: [line], Piece: Status }]} />;
}

/** A warning above the status bar (the recording stopped). */
export function Notice({ line }: { readonly line: Line }) {
  return <LineRuns lines={[{ key: line.key, pieces: [line], Piece: NoticePiece }]} />;
}
