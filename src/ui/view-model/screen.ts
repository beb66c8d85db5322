import type { BookView, FeedView } from "../../feed/types.js";
import type { FlashMemory } from "./flash.js";
import { headerLines } from "./header.js";
import { helpLines } from "./help.js";
import { ladderLines } from "./ladder.js";
import type { Line } from "./line.js";
import { clipLine, line, plain, sameLine } from "./line.js";
import { displayState } from "./state.js";
import { recordingLine } from "./recording.js";
import { statusLine } from "./status.js";

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
};

export type Screen = {
  readonly kind: "ladder" | "help" | "too-small";
  readonly header: readonly Line[];
  /** Ladder rows, the help overlay, or the too-small message. */
  readonly body: readonly Line[];
  readonly status: readonly Line[];
  /** Levels per side the ladder can show: what to ask the feed for (before grouping). */
  readonly rowsPerSide: number;
  readonly width: number;
  /** Lines in the frame: never more than rows - 1, so Ink never scrolls or clears the screen. */
  readonly height: number;
};

function sameLines(a: readonly Line[], b: readonly Line[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const la = a[i];
    const lb = b[i];
    if (la === undefined || lb === undefined || !sameLine(la, lb)) return false;
  }
  return true;
}

/** Whether two screens draw identically. */
export function sameScreen(a: Screen, b: Screen): boolean {
  return (
    a.kind === b.kind &&
    a.width === b.width &&
    a.height === b.height &&
    sameLines(a.header, b.header) &&
    sameLines(a.body, b.body) &&
    sameLines(a.status, b.status)
  );
}

/** Header lines the layout may spend: the ladder keeps at least two rows a side and two thirds of the height. */
function headerBudget(frameHeight: number): number {
  return Math.max(1, Math.min(Math.floor(frameHeight / 3), frameHeight - 3 - 4));
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
  const connection = view?.connection;

  const header = headerLines(symbols, books, connection, selected, width, headerBudget(frameHeight));
  const recording = view?.recording;
  const status = [
    ...(recording === undefined ? [] : [recordingLine(recording, width)]),
    statusLine(connection, book, now, width),
  ];
  const room = frameHeight - header.length - status.length;
  const rowsPerSide = Math.max(1, Math.floor((room - 2) / 2));
  const body = input.help
    ? helpLines(width, room)
    : ladderLines({
        book,
        state: displayState(book, connection),
        rowsPerSide,
        width,
        group: input.group,
        flash: input.flash,
        now,
      });
  // Pad the body so the status bar sits on the last line of the frame.
  const padded = [...body];
  for (let i = body.length; i < room; i++) padded.push(line(`pad-${i}`, []));
  return finish(input.help ? "help" : "ladder", header, padded, status, rowsPerSide, width);
}

function tooSmall(width: number, frameHeight: number, columns: number, rows: number): Screen {
  const body = [
    plain("small-1", "pane too small", { bold: true, role: "warn" }),
    plain("small-2", `need ${MIN_COLUMNS}×${MIN_ROWS}`),
    plain("small-3", `have ${columns}×${rows}`),
    plain("small-4", "q quits", { role: "muted" }),
  ]
    .slice(0, frameHeight)
    .map((l) => clipLine(l, width));
  return finish("too-small", [], body, [], 0, width);
}

function finish(
  kind: Screen["kind"],
  header: readonly Line[],
  body: readonly Line[],
  status: readonly Line[],
  rowsPerSide: number,
  width: number,
): Screen {
  return {
    kind,
    header,
    body,
    status,
    rowsPerSide,
    width,
    height: header.length + body.length + status.length,
  };
}
