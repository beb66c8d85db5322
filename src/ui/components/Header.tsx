import type { HeaderRow } from "../view-model/header.js";
import { LineRuns, piece } from "./LineView.js";

/** One symbol: state glyph and word, best bid / ask, spread in bps; the selected one marked ▶. */
export const Tab = piece("Tab");

/** Every symbol's tab, in command-line order, packed into as many lines as the width needs. */
export function Header({ rows }: { readonly rows: readonly HeaderRow[] }) {
  return <LineRuns lines={rows.map((row) => ({ key: row.key, pieces: row.tabs, Piece: Tab }))} />;
}
