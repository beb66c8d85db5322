import type { Line } from "../view-model/line.js";
import { Lines } from "./LineView.js";

/** Below the minimum size: a clear message instead of a broken ladder. */
export function TooSmall({ lines }: { readonly lines: readonly Line[] }) {
  return <Lines lines={lines} />;
}
