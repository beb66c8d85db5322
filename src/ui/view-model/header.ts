import type { BookView, ConnectionState } from "../../feed/types.js";
import type { Line, Segment } from "./line.js";
import { clipLine, line } from "./line.js";
import { bookPriceDecimals, formatPrice, spreadOf } from "./numbers.js";
import { sanitize } from "../../text/sanitize.js";
import type { DisplayState } from "./state.js";
import { displayState, GLYPHS, STATE_WORD_WIDTH } from "./state.js";
import { padLeft, padRight } from "./text.js";
import { pairBadge } from "./ladder.js";

type Cell = {
  readonly index: number;
  readonly symbol: string;
  readonly state: DisplayState;
  readonly bid: string;
  readonly ask: string;
  readonly bps: string;
  /** The pair's status when not `online` (`[POST_ONLY]`), else empty. */
  readonly badge: string;
};

const GAP = "  ";
/** States drawn in the warning colour: the book cannot be trusted as the exchange's book now. */
const WARN_STATES: ReadonlySet<DisplayState> = new Set(["rejected", "disconnected", "ended", "lagging"]);

function cellOf(index: number, symbol: string, book: BookView | undefined, conn?: ConnectionState): Cell {
  const state = displayState(book, conn);
  if (book === undefined)
    return { index, symbol: sanitize(symbol), state, bid: "—", ask: "—", bps: "—", badge: "" };
  const decimals = bookPriceDecimals(book);
  const bid = book.bid ?? book.bids[0];
  const ask = book.ask ?? book.asks[0];
  const spread = spreadOf(book, decimals);
  return {
    index,
    symbol: sanitize(symbol),
    state,
    bid: bid === undefined ? "—" : formatPrice(bid.price, decimals),
    ask: ask === undefined ? "—" : formatPrice(ask.price, decimals),
    bps: spread?.bps ?? "—",
    badge: pairBadge(book.pairStatus),
  };
}

type Widths = { symbol: number; bid: number; ask: number; bps: number; badge: number };

/**
 * How much of a cell a narrow pane keeps: 0 everything, 1 without the spread, 2 also without the state
 * word (its glyph stays). Columns go before a price is cut. 3, compact: the symbol and its state's glyph,
 * for more tabs than the header's lines hold with their prices (the ladder shows the selected one's).
 */
type Detail = 0 | 1 | 2 | 3;
const COMPACT: Detail = 3;

/**
 * A tab's style: the selected one inverse, and bold only while its book is live; a book that is not live is
 * dimmed, selected or not, as its ladder is (see dimLine): the selection stays plain to see, never bright.
 */
function tabStyle(isSelected: boolean, live: boolean): Omit<Segment, "text"> {
  if (live) return isSelected ? { inverse: true, bold: true } : {};
  return isSelected ? { inverse: true, dim: true } : { dim: true };
}

/** One cell's segments, its columns padded to `widths`. (Not a closure made per frame: see ladder.ts.) */
function cellSegments(c: Cell, isSelected: boolean, widths: Widths, detail: Detail = 0): Segment[] {
  const live = c.state === "live";
  const base = tabStyle(isSelected, live);
  const stateRole = live ? "good" : WARN_STATES.has(c.state) ? "warn" : "muted";
  const head: Segment[] = [
    { text: isSelected ? "▶" : " ", ...base },
    { text: c.index < 9 ? String(c.index + 1) : " ", ...base },
    { text: ` ${padRight(c.symbol, widths.symbol)} `, ...base },
  ];
  if (detail === COMPACT)
    return [...head, { text: GLYPHS[c.state], role: stateRole, ...base }, { text: " ", ...base }];
  const segments: Segment[] = [
    ...head,
    {
      text: detail === 2 ? GLYPHS[c.state] : `${GLYPHS[c.state]} ${padRight(c.state, STATE_WORD_WIDTH)}`,
      role: stateRole,
      ...base,
    },
    { text: ` ${padLeft(c.bid, widths.bid)}`, role: "bid", ...base },
    { text: " / ", ...base },
    { text: padRight(c.ask, widths.ask), role: "ask", ...base },
    { text: detail === 0 ? ` ${padLeft(c.bps, widths.bps)} bps ` : " ", ...base },
  ];
  // Only when some pair is not online, so the tabs keep their width otherwise. Bold only on a live tab: on
  // one that is not, it is dimmed with the rest of the tab (bold would win over dim in many terminals).
  if (widths.badge > 0)
    segments.push({
      text: `${padRight(c.badge, widths.badge)} `,
      role: "warn",
      ...(live ? { bold: true } : {}),
      ...base,
    });
  return segments;
}

/** A cell's widths from its own text (the badge column's stays shared). */
function ownWidths(c: Cell, shared: Widths): Widths {
  return {
    symbol: c.symbol.length,
    bid: c.bid.length,
    ask: c.ask.length,
    bps: c.bps.length,
    badge: shared.badge,
  };
}

function segmentsWidth(segments: readonly Segment[]): number {
  let width = 0;
  for (const segment of segments) width += segment.text.length;
  return width;
}

/** One line of the header: the tabs on it, left to right. */
export type HeaderRow = {
  readonly key: string;
  /**
   * One per symbol on this line (key `tab-<index>`), each after the gap before it, so the tabs' segments
   * in order are the line's; cut to the width like a whole line (a tab past the width is left out).
   */
  readonly tabs: readonly Line[];
};

/** A header row as one line (its tabs' segments in order). */
export function headerRowLine(row: HeaderRow): Line {
  const segments: Segment[] = [];
  for (const tab of row.tabs) segments.push(...tab.segments);
  return line(row.key, segments);
}

/** The header as lines (see headerRows). */
export function headerLines(
  symbols: readonly string[],
  books: ReadonlyMap<string, BookView>,
  connection: ConnectionState | undefined,
  selected: number,
  width: number,
  maxLines: number,
): Line[] {
  return headerRows(symbols, books, connection, selected, width, maxLines).map(headerRowLine);
}

/**
 * The tabs of one line, cut to `width` as `clipLine` cuts the whole line: each tab is cut to the room the
 * tabs before it left. (Not a closure made per frame: see ladder.ts.)
 */
function clipTabs(tabs: readonly Line[], width: number): Line[] {
  const out: Line[] = [];
  let room = width;
  for (const tab of tabs) {
    if (room <= 0) break;
    out.push(clipLine(tab, room));
    room -= tab.text.length;
  }
  return out;
}

type Packing = { rendered: Segment[][]; cellWidth: number; perLine: number };

/** The tabs' segments at `detail` and how many fit a line. */
function packed(
  cells: readonly Cell[],
  selected: number,
  widths: Widths,
  detail: Detail,
  width: number,
): Packing {
  // Still too wide at the widths every tab shares (a long price of another pair widens them all): each tab
  // at its own widths, one a line, so no price is cut for another's length.
  const own =
    detail !== COMPACT &&
    cells.length > 0 &&
    segmentsWidth(cellSegments(cells[0]!, false, widths, detail)) > width;
  const rendered: Segment[][] = [];
  for (const c of cells)
    rendered.push(cellSegments(c, c.index === selected, own ? ownWidths(c, widths) : widths, detail));
  const cellWidth = own ? width : segmentsWidth(rendered[0] ?? []);
  const perLine = Math.max(1, Math.floor((width + GAP.length) / (cellWidth + GAP.length)));
  return { rendered, cellWidth, perLine };
}

/**
 * Header: one tab per symbol in command-line order, packed into as many lines as the width needs:
 * `▶1 BTC/USD  ● live          63388.7 / 63388.8    0.02 bps`. The selected tab is marked (▶, inverse);
 * a tab whose book is not live is dimmed. At most `maxLines` lines: more tabs than they hold are compact
 * (`▶1 BTC/USD ●`), and more than that a window that keeps the selected tab, with `+N` for the rest.
 */
export function headerRows(
  symbols: readonly string[],
  books: ReadonlyMap<string, BookView>,
  connection: ConnectionState | undefined,
  selected: number,
  width: number,
  maxLines: number,
): HeaderRow[] {
  const cells: Cell[] = [];
  for (let i = 0; i < symbols.length; i++) {
    const symbol = symbols[i] as string;
    cells.push(cellOf(i, symbol, books.get(symbol), connection));
  }
  // Minimum widths keep a cell's width, and so the header's packing and the ladder's height, from
  // jumping when a book loses its prices (resyncing) or gets them back.
  const widths: Widths = { symbol: 7, bid: 9, ask: 9, bps: 6, badge: 0 };
  for (const c of cells) {
    widths.symbol = Math.max(widths.symbol, c.symbol.length);
    widths.bid = Math.max(widths.bid, c.bid.length);
    widths.ask = Math.max(widths.ask, c.ask.length);
    widths.bps = Math.max(widths.bps, c.bps.length);
    widths.badge = Math.max(widths.badge, c.badge.length);
  }
  let detail: Detail = 0;
  while (
    detail < 2 &&
    cells.length > 0 &&
    segmentsWidth(cellSegments(cells[0]!, false, widths, detail)) > width
  )
    detail = (detail + 1) as Detail;
  const lines = Math.max(1, maxLines);
  let { rendered, cellWidth, perLine } = packed(cells, selected, widths, detail, width);
  // More tabs than the lines hold with their prices: compact tabs, so the ladder keeps its rows.
  if (cells.length > perLine * lines)
    ({ rendered, cellWidth, perLine } = packed(cells, selected, widths, COMPACT, width));
  // Too many symbols for the lines: a window of them that keeps the selected one, and "+N" for the rest.
  let shown = rendered.length;
  if (rendered.length > perLine * lines) {
    shown = perLine * lines;
    const lastLineWidth = perLine * cellWidth + (perLine - 1) * GAP.length;
    const more = `${GAP}+${rendered.length - shown + 1}`;
    if (width - lastLineWidth < more.length) shown = Math.max(1, shown - 1);
  }
  const first = Math.min(Math.max(0, selected - shown + 1), rendered.length - shown);
  const rows: HeaderRow[] = [];
  for (let start = first; start < first + shown; start += perLine) {
    const tabs: Line[] = [];
    for (let i = start; i < Math.min(start + perLine, first + shown); i++) {
      const segments = rendered[i] as Segment[];
      tabs.push(line(`tab-${i}`, i > start ? [{ text: GAP }, ...segments] : segments));
    }
    rows.push({ key: `header-${rows.length}`, tabs });
  }
  const hidden = rendered.length - shown;
  const last = rows[rows.length - 1];
  if (hidden > 0 && last !== undefined) {
    const more = line("tab-more", [{ text: `${GAP}+${hidden}`, role: "accent", bold: true }]);
    // One tab a line: the tab left out for it freed a whole line, where it fits whatever the tabs' width.
    if (rows.length < lines) rows.push({ key: `header-${rows.length}`, tabs: [more] });
    else rows[rows.length - 1] = { key: last.key, tabs: [...last.tabs, more] };
  }
  return rows.map((row) => ({ key: row.key, tabs: clipTabs(row.tabs, width) }));
}
