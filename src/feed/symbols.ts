/** Symbol checks done before connecting: v2 `BASE/QUOTE` names, upper-cased, legacy names mapped. */

export const DEFAULT_SYMBOL = "BTC/USD";

/** Kraken v1 asset names that v2 rejects, and their v2 names. */
const LEGACY: Readonly<Record<string, string>> = { XBT: "BTC", XDG: "DOGE" };

const ASSET = /^[A-Z0-9]{1,16}$/;

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
    const parts = typed.trim().toUpperCase().split("/");
    if (parts.length !== 2 || !ASSET.test(parts[0]!) || !ASSET.test(parts[1]!)) {
      throw new SymbolError(
        `bad symbol ${JSON.stringify(typed)}: expected BASE/QUOTE, e.g. BTC/USD (letters and digits only).`,
      );
    }
    const mapped = parts.map((a) => LEGACY[a] ?? a).join("/");
    if (mapped !== parts.join("/")) notices.push(`${typed} is a legacy name; using ${mapped}.`);
    if (!symbols.includes(mapped)) symbols.push(mapped);
  }
  return { symbols, notices };
}
