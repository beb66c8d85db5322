import type { Decimal } from "decimal.js";

/** One price level as the book holds it: exact decimal text. */
export type AnalyticsLevel = { readonly price: string; readonly qty: string };

/** A level read once for every walk over it: exact price, size and quote value (price × size). */
export type ExactLevel = { readonly price: Decimal; readonly qty: Decimal; readonly value: Decimal };

/**
 * A verified book as the analytics see it: each side best first, every level the view carries. The
 * first `CHECKSUM_LEVELS` of each side are covered by Kraken's checksum; deeper ones are applied from
 * the same verified stream but no checksum vouches for them.
 */
export type AnalyticsBook = {
  readonly bids: readonly AnalyticsLevel[];
  readonly asks: readonly AnalyticsLevel[];
};

/** Kraken's checksum covers the top 10 levels of each side. */
export const CHECKSUM_LEVELS = 10;

/**
 * A figure from a walk over one side. `complete: false`: the walk used every level held without reaching
 * its end (the band's edge, or the notional filled), so the figure is a lower bound ("≥", depth
 * exhausted). `usesUnverified`: it counted a level past the checksummed top 10.
 */
export type WalkFlags = { readonly complete: boolean; readonly usesUnverified: boolean };

/** Quote-currency value resting within ±`bps` of the mid on one side. */
export type SideLiquidity = WalkFlags & { readonly amount: string };

export type BandLiquidity = {
  /** The band as given (`"10"`, `"2.5"`), in basis points of the mid. */
  readonly bps: string;
  readonly bid: SideLiquidity;
  readonly ask: SideLiquidity;
};

/** Slippage in basis points from the mid of spending (buy) or raising (sell) `notional` in quote currency. */
export type SideCost = WalkFlags & { readonly bps: string };

export type TradeCost = {
  readonly notional: string;
  /** Buy: walks the asks. */
  readonly buy: SideCost;
  /** Sell: walks the bids. */
  readonly sell: SideCost;
};

export type AnalyticsOptions = {
  /** Liquidity bands in basis points (exact decimal text, positive). */
  readonly bands: readonly string[];
  /** The trade size for the cost figures, in quote currency (exact decimal text, positive). */
  readonly notional: string;
};

export const DEFAULT_BANDS: readonly string[] = ["10", "50"];
export const DEFAULT_NOTIONAL = "10000";

/** Every figure of one book; only from a book that is live (see `figuresAllowed`). */
export type BookFigures = {
  readonly mid: string;
  readonly spread: string;
  readonly spreadBps: string;
  /** (best bid qty − best ask qty) / (their sum), in [−1, 1]: positive leans to the bid. */
  readonly imbalance: string;
  readonly liquidity: readonly BandLiquidity[];
  readonly cost: TradeCost;
};

/** Basis points and ratios are given to this many decimal places. */
export const PLACES = 4;
