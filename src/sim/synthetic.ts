import { CATALOGUE } from "./catalogue.js";
import type { Pair } from "./catalogue.js";
import { formatFixed } from "./format.js";
import { Random, deriveSeed } from "./random.js";

/**
 * Most synthetic pairs: Kraken lists a little over a thousand; 2000 keeps the `instrument` snapshot (about
 * 350 bytes a pair) well under the ladder's default `--max-frame` of 1 MiB.
 */
export const MAX_SYNTHETIC_PAIRS = 2000;

/** Quote currencies as Kraken lists them: USD value of one unit, and how often pairs are quoted in it. */
const QUOTES: readonly (readonly [string, number, number])[] = [
  ["USD", 1, 40],
  ["EUR", 1.08, 18],
  ["USDT", 1, 10],
  ["BTC", 63_000, 8],
  ["GBP", 1.27, 5],
  ["USDC", 1, 5],
  ["ETH", 3_100, 5],
  ["CAD", 0.73, 3],
  ["AUD", 0.66, 2],
  ["JPY", 0.0067, 2],
  ["CHF", 1.13, 2],
];
const QUOTE_WEIGHT = QUOTES.reduce((n, q) => n + q[2], 0);

/** Statuses other than `online`, for the few pairs that are not (as on the real list). */
const OFFLINE = ["cancel_only", "post_only", "limit_only", "maintenance", "reduce_only"] as const;
const OFFLINE_SHARE = 0.04;

/**
 * The built-in pairs plus `count` synthetic ones, the same for the same seed: made-up bases quoted in
 * Kraken's quote currencies, prices from 0.00001 to 60,000 USD written with 5 or 6 significant digits (so
 * price precisions from 0 to 10, and every book holds well over 1000 levels a side), size precisions from
 * 0 to 8 (fewer on cheap coins, as on Kraken), a minimum order worth about 5 USD, a few pairs not online,
 * and message rates from 1 to 40 parts, scaled so that their mean is the `--rate` (the aggregate rate is
 * pairs × `--rate`).
 */
export function catalogueWith(count: number, seed: number): readonly Pair[] {
  if (count <= 0) return CATALOGUE;
  const rng = new Random(deriveSeed(seed, "#catalogue"));
  const taken = new Set(CATALOGUE.map((p) => p.symbol));
  const drafts: Omit<Pair, "rateFactor">[] = [];
  const weights: number[] = [];
  while (drafts.length < count) {
    const [quote, quoteUsd] = pickQuote(rng);
    const base = baseName(rng);
    const symbol = `${base}/${quote}`;
    if (base === quote || taken.has(symbol)) continue;
    const usd = 10 ** (-5 + rng.next() * 9.8);
    const price = usd / quoteUsd;
    if (price < 1e-6) continue; // a cheap coin in BTC: Kraken does not list those
    const pricePrecision = Math.min(10, Math.max(0, 4 - Math.floor(Math.log10(price)) + rng.int(2)));
    const midTicks = Math.round(price * 10 ** pricePrecision);
    const minBase = 5 / usd;
    const qtyPrecision = Math.max(
      0,
      Math.min(8, Math.floor(6 - Math.log10(minBase))) - (rng.chance(0.3) ? rng.int(3) : 0),
    );
    const magnitude = 10 ** Math.floor(Math.log10(minBase));
    const minLots = Math.max(
      1,
      Math.round(Math.max(1, Math.round(minBase / magnitude)) * magnitude * 10 ** qtyPrecision),
    );
    taken.add(symbol);
    drafts.push({
      symbol,
      base,
      quote,
      pricePrecision,
      qtyPrecision,
      qtyMin: formatFixed(minLots, qtyPrecision),
      midTicks,
      status: rng.chance(OFFLINE_SHARE) ? OFFLINE[rng.int(OFFLINE.length)]! : "online",
    });
    weights.push(Math.exp(rng.next() * Math.log(40)));
  }
  const mean = weights.reduce((n, w) => n + w, 0) / weights.length;
  return [...CATALOGUE, ...drafts.map((d, i) => ({ ...d, rateFactor: weights[i]! / mean }))];
}

function pickQuote(rng: Random): readonly [string, number, number] {
  let r = rng.next() * QUOTE_WEIGHT;
  for (const q of QUOTES) {
    r -= q[2];
    if (r < 0) return q;
  }
  return QUOTES[0]!;
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A made-up asset name of 3 to 5 letters, sometimes with a digit (`1INCH`-like names exist). */
function baseName(rng: Random): string {
  const length = 3 + rng.int(3);
  let name = "";
  for (let i = 0; i < length; i++) name += LETTERS[rng.int(26)];
  return rng.chance(0.05) ? `${1 + rng.int(9)}${name}` : name;
}
