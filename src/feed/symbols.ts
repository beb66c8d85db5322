/** Symbol checks done before connecting: v2 `BASE/QUOTE` names, upper-cased, legacy names mapped. */

export const DEFAULT_SYMBOL = "BTC/USD";

/** Kraken v1 asset names that v2 rejects, and their v2 names. */
const LEGACY: Readonly<Record<string, string>> = { XBT: "BTC", XDG: "DOGE" };

const ASSET = /^[A-Z0-9]{1,16}$/;

/** `BASE/QUOTE` from two checked asset names, legacy names mapped. */
function v2Name(base: string, quote: string): string {
  return `${LEGACY[base] ?? base}/${LEGACY[quote] ?? quote}`;
}

/** The v2 name of a symbol typed as `BASE/QUOTE` (any case, legacy names mapped), or undefined. */
export function pairOf(typed: string): string | undefined {
  const parts = typed.trim().toUpperCase().split("/");
  return parts.length === 2 && ASSET.test(parts[0]!) && ASSET.test(parts[1]!)
    ? v2Name(parts[0]!, parts[1]!)
    : undefined;
}

/** Quote currencies a pair typed without a separator most likely ends in (longest first where one prefixes another). */
const QUOTES = ["USDT", "USDC", "USD", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD", "BTC", "XBT", "ETH"];

/**
 * The v2 name a bad symbol probably meant, or undefined: `BTC-USD` (serve's URL form), `btc_usd` or `BTC:USD`
 * with its separator as `/`; `BTCUSD` split before a common quote currency. Legacy names are mapped.
 */
function meant(typed: string): string | undefined {
  const text = typed.trim().toUpperCase();
  const parts = text.split(/[-_:. ]/);
  let pair: [string, string] | undefined;
  if (parts.length === 2) pair = [parts[0]!, parts[1]!];
  else if (parts.length === 1) {
    const quote = QUOTES.find((q) => text.length > q.length && text.endsWith(q));
    if (quote !== undefined) pair = [text.slice(0, -quote.length), quote];
  }
  if (pair === undefined || !pair.every((a) => ASSET.test(a))) return undefined;
  return v2Name(...pair);
}

/** The pairs a symbol holding several meant (`BTC/USD,ETH/USD`, `"BTC/USD ETH/USD"`: a list pasted as one), or undefined. */
function several(typed: string): string[] | undefined {
  const items = typed.split(/[\s,;]+/).filter((s) => s !== "");
  if (items.length < 2) return undefined;
  const names = items.map((item) => pairOf(item) ?? meant(item));
  return names.every((n) => n !== undefined) ? names : undefined;
}

/** What a bad symbol's message adds: what is wrong with it when that can be told, else a full stop. */
function hint(typed: string): string {
  const parts = typed.trim().toUpperCase().split("/");
  const long = parts.length === 2 ? parts.find((asset) => /^[A-Z0-9]{17,}$/.test(asset)) : undefined;
  if (long !== undefined) return `; ${long} has ${long.length}, and an asset's name at most 16.`;
  const pairs = several(typed);
  if (pairs !== undefined)
    return `; it holds ${pairs.length} pairs: give each on its own, ${pairs.join(" ")}`;
  const guess = meant(typed);
  return guess === undefined ? "." : `; did you mean ${guess}?`;
}

export class SymbolError extends Error {
  override readonly name = "SymbolError";
}

export type NormalisedSymbols = {
  /** v2 names, in command-line order, without duplicates. */
  readonly symbols: readonly string[];
  /** One line per legacy name mapped (e.g. `XBT/USD → BTC/USD`). */
  readonly notices: readonly string[];
};

/**
 * Checks and normalises symbols as typed; none given means BTC/USD.
 * Throws `SymbolError` naming the first bad one.
 */
export function normaliseSymbols(input: readonly string[]): NormalisedSymbols {
  const symbols: string[] = [];
  const notices: string[] = [];
  for (const typed of input.length === 0 ? [DEFAULT_SYMBOL] : input) {
    const mapped = pairOf(typed);
    if (mapped === undefined) {
      throw new SymbolError(
        `bad symbol ${JSON.stringify(typed)}: expected BASE/QUOTE, e.g. BTC/USD (letters and digits only)${hint(typed)}`,
      );
    }
    if (mapped !== typed.trim().toUpperCase()) notices.push(`${typed} is a legacy name; using ${mapped}.`);
    if (!symbols.includes(mapped)) symbols.push(mapped);
  }
  return { symbols, notices };
}
