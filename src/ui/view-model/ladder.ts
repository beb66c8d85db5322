import type { BookView } from "../../feed/types.js";
import type { FlashDirection, FlashMemory } from "./flash.js";
import { flashAt } from "./flash.js";
import type { Level, Side } from "./grouping.js";
import { cumulative, groupLevels, groupSizeText } from "./grouping.js";
import type { Line, Segment } from "./line.js";
import { clipLine, dimLine, line, plain } from "./line.js";
import { bookPriceDecimals, bookQtyDecimals, formatLag, spreadOf } from "./numbers.js";
import { sanitize } from "../../text/sanitize.js";
import type { DisplayState } from "./state.js";
import { GLYPHS } from "./state.js";
import { centre, padLeft } from "./text.js";
import { formatUnits } from "./units.js";

export type LadderInput = {
  readonly book: BookView | undefined;
  readonly state: DisplayState;
  /** Rows above and below the spread row. */
  readonly rowsPerSide: number;
  readonly width: number;
  /** Price grouping, in ticks. */
  readonly group: number;
  readonly flash: FlashMemory | undefined;
  readonly now: number;
  /** A `--replay` has run out: the spread row says so instead of the state. */
  readonly ended?: boolean;
};

/** The grouped levels the ladder shows, best first; also what the flash memory tracks. */
export type GroupedBook = {
  readonly asks: readonly Level[];
  readonly bids: readonly Level[];
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
};

/** The last grouping of each view of a book: the store groups a view to track flashes, then to draw it. */
const groupedViews = new WeakMap<BookView, { readonly group: number; readonly grouped: GroupedBook }>();

export function groupBook(book: BookView, group: number): GroupedBook {
  const hit = groupedViews.get(book);
  if (hit !== undefined && hit.group === group) return hit.grouped;
  const priceDecimals = bookPriceDecimals(book);
  const qtyDecimals = bookQtyDecimals(book);
  const grouped: GroupedBook = {
    asks: groupLevels(book.asks, "ask", group, priceDecimals, qtyDecimals),
    bids: groupLevels(book.bids, "bid", group, priceDecimals, qtyDecimals),
    priceDecimals,
    qtyDecimals,
  };
  groupedViews.set(book, { group, grouped });
  return grouped;
}

/** Longest the depth bar gets: a wider bar says nothing more. */
const MAX_BAR = 48;
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

function bar(value: bigint, max: bigint, width: number): string {
  if (width <= 0 || max <= 0n) return "";
  const eighths = Number((value * BigInt(width * 8)) / max);
  const full = Math.floor(eighths / 8);
  const text = "█".repeat(full) + (EIGHTHS[eighths % 8] ?? "");
  return text === "" && value > 0n ? "▏" : text;
}

type Columns = {
  readonly price: number;
  readonly size: number;
  readonly cum: number;
  readonly showCum: boolean;
  readonly bar: number;
};

/**
 * Column widths for this width: ` PRICE  SIZE▲ CUM  BAR`. Numbers are right-aligned at fixed decimals, so
 * they line up on the point. The bar takes what is left; then the cumulative column goes if room is short.
 */
function columnsFor(width: number, price: number, size: number, cum: number): Columns {
  const fixed = 1 + price + 2 + size + 1; // margin, price, gap, size, flash mark
  const withCum = fixed + 2 + cum;
  if (withCum + 2 + 4 <= width)
    return { price, size, cum, showCum: true, bar: Math.min(MAX_BAR, width - withCum - 2) };
  if (withCum <= width) return { price, size, cum, showCum: true, bar: 0 };
  return { price, size, cum, showCum: false, bar: Math.max(0, Math.min(MAX_BAR, width - fixed - 2)) };
}

const SPACE: Segment = { text: " " };
const GAP: Segment = { text: "  " };
const UP: Segment = { text: "▲", role: "up" };
const DOWN: Segment = { text: "▼", role: "down" };

function rowLine(
  key: string,
  side: Side,
  price: string,
  size: string,
  cum: string,
  depth: string,
  direction: FlashDirection | undefined,
  cols: Columns,
): Line {
  // Object literals, not spreads: this runs for every row of every frame.
  const sizeText = padLeft(size, cols.size);
  const segments: Segment[] = [
    SPACE,
    { text: padLeft(price, cols.price), role: side },
    GAP,
    direction === undefined ? { text: sizeText } : { text: sizeText, role: direction, bold: true },
    direction === undefined ? SPACE : direction === "up" ? UP : DOWN,
  ];
  if (cols.showCum) segments.push(GAP, { text: padLeft(cum, cols.cum), role: "muted" });
  if (cols.bar > 0) segments.push(GAP, { text: depth, role: side });
  return line(key, segments);
}

function emptyRow(key: string): Line {
  return line(key, []);
}

/** A level's text, formatted once per view. */
type RowText = {
  readonly price: string;
  readonly size: string;
  readonly cum: string;
  readonly level: Level;
  readonly total: bigint;
};

/** What every row of one ladder shares. */
type RowContext = {
  readonly cols: Columns;
  readonly maxCum: bigint;
  readonly live: boolean;
  readonly flash: FlashMemory | undefined;
  readonly now: number;
  readonly width: number;
};

// The functions a frame runs are module-level functions and loops, not closures made per call: V8 keeps a
// closure's optimised code only while one of its instances lives, so closures made once per frame were
// compiled again after every full collection (BENCHMARKS.md, Render).

function rowTexts(levels: readonly Level[], cums: readonly bigint[], pd: number, qd: number): RowText[] {
  const texts: RowText[] = [];
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as Level;
    const total = cums[i] ?? 0n;
    texts.push({
      price: formatUnits(level.price, pd),
      size: formatUnits(level.qty, qd),
      cum: formatUnits(total, qd),
      level,
      total,
    });
  }
  return texts;
}

function ladderRow(side: Side, r: RowText, i: number, rows: RowContext): Line {
  const { cols, width } = rows;
  const l = rowLine(
    `${side}-${i}`,
    side,
    r.price,
    r.size,
    r.cum,
    bar(r.total, rows.maxCum, cols.bar),
    rows.live ? flashAt(rows.flash, side, r.level.price, rows.now) : undefined,
    cols,
  );
  return rows.live ? clipLine(l, width) : dimLine(clipLine(l, width));
}

const STATE_LABEL: { readonly [S in DisplayState]: string } = {
  live: "",
  syncing: "waiting for the first snapshot",
  resyncing: "RESYNCING — not live, waiting for a new snapshot",
  stale: "STALE — no change lately, may be out of date",
  lagging: "LAGGING — behind the exchange, prices may be out of date",
  rejected: "REJECTED by the server",
  disconnected: "DISCONNECTED — not live",
};

/** The ladder's lines by what they are, top to bottom: titles, asks, the spread row, bids. */
export type LadderRows = {
  readonly titles: Line;
  /** Worst shown first, best last (next to the spread row); empty rows pad the far end. */
  readonly asks: readonly Line[];
  readonly spread: Line;
  /** Best first (next to the spread row); empty rows pad the far end. */
  readonly bids: readonly Line[];
};

/** The ladder's rows as lines, top to bottom: `2 * rowsPerSide + 2` of them. */
export function ladderLines(input: LadderInput): Line[] {
  const rows = ladderRows(input);
  return [rows.titles, ...rows.asks, rows.spread, ...rows.bids];
}

/**
 * The ladder of one book: a column header, `rowsPerSide` ask rows (best ask at the bottom, next to the
 * middle), the spread row, `rowsPerSide` bid rows (best bid at the top). Each line at most `width` wide.
 * A book that is not live is dimmed and its state is in the spread row.
 */
export function ladderRows(input: LadderInput): LadderRows {
  const { book, state, rowsPerSide: n, width, group, flash, now } = input;
  const grouped = book === undefined ? undefined : groupBook(book, group);
  const asks = grouped?.asks.slice(0, n) ?? [];
  const bids = grouped?.bids.slice(0, n) ?? [];
  const pd = grouped?.priceDecimals ?? 0;
  const qd = grouped?.qtyDecimals ?? 0;
  const askCum = cumulative(asks);
  const bidCum = cumulative(bids);
  // Running totals only grow (sizes are positive): the largest is the last of either side.
  const askMax = askCum[askCum.length - 1] ?? 0n;
  const bidMax = bidCum[bidCum.length - 1] ?? 0n;
  const askText = rowTexts(asks, askCum, pd, qd);
  const bidText = rowTexts(bids, bidCum, pd, qd);
  let priceWidth = 5;
  let sizeWidth = 4;
  let cumWidth = 3;
  for (const texts of [askText, bidText]) {
    for (const r of texts) {
      priceWidth = Math.max(priceWidth, r.price.length);
      sizeWidth = Math.max(sizeWidth, r.size.length);
      cumWidth = Math.max(cumWidth, r.cum.length);
    }
  }
  const cols = columnsFor(width, priceWidth, sizeWidth, cumWidth);
  const rows: RowContext = {
    cols,
    maxCum: askMax > bidMax ? askMax : bidMax,
    live: state === "live",
    flash,
    now,
    width,
  };

  const groupNote =
    (book !== undefined && group > 1 ? ` · group ${groupSizeText(group, pd)}` : "") +
    (book?.depth !== undefined ? ` · book ${book.depth}` : "");
  const headSegments: Segment[] = [
    { text: " " },
    { text: padLeft("PRICE", cols.price), role: "muted" },
    { text: "  " },
    { text: padLeft("SIZE", cols.size), role: "muted" },
    { text: " " },
  ];
  if (cols.showCum) headSegments.push({ text: "  " }, { text: padLeft("CUM", cols.cum), role: "muted" });
  let used = 0;
  for (const segment of headSegments) used += segment.text.length;
  // The notes (group, book depth) say more than the bar's title: on a narrow pane they take its place.
  const notes = groupNote.slice(3);
  if (cols.bar > 0) {
    const room = width - used - 2;
    const title =
      `DEPTH${groupNote}`.length <= room ? `DEPTH${groupNote}` : notes.length <= room ? notes : "DEPTH";
    headSegments.push({ text: "  " }, { text: title, role: "muted" });
  } else if (groupNote !== "") {
    headSegments.push({ text: groupNote.length <= width - used ? groupNote : ` ${notes}`, role: "muted" });
  }
  // Asks: worst at the top, best next to the spread row; empty rows pad the far end.
  const askLines: Line[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const r = askText[i];
    askLines.push(r === undefined ? emptyRow(`ask-${i}`) : ladderRow("ask", r, i, rows));
  }
  const bidLines: Line[] = [];
  for (let i = 0; i < n; i++) {
    const r = bidText[i];
    bidLines.push(r === undefined ? emptyRow(`bid-${i}`) : ladderRow("bid", r, i, rows));
  }
  return {
    titles: clipLine(line("columns", headSegments), width),
    asks: askLines,
    spread:
      input.ended === true
        ? plain("spread", centre(" ■ REPLAY ENDED — not live ", width, "─"), { role: "warn", bold: true })
        : middleLine(book, state, pd, width),
    bids: bidLines,
  };
}

function middleLine(book: BookView | undefined, state: DisplayState, pd: number, width: number): Line {
  if (state === "lagging" && book?.lagMs !== undefined) {
    const label = ` ${GLYPHS.lagging} LAGGING — ${formatLag(book.lagMs)} behind the exchange, prices may be out of date `;
    return plain("spread", centre(label, width, "─"), { role: "warn", bold: true });
  }
  if (state !== "live") {
    const reason = book?.reason === undefined ? "" : `: ${sanitize(book.reason)}`;
    const label = ` ${GLYPHS[state]} ${STATE_LABEL[state]}${reason} `;
    return plain("spread", centre(label, width, "─"), { role: "warn", bold: true });
  }
  const spread = book === undefined ? undefined : spreadOf(book, pd);
  const label =
    spread === undefined ? " spread — " : ` spread ${spread.spread} · ${spread.bps} bps · mid ${spread.mid} `;
  return plain("spread", centre(label, width, "─"), { role: "spread" });
}
