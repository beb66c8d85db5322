import type { AnalyticsOptions } from "../analytics/types.js";
import type { ColorMode } from "../config/settings-types.js";
import type { FeedOptions, MarketSelection } from "../feed/types.js";

/** How the ladder draws, from flags, the environment or the config file (see cli/settings.ts). */
export type DisplayOptions = {
  readonly color: ColorMode;
  /** ASCII characters only (`--ascii`, or a locale that is not UTF-8). */
  readonly ascii: boolean;
  /** Price grouping per symbol at start, in ticks. */
  readonly grouping: ReadonlyMap<string, number>;
  /** The config file this run reads (it may not exist): where the watchlist is saved (saveWatchlist). */
  readonly configPath: string;
};

/** Options of the root command (the ladder), after commander has validated each value. */
export type AppOptions = Pick<
  FeedOptions,
  | "url"
  | "fps"
  | "recordPath"
  | "readTimeoutMs"
  | "pingIntervalMs"
  | "staleAfterMs"
  | "maxLagMs"
  | "quietAfterMs"
  | "maxFrameBytes"
  | "backoffBaseMs"
  | "backoffCapMs"
  | "backoffResetMs"
  | "subscribeTimeoutMs"
> & {
  /** As typed; checked and normalised by the feed before connecting. */
  readonly symbols: readonly string[];
  readonly depth?: number;
  readonly json: boolean;
  /** Colour, glyphs and grouping of the ladder; the defaults (auto colour, Unicode, no grouping) without. */
  readonly display?: DisplayOptions;
  /** The ladder's volume-at-price window (`--vap-window`), ms. */
  readonly vapWindowMs?: number;
  readonly durationMs?: number;
  /** Run against the built-in server in-process. */
  readonly demo: boolean;
  /** Run against the built-in server replaying this recording. */
  readonly replayPath?: string;
  /** Replay speed factor; Infinity for `max`. */
  readonly speed: number;
  /** Demo server seed and update rate (messages per second per symbol). */
  readonly seed?: number;
  readonly rate?: number;
  /** Demo: synthetic pairs added to the built-in market (`--pairs`). */
  readonly pairs?: number;
  /** Watch every online pair of the exchange's list with this quote, or all of them (`--quote`, `--all`). */
  readonly market?: MarketSelection;
  /** NDJSON: figures on each live book line (`--analytics`, `--bps`, `--notional`). */
  readonly analytics?: AnalyticsOptions;
  /** NDJSON: the top N levels of each side on each book line (`--json-levels`). */
  readonly jsonLevels?: number;
  /** The ladder starts on the board (`--board`). */
  readonly board?: boolean;
  /** The board's liquidity bands and trade size (`--bps`, `--notional`), whether or not `--analytics`. */
  readonly figures?: AnalyticsOptions;
};

export const DEFAULT_DEPTH = 25;
/** `--quote` and `--all` watch hundreds of books: the shallowest depth unless `--depth` says otherwise. */
export const DEFAULT_MARKET_DEPTH = 10;
/**
 * The frame cap: 1 MiB is about 15 times the largest real Kraken frame (a depth-1000 snapshot, ~70 KB),
 * and small enough that reading and applying one frame takes a fraction of a second.
 */
export const DEFAULT_MAX_FRAME = 1024 * 1024;

/** Whether the root command streams NDJSON rather than drawing the ladder: `--json`, or stdout not a terminal. */
export function streamsNdjson(
  json: boolean | undefined,
  stdout: { readonly isTTY?: boolean } = process.stdout,
): boolean {
  return json === true || stdout.isTTY !== true;
}

/** A whole market as a person reads it: `every online pair`, `every online USD pair`. */
export function marketName(market: MarketSelection): string {
  return market.kind === "all" ? "every online pair" : `every online ${market.quote} pair`;
}
