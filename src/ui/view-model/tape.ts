import { connectionCurrent } from "../../feed/servable.js";
import type { ConnectionState, TradeView } from "../../feed/types.js";
import { sanitize } from "../../text/sanitize.js";
import type { Line, Segment } from "./line.js";
import { clipLine, dimLine, line } from "./line.js";
import { centre, padLeft, padRight } from "./text.js";
import { displayDecimal, widenDecimals } from "./units.js";

/** One entry of a symbol's tape: a trade, or a break in its trade ids (where the break was heard). */
export type TapeEntry =
  | { readonly kind: "trade"; readonly trade: TradeView }
  | { readonly kind: "gap"; readonly expected: number; readonly got: number };

export type TapeInput = {
  /** Oldest first (as heard); drawn newest first. */
  readonly entries: readonly TapeEntry[];
  readonly width: number;
  /** Lines to draw, the title included. */
  readonly height: number;
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  /** A `│` before every line: the tape beside the ladder. */
  readonly border: boolean;
  /** Key prefix: `tape` beside the ladder, `tape-overlay` in place of it. */
  readonly keyPrefix: string;
  /** Said on the first line under the title while no trade is shown (why none will come). */
  readonly note?: string | undefined;
  /**
   * Said in place of the title while the connection is not current (tapeNotCurrent) and the tape shows
   * anything: its entries stay, dimmed, as a book's prices do, but nothing says they are the market now. An
   * empty tape (at start) shows nothing as current, and keeps its title.
   */
  readonly notCurrent?: string | undefined;
};

/** The tape's title while trades cannot be current, by connection state: no countdown, so it holds still. */
const NOT_CURRENT: { readonly [S in ConnectionState["state"]]?: string } = {
  connecting: "◌ connecting",
  quiet: "◔ connection quiet",
  stalled: "◔ feed stalled",
  reconnecting: "○ reconnecting",
  ended: "■ replay ended",
  stopped: "■ stopped",
};

/**
 * ` ○ NOT CURRENT — reconnecting`: the tape's title while the connection is not current (see
 * connectionCurrent: trades may be missing since), or while its pair's book lags (the stream it comes on
 * is behind the exchange: so are its trades); undefined while it is current.
 */
export function tapeNotCurrent(
  connection: ConnectionState | undefined,
  lagging: boolean,
): string | undefined {
  if (connectionCurrent(connection?.state)) return lagging ? "◔ NOT CURRENT — lagging" : undefined;
  const why = connection === undefined ? "◌ starting" : (NOT_CURRENT[connection.state] ?? connection.state);
  return `${why.slice(0, 1)} NOT CURRENT — ${why.slice(2)}`;
}

/** Width of the tape beside the ladder (its border included). */
export const TAPE_WIDTH = 42;

/** `08:35:26` from Kraken's `2026-12-05T08:35:26.123456Z`; other text sanitised and cut to 8. */
export function tapeTime(time: string): string {
  const m = /T(\d\d:\d\d:\d\d)/.exec(time);
  return m?.[1] ?? padRight(sanitize(time).slice(0, 8), 8);
}

/** `▲ B` for a taker buy, `▼ S` for a taker sell: readable without colour. */
export function sideMark(side: TradeView["side"]): string {
  return side === "buy" ? "▲ B" : "▼ S";
}

/** The gap mark's text: `── gap: expected 125, got 128 ──` (a repeat when `got` is not ahead). */
export function gapText(expected: number, got: number): string {
  return `${got < expected ? "repeat" : "gap"}: expected ${expected}, got ${got}`;
}

/**
 * The gap mark's line, `── gap: expected 125, got 128 ──`, centred in `width` with two dashes a side at least.
 * Where that does not fit (ids of eight digits beside the ladder), it still starts `── ` and takes what dashes
 * are left after it, then says `exp` for `expected`; only then is it cut.
 */
export function gapMark(expected: number, got: number, width: number): string {
  const text = gapText(expected, got);
  if (text.length + 6 <= width) return centre(` ${text} `, width, "─");
  for (const form of [text, text.replace(": expected ", ": exp ")]) {
    const lead = `── ${form}`;
    if (lead.length > width) continue;
    return width - lead.length >= 2 ? `${lead} ${"─".repeat(width - lead.length - 1)}` : lead;
  }
  return centre(` ${text} `, width, "─");
}

/**
 * The time-and-sales tape: a title, then trades newest first (time, side, price, size) with a marked line
 * wherever the trade ids broke. Exactly `height` lines, each at most `width` wide.
 */
export function tapeLines(input: TapeInput): Line[] {
  const { entries, width, height, border, keyPrefix } = input;
  const lead: Segment[] = border ? [{ text: "│", role: "muted" }] : [];
  const inner = Math.max(0, width - lead.length);
  const shown: TapeEntry[] = [];
  for (let i = entries.length - 1; i >= 0 && shown.length < height - 1; i--)
    shown.push(entries[i] as TapeEntry);
  // As the book's columns: the pair's precision, widened to the most digits a shown trade has, so no price or
  // size is cut and the column still lines up on the point.
  let pd = input.priceDecimals;
  let qd = input.qtyDecimals;
  for (const e of shown) {
    if (e.kind !== "trade") continue;
    pd = widenDecimals(pd, e.trade.price);
    qd = widenDecimals(qd, e.trade.qty);
  }
  const texts = shown.map((e) =>
    e.kind === "trade"
      ? { price: displayDecimal(e.trade.price, pd), qty: displayDecimal(e.trade.qty, qd) }
      : undefined,
  );
  let pw = 5;
  let qw = 4;
  for (const t of texts) {
    if (t === undefined) continue;
    pw = Math.max(pw, t.price.length);
    qw = Math.max(qw, t.qty.length);
  }
  const lines: Line[] = [];
  const stale = shown.length > 0 ? input.notCurrent : undefined;
  const title = ` TIME     SIDE ${padLeft("PRICE", pw)}  ${padLeft("SIZE", qw)}`;
  lines.push(
    clipLine(
      line(`${keyPrefix}-title`, [
        ...lead,
        stale === undefined
          ? { text: padRight(title, inner), role: "muted" }
          : { text: padRight(` ${stale}`, inner), role: "warn", bold: true },
      ]),
      width,
    ),
  );
  // The entries as they are drawn live; dimmed, as a book that is not live, while not current (the border not).
  const entry = (l: Line): Line =>
    stale === undefined
      ? l
      : line(l.key, [...l.segments.slice(0, lead.length), ...dimLine(l).segments.slice(lead.length)]);
  for (let i = 0; i < height - 1; i++) {
    const key = `${keyPrefix}-${i}`;
    const e = shown[i];
    const t = texts[i];
    if (e === undefined) {
      const note = i === 0 && shown.length === 0 ? input.note : undefined;
      lines.push(
        note === undefined
          ? line(key, lead)
          : clipLine(line(key, [...lead, { text: ` ${note}`, role: "muted" }]), width),
      );
      continue;
    }
    if (e.kind === "gap") {
      const text = gapMark(e.expected, e.got, inner);
      lines.push(entry(clipLine(line(key, [...lead, { text, role: "warn", bold: true }]), width)));
      continue;
    }
    const role = e.trade.side === "buy" ? "bid" : "ask";
    lines.push(
      entry(
        clipLine(
          line(key, [
            ...lead,
            { text: ` ${tapeTime(e.trade.time)} ` },
            { text: sideMark(e.trade.side), role, bold: true },
            { text: `  ${padLeft(t?.price ?? "", pw)}`, role },
            { text: `  ${padLeft(t?.qty ?? "", qw)}` },
          ]),
          width,
        ),
      ),
    );
  }
  return lines;
}
