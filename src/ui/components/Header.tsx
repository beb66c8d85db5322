import type { Line } from "../view-model/line.js";
import { Lines } from "./LineView.js";

/** Every symbol: state glyph and word, best bid / ask, spread in bps; the selected one marked ▶. */
export function Header({ lines }: { readonly lines: readonly Line[] }) {
  return <Lines lines={lines} />;
}
