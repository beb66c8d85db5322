import type { Line } from "./line.js";
import { clipLine, line, plain } from "./line.js";
import { GLYPHS } from "./state.js";
import { padRight } from "./text.js";

/** Every key, as the help overlay and the README list them. */
export const KEYS: readonly (readonly [keys: string, action: string])[] = [
  ["→  l  Tab", "next symbol (wraps)"],
  ["←  h  Shift-Tab", "previous symbol (wraps)"],
  ["1 – 9", "jump to that symbol"],
  ["+", "coarser price grouping (multiples of the tick)"],
  ["−  (-)", "finer price grouping"],
  ["t", "show or hide the trade tape (beside the ladder from 120 columns; Esc closes it)"],
  ["?", "show or hide this help"],
  ["q  Esc  Ctrl-C", "quit"],
];

/** The help overlay, drawn in place of the ladder: at most `height` lines, each at most `width` wide. */
export function helpLines(width: number, height: number): Line[] {
  const keyWidth = Math.max(...KEYS.map(([k]) => k.length));
  const lines: Line[] = [
    plain("help-title", " Keys", { bold: true, role: "accent" }),
    ...KEYS.map(([keys, action], i) =>
      line(`help-key-${i}`, [{ text: `  ${padRight(keys, keyWidth)}`, bold: true }, { text: `  ${action}` }]),
    ),
    plain("help-gap", ""),
    plain("help-states", " Book states", { bold: true, role: "accent" }),
    line("help-state-1", [
      { text: `  ${GLYPHS.live} live  `, role: "good" },
      {
        text: `${GLYPHS.syncing} syncing  ${GLYPHS.resyncing} resyncing  ${GLYPHS.stale} stale`,
        role: "muted",
      },
    ]),
    line("help-state-2", [
      {
        text: `  ${GLYPHS.lagging} lagging  ${GLYPHS.rejected} rejected  ${GLYPHS.disconnected} disconnected`,
        role: "warn",
      },
      { text: "   (dimmed: not live)", dim: true },
    ]),
    plain("help-stale", "  stale: verified, no change for --stale-after (a quiet market)", { role: "muted" }),
    plain("help-lagging", "  lagging: verified, but over --max-lag behind the exchange (lag 24 s)", {
      role: "muted",
    }),
    plain("help-quiet", "  quiet connection: no frame for --quiet-after; every book lagging", {
      role: "muted",
    }),
    line("help-flash", [
      { text: "  ▲", role: "up", bold: true },
      { text: " size grew  " },
      { text: "▼", role: "down", bold: true },
      { text: " size shrank (flashes briefly)" },
    ]),
    plain("help-trades", "  ▲ B ▼ S taker buy/sell · ← last trade · VAP volume at price, (gap) in window"),
    plain("help-deep", "  · past level 10 (unchecksummed), ~ CUM includes it · [POST_ONLY] pair not online"),
    plain("help-close", " Press ? to close.", { role: "muted" }),
  ];
  return lines.slice(0, Math.max(0, height)).map((l) => clipLine(l, width));
}
