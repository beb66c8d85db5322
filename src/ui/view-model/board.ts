import type { OrderKeys } from "../../analytics/order-keys.js";
import type { SpreadSummary } from "../../analytics/spread-window.js";
import type { BookFigures, SideCost, SideLiquidity } from "../../analytics/types.js";
import type { BookView, ConnectionState } from "../../feed/types.js";
import { sanitize } from "../../text/sanitize.js";
import { pairBadge } from "./ladder.js";
import type { Line, Role, Segment } from "./line.js";
import { clipLine, line, plain } from "./line.js";
import {
  bookPriceDecimals,
  formatDuration,
  formatLag,
  formatPrice,
  formatRate,
  spreadOf,
} from "./numbers.js";
import type { DisplayState } from "./state.js";
import { displayState, GLYPHS, retryWait } from "./state.js";
import { clip, padLeft, padRight } from "./text.js";
import { formatUnits, toUnits } from "./units.js";

/** What `o` cycles through: the board's sort column. */
export type BoardSort = "spread" | "liquidity" | "cost" | "symbol";

export const BOARD_SORTS: readonly BoardSort[] = ["spread", "liquidity", "cost", "symbol"];

/** How the title names each sort. */
export const SORT_NAMES: { readonly [S in BoardSort]: string } = {
  spread: "spread bps ▲",
  liquidity: "liquidity ▼",
  cost: "cost ▲",
  symbol: "symbol ▲",
};

export function nextSort(sort: BoardSort): BoardSort {
  return BOARD_SORTS[(BOARD_SORTS.indexOf(sort) + 1) % BOARD_SORTS.length]!;
}

/** What the board reads of the figures (analytics' MarketFigures): each computed once per book version. */
export type BoardFigures = {
  figuresOf(symbol: string): BookFigures | undefined;
  orderKeysOf(symbol: string): OrderKeys | undefined;
  spreadBpsOf(symbol: string): string | undefined;
  summaryOf(symbol: string, now: number): SpreadSummary | undefined;
};

export type BoardInput = {
  /** The watched symbols, in watch order. */
  readonly symbols: readonly string[];
  readonly books: ReadonlyMap<string, BookView>;
  readonly connection: ConnectionState | undefined;
  readonly figures: BoardFigures;
  readonly sort: BoardSort;
  /** The selected symbol: its row is marked and kept in view. */
  readonly selected: string | undefined;
  /** The first row shown last time (the window moves only as far as the selection needs). */
  readonly top: number;
  readonly width: number;
  /** Lines for the board: title, column titles and rows. */
  readonly height: number;
  readonly now: number;
  /** Liquidity bands (`--bps`), the first two shown; and the cost's trade size (`--notional`). */
  readonly bands: readonly string[];
  readonly notional: string;
};

export type BoardLines = {
  readonly title: Line;
  readonly columns: Line;
  readonly rows: readonly Line[];
  /** Every symbol in the board's order (the keys move through it). */
  readonly order: readonly string[];
  /** The first row shown, and how many rows fit. */
  readonly top: number;
  readonly page: number;
};

type Row = {
  readonly symbol: string;
  readonly state: DisplayState;
  readonly book: BookView | undefined;
  /** Only for a book that may show figures (verified and current on a live connection). */
  readonly live: boolean;
};

const num = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));

/**
 * The order of the rows for a sort. Spread and cost ascending (cheapest first), liquidity descending
 * (deepest first, the first band's bid and ask together), symbol alphabetical. A row without figures (not
 * live) sorts after every row with them. A cost that is only a bound (the walk ran off the book) comes
 * after every complete one. Keys are numbers for ordering only (a near-tie may order either way); every
 * figure shown is the exact one. Ties go by symbol. (Keys in arrays beside the rows: it runs over every
 * watched symbol each frame.)
 */
export function boardOrder<R extends Row>(rows: readonly R[], sort: BoardSort, figures: BoardFigures): R[] {
  const n = rows.length;
  const keys: (number | undefined)[] = new Array<number | undefined>(n);
  const bounds: boolean[] = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (!r.live || sort === "symbol") continue;
    if (sort === "spread") {
      keys[i] = num(figures.spreadBpsOf(r.symbol));
      continue;
    }
    // A view without every level of its book cannot be walked (it has its levels by the next view).
    const k = r.book?.cut === true ? undefined : figures.orderKeysOf(r.symbol);
    if (k === undefined) continue;
    if (sort === "liquidity") {
      keys[i] = -k.liquidity;
    } else {
      keys[i] = k.cost;
      bounds[i] = k.costBound;
    }
  }
  const index = Array.from({ length: n }, (_, i) => i);
  index.sort((a, b) => {
    if (sort !== "symbol") {
      const ka = keys[a];
      const kb = keys[b];
      if (ka === undefined && kb !== undefined) return 1;
      if (kb === undefined && ka !== undefined) return -1;
      if (bounds[a] !== bounds[b]) return bounds[a] ? 1 : -1;
      if (ka !== undefined && kb !== undefined && ka !== kb) return ka - kb;
    }
    const sa = rows[a]!.symbol;
    const sb = rows[b]!.symbol;
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
  return index.map((i) => rows[i]!);
}

/** The first row to show so that `selected` is in view, moving from `top` no further than needed. */
export function boardTop(count: number, selected: number, page: number, top: number): number {
  const rows = Math.max(1, page);
  let t = Math.max(0, Math.min(top, count - rows));
  if (selected >= 0 && selected < t) t = selected;
  if (selected >= t + rows) t = selected - rows + 1;
  return Math.max(0, t);
}

/** `text` (fixed-point, `from` decimals) to `places` decimals: half-even, or down for a bound. */
export function roundText(text: string, from: number, places: number, down: boolean): string {
  const units = toUnits(text, from);
  const scale = 10n ** BigInt(Math.max(0, from - places));
  let q = units / scale;
  const r = units - q * scale;
  const negative = units < 0n;
  if (down) {
    if (negative && r !== 0n) q -= 1n;
  } else {
    const twice = (r < 0n ? -r : r) * 2n;
    if (twice > scale || (twice === scale && q % 2n !== 0n)) q += negative ? -1n : 1n;
  }
  return formatUnits(q, places);
}

/**
 * A quote amount in few characters, three significant digits, rounded down: `0.0123`, `9.87`, `950`,
 * `12.3k`, `4.56M`, `1.2B`. Exact (integer arithmetic on the text).
 */
export function compactAmount(text: string): string {
  const whole = toUnits(text, 0);
  const units: readonly [bigint, string][] = [
    [1_000_000_000n, "B"],
    [1_000_000n, "M"],
    [1_000n, "k"],
  ];
  for (const [size, suffix] of units) {
    if (whole < size) continue;
    const tenths = whole >= size * 100n ? 0 : whole >= size * 10n ? 1 : 2;
    const scaled = (whole * 10n ** BigInt(tenths)) / size;
    return `${formatUnits(scaled, tenths)}${suffix}`;
  }
  if (whole >= 100n) return whole.toString();
  if (whole >= 10n) return formatUnits(toUnits(text, 1), 1);
  if (whole >= 1n) return formatUnits(toUnits(text, 2), 2);
  // Below 1: three significant digits after the leading zeros, at most 8 decimals.
  const fraction = text.includes(".") ? text.slice(text.indexOf(".") + 1) : "";
  const zeros = fraction.length - fraction.replace(/^0+/, "").length;
  const places = Math.min(8, zeros + 3);
  const units8 = toUnits(text, places);
  return units8 === 0n ? "0" : formatUnits(units8, places);
}

/** `≥` when the walk ran off the book (a lower bound), `~` when it used levels past the checksummed 10. */
function marks(flags: { readonly complete: boolean; readonly usesUnverified: boolean }): string {
  return `${flags.complete ? "" : "≥"}${flags.usesUnverified ? "~" : ""}`;
}

function liquidityCell(l: SideLiquidity): string {
  return `${marks(l)}${compactAmount(l.amount)}`;
}

function costCell(c: SideCost): string {
  return `${marks(c)}${roundText(c.bps, 4, 2, !c.complete)}`;
}

const SPARKS = "▁▂▃▄▅▆▇█";

/**
 * The series as a sparkline of at most `width` cells: each cell the highest spread of its share of the
 * window, scaled between the series' lowest and highest (a flat series is a flat line). Display only.
 */
export function sparkline(series: readonly string[], width: number): string {
  if (series.length === 0 || width <= 0) return "";
  const values = series.map(Number);
  const cells = Math.min(width, values.length);
  const buckets: number[] = [];
  for (let i = 0; i < cells; i++) {
    const from = Math.floor((i * values.length) / cells);
    const to = Math.max(from + 1, Math.floor(((i + 1) * values.length) / cells));
    let max = Number.NEGATIVE_INFINITY;
    for (let j = from; j < to; j++) max = Math.max(max, values[j]!);
    buckets.push(max);
  }
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return buckets
    .map((v) => SPARKS[hi > lo ? Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 7.999)) : 0]!)
    .join("");
}

const SPARK_WIDTH = 12;

/** The sparkline of each series (a window's summary keeps its series until its samples change). */
const SPARKLINES = new WeakMap<readonly string[], string>();

function cachedSparkline(series: readonly string[]): string {
  let hit = SPARKLINES.get(series);
  if (hit === undefined) SPARKLINES.set(series, (hit = sparkline(series, SPARK_WIDTH)));
  return hit;
}

type Column = {
  readonly title: string;
  readonly align: "left" | "right";
  /** At least this wide (the title's width otherwise). */
  readonly min?: number;
  readonly role?: Role;
  /** The cell of a row with figures. */
  readonly cell: (c: Cells) => string;
};

/** One row's texts, made once per shown row. */
type Cells = {
  readonly bid: string;
  readonly ask: string;
  readonly spread: string;
  readonly bps: string;
  readonly mid: string;
  readonly liquidity: readonly (readonly [bid: string, ask: string])[];
  readonly buy: string;
  readonly sell: string;
  readonly imbalance: string;
  readonly median: string;
  readonly p95: string;
  readonly spark: string;
  readonly rate: string;
  readonly lag: string;
};

function columnsFor(bands: readonly string[], notional: string): Column[] {
  const size = compactAmount(notional).replace(/\.0+(?=[kMB])/, "");
  const cols: Column[] = [
    { title: "BID", align: "right", role: "bid", cell: (c) => c.bid },
    { title: "ASK", align: "right", role: "ask", cell: (c) => c.ask },
    { title: "SPREAD", align: "right", cell: (c) => c.spread },
    { title: "BPS", align: "right", role: "spread", cell: (c) => c.bps },
    { title: "MID", align: "right", cell: (c) => c.mid },
  ];
  bands.slice(0, 2).forEach((band, i) => {
    cols.push(
      { title: `BID±${band}`, align: "right", role: "bid", cell: (c) => c.liquidity[i]?.[0] ?? "" },
      { title: `ASK±${band}`, align: "right", role: "ask", cell: (c) => c.liquidity[i]?.[1] ?? "" },
    );
  });
  cols.push(
    { title: `BUY ${size}`, align: "right", cell: (c) => c.buy },
    { title: `SELL ${size}`, align: "right", cell: (c) => c.sell },
    { title: "IMB", align: "right", cell: (c) => c.imbalance },
    { title: "MED5m", align: "right", cell: (c) => c.median },
    { title: "P95", align: "right", cell: (c) => c.p95 },
    { title: "SPREAD 5m", align: "left", min: SPARK_WIDTH, role: "spread", cell: (c) => c.spark },
    { title: "MSG/S", align: "right", cell: (c) => c.rate },
    { title: "LAG", align: "right", cell: (c) => c.lag },
  );
  return cols;
}

function cellsOf(
  book: BookView,
  f: BookFigures | undefined,
  summary: SpreadSummary | undefined,
  bands: number,
): Cells {
  const decimals = bookPriceDecimals(book);
  const bid = book.bid ?? book.bids[0];
  const ask = book.ask ?? book.asks[0];
  const s = spreadOf(book, decimals);
  const none = "—";
  // The view has not every level of the book yet (it came into view): its walks wait for the next view.
  const walked = book.cut === true ? undefined : f;
  const pending = "…";
  return {
    bid: bid === undefined ? none : formatPrice(bid.price, decimals),
    ask: ask === undefined ? none : formatPrice(ask.price, decimals),
    spread: s?.spread ?? none,
    bps: f === undefined ? none : roundText(f.spreadBps, 4, 2, false),
    mid: s?.mid ?? none,
    liquidity:
      walked === undefined
        ? Array.from({ length: bands }, () => [pending, pending] as const)
        : walked.liquidity.slice(0, bands).map((b) => [liquidityCell(b.bid), liquidityCell(b.ask)] as const),
    buy: walked === undefined ? pending : costCell(walked.cost.buy),
    sell: walked === undefined ? pending : costCell(walked.cost.sell),
    imbalance: f === undefined ? none : signed(roundText(f.imbalance, 4, 2, false)),
    median: summary === undefined ? none : roundText(summary.median, decimalsOf(summary.median), 2, false),
    p95: summary === undefined ? none : roundText(summary.p95, decimalsOf(summary.p95), 2, false),
    spark: summary === undefined ? "" : cachedSparkline(summary.series),
    rate: formatRate(book.messagesPerSecond),
    lag: book.lagMs === undefined ? none : formatDuration(book.lagMs),
  };
}

function decimalsOf(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

function signed(text: string): string {
  return text.startsWith("-") || /^0\.0*$/.test(text) ? text : `+${text}`;
}

const WARN_STATES: ReadonlySet<DisplayState> = new Set(["rejected", "disconnected", "ended", "lagging"]);

/**
 * The board: a title (how it is sorted, which rows are shown), the column titles and one row per watched
 * symbol in the sort's order, as many as fit, the window following the selection. Each row: the symbol,
 * its state (glyph and word, the pair's status badge when not online), then, for a book that is verified
 * and current, its prices and figures; a book that is not shows its state alone (and why, when known).
 * Columns are dropped from the right until a row fits the width; the symbol, state and prices never are.
 */
/**
 * A row's text when its book shows no figures: how far behind a lagging book is (as the ladder's spread row
 * says it); else when it is subscribed again if it waits out a backoff, and why, when the feed said.
 */
function stateOnlyText(book: BookView | undefined, state: DisplayState, now: number): string {
  if (state === "lagging" && book?.lagMs !== undefined) return `${formatLag(book.lagMs)} behind the exchange`;
  const why = book?.reason === undefined ? "" : sanitize(book.reason);
  const wait = retryWait(book, state, now);
  if (wait === undefined) return why;
  return why === "" ? `again in ${wait}` : `again in ${wait}: ${why}`;
}

export function boardLines(input: BoardInput): BoardLines {
  const { books, connection, figures, width, now } = input;
  const rows: Row[] = input.symbols.map((symbol) => {
    const book = books.get(symbol);
    const state = displayState(book, connection);
    // `live` and `stale` are shown only on an open socket (displayState: feed/servable.ts's rule).
    const live =
      book !== undefined &&
      (state === "live" || state === "stale") &&
      figures.spreadBpsOf(symbol) !== undefined;
    return { symbol, state, book, live };
  });
  const ordered = boardOrder(rows, input.sort, figures);
  const order = ordered.map((r) => r.symbol);
  const page = Math.max(1, input.height - 2);
  const selectedAt = input.selected === undefined ? -1 : order.indexOf(input.selected);
  const top = boardTop(ordered.length, selectedAt, page, input.top);
  const shown = ordered.slice(top, top + page);

  const bandCount = Math.min(2, input.bands.length);
  const cells = shown.map((r) =>
    r.live && r.book !== undefined
      ? cellsOf(r.book, figures.figuresOf(r.symbol), figures.summaryOf(r.symbol, now), bandCount)
      : undefined,
  );
  const symbolWidth = Math.max(7, ...shown.map((r) => sanitize(r.symbol).length));
  const badges = shown.map((r) => pairBadge(r.book?.pairStatus));
  const badgeWidth = Math.max(0, ...badges.map((b) => b.length));
  const stateWords = shown.map((r) => r.state as string);
  const stateWidth = Math.max(5, ...stateWords.map((w) => w.length)) + (badgeWidth > 0 ? badgeWidth + 1 : 0);

  const all = columnsFor(input.bands, input.notional);
  const widths = all.map((col) =>
    Math.max(col.min ?? 0, col.title.length, ...cells.map((c) => (c === undefined ? 0 : col.cell(c).length))),
  );
  // The fixed part: marker, symbol, state (glyph and word, or the glyph alone when narrow).
  const fixed = (words: boolean): number => 1 + symbolWidth + 1 + (words ? 2 + stateWidth : 1);
  const pricesWidth = widths[0]! + 1 + widths[1]! + 1;
  const words = fixed(true) + pricesWidth <= width;
  let used = fixed(words);
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const w = widths[i]! + 1;
    if (i >= 2 && used + w > width) break;
    used += w;
    count = i + 1;
  }
  const cols = all.slice(0, count);

  const sortCol: Record<BoardSort, string | undefined> = {
    spread: "BPS",
    liquidity: all[5]?.title,
    cost: all.find((c) => c.title.startsWith("BUY"))?.title,
    symbol: "SYMBOL",
  };
  const sortTitle = sortCol[input.sort];
  const head: Segment[] = [
    { text: ` ${padRight("SYMBOL", symbolWidth)} `, bold: true, inverse: sortTitle === "SYMBOL" },
    { text: words ? padRight("STATE", 2 + stateWidth) : " ", bold: true },
  ];
  cols.forEach((col, i) => {
    const w = widths[i]!;
    const text = col.align === "right" ? padLeft(col.title, w) : padRight(col.title, w);
    head.push({ text: " " }, { text, bold: true, ...(col.title === sortTitle ? { inverse: true } : {}) });
  });

  const lines = shown.map((r, i) => {
    const isSelected = r.symbol === input.selected;
    // The selection is inverse, and bold only on a live book: a stale row's figures stay dim under it.
    const base: Omit<Segment, "text"> = !isSelected
      ? {}
      : r.state === "live"
        ? { inverse: true, bold: true }
        : { inverse: true };
    const stateRole: Role = r.state === "live" ? "good" : WARN_STATES.has(r.state) ? "warn" : "muted";
    const badge = badges[i]!;
    const stateText = words
      ? `${GLYPHS[r.state]} ${padRight(`${r.state}${badge === "" ? "" : ` ${badge}`}`, stateWidth)}`
      : GLYPHS[r.state];
    const segments: Segment[] = [
      { text: isSelected ? "▶" : " ", ...base },
      { text: `${padRight(sanitize(r.symbol), symbolWidth)} `, ...base },
      { text: stateText, role: stateRole, ...base },
    ];
    const c = cells[i];
    if (c === undefined) {
      // State only: a book that is not live shows no figures.
      const text = stateOnlyText(r.book, r.state, now);
      segments.push({ text: text === "" ? "" : `  ${text}`, role: "muted", ...base });
    } else {
      cols.forEach((col, ci) => {
        const w = widths[ci]!;
        const text = col.cell(c);
        segments.push(
          { text: " ", ...base },
          {
            text: col.align === "right" ? padLeft(text, w) : padRight(text, w),
            ...(col.role === undefined ? {} : { role: col.role }),
            ...(r.state === "stale" ? { dim: true } : {}),
            ...base,
          },
        );
      });
    }
    return clipLine(line(`board-${i}`, segments), width);
  });

  const range = ordered.length === 0 ? "no symbols" : `${top + 1}–${top + shown.length} of ${ordered.length}`;
  const title = plain(
    "board-title",
    clip(
      ` BOARD · ${range} · sorted by ${SORT_NAMES[input.sort]} (o) · ↑↓ Enter: ladder · b: back · ? help`,
      width,
    ),
    { bold: true, role: "accent" },
  );
  return { title, columns: clipLine(line("board-columns", head), width), rows: lines, order, top, page };
}
