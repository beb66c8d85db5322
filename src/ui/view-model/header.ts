import type { BookView, ConnectionState } from "../../feed/types.js";
import type { Line, Segment } from "./line.js";
import { clipLine, line } from "./line.js";
import { bookPriceDecimals, formatPrice, spreadOf } from "./numbers.js";
import { sanitize } from "./sanitize.js";
import type { DisplayState } from "./state.js";
import { displayState, GLYPHS, STATE_WORD_WIDTH } from "./state.js";
import { padLeft, padRight } from "./text.js";

type Cell = {
  readonly index: number;
  readonly symbol: string;
  readonly state: DisplayState;
  readonly bid: string;
  readonly ask: string;
  readonly bps: string;
};

const GAP = "  ";

function cellOf(index: number, symbol: string, book: BookView | undefined, conn?: ConnectionState): Cell {
  const state = displayState(book, conn);
  if (book === undefined) return { index, symbol: sanitize(symbol), state, bid: "—", ask: "—", bps: "—" };
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
  };
}

/**
 * Header: one cell per symbol in command-line order, packed into as many lines as the width needs:
 * `▶1 BTC/USD  ● live          63388.7 / 63388.8    0.02 bps`. The selected cell is marked (▶, inverse);
 * a cell whose book is not live is dimmed. At most `maxLines` lines: the window keeps the selected cell.
 */
export function headerLines(
  symbols: readonly string[],
  books: ReadonlyMap<string, BookView>,
  connection: ConnectionState | undefined,
  selected: number,
  width: number,
  maxLines: number,
): Line[] {
  const cells = symbols.map((s, i) => cellOf(i, s, books.get(s), connection));
  // Minimum widths keep a cell's width, and so the header's packing and the ladder's height, from
  // jumping when a book loses its prices (resyncing) or gets them back.
  const symbolWidth = Math.max(...cells.map((c) => c.symbol.length), 7);
  const bidWidth = Math.max(...cells.map((c) => c.bid.length), 9);
  const askWidth = Math.max(...cells.map((c) => c.ask.length), 9);
  const bpsWidth = Math.max(...cells.map((c) => c.bps.length), 6);
  const render = (c: Cell): Segment[] => {
    const isSelected = c.index === selected;
    const live = c.state === "live";
    const base: Omit<Segment, "text"> = isSelected
      ? { inverse: true, bold: true }
      : live
        ? {}
        : { dim: true };
    const stateRole = live ? "good" : c.state === "rejected" || c.state === "disconnected" ? "warn" : "muted";
    return [
      { text: isSelected ? "▶" : " ", ...base },
      { text: c.index < 9 ? String(c.index + 1) : " ", ...base },
      { text: ` ${padRight(c.symbol, symbolWidth)} `, ...base },
      { text: `${GLYPHS[c.state]} ${padRight(c.state, STATE_WORD_WIDTH)}`, role: stateRole, ...base },
      { text: ` ${padLeft(c.bid, bidWidth)}`, role: "bid", ...base },
      { text: " / ", ...base },
      { text: padRight(c.ask, askWidth), role: "ask", ...base },
      { text: ` ${padLeft(c.bps, bpsWidth)} bps `, ...base },
    ];
  };
  const rendered = cells.map(render);
  const cellWidth = rendered[0]?.reduce((n, s) => n + s.text.length, 0) ?? 0;
  const perLine = Math.max(1, Math.floor((width + GAP.length) / (cellWidth + GAP.length)));
  const lines: Line[] = [];
  for (let start = 0; start < rendered.length; start += perLine) {
    const segments: Segment[] = [];
    rendered.slice(start, start + perLine).forEach((cell, i) => {
      if (i > 0) segments.push({ text: GAP });
      segments.push(...cell);
    });
    lines.push(clipLine(line(`header-${lines.length}`, segments), width));
  }
  if (lines.length <= maxLines) return lines;
  const selectedLine = Math.floor(selected / perLine);
  const first = Math.min(Math.max(0, selectedLine - maxLines + 1), lines.length - maxLines);
  return lines.slice(first, first + Math.max(1, maxLines));
}
