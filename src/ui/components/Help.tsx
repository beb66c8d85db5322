import type { Line } from "../view-model/line.js";
import { Lines } from "./LineView.js";

/** The `?` overlay: every key and what the glyphs mean. */
export function Help({ lines }: { readonly lines: readonly Line[] }) {
  return <Lines lines={lines} />;
}
