import { bookFigures, figuresAllowed } from "../analytics/book-figures.js";
import type { AnalyticsOptions, BookFigures } from "../analytics/types.js";
import type { BookView } from "../feed/types.js";

/** What `--analytics` adds to a book line, in this key order; exact decimal strings. */
export type AnalyticsFields = {
  readonly liquidity: Record<
    string,
    {
      readonly bid: string;
      readonly ask: string;
      readonly complete: boolean;
      readonly usesUnverified: boolean;
    }
  >;
  readonly cost: {
    readonly notional: string;
    readonly buyBps: string;
    readonly sellBps: string;
    readonly complete: boolean;
    readonly usesUnverified: boolean;
  };
  readonly imbalance: string;
};

/**
 * The analytics of each book line, computed on the main thread from the levels the view carries (the
 * worker publishes every level it holds when `--analytics` is on): the worker's hot path stays as it is,
 * and a book's figures are computed once per change of the book (its view's `version`), not per view.
 */
export class LineAnalytics {
  private readonly cache = new Map<string, { version: number; fields: AnalyticsFields | undefined }>();

  constructor(private readonly options: AnalyticsOptions) {}

  /** The fields for a book, or undefined when it may show no figures (not live, or not on a live connection). */
  fields(b: BookView, connection: string): AnalyticsFields | undefined {
    if (!figuresAllowed(b.state, connection)) return undefined;
    const hit = this.cache.get(b.symbol);
    if (hit !== undefined && hit.version === b.version) return hit.fields;
    const figures = bookFigures(b, this.options);
    const fields = figures === undefined ? undefined : toFields(figures);
    this.cache.set(b.symbol, { version: b.version, fields });
    return fields;
  }
}

/**
 * Per band, `complete` is false when either side's figure is a lower bound (every level held was inside
 * the band), `usesUnverified` true when either counted a level past the checksummed top 10; the same for
 * the buy and sell walks of `cost`.
 */
function toFields(f: BookFigures): AnalyticsFields {
  const liquidity: AnalyticsFields["liquidity"] = {};
  for (const band of f.liquidity) {
    liquidity[band.bps] = {
      bid: band.bid.amount,
      ask: band.ask.amount,
      complete: band.bid.complete && band.ask.complete,
      usesUnverified: band.bid.usesUnverified || band.ask.usesUnverified,
    };
  }
  const { buy, sell } = f.cost;
  return {
    liquidity,
    cost: {
      notional: f.cost.notional,
      buyBps: buy.bps,
      sellBps: sell.bps,
      complete: buy.complete && sell.complete,
      usesUnverified: buy.usesUnverified || sell.usesUnverified,
    },
    imbalance: f.imbalance,
  };
}
