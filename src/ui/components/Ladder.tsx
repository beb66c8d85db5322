import type { Line } from "../view-model/line.js";
import { Lines } from "./LineView.js";

/** Column titles, asks (best at the bottom), the spread row, bids (best at the top). */
export function Ladder({ lines }: { readonly lines: readonly Line[] }) {
  return <Lines lines={lines} />;
}
