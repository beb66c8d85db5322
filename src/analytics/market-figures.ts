import { bookFigures, figuresAllowed } from "./book-figures.js";
import { SpreadWindow } from "./spread-window.js";
import type { SpreadSummary } from "./spread-window.js";
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

/**
 * The figures of every watched book, for a board: fed each published view, it computes a book's figures
 * once per change of the book (its `version`) and records its spread in bps once a step into a rolling
 * window (median, p95 and a sparkline series over the last 5 minutes by default). A book that is not live
 * shows no figures, and adds nothing to its window; the window keeps what it saw while live. Time is
 * passed in; no I/O. The views should carry every level each book holds (feed `levels` ≥ the depth): a
 * walk that runs off fewer levels is still flagged as a bound, honestly, but needlessly.
 */
export class MarketFigures {
  private readonly books = new Map<
    string,
    { version: number; allowed: boolean; figures: BookFigures | undefined; window: SpreadWindow }
  >();

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
          figures: undefined,
          window: new SpreadWindow(this.windowMs, this.stepMs),
        };
        this.books.set(b.symbol, entry);
      }
      const allowed = figuresAllowed(b.state, connection);
      if (entry.version !== b.version || entry.allowed !== allowed) {
        entry.version = b.version;
        entry.allowed = allowed;
        entry.figures = allowed ? bookFigures(b, this.options) : undefined;
      }
      if (entry.figures !== undefined) entry.window.add(now, entry.figures.spreadBps);
    }
  }

  /** A symbol's figures and spread summary at `now`; undefined for a symbol never seen. */
  of(symbol: string, now: number): SymbolFigures | undefined {
    const entry = this.books.get(symbol);
    if (entry === undefined) return undefined;
    return { symbol, figures: entry.figures, spread: entry.window.summary(now) };
  }
}
