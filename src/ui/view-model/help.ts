import type { Line, Segment } from "./line.js";
import { clipLine, line, plain } from "./line.js";
import { GLYPHS } from "./state.js";
import { padRight } from "./text.js";

/** Every key, as the help overlay and the README list them. */
export const KEYS: readonly (readonly [keys: string, action: string])[] = [
  ["→ l Tab", "next symbol (wraps)"],
  ["← h Shift-Tab", "previous symbol (wraps)"],
  ["1 – 9", "jump to that symbol"],
  ["+ (or =)", "coarser price grouping (multiples of the tick)"],
  ["− (- or _)", "finer price grouping"],
  ["/", "search the exchange's pairs; Enter adds one (Ctrl-W drops a word, Ctrl-U all)"],
  ["x", "stop watching the selected symbol (not the last)"],
  ["s", "save the symbols to the config file"],
  ["t", "show or hide the trade tape (beside the ladder from 120 columns; Esc closes it)"],
  ["b", "show or hide the board: every watched symbol, one row each"],
  ["?", "show or hide this help"],
  ["j k Up Down", "scroll this help (PgUp PgDn: a page)"],
  ["Esc", "close help or search; back to the screen this one was opened from; else quit"],
  ["q Ctrl-C", "quit"],
  ["Ctrl-Z", "suspend to the shell; fg resumes"],
  ["Ctrl-L", "draw the whole screen again"],
  ["paste", "typed into the search; anywhere else ignored, never taken as keys"],
];

type Entry = readonly [term: string, meaning: string];
type Section = { readonly title: string; readonly entries: readonly Entry[] };

const SECTIONS: readonly Section[] = [
  { title: "Keys", entries: KEYS },
  {
    title: "Book states (tab, spread row)",
    entries: [
      [`${GLYPHS.live} live`, "verified by checksum and current"],
      [`${GLYPHS.connecting} connecting`, "no data yet: connecting"],
      [`${GLYPHS.syncing} syncing`, "waiting for the first snapshot"],
      [
        `${GLYPHS.resyncing} resyncing`,
        "failed a check; new snapshot asked (after a backoff if it keeps failing)",
      ],
      [`${GLYPHS.stale} stale`, "verified, no change for --stale-after"],
      [`${GLYPHS.lagging} lagging`, "over --max-lag behind; or feed quiet, stalled"],
      [`${GLYPHS.rejected} rejected`, "the exchange refused the pair"],
      [`${GLYPHS.disconnected} disconn.`, "no connection: nothing is live"],
      [`${GLYPHS.ended} ended`, "a --replay ran out: nothing is live"],
      ["dimmed", "not live: prices may be out of date"],
    ],
  },
  {
    title: "Header (one tab per symbol)",
    entries: [
      ["▶ inverse", "the selected symbol"],
      ["1 BTC/USD", "its number (keys 1–9) and pair"],
      ["bid / ask", "best bid and best ask"],
      ["bps", "spread in basis points of the mid"],
      ["1 BTC/USD ●", "compact: more tabs than a fifth of the pane holds with their prices"],
      ["+N", "N more symbols that do not fit"],
    ],
  },
  {
    title: "Ladder columns",
    entries: [
      ["PRICE", "asks above (best lowest), bids below"],
      ["SIZE", "size at the price (grouped: summed)"],
      ["▲ ▼", "size grew / shrank (flashes briefly)"],
      ["CUM", "running total from the best price"],
      ["DEPTH", "bar of CUM; dropped first when narrow"],
      ["· group N", "rows span N in price (+ and −); grp N when the titles are short of room"],
      ["· book N", "Kraken depth subscribed; deepened by itself when grouping leaves rows empty"],
      ["spread row", "spread · bps · mid, or why not live; [POST_ONLY]: the pair is not online"],
      ["no asks", "a verified book with no orders on that side (no bids alike)"],
      ["· price", "a row past level 10: not covered by the checksum"],
      ["~ CUM", "the running total includes such rows"],
    ],
  },
  {
    title: "Trades (tape, LAST and VAP from 120 columns)",
    entries: [
      ["ticker line", "last · 24 h change and % · high · low · volume · VWAP"],
      ["▲ B  ▼ S", "a taker buy / sell, in the tape and the LAST mark"],
      ["← LAST", "the last trade, on the row at its price"],
      ["VAP 5m", "buy / sell volume at the price over --vap-window; (gap): a trade-id gap is inside it"],
      ["── gap ──", "a break in the trade ids: trades missed or repeated"],
    ],
  },
  {
    title: "Board (b, or --board at start)",
    entries: [
      ["j k Up Down", "select a row (PgUp PgDn: a page); the selection is a symbol, kept when re-sorted"],
      ["o", "sort by spread bps, liquidity, cost, symbol (the title says which)"],
      ["Enter", "that symbol's ladder; Esc or b back to the board"],
      ["STATE", "as in the header, with [POST_ONLY] and the like; a book not live shows no figures"],
      ["BID±10 ASK±10", "quote value resting within ±10 bps of the mid (--bps), rounded down"],
      ["BUY SELL", "slippage in bps from the mid of trading --notional (10k) each way"],
      ["IMB", "top-of-book imbalance: (bid − ask size) / their sum"],
      ["MED5m P95", "spread bps over the last 5 minutes, with a sparkline"],
      ["≥ figure", "a bound: the walk ran off the subscribed depth (depth exhausted)"],
      ["~ figure", "it used levels past the checksummed top 10"],
      ["…", "the row just came into view: its levels come with the next view"],
    ],
  },
  {
    title: "Status bar (selected symbol)",
    entries: [
      ["● connected", "the socket: connecting, subscribing, quiet (no frame), reconnecting in …"],
      ["exchange …", "the exchange's system status (online, MAINTENANCE, …)"],
      ["behind", "how far a lagging book is behind"],
      ["msg/s", "book messages a second"],
      ["✓N ✗N", "checksums verified / failed"],
      ["trade gaps", "breaks in the pair's trade ids"],
      ["resyncs", "times the book was fetched anew"],
      ["p50 p99", "exchange → here latency"],
      ["updated", "age of the book's last change"],
      ["replay ended", "a --replay ran out: nothing is live"],
    ],
  },
  {
    title: "Notice line (above the status bar)",
    entries: [
      [
        "! text",
        "recording failures, malformed frames, exchange status, rejected pairs and subscribe errors; at most one a second (+N more)",
      ],
      ["✓ text", "a job done (the watchlist saved)"],
    ],
  },
];

/** Words of `text` in lines of at most `width` (a longer word is cut later by clipLine). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    if (current === "") current = word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      out.push(current);
      current = word;
    }
  }
  if (current !== "") out.push(current);
  return out;
}

/**
 * The whole help, every key, glyph, column, status-bar field and label, wrapped to `width`: each line at
 * most `width` wide. The overlay shows a window of it (see `helpWindow`).
 */
export function helpLines(width: number): Line[] {
  const termWidth = Math.min(14, Math.max(...SECTIONS.flatMap((s) => s.entries.map(([t]) => t.length))));
  const meaningWidth = Math.max(10, width - termWidth - 4);
  const lines: Line[] = [];
  for (const [si, section] of SECTIONS.entries()) {
    if (si > 0) lines.push(plain(`help-gap-${si}`, ""));
    lines.push(plain(`help-title-${si}`, ` ${section.title}`, { bold: true, role: "accent" }));
    for (const [ei, [term, meaning]] of section.entries.entries()) {
      const parts = wrap(meaning, meaningWidth);
      for (const [pi, part] of parts.entries()) {
        const segments: Segment[] = [
          { text: `  ${padRight(pi === 0 ? term : "", termWidth)}`, bold: true },
          { text: `  ${part}` },
        ];
        lines.push(line(`help-${si}-${ei}-${pi}`, segments));
      }
    }
  }
  return lines.map((l) => clipLine(l, width));
}

/**
 * The help lines from `scroll` that fit in `height`; when they do not all fit, the last line says where
 * the window is and how to scroll. `scroll` is clamped; the one used is returned.
 */
export function helpWindow(
  width: number,
  height: number,
  scroll: number,
): { readonly lines: Line[]; readonly scroll: number } {
  const all = helpLines(width);
  const rows = Math.max(0, height);
  if (all.length <= rows) {
    const close = plain("help-close", " Esc or ? closes", { role: "muted" });
    return { lines: all.length < rows ? [...all, clipLine(close, width)] : all, scroll: 0 };
  }
  const room = Math.max(0, rows - 1);
  const top = Math.min(Math.max(0, scroll), all.length - room);
  const shown = all.slice(top, top + room);
  const footer = plain("help-more", ` ${top + 1}–${top + room}/${all.length}  j k PgDn  Esc closes`, {
    role: "muted",
    inverse: true,
  });
  return { lines: [...shown, clipLine(footer, width)], scroll: top };
}
