import type { Line } from "../view-model/line.js";
import { Lines } from "./LineView.js";

/** Connection, msg/s, checksums, resyncs, latency, age of the last change, key hints. */
export function StatusBar({ lines }: { readonly lines: readonly Line[] }) {
  return <Lines lines={lines} />;
}
