import { bookFigures, figuresAllowed } from "./book-figures.js";
import { orderKeys } from "./order-keys.js";
import type { OrderKeys } from "./order-keys.js";
import { SpreadWindow } from "./spread-window.js";
import type { SpreadSummary } from "./spread-window.js";
import { touchSpreadBps } from "./touch.js";
import type { AnalyticsLevel, AnalyticsOptions, BookFigures } from "./types.js";

/** What the figures need of a published book (a feed `BookView` has all of it). */
export type FigureSource = {
  readonly symbol: string;
  readonly state: string;
  /** Bumped whenever anything the view shows of the book changes: figures are recomputed only then. */
  readonly version: number;
  readonly bids: readonly AnalyticsLevel[];
  readonly asks: readonly AnalyticsLevel[];
};

/** One symbol's figures now: none unless the book is live (see figuresAllowed); its spread over the window. */
export type SymbolFigures = {
  readonly symbol: string;
  readonly figures: BookFigures | undefined;
  readonly spread: SpreadSummary | undefined;
};

type Entry = {
  version: number;
  allowed: boolean;
  source: FigureSource | undefined;
  /** `null`: not computed for this version yet (figures are computed when first asked for). */
  figures: BookFigures | undefined | null;
  /** Likewise for the keys a board sorts by. */
  keys: OrderKeys | undefined | null;
  /** The spread in bps of the current version, when allowed and both sides have a level. */
  spreadBps: string | undefined;
  /** The touch prices the spread was worked out from (undefined when not allowed). */
  bid: string | undefined;
  ask: string | undefined;
  readonly window: SpreadWindow;
};

/**
 * The figures of every watched book, for a board: fed each published view, it records each live book's
 * spread in bps once a step into a rolling window (median, p95 and a sparkline series over the last 5
 * minutes by default), and computes a book's full figures at most once per change of the book (its
 * `version`), when first asked for: a board sorted by spread computes them only for the rows it shows.
 * A book that is not live shows no figures, and adds nothing to its window; the window keeps what it saw
 * while live. Time is passed in; no I/O. The views should carry every level each book holds (feed
 * `levels` ≥ the depth): a walk that runs off fewer levels is still flagged as a bound, honestly, but
 * needlessly.
 */
export class MarketFigures {
  private readonly books = new Map<string, Entry>();

  constructor(
    private readonly options: AnalyticsOptions,
    private readonly windowMs = 300_000,
    private readonly stepMs = 1_000,
  ) {}

  /** Takes one published view: its books and the connection's state, at `now` (epoch ms). */
  update(books: readonly FigureSource[], connection: string, now: number): void {
    for (const b of books) {
      let entry = this.books.get(b.symbol);
      if (entry === undefined) {
        entry = {
          version: -1,
          allowed: false,
          source: undefined,
          figures: undefined,
          keys: undefined,
          spreadBps: undefined,
          bid: undefined,
          ask: undefined,
          window: new SpreadWindow(this.windowMs, this.stepMs),
        };
        this.books.set(b.symbol, entry);
      }
      const allowed = figuresAllowed(b.state, connection);
      if (entry.version !== b.version || entry.allowed !== allowed || entry.source !== b) {
        const changed = entry.version !== b.version || entry.allowed !== allowed;
        entry.source = b;
        if (changed) {
          entry.version = b.version;
          entry.allowed = allowed;
          entry.figures = allowed ? null : undefined;
          entry.keys = allowed ? null : undefined;
          // Most changes of a book leave its touch as it was: the spread is worked out again only when not.
          const bid = allowed ? b.bids[0]?.price : undefined;
          const ask = allowed ? b.asks[0]?.price : undefined;
          if (bid !== entry.bid || ask !== entry.ask) {
            entry.bid = bid;
            entry.ask = ask;
            entry.spreadBps = bid === undefined || ask === undefined ? undefined : touchSpreadBps(bid, ask);
          }
        }
      }
      if (entry.spreadBps !== undefined) entry.window.add(now, entry.spreadBps);
    }
  }

  /** A symbol's figures (computed now if not yet for this version); undefined unless live. */
  figuresOf(symbol: string): BookFigures | undefined {
    const entry = this.books.get(symbol);
    if (entry === undefined) return undefined;
    if (entry.figures === null)
      entry.figures = entry.source === undefined ? undefined : bookFigures(entry.source, this.options);
    return entry.figures;
  }

  /** What a board sorts a live book by (see OrderKeys), computed at most once per version. */
  orderKeysOf(symbol: string): OrderKeys | undefined {
    const entry = this.books.get(symbol);
    if (entry === undefined) return undefined;
    if (entry.keys === null)
      entry.keys = entry.source === undefined ? undefined : orderKeys(entry.source, this.options);
    return entry.keys;
  }

  /** A live book's spread in bps (PLACES decimals), without computing its other figures. */
  spreadBpsOf(symbol: string): string | undefined {
    return this.books.get(symbol)?.spreadBps;
  }

  /** A symbol's spread summary over the window ending at `now`. */
  summaryOf(symbol: string, now: number): SpreadSummary | undefined {
    return this.books.get(symbol)?.window.summary(now);
  }

  /** A symbol's figures and spread summary at `now`; undefined for a symbol never seen. */
  of(symbol: string, now: number): SymbolFigures | undefined {
    if (!this.books.has(symbol)) return undefined;
    return { symbol, figures: this.figuresOf(symbol), spread: this.summaryOf(symbol, now) };
  }
}
