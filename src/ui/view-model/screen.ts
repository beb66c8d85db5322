import { connectionCurrent } from "../../feed/servable.js";
import type { BookView, ConnectionState, FeedView } from "../../feed/types.js";
import type { FlashMemory } from "./flash.js";
import type { HeaderRow } from "./header.js";
import { headerRowLine, headerRows } from "./header.js";
import { helpWindow } from "./help.js";
import type { Notice } from "./notices.js";
import { noticeLine } from "./notices.js";
import type { SearchState } from "./search.js";
import { searchLines } from "./search.js";
import type { LadderRows } from "./ladder.js";
import { groupBook, ladderRows } from "./ladder.js";
import type { Line } from "./line.js";
import { clipLine, dimLine, line, plain, sameLine } from "./line.js";
import { displayState } from "./state.js";
import { recordingLine } from "./recording.js";
import { statusLine } from "./status.js";
import type { SymbolMarket } from "../market.js";
import { TAPE_WIDTH, tapeLines, tapeNotCurrent } from "./tape.js";
import { tickerLine } from "./ticker.js";
import { vapTitle } from "./vap.js";
import type { BoardFigures, BoardSort } from "./board.js";
import { boardLines } from "./board.js";

/** From this many columns the tape sits beside the ladder, which gains the last-trade and volume columns. */
export const WIDE_COLUMNS = 120;

/** Below this the ladder cannot show anything useful: a "pane too small" message instead. */
export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;

export type ScreenInput = {
  readonly view: FeedView | undefined;
  /** Symbols in command-line order. */
  readonly symbols: readonly string[];
  readonly selected: number;
  /** Grouping factor (ticks) of the selected symbol. */
  readonly group: number;
  readonly help: boolean;
  readonly columns: number;
  readonly rows: number;
  readonly flash: FlashMemory | undefined;
  readonly now: number;
  /** First help line shown (the help scrolls when it does not fit). */
  readonly helpScroll?: number;
  /** The `/` overlay, when open: the exchange's pairs and what was typed. */
  readonly search?: { readonly pairs: readonly string[]; readonly state: SearchState };
  /** The newest notice (rate-limited by the store); a stopped recording's line takes its place. */
  readonly notice?: Notice;
  /** The selected symbol's trades, ticker and instrument, once any is heard. */
  readonly market?: SymbolMarket | undefined;
  /** The exchange's system status (`status` channel), once heard. */
  readonly system?: string | undefined;
  /**
   * `t` was pressed in a narrow pane (below WIDE_COLUMNS): the tape in place of the ladder there. Each layout
   * has its own flag, so a resize from one to the other shows that layout as `t` last left it there.
   */
  readonly narrowTapeShown?: boolean;
  /** `t` was pressed in a wide pane: no tape beside the ladder there. */
  readonly wideTapeHidden?: boolean;
  /** The volume column's window (`--vap-window`), ms. */
  readonly vapWindowMs?: number;
  /** `b`: the board of every watched symbol in place of the ladder. */
  readonly board?: BoardState;
  /** Why the feed has nothing to watch (a market that lists no pair), said while no symbol is watched. */
  readonly nothingToWatch?: string | undefined;
};

/** What the board needs besides the view: its figures, sort, scroll and the analytics options. */
export type BoardState = {
  readonly figures: BoardFigures;
  readonly sort: BoardSort;
  /** The first row shown last time. */
  readonly top: number;
  readonly bands: readonly string[];
  readonly notional: string;
};

/** What every screen has. */
type Frame = {
  /** Levels per side the ladder can show: what to ask the feed for (before grouping); 0 when too small. */
  readonly rowsPerSide: number;
  readonly width: number;
  /** Lines in the frame: never more than rows - 1, so Ink never scrolls or clears the screen. */
  readonly height: number;
};

/** The ladder: header, the selected book's ladder, blank lines to fill the height, the status bar. */
export type LadderScreen = Frame & {
  readonly kind: "ladder";
  readonly header: readonly HeaderRow[];
  /** The selected symbol's ticker under the header, from its subscription (`ticker —` until heard). */
  readonly ticker: Line | undefined;
  readonly ladder: LadderRows;
  /** The ladder's width: the pane's, less the tape's when the tape is beside it. */
  readonly ladderWidth: number;
  /** The time-and-sales tape beside the ladder (wide panes), as many lines as the ladder has rows. */
  readonly tape: readonly Line[] | undefined;
  /** Blank lines between the ladder and the status bar, so the status bar sits on the frame's last line. */
  readonly padding: number;
  /** A warning above the status bar (the recording stopped), or none. */
  readonly notice: Line | undefined;
  readonly status: Line;
};

/** An overlay in place of the ladder: the help, or the `/` search. */
export type HelpScreen = Frame & {
  readonly kind: "help" | "search";
  /** The first help line shown (clamped), so the store scrolls from where the screen is. */
  readonly scroll: number;
  readonly header: readonly HeaderRow[];
  readonly help: readonly Line[];
  readonly padding: number;
  readonly notice: Line | undefined;
  readonly status: Line;
};

/** The time-and-sales tape in place of the ladder (`t` in a narrow pane). */
export type TapeScreen = Frame & {
  readonly kind: "tape";
  readonly header: readonly HeaderRow[];
  readonly ticker: Line | undefined;
  readonly tape: readonly Line[];
  readonly padding: number;
  readonly notice: Line | undefined;
  readonly status: Line;
};

/** The board: one row per watched symbol (`b`), the selection marked and kept in view. */
export type BoardScreen = Frame & {
  readonly kind: "board";
  readonly title: Line;
  readonly columns: Line;
  readonly rows: readonly Line[];
  /** Every symbol in the board's order, the first row shown and how many fit: the keys move through them. */
  readonly order: readonly string[];
  readonly top: number;
  readonly page: number;
  readonly padding: number;
  readonly notice: Line | undefined;
  readonly status: Line;
};

/** Below the minimum size: the message alone. */
export type TooSmallScreen = Frame & {
  readonly kind: "too-small";
  readonly lines: readonly Line[];
};

/** The whole frame, by component: each part is plain data the component draws as it is. */
export type Screen = LadderScreen | HelpScreen | TapeScreen | BoardScreen | TooSmallScreen;

/** Key of the `i`th blank line after the body. */
export function paddingKey(i: number): string {
  return `pad-${i}`;
}

/** The frame's lines, top to bottom (a header row as one line; padding as empty lines). */
export function screenLines(screen: Screen): Line[] {
  switch (screen.kind) {
    case "too-small":
      return [...screen.lines];
    case "board": {
      const body = [screen.title, screen.columns, ...screen.rows];
      const padding: Line[] = [];
      for (let i = 0; i < screen.padding; i++) padding.push(line(paddingKey(body.length + i), []));
      const notice = screen.notice === undefined ? [] : [screen.notice];
      return [...body, ...padding, ...notice, screen.status];
    }
    case "ladder":
    case "help":
    case "search":
    case "tape": {
      const body =
        screen.kind === "ladder" ? ladderBody(screen) : screen.kind === "tape" ? screen.tape : screen.help;
      const padding: Line[] = [];
      for (let i = 0; i < screen.padding; i++) padding.push(line(paddingKey(body.length + i), []));
      const notice = screen.notice === undefined ? [] : [screen.notice];
      const ticker =
        (screen.kind === "ladder" || screen.kind === "tape") && screen.ticker !== undefined
          ? [screen.ticker]
          : [];
      return [...screen.header.map(headerRowLine), ...ticker, ...body, ...padding, ...notice, screen.status];
    }
    default:
      return screen satisfies never;
  }
}

/** Every line of the ladder padded to `width`, so the tape's line can follow it on the same line. */
function padLadder(rows: LadderRows, width: number): LadderRows {
  const pad = (l: Line): Line =>
    l.text.length >= width ? l : line(l.key, [...l.segments, { text: " ".repeat(width - l.text.length) }]);
  return {
    titles: pad(rows.titles),
    asks: rows.asks.map(pad),
    spread: pad(rows.spread),
    bids: rows.bids.map(pad),
  };
}

/** The ladder's lines, each followed by the tape's line beside it (if the tape is shown). */
function ladderBody(screen: LadderScreen): Line[] {
  const rows = [screen.ladder.titles, ...screen.ladder.asks, screen.ladder.spread, ...screen.ladder.bids];
  const tape = screen.tape;
  if (tape === undefined) return rows;
  return rows.map((l, i) => {
    const beside = tape[i];
    if (beside === undefined) return l;
    const pad = screen.ladderWidth - l.text.length;
    return line(l.key, [...l.segments, { text: " ".repeat(Math.max(0, pad)) }, ...beside.segments]);
  });
}

/** `next`'s line, or `prev`'s where it draws the same: unchanged lines keep their identity. */
function keep(prev: Line | undefined, next: Line): Line {
  return prev !== undefined && sameLine(prev, next) ? prev : next;
}

/** `next`, or `prev` itself when every line draws the same; otherwise unchanged lines are `prev`'s. */
function keepLines(prev: readonly Line[] | undefined, next: readonly Line[]): readonly Line[] {
  if (prev === undefined) return next;
  let same = prev.length === next.length;
  const out: Line[] = [];
  for (let i = 0; i < next.length; i++) {
    const l = keep(prev[i], next[i] as Line);
    if (l !== prev[i]) same = false;
    out.push(l);
  }
  return same ? prev : out;
}

function keepHeader(prev: readonly HeaderRow[], next: readonly HeaderRow[]): readonly HeaderRow[] {
  let same = prev.length === next.length;
  const out: HeaderRow[] = [];
  for (let i = 0; i < next.length; i++) {
    const row = next[i] as HeaderRow;
    const old = prev[i];
    const tabs = keepLines(old?.key === row.key ? old.tabs : undefined, row.tabs);
    const kept = old !== undefined && tabs === old.tabs ? old : { key: row.key, tabs };
    if (kept !== old) same = false;
    out.push(kept);
  }
  return same ? prev : out;
}

function keepNotice(prev: Line | undefined, next: Line | undefined): Line | undefined {
  return prev === undefined || next === undefined ? next : keep(prev, next);
}

function keepLadder(prev: LadderRows, next: LadderRows): LadderRows {
  const titles = keep(prev.titles, next.titles);
  const asks = keepLines(prev.asks, next.asks);
  const spread = keep(prev.spread, next.spread);
  const bids = keepLines(prev.bids, next.bids);
  const same = titles === prev.titles && asks === prev.asks && spread === prev.spread && bids === prev.bids;
  return same ? prev : { titles, asks, spread, bids };
}

/**
 * `next` with every line that draws as in `prev` replaced by `prev`'s own object, or `prev` itself when the
 * two draw identically. So whether a line changed is a question of identity for the components (their memo
 * compares props by identity), and a screen that did not change is the same object.
 */
export function keepUnchanged(prev: Screen, next: Screen): Screen {
  if (prev.width !== next.width || prev.height !== next.height || prev.rowsPerSide !== next.rowsPerSide)
    return next;
  switch (next.kind) {
    case "too-small": {
      if (prev.kind !== "too-small") return next;
      const lines = keepLines(prev.lines, next.lines);
      return lines === prev.lines ? prev : { ...next, lines };
    }
    case "board": {
      if (prev.kind !== "board") return next;
      const title = keep(prev.title, next.title);
      const columns = keep(prev.columns, next.columns);
      const rows = keepLines(prev.rows, next.rows);
      const notice = keepNotice(prev.notice, next.notice);
      const status = keep(prev.status, next.status);
      const same =
        title === prev.title &&
        columns === prev.columns &&
        rows === prev.rows &&
        notice === prev.notice &&
        status === prev.status &&
        prev.padding === next.padding &&
        prev.top === next.top;
      // (The order is the store's to keep: a screen that draws the same is the same.)
      if (same) return prev;
      return { ...next, title, columns, rows, notice, status };
    }
    case "help":
    case "search": {
      if (prev.kind !== next.kind) return next;
      const header = keepHeader(prev.header, next.header);
      const help = keepLines(prev.help, next.help);
      const notice = keepNotice(prev.notice, next.notice);
      const status = keep(prev.status, next.status);
      if (
        header === prev.header &&
        help === prev.help &&
        notice === prev.notice &&
        status === prev.status &&
        prev.padding === next.padding
      )
        return prev;
      return { ...next, header, help, notice, status };
    }
    case "ladder": {
      if (prev.kind !== "ladder") return next;
      const header = keepHeader(prev.header, next.header);
      const ladder = keepLadder(prev.ladder, next.ladder);
      const notice = keepNotice(prev.notice, next.notice);
      const status = keep(prev.status, next.status);
      const ticker = keepNotice(prev.ticker, next.ticker);
      const tape =
        prev.tape === undefined || next.tape === undefined ? next.tape : keepLines(prev.tape, next.tape);
      const same =
        header === prev.header &&
        ladder === prev.ladder &&
        notice === prev.notice &&
        status === prev.status &&
        ticker === prev.ticker &&
        tape === prev.tape;
      if (same && prev.padding === next.padding && prev.ladderWidth === next.ladderWidth) return prev;
      return { ...next, header, ladder, notice, status, ticker, tape };
    }
    case "tape": {
      if (prev.kind !== "tape") return next;
      const header = keepHeader(prev.header, next.header);
      const tape = keepLines(prev.tape, next.tape);
      const notice = keepNotice(prev.notice, next.notice);
      const status = keep(prev.status, next.status);
      const ticker = keepNotice(prev.ticker, next.ticker);
      const same =
        header === prev.header &&
        tape === prev.tape &&
        notice === prev.notice &&
        status === prev.status &&
        ticker === prev.ticker;
      if (same && prev.padding === next.padding) return prev;
      return { ...next, header, tape, notice, status, ticker };
    }
    default:
      return next satisfies never;
  }
}

/**
 * Header lines the layout may spend: a fifth of the height (more tabs than that holds are compact, see
 * headerRows), and the ladder keeps at least two rows a side.
 */
function headerBudget(frameHeight: number): number {
  return Math.max(1, Math.min(Math.floor(frameHeight / 5), frameHeight - 3 - 4));
}

/**
 * The whole frame as lines, from the latest view and the UI state. Pure: the same input gives the same
 * screen. Every line is at most `columns` wide and there are at most `rows - 1` of them.
 */
export function buildScreen(input: ScreenInput): Screen {
  const { view, columns, rows, now } = input;
  const width = Math.max(0, columns);
  const frameHeight = Math.max(0, rows - 1);
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) return tooSmall(width, frameHeight, columns, rows);

  const books = new Map<string, BookView>();
  for (const book of view?.books ?? []) books.set(book.symbol, book);
  const symbols = input.symbols.length > 0 ? input.symbols : (view?.books.map((b) => b.symbol) ?? []);
  const selected = Math.min(Math.max(0, input.selected), Math.max(0, symbols.length - 1));
  const symbol = symbols[selected];
  const book = symbol === undefined ? undefined : books.get(symbol);
  const connection: ConnectionState | undefined = view?.connection;

  const notice =
    view?.recording !== undefined
      ? recordingLine(view.recording, width)
      : input.notice === undefined
        ? undefined
        : noticeLine(input.notice, width);
  const status = statusLine(connection, book, now, width, input.system);
  const below = notice === undefined ? 1 : 2;
  if (input.board !== undefined && input.search === undefined && !input.help) {
    const room = frameHeight - below;
    const board = boardLines({
      symbols,
      books,
      connection,
      figures: input.board.figures,
      sort: input.board.sort,
      selected: symbol,
      top: input.board.top,
      width,
      height: room,
      now,
      bands: input.board.bands,
      notional: input.board.notional,
    });
    const body = 2 + board.rows.length;
    const padding = Math.max(0, room - body);
    return {
      kind: "board",
      rowsPerSide: 0,
      width,
      ...board,
      padding,
      notice,
      status,
      height: body + padding + below,
    };
  }
  const header = headerRows(symbols, books, connection, selected, width, headerBudget(frameHeight));
  const market = input.market;
  const state = displayState(book, connection);
  // The ticker has its line from the moment it is subscribed (every pair's is, but a books-only pair's of
  // --quote/--all), `ticker —` until it comes, and once heard keeps it, so the ladder does not jump a line
  // when the ticker comes after the book, when another pair is selected, or when the connection goes and
  // comes back. It is drawn as the exchange's word of now only while it is: the connection current and the
  // symbol's book live (it came on that stream); else dimmed, nothing bold, as the book and the tape are.
  const tickerHeld = market?.ticker !== undefined || (symbol !== undefined && book?.tradesWatched !== false);
  const ticker = !tickerHeld
    ? undefined
    : state === "live" && connectionCurrent(connection?.state)
      ? tickerLine(market?.ticker, width)
      : dimLine(tickerLine(market?.ticker, width));
  const above = header.length + (ticker === undefined ? 0 : 1);
  const room = frameHeight - above - (notice === undefined ? 1 : 2);
  const rowsPerSide = Math.max(1, Math.floor((room - 2) / 2));
  const common = { rowsPerSide, width, header, notice, status };
  // An overlay takes the ticker's line too.
  const overlayRoom = room + (ticker === undefined ? 0 : 1);
  if (input.search !== undefined) {
    const help = searchLines(input.search.pairs, symbols, input.search.state, width, overlayRoom);
    const padding = Math.max(0, overlayRoom - help.length);
    const height = header.length + help.length + padding + below;
    return { ...common, kind: "search", help, scroll: 0, padding, height };
  }
  if (input.help) {
    const { lines: help, scroll } = helpWindow(width, overlayRoom, input.helpScroll ?? 0);
    const padding = Math.max(0, overlayRoom - help.length);
    return {
      ...common,
      kind: "help",
      help,
      scroll,
      padding,
      height: header.length + help.length + padding + below,
    };
  }
  const wide = columns >= WIDE_COLUMNS;
  const tapeShown = wide ? input.wideTapeHidden !== true : input.narrowTapeShown === true;
  const pair = market?.pair;
  const grouped = book === undefined ? undefined : groupBook(book, input.group, pair);
  const decimals = {
    priceDecimals: grouped?.priceDecimals ?? pair?.pricePrecision ?? 0,
    qtyDecimals: grouped?.qtyDecimals ?? pair?.qtyPrecision ?? 0,
  };
  // A pair a market run watches from the pair list has no tape: said, not left blank.
  const tapeNote = book?.tradesWatched === false ? "no trades: books only (--quote/--all)" : undefined;
  const notCurrent = tapeNotCurrent(connection, state === "lagging");
  if (tapeShown && !wide) {
    const tape = tapeLines({
      entries: market?.tape ?? [],
      width,
      height: room,
      ...decimals,
      border: false,
      keyPrefix: "tape-overlay",
      note: tapeNote,
      notCurrent,
    });
    return { ...common, kind: "tape", ticker, tape, padding: 0, height: above + tape.length + below };
  }
  const beside = tapeShown;
  const ladderWidth = beside ? width - TAPE_WIDTH : width;
  const windowMs = input.vapWindowMs ?? 300_000;
  const ladder = ladderRows({
    book,
    state,
    nothingToWatch:
      input.symbols.length === 0 && input.nothingToWatch !== undefined
        ? `${input.nothingToWatch} · / adds a pair`
        : undefined,
    rowsPerSide,
    width: ladderWidth,
    titleMargin: beside ? 1 : 0,
    group: input.group,
    flash: input.flash,
    now,
    pair,
    market:
      beside && market !== undefined
        ? {
            lastTrade: market.lastTrade,
            vap: market.vap,
            vapTitle: vapTitle(windowMs, market.gapTimes.length > 0),
          }
        : undefined,
  });
  const body = 2 * rowsPerSide + 2;
  const drawn = beside ? padLadder(ladder, ladderWidth) : ladder;
  const tape = beside
    ? tapeLines({
        entries: market?.tape ?? [],
        width: TAPE_WIDTH,
        height: body,
        ...decimals,
        border: true,
        keyPrefix: "tape",
        note: tapeNote,
        notCurrent,
      })
    : undefined;
  const padding = Math.max(0, room - body);
  return {
    ...common,
    kind: "ladder",
    ticker,
    ladder: drawn,
    ladderWidth,
    tape,
    padding,
    height: above + body + padding + below,
  };
}

function tooSmall(width: number, frameHeight: number, columns: number, rows: number): TooSmallScreen {
  const lines = [
    plain("small-1", "pane too small", { bold: true, role: "warn" }),
    plain("small-2", `need ${MIN_COLUMNS}×${MIN_ROWS}`),
    plain("small-3", `have ${columns}×${rows}`),
    plain("small-4", "q quits", { role: "muted" }),
  ]
    .slice(0, frameHeight)
    .map((l) => clipLine(l, width));
  return { kind: "too-small", lines, rowsPerSide: 0, width, height: lines.length };
}
