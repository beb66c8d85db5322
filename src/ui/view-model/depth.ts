import type { BookView, LevelView } from "../../feed/types.js";
import type { Side } from "./grouping.js";
import { groupBook } from "./ladder.js";
import { bookPriceDecimals } from "./numbers.js";
import { buildScreen } from "./screen.js";
import { toUnits } from "./units.js";

/** The depths Kraken offers, shallowest first. */
export const KRAKEN_DEPTHS: readonly number[] = [10, 25, 100, 500, 1000];

/** A shallower depth is taken only when it holds the levels the rows need with this much to spare. */
const SPARE = 1.5;

/**
 * Raw levels of one side that the first `rows` grouped rows use; Infinity when the side fills fewer rows
 * than that (all of it is needed, and more).
 */
function levelsNeeded(
  levels: readonly LevelView[],
  side: Side,
  group: number,
  decimals: number,
  rows: number,
): number {
  const step = BigInt(Math.max(1, group));
  let buckets = 0;
  let last: bigint | undefined;
  for (let i = 0; i < levels.length; i++) {
    const ticks = toUnits((levels[i] as LevelView).price, decimals);
    const rem = ((ticks % step) + step) % step;
    const bucket = side === "bid" ? ticks - rem : rem === 0n ? ticks : ticks - rem + step;
    if (bucket !== last) {
      buckets++;
      last = bucket;
      if (buckets > rows) return i;
    }
  }
  return buckets >= rows ? levels.length : Infinity;
}

/**
 * The Kraken depth a live book should move to so that `rows` grouped rows a side are filled, or undefined
 * to stay: the next deeper one when a side fills fewer rows while holding every level of its depth (the
 * exchange has more); the next shallower one (never below `base`, the depth asked at start) when it holds
 * what the rows need with room to spare, or exactly `base` when that is enough (going back to what the user
 * asked for).
 */
export function depthChange(book: BookView, group: number, rows: number, base: number): number | undefined {
  const depth = book.depth;
  if (depth === undefined || book.state !== "live" || rows <= 0) return undefined;
  const at = KRAKEN_DEPTHS.indexOf(depth);
  if (at < 0) return undefined;
  const grouped = groupBook(book, group);
  const short = (side: readonly unknown[], raw: readonly LevelView[]): boolean =>
    side.length < rows && raw.length >= depth;
  if (at < KRAKEN_DEPTHS.length - 1 && (short(grouped.asks, book.asks) || short(grouped.bids, book.bids)))
    return KRAKEN_DEPTHS[at + 1];
  const lower = KRAKEN_DEPTHS[at - 1];
  if (lower === undefined || lower < base) return undefined;
  const decimals = bookPriceDecimals(book);
  const needed = Math.max(
    levelsNeeded(book.asks, "ask", group, decimals, rows),
    levelsNeeded(book.bids, "bid", group, decimals, rows),
  );
  if (needed * SPARE <= lower || (lower === base && needed <= base)) return lower;
  return undefined;
}

/**
 * The depth to open the ladder's books at in a pane of `columns` × `rows` when no depth was asked for:
 * `depth` (the default), or the shallowest deeper Kraken depth that fills the ladder's rows a side, so that
 * a tall pane does not start at the default and resubscribe deeper right after its first live frame (the
 * book would show as syncing meanwhile). The rows are those of the ladder before any view (no ticker line:
 * one line more than once live, which can only err deeper).
 */
export function launchDepth(
  depth: number,
  symbols: readonly string[],
  columns: number,
  rows: number,
): number {
  const screen = buildScreen({
    view: undefined,
    symbols,
    selected: 0,
    group: 1,
    help: false,
    columns,
    rows,
    flash: undefined,
    now: 0,
  });
  const wanted = Math.max(depth, screen.rowsPerSide);
  return KRAKEN_DEPTHS.find((d) => d >= wanted) ?? depth;
}
