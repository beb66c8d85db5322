import { verifiedState } from "../../feed/servable.js";
import type { BookView, PairView, TradeView } from "../../feed/types.js";
import { toDecimal } from "../../protocol/decimal.js";
import type { FlashDirection, FlashMemory } from "./flash.js";
import { flashAt } from "./flash.js";
import type { Level, Side } from "./grouping.js";
import { ceilTo, cumulative, floorTo, groupLevels, groupSizeText } from "./grouping.js";
import type { Line, Segment } from "./line.js";
import { clipLine, dimLine, line, plain } from "./line.js";
import { bookPriceDecimals, bookQtyDecimals, formatLag, spreadOf } from "./numbers.js";
import { sanitize } from "../../text/sanitize.js";
import type { DisplayState } from "./state.js";
import { GLYPHS, retryWait } from "./state.js";
import { centre, padLeft, padRight } from "./text.js";
import { displayDecimal, formatUnits, pow10, toUnits, widenDecimals } from "./units.js";
import type { VapByRow, VapTotals } from "./vap.js";
import { compactVolume, vapByRow } from "./vap.js";

/** What the wide layout adds to the ladder: the last trade's mark and the volume-at-price column. */
export type LadderMarket = {
  readonly lastTrade: TradeView | undefined;
  /** Buy and sell volume by price (VAP_SCALE) over the window. */
  readonly vap: ReadonlyMap<bigint, VapTotals>;
  /** The volume column's title (`VAP 5m`, `VAP 5m (gap)`). */
  readonly vapTitle: string;
};

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
  /** The pair's instrument (tick and precisions), once heard. */
  readonly pair?: PairView | undefined;
  /** The last trade and the volume column: only in the wide layout. */
  readonly market?: LadderMarket | undefined;
  /** No symbol is watched and the feed found none to watch: said in the middle row, in place of a state. */
  readonly nothingToWatch?: string | undefined;
  /**
   * Columns the titles line leaves free at its end: 1 beside the tape, so its last note never runs into the
   * tape's border (the rows end in numbers or the depth bar; the titles in words).
   */
  readonly titleMargin?: number;
};

/** The grouped levels the ladder shows, best first; also what the flash memory tracks. */
export type GroupedBook = {
  readonly asks: readonly Level[];
  readonly bids: readonly Level[];
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  /** The grouping's tick (the pair's price increment) in units at `priceDecimals`. */
  readonly tick: bigint;
};

/** The last grouping of each view of a book: the store groups a view to track flashes, then to draw it. */
const groupedViews = new WeakMap<
  BookView,
  { readonly group: number; readonly pair: PairView | undefined; readonly grouped: GroupedBook }
>();

/**
 * The pair's price increment in units at `decimals`: the grouping tick. 1 (the last digit) before the
 * instrument is heard, or if its increment is not a positive multiple of a unit.
 */
export function tickUnits(pair: PairView | undefined, decimals: number): bigint {
  if (pair === undefined) return 1n;
  try {
    const units = toDecimal(pair.priceIncrement).mul(toDecimal(`1e${decimals}`));
    return units.isInteger() && units.gt(0) ? BigInt(units.toFixed(0)) : 1n;
  } catch {
    return 1n;
  }
}

/**
 * The book grouped for display: prices at the pair's precision (from `instrument`; widened if the wire shows
 * more digits, inferred from the wire before the instrument arrives), buckets of `group` price increments.
 */
export function groupBook(book: BookView, group: number, pair?: PairView): GroupedBook {
  const hit = groupedViews.get(book);
  if (hit !== undefined && hit.group === group && hit.pair === pair) return hit.grouped;
  const priceDecimals = Math.max(bookPriceDecimals(book), pair?.pricePrecision ?? 0);
  const qtyDecimals = Math.max(bookQtyDecimals(book), pair?.qtyPrecision ?? 0);
  const tick = tickUnits(pair, priceDecimals);
  const grouped: GroupedBook = {
    asks: groupLevels(book.asks, "ask", group, priceDecimals, qtyDecimals, tick),
    bids: groupLevels(book.bids, "bid", group, priceDecimals, qtyDecimals, tick),
    priceDecimals,
    qtyDecimals,
    tick,
  };
  groupedViews.set(book, { group, pair, grouped });
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
  /** The last trade's mark (0: no column). */
  readonly last: number;
  readonly cum: number;
  readonly showCum: boolean;
  /** The volume column (0: none), and the width of each of its two numbers. */
  readonly vap: number;
  readonly vapCell: number;
  readonly bar: number;
};

/** Width of each number in the volume column (compactVolume's longest). */
const VAP_CELL = 6;

/**
 * Column widths for this width: ` PRICE  SIZE▲ LAST  CUM  VAP  BAR`. Numbers are right-aligned at fixed
 * decimals, so they line up on the point. The bar takes what is left. When room is short the bar goes first,
 * then the volume column, the last trade's mark and the cumulative column: price and size are never cut.
 * `drop` leaves off that many of those three up front (the titles line needs room for the grouping).
 */
function columnsFor(
  width: number,
  price: number,
  size: number,
  cum: number,
  last: number,
  vap: number,
  drop = 0,
): Columns {
  const fixed = 1 + price + 2 + size + 1; // margin, price, gap, size, flash mark
  const tries: readonly (readonly [last: number, vap: number, showCum: boolean])[] = [
    [last, vap, true],
    [last, 0, true],
    [0, 0, true],
  ];
  for (const [l, v, showCum] of tries.slice(drop)) {
    const need = fixed + (l > 0 ? 1 + l : 0) + (showCum ? 2 + cum : 0) + (v > 0 ? 2 + v : 0);
    const base = { price, size, last: l, cum, showCum, vap: v, vapCell: VAP_CELL };
    if (need + 2 + 4 <= width) return { ...base, bar: Math.min(MAX_BAR, width - need - 2) };
    if (need <= width) return { ...base, bar: 0 };
  }
  // Too narrow for the cumulative column: price and size alone (the bar went first and stays gone).
  return { price, size, last: 0, cum, showCum: false, vap: 0, vapCell: VAP_CELL, bar: 0 };
}

const SPACE: Segment = { text: " " };
const GAP: Segment = { text: "  " };
const UP: Segment = { text: "▲", role: "up" };
const DOWN: Segment = { text: "▼", role: "down" };

/** The mark of a row deeper than the checksum covers. */
const DEEP: Segment = { text: "·", dim: true };

function rowLine(
  key: string,
  side: Side,
  r: RowText,
  depth: string,
  direction: FlashDirection | undefined,
  cols: Columns,
): Line {
  // Object literals, not spreads: this runs for every row of every frame.
  const sizeText = padLeft(r.size, cols.size);
  const segments: Segment[] = [
    r.level.deep === true ? DEEP : SPACE,
    { text: padLeft(r.price, cols.price), role: side },
    GAP,
    direction === undefined ? { text: sizeText } : { text: sizeText, role: direction, bold: true },
    direction === undefined ? SPACE : direction === "up" ? UP : DOWN,
  ];
  if (cols.last > 0) {
    segments.push(SPACE);
    segments.push(
      r.last === undefined
        ? { text: " ".repeat(cols.last) }
        : {
            text: padRight(r.last.text, cols.last),
            role: r.last.buy ? "bid" : "ask",
            bold: true,
            inverse: true,
          },
    );
  }
  if (cols.showCum) segments.push(GAP, { text: padLeft(r.cum, cols.cum), role: "muted" });
  if (cols.vap > 0) {
    segments.push(GAP, { text: " ".repeat(cols.vap - 2 * cols.vapCell - 1) });
    segments.push({ text: padLeft(r.vapBuy, cols.vapCell), role: "bid" }, SPACE);
    segments.push({ text: padLeft(r.vapSell, cols.vapCell), role: "ask" });
  }
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
  /** `~` first when it sums a level past the checksum's 10. */
  readonly cum: string;
  readonly level: Level;
  readonly total: bigint;
  /** The last trade's mark, on its row. */
  last?: { readonly text: string; readonly buy: boolean };
  vapBuy: string;
  vapSell: string;
};

/** What every row of one ladder shares. */
type RowContext = {
  readonly cols: Columns;
  readonly maxCum: bigint;
  readonly live: boolean;
  /** The book is verified (live, stale, lagging): its levels are the exchange's, an empty side has no orders. */
  readonly verified: boolean;
  readonly flash: FlashMemory | undefined;
  readonly now: number;
  readonly width: number;
};

// The functions a frame runs are module-level functions and loops, not closures made per call: V8 keeps a
// closure's optimised code only while one of its instances lives, so closures made once per frame were
// compiled again after every full collection (BENCHMARKS.md, Render).

function rowTexts(
  levels: readonly Level[],
  cums: readonly bigint[],
  pd: number,
  qd: number,
  vap: ReadonlyMap<bigint, VapTotals> | undefined,
): RowText[] {
  const texts: RowText[] = [];
  // Rows run outwards from the best, so a running total is unverifiable from the first deep row on.
  let deep = false;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as Level;
    const total = cums[i] ?? 0n;
    if (level.deep === true) deep = true;
    const v = vap?.get(level.price);
    texts.push({
      price: formatUnits(level.price, pd),
      size: formatUnits(level.qty, qd),
      cum: deep ? `~${formatUnits(total, qd)}` : formatUnits(total, qd),
      level,
      total,
      vapBuy: v === undefined ? "" : compactVolume(v.buy),
      vapSell: v === undefined ? "" : compactVolume(v.sell),
    });
  }
  return texts;
}

/** `← ▲ B 0.0500`: the last trade's mark on its row (its size at `qd`, or at its own digits if more). */
function lastMark(trade: TradeView, qd: number): string {
  return `← ${trade.side === "buy" ? "▲ B" : "▼ S"} ${displayDecimal(trade.qty, qd)}`;
}

/** `← ▲ B `: what a mark has before its size. */
const MARK_PREFIX = "← ▲ B ".length;
/** The last trade's column is never narrower than this (`← ▲ B 0.0500`). */
const MIN_LAST = 12;

/**
 * The last trade's column: as wide as a mark of a size as wide as the size column, or as the last trade's own
 * mark, whether or not a row shown has that mark. Each trade moves the mark on and off the rows shown; the
 * column's width, and so every column after it, stays put (it changes only with the size column, or for a
 * trade wider than any size shown).
 */
function lastColumnWidth(mark: string, sizeWidth: number): number {
  return Math.max(MIN_LAST, MARK_PREFIX + sizeWidth, mark.length);
}

/**
 * Puts the last trade's mark on the row at its grouped price: a buy took asks, so the ask side is looked at
 * first, a sell the bids. False when no row shown has that price (e.g. the trade emptied the level).
 */
function markLastTrade(
  trade: TradeView,
  asks: RowText[],
  bids: RowText[],
  pd: number,
  qd: number,
  step: bigint,
): boolean {
  // A price with more digits than the rows' is bucketed at its own digits, as grouping does a level: up to
  // the ask row above it, down to the bid row below it (cutting it to `pd` first would round both down).
  let units: bigint;
  let scale: bigint;
  try {
    const decimals = widenDecimals(pd, trade.price);
    units = toUnits(trade.price, decimals);
    scale = pow10(decimals - pd);
  } catch {
    return false;
  }
  const mark = { text: lastMark(trade, qd), buy: trade.side === "buy" };
  const onAsks = (): boolean => {
    const bucket = ceilTo(units, step * scale) / scale;
    const row = asks.find((r) => r.level.price === bucket);
    if (row !== undefined) row.last = mark;
    return row !== undefined;
  };
  const onBids = (): boolean => {
    const bucket = floorTo(units, step * scale) / scale;
    const row = bids.find((r) => r.level.price === bucket);
    if (row !== undefined) row.last = mark;
    return row !== undefined;
  };
  return trade.side === "buy" ? onAsks() || onBids() : onBids() || onAsks();
}

function ladderRow(side: Side, r: RowText, i: number, rows: RowContext): Line {
  const { cols, width } = rows;
  const l = rowLine(
    `${side}-${i}`,
    side,
    r,
    bar(r.total, rows.maxCum, cols.bar),
    rows.live ? flashAt(rows.flash, side, r.level.price, rows.now) : undefined,
    cols,
  );
  return rows.live ? clipLine(l, width) : dimLine(clipLine(l, width));
}

/**
 * Row `i` of a side: its level's, or blank past the last level; but on a side a verified book has no orders
 * on, `no asks` (dim) next to the spread row, so an empty side is said, not taken for a fault of the screen.
 */
function sideRow(side: Side, texts: readonly RowText[], i: number, rows: RowContext): Line {
  const r = texts[i];
  if (r !== undefined) return ladderRow(side, r, i, rows);
  if (i === 0 && rows.verified)
    return clipLine(plain(`${side}-0`, ` no ${side}s`, { dim: true }), rows.width);
  return emptyRow(`${side}-${i}`);
}

const STATE_LABEL: { readonly [S in DisplayState]: string } = {
  live: "",
  syncing: "waiting for the first snapshot",
  connecting: "connecting to the exchange",
  resyncing: "RESYNCING — not live, waiting for a new snapshot",
  stale: "STALE — no change lately, may be out of date",
  lagging: "LAGGING — behind the exchange, prices may be out of date",
  rejected: "REJECTED by the server",
  disconnected: "DISCONNECTED — not live",
  ended: "REPLAY ENDED — not live",
};

/**
 * A book waiting out its resubscribe backoff (it failed again and again, or its subscribe failed) says when
 * it is subscribed again, not that it waits for a snapshot: none is on the way until then.
 */
function stateLabel(state: DisplayState, wait: string | undefined): string {
  if (wait === undefined) return STATE_LABEL[state];
  return state === "resyncing"
    ? `RESYNCING — not live, subscribing again in ${wait}`
    : `subscribing again in ${wait}`;
}

/** A column's title after PRICE and SIZE: the gap before it, and how it sits over its column. */
type ColumnTitle = {
  readonly gap: string;
  readonly title: string;
  readonly width: number;
  /** Left-aligned over its column (the last trade's mark), not right-aligned as the numbers are. */
  readonly left: boolean;
};

/**
 * The notes, the most that fit in `room`: after `title` (`DEPTH · group 10.0 · book 25`) while it fits too,
 * the last notes going first; undefined when not even the first note fits alone.
 */
function fitNotes(notes: readonly string[], room: number, title: string): string | undefined {
  for (let k = notes.length; k > 0; k--) {
    const kept = notes.slice(0, k).join(" · ");
    if (title !== "" && title.length + 3 + kept.length <= room) return `${title} · ${kept}`;
    if (kept.length <= room) return kept;
  }
  return undefined;
}

function textWidth(segments: readonly Segment[]): number {
  let n = 0;
  for (const segment of segments) n += segment.text.length;
  return n;
}

/**
 * The columns' titles (and the flash mark's cell after SIZE), each over its column; with `moved`, the last
 * at its column's left edge, leaving the rest of the column free.
 */
function columnTitles(cols: Columns, heads: readonly ColumnTitle[], moved: boolean): Segment[] {
  const segments: Segment[] = [
    { text: " " },
    { text: padLeft("PRICE", cols.price), role: "muted" },
    { text: "  " },
    { text: padLeft("SIZE", cols.size), role: "muted" },
    { text: " " },
  ];
  for (let i = 0; i < heads.length; i++) {
    const h = heads[i] as ColumnTitle;
    const text =
      moved && i === heads.length - 1
        ? h.title
        : h.left
          ? padRight(h.title, h.width)
          : padLeft(h.title, h.width);
    segments.push({ text: h.gap }, { text, role: "muted" });
  }
  return segments;
}

/**
 * The titles line: each column's title over its column, then the notes over the depth bar (`DEPTH` and as
 * many notes as fit: the notes say more than the bar's title, so they take its place, and the last ones go
 * first). The grouping (`group 10.0`), when there is one, is never left off: it is what a row spans. When it
 * does not fit there, it is `grp 10.0`; then the last title moves to its column's left edge, leaving the rest
 * of its column to the notes. Undefined when even that leaves no room for it: the caller gives up a column.
 */
function titleSegments(
  cols: Columns,
  heads: readonly ColumnTitle[],
  group: string | undefined,
  others: readonly string[],
  width: number,
): Segment[] | undefined {
  const notes = group === undefined ? others : [`group ${group}`, ...others];
  const segments = columnTitles(cols, heads, false);
  const bar = cols.bar > 0;
  const gap = bar ? "  " : " ";
  const room = width - textWidth(segments) - gap.length;
  const aligned = fitNotes(notes, room, bar ? "DEPTH" : "");
  if (aligned !== undefined) {
    if (bar) segments.push({ text: gap }, { text: aligned, role: "muted" });
    else segments.push({ text: ` ${aligned}`, role: "muted" });
    return segments;
  }
  if (group === undefined) {
    if (bar) segments.push({ text: "  " }, { text: "DEPTH", role: "muted" });
    return segments;
  }
  const short = [`grp ${group}`, ...others];
  const abridged = fitNotes(short, room, "");
  if (abridged !== undefined) return [...segments, { text: gap }, { text: abridged, role: "muted" }];
  if (heads.length === 0) return undefined;
  const moved = columnTitles(cols, heads, true);
  const free = width - textWidth(moved) - 2;
  const text = fitNotes(notes, free, "") ?? fitNotes(short, free, "");
  return text === undefined ? undefined : [...moved, { text: "  " }, { text, role: "muted" }];
}

/** The titles line for these columns, or undefined when it has no room for the grouping (see titleSegments). */
function ladderTitles(
  cols: Columns,
  group: string | undefined,
  deepShown: boolean,
  depth: number | undefined,
  vapTitle: string | undefined,
  width: number,
): Segment[] | undefined {
  const heads: ColumnTitle[] = [];
  if (cols.last > 0) heads.push({ gap: " ", title: "LAST", width: cols.last, left: true });
  if (cols.showCum) heads.push({ gap: "  ", title: "CUM", width: cols.cum, left: false });
  if (cols.vap > 0) heads.push({ gap: "  ", title: vapTitle ?? "", width: cols.vap, left: false });
  const others: string[] = [];
  if (depth !== undefined) others.push(`book ${depth}`);
  if (deepShown && cols.showCum) others.push("~ past level 10: unverified");
  return titleSegments(cols, heads, group, others, width);
}

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
  const { book, state, rowsPerSide: n, width, group, flash, now, market } = input;
  const grouped = book === undefined ? undefined : groupBook(book, group, input.pair);
  const asks = grouped?.asks.slice(0, n) ?? [];
  const bids = grouped?.bids.slice(0, n) ?? [];
  const pd = grouped?.priceDecimals ?? 0;
  const qd = grouped?.qtyDecimals ?? 0;
  const step = BigInt(Math.max(1, Math.trunc(group))) * (grouped?.tick ?? 1n);
  const askCum = cumulative(asks);
  const bidCum = cumulative(bids);
  // Running totals only grow (sizes are positive): the largest is the last of either side.
  const askMax = askCum[askCum.length - 1] ?? 0n;
  const bidMax = bidCum[bidCum.length - 1] ?? 0n;
  const vap: VapByRow | undefined =
    market === undefined || grouped === undefined ? undefined : vapByRow(market.vap, pd, step);
  const askText = rowTexts(asks, askCum, pd, qd, vap?.ask);
  const bidText = rowTexts(bids, bidCum, pd, qd, vap?.bid);
  const trade = market?.lastTrade;
  const marked = trade !== undefined && markLastTrade(trade, askText, bidText, pd, qd, step);
  const deepShown = asks.some((l) => l.deep === true) || bids.some((l) => l.deep === true);
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
  const lastWidth =
    market === undefined || trade === undefined ? 0 : lastColumnWidth(lastMark(trade, qd), sizeWidth);
  const vapWidth = market === undefined ? 0 : Math.max(2 * VAP_CELL + 1, market.vapTitle.length);
  // Notes on the titles line, most telling first: what a row spans, the Kraken depth, the coverage mark. The
  // grouping needs room there: when the titles leave none, the columns go for it as for a narrow pane.
  const groupText = book !== undefined && group > 1 ? groupSizeText(group, pd, grouped?.tick) : undefined;
  const titleWidth = width - (input.titleMargin ?? 0);
  let cols = columnsFor(width, priceWidth, sizeWidth, cumWidth, lastWidth, vapWidth);
  let headSegments = ladderTitles(cols, groupText, deepShown, book?.depth, market?.vapTitle, titleWidth);
  for (let drop = 1; headSegments === undefined && drop <= 3; drop++) {
    cols = columnsFor(width, priceWidth, sizeWidth, cumWidth, lastWidth, vapWidth, drop);
    headSegments = ladderTitles(cols, groupText, deepShown, book?.depth, market?.vapTitle, titleWidth);
  }
  // Not even PRICE and SIZE leave it room: it is cut at the pane's edge, as any line is.
  headSegments ??= [
    ...columnTitles(cols, [], false),
    { text: " " },
    { text: `grp ${groupText}`, role: "muted" },
  ];
  const rows: RowContext = {
    cols,
    maxCum: askMax > bidMax ? askMax : bidMax,
    live: state === "live",
    verified: book !== undefined && verifiedState(book.state),
    flash,
    now,
    width,
  };

  // Asks: worst at the top, best next to the spread row; empty rows pad the far end.
  const askLines: Line[] = [];
  for (let i = n - 1; i >= 0; i--) askLines.push(sideRow("ask", askText, i, rows));
  const bidLines: Line[] = [];
  for (let i = 0; i < n; i++) bidLines.push(sideRow("bid", bidText, i, rows));
  return {
    titles: clipLine(line("columns", headSegments), width),
    asks: askLines,
    spread:
      input.nothingToWatch === undefined
        ? middleLine(book, state, pd, width, now, marked || trade === undefined ? "" : lastAt(trade, pd, qd))
        : plain("spread", centre(` ${input.nothingToWatch} `, width, "─"), { role: "warn", bold: true }),
    bids: bidLines,
  };
}

/** A pair status other than `online` as a badge: `[POST_ONLY]`; empty for online or unknown. */
export function pairBadge(status: string | undefined): string {
  if (status === undefined || status === "online") return "";
  return `[${sanitize(status).toUpperCase()}]`;
}

/**
 * ` · last ▼ S 0.0500 @ 63388.7`: the last trade in the spread row when no row shows its price (at `pd`, or at
 * its own digits if more).
 */
function lastAt(trade: TradeView, pd: number, qd: number): string {
  return ` · last ${lastMark(trade, qd).slice(2)} @ ${displayDecimal(trade.price, pd)}`;
}

/**
 * The spread row; a pair not `online` has its badge first (a wide spread in post-only is no signal); the
 * last trade at its end when no row shows its price (the trade took the whole level).
 */
function middleLine(
  book: BookView | undefined,
  state: DisplayState,
  pd: number,
  width: number,
  now: number,
  last = "",
): Line {
  const badge = pairBadge(book?.pairStatus);
  const l = middleText(book, state, pd, width, now, badge === "" ? "" : `${badge} `, last);
  return badge === "" ? l : plain("spread", l.text, { role: "warn", bold: true });
}

function middleText(
  book: BookView | undefined,
  state: DisplayState,
  pd: number,
  width: number,
  now: number,
  badge: string,
  last: string,
): Line {
  if (state === "lagging" && book?.lagMs !== undefined) {
    const label = ` ${badge}${GLYPHS.lagging} LAGGING — ${formatLag(book.lagMs)} behind the exchange, prices may be out of date `;
    return plain("spread", centre(label, width, "─"), { role: "warn", bold: true });
  }
  if (state !== "live") {
    const reason = book?.reason === undefined ? "" : `: ${sanitize(book.reason)}`;
    const wait = retryWait(book, state, now);
    const full = ` ${badge}${GLYPHS[state]} ${stateLabel(state, wait)}${reason} `;
    // Too narrow for it all: the wait, which the cut would take first, is kept.
    const label =
      wait !== undefined && full.length > width
        ? ` ${badge}${GLYPHS[state]} ${state === "resyncing" ? "RESYNCING, " : ""}again in ${wait} `
        : full;
    return plain("spread", centre(label, width, "─"), { role: "warn", bold: true });
  }
  const spread = book === undefined ? undefined : spreadOf(book, pd);
  const figures =
    spread === undefined
      ? [`spread —`]
      : [`spread ${spread.spread}`, `${spread.bps} bps`, `mid ${spread.mid}`];
  // Too narrow for it all: figures are left off whole, the last trade first, then from the end; never cut.
  let label = ` ${badge}${figures.join(" · ")}${last} `;
  for (let n = figures.length; label.length > width && n > 0; n--)
    label = ` ${badge}${figures.slice(0, n).join(" · ")} `;
  return plain("spread", centre(label, width, "─"), { role: "spread" });
}
