import { formatFixed, incrementText } from "./format.js";

/** One tradable pair as the simulator serves it. Precisions are Kraken's real ones for these pairs. */
export type Pair = {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Digits after the point in prices; the price increment is 10^-pricePrecision. */
  readonly pricePrecision: number;
  /** Digits after the point in quantities; the qty increment is 10^-qtyPrecision. */
  readonly qtyPrecision: number;
  /** Smallest order, exact text as the instrument channel writes it. */
  readonly qtyMin: string;
  /** Starting (and mean-reverting) mid price, in price increments. */
  readonly midTicks: number;
  /** This pair's share of `--rate`: its messages a second are rate × rateFactor (default 1). */
  readonly rateFactor?: number;
  /** Its `instrument` status when the server starts (default `online`). */
  readonly status?: string;
};

const pair = (
  symbol: string,
  pricePrecision: number,
  qtyPrecision: number,
  qtyMin: string,
  mid: string,
): Pair => {
  const [base = "", quote = ""] = symbol.split("/");
  const [whole = "0", frac = ""] = mid.split(".");
  const midTicks = Number(whole + frac.padEnd(pricePrecision, "0").slice(0, pricePrecision));
  return { symbol, base, quote, pricePrecision, qtyPrecision, qtyMin, midTicks };
};

/**
 * The built-in catalogue. Every price sits far enough above zero in ticks that each side can
 * hold well over 1000 levels (depth 1000 must be servable on both sides).
 */
export const CATALOGUE: readonly Pair[] = [
  pair("BTC/USD", 1, 8, "0.0001", "63005.0"),
  pair("ETH/USD", 2, 8, "0.002", "3104.25"),
  pair("SOL/USD", 2, 8, "0.02", "145.37"),
  pair("XRP/USD", 5, 8, "2.0", "0.52340"),
  pair("DOGE/USD", 7, 8, "20.0", "0.1234560"),
  pair("ADA/EUR", 6, 8, "5.0", "0.402315"),
  pair("MINA/GBP", 4, 8, "3.0", "0.2810"),
  pair("LTC/USD", 2, 8, "0.05", "84.62"),
  pair("ETH/BTC", 5, 8, "0.002", "0.04927"),
];

const BY_SYMBOL = new Map(CATALOGUE.map((p) => [p.symbol, p]));

export function findPair(symbol: string): Pair | undefined {
  return BY_SYMBOL.get(symbol);
}

/** Precisions of a pair not in the catalogue (a replayed recording), for the instrument channel. */
export type PairInfo = Pick<Pair, "symbol" | "pricePrecision" | "qtyPrecision"> & {
  readonly qtyMin?: string;
};

/** Kraken's minimum order cost and cost precision by quote currency (fiat: 0.5 at 5 places). */
function costOf(quote: string): { readonly min: string; readonly precision: number } {
  return quote === "BTC" ? { min: "0.00002", precision: 10 } : { min: "0.5", precision: 5 };
}

/** Pair statuses Kraken documents; anything else is served as given. */
export const PAIR_STATUSES = [
  "online",
  "cancel_only",
  "post_only",
  "limit_only",
  "reduce_only",
  "maintenance",
  "delisted",
] as const;

/** System statuses the `status` channel carries. */
export const SYSTEM_STATUSES = ["online", "maintenance", "cancel_only", "post_only"] as const;

/** One pair of the `instrument` channel in Kraken's shape and key order, numbers as Kraken writes them. */
export function instrumentPairText(p: PairInfo, status: string): string {
  const [base = "", quote = ""] = p.symbol.split("/");
  const qtyIncrement = incrementText(p.qtyPrecision);
  const cost = costOf(quote);
  return (
    `{"symbol":${JSON.stringify(p.symbol)},"base":${JSON.stringify(base)},"quote":${JSON.stringify(quote)},` +
    `"status":${JSON.stringify(status)},"qty_precision":${p.qtyPrecision},"qty_increment":${qtyIncrement},` +
    `"price_precision":${p.pricePrecision},"cost_precision":${cost.precision},"marginable":false,"has_index":true,` +
    `"cost_min":${cost.min},"tick_size":${incrementText(p.pricePrecision)},` +
    `"price_increment":${incrementText(p.pricePrecision)},"qty_min":${p.qtyMin ?? qtyIncrement}}`
  );
}

/**
 * The `instrument` channel's snapshot in Kraken's shape: `data` is `{assets, pairs}`, increments
 * in exponent notation (`1e-08`). Numbers are written as text so they stay exactly as Kraken sends them.
 */
export function instrumentFrame(
  pairs: readonly PairInfo[],
  statusOf: (symbol: string) => string = () => "online",
): string {
  const assets = new Set<string>();
  const pairTexts = pairs.map((p) => {
    const [base = "", quote = ""] = p.symbol.split("/");
    assets.add(base);
    assets.add(quote);
    return instrumentPairText(p, statusOf(p.symbol));
  });
  const assetTexts = [...assets].map(
    (id) =>
      `{"id":${JSON.stringify(id)},"status":"enabled","precision":10,"precision_display":${
        id === "USD" || id === "EUR" || id === "GBP" ? 4 : 8
      },"borrowable":false,"collateral_value":0.0,"margin_rate":0.0}`,
  );
  return `{"channel":"instrument","type":"snapshot","data":{"assets":[${assetTexts.join(",")}],"pairs":[${pairTexts.join(",")}]}}`;
}

/** An `instrument` update: one pair whose status changed. */
export function instrumentUpdateFrame(p: PairInfo, status: string): string {
  return `{"channel":"instrument","type":"update","data":{"assets":[],"pairs":[${instrumentPairText(p, status)}]}}`;
}

/** A pair's mid price as text, for logs and docs. */
export function midText(p: Pair): string {
  return formatFixed(p.midTicks, p.pricePrecision);
}
