import { InvalidArgumentError, Option } from "commander";
import type { Command } from "commander";
import { DEFAULT_BANDS, DEFAULT_NOTIONAL } from "../analytics/types.js";
import type { AppOptions } from "../app/options.js";
import { DEEPEST_BOOK } from "../protocol/types.js";
import { MAX_SYNTHETIC_PAIRS } from "../sim/synthetic.js";
import { parsePositiveInt } from "./parsers.js";

/** The whole-market flags (the ladder's and serve's), as commander hands them over. */
export type MarketFlags = {
  quote?: string;
  all?: boolean;
  pairs?: number;
};

/** The ladder's flags for whole markets and analytics (issue 18), as commander hands them over. */
export type WatchFlags = MarketFlags & {
  analytics?: boolean;
  bps: readonly string[];
  notional: string;
  jsonLevels?: number;
  board?: boolean;
};

/**
 * A positive exact decimal, normalised (`010` → `10`, `2.50` → `2.5`); no exponent, no sign. Text only:
 * every run parses its flags, and decimal.js is not worth its load time for this.
 */
export function parsePositiveDecimal(value: string): string {
  const parts = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  const whole = parts?.[1]?.replace(/^0+(?=\d)/, "");
  const fraction = (parts?.[2] ?? "").replace(/0+$/, "");
  if (whole === undefined || (whole === "0" && fraction === ""))
    throw new InvalidArgumentError("expected a decimal number above 0, e.g. 10 or 2.5.");
  return fraction === "" ? whole : `${whole}.${fraction}`;
}

/** `--bps 10,50,100`: a comma-separated list of positive decimals, duplicates dropped, order kept. */
export function parseBands(value: string): string[] {
  const bands = value.split(",").map((b) => parsePositiveDecimal(b));
  return [...new Set(bands)];
}

/** `--quote USD`: one asset name, letters and digits, upper-cased. */
export function parseQuote(value: string): string {
  const quote = value.trim().toUpperCase();
  if (!/^[A-Z0-9]{1,16}$/.test(quote)) throw new InvalidArgumentError("expected an asset name, e.g. USD.");
  return quote;
}

/** `--pairs N`: synthetic pairs for the built-in market, at most MAX_SYNTHETIC_PAIRS. */
export function parsePairs(value: string): number {
  const n = parsePositiveInt(value);
  if (n > MAX_SYNTHETIC_PAIRS)
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_SYNTHETIC_PAIRS}.`);
  return n;
}

/** `--json-levels N`: at most the deepest book Kraken serves. */
export function parseJsonLevels(value: string): number {
  const n = parsePositiveInt(value);
  if (n > DEEPEST_BOOK)
    throw new InvalidArgumentError(`expected a whole number from 1 to ${DEEPEST_BOOK}, the deepest book.`);
  return n;
}

/** The whole-market flags, the ladder's and serve's: --quote, --all, and the demo's --pairs. */
export function addMarketOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--quote <asset>", "watch every online pair quoted in ASSET (from the instrument list)")
        .argParser(parseQuote)
        .conflicts("all"),
    )
    .option("--all", "watch every online pair the exchange lists")
    .option("--pairs <n>", "demo: add N synthetic pairs to the built-in market", parsePairs);
}

/** The part of the feed's options the whole-market flags set. */
export function toMarketOptions(f: MarketFlags): Pick<AppOptions, "market" | "pairs"> {
  return {
    ...(f.all === true
      ? { market: { kind: "all" } as const }
      : f.quote === undefined
        ? {}
        : { market: { kind: "quote", quote: f.quote } as const }),
    ...(f.pairs === undefined ? {} : { pairs: f.pairs }),
  };
}

/** Adds the whole-market and analytics flags to the root command. */
export function addWatchOptions(cmd: Command): Command {
  return addMarketOptions(cmd)
    .option("--analytics", "NDJSON: add liquidity, cost and imbalance to each live book line")
    .option("--board", "ladder: start on the board of every watched symbol (b toggles it)")
    .addOption(
      new Option(
        "--bps <list>",
        "analytics and the board: liquidity bands in bps of the mid, comma-separated",
      )
        .argParser(parseBands)
        .default(DEFAULT_BANDS, DEFAULT_BANDS.join(",")),
    )
    .addOption(
      new Option(
        "--notional <n>",
        "analytics and the board: trade size for the cost figures, in quote currency",
      )
        .argParser(parsePositiveDecimal)
        .default(DEFAULT_NOTIONAL, DEFAULT_NOTIONAL),
    )
    .option(
      "--json-levels <n>",
      "NDJSON: add the top N levels of each side to book lines (opening the books deep enough)",
      parseJsonLevels,
    );
}

/** The part of AppOptions these flags set. */
export function toWatchOptions(
  f: WatchFlags,
): Pick<AppOptions, "market" | "analytics" | "jsonLevels" | "pairs" | "board" | "figures"> {
  return {
    ...toMarketOptions(f),
    ...(f.analytics === true ? { analytics: { bands: f.bps, notional: f.notional } } : {}),
    ...(f.jsonLevels === undefined ? {} : { jsonLevels: f.jsonLevels }),
    ...(f.board === true ? { board: true } : {}),
    figures: { bands: f.bps, notional: f.notional },
  };
}
