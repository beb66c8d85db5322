/**
 * The analytics written the plain way, for property tests: every figure as an exact fraction of BigInts
 * (no decimal library), the walks as the README states them, rounding spelled out on integers.
 */
import type { AnalyticsLevel } from "../../src/analytics/types.js";

export type Q = { readonly n: bigint; readonly d: bigint };

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
function q(n: bigint, d: bigint = 1n): Q {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}
export const add = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Q, b: Q): Q => q(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
export const div = (a: Q, b: Q): Q => q(a.n * b.d, a.d * b.n);
export const cmp = (a: Q, b: Q): number => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
export const ZERO = q(0n);

/** A plain decimal text as a fraction. */
export function parse(text: string): Q {
  const neg = text.startsWith("-");
  const [int = "0", frac = ""] = (neg ? text.slice(1) : text).split(".");
  const v = q(BigInt(int + frac), 10n ** BigInt(frac.length));
  return neg ? q(-v.n, v.d) : v;
}

/** A fraction whose denominator divides a power of ten, as the shortest plain decimal text. */
export function exactText(x: Q): string {
  let places = 0;
  while (10n ** BigInt(places) % x.d !== 0n) {
    places++;
    if (places > 200) throw new Error("not a finite decimal");
  }
  // The smallest such power: the text has no trailing zeros.
  return fixed(x.n * (10n ** BigInt(places) / x.d), places);
}

function fixed(units: bigint, places: number): string {
  const neg = units < 0n;
  let s = abs(units).toString();
  if (places === 0) return (neg ? "-" : "") + s;
  s = s.padStart(places + 1, "0");
  return (neg ? "-" : "") + s.slice(0, -places) + "." + s.slice(-places);
}

/** x to `places` decimals: half-even, or floor. */
export function round(x: Q, places: number, mode: "half-even" | "floor"): string {
  const scaled = x.n * 10n ** BigInt(places);
  let fl = scaled / x.d;
  const rem = scaled - fl * x.d;
  if (rem < 0n) fl -= 1n; // BigInt division truncates toward zero
  const r = scaled - fl * x.d; // 0 ≤ r < d
  let units = fl;
  if (mode === "half-even") {
    const twice = 2n * r;
    if (twice > x.d || (twice === x.d && abs(fl) % 2n === 1n)) units += 1n;
  }
  const text = fixed(units, places);
  return text.startsWith("-") && /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

export type RefSide = { amount: string; complete: boolean; usesUnverified: boolean };
export type RefCost = { bps: string; complete: boolean; usesUnverified: boolean };

export function refMid(bids: readonly AnalyticsLevel[], asks: readonly AnalyticsLevel[]): Q {
  return div(add(parse(bids[0]!.price), parse(asks[0]!.price)), q(2n));
}

export function refLiquidity(
  levels: readonly AnalyticsLevel[],
  side: "bid" | "ask",
  mid: Q,
  bps: string,
): RefSide {
  const b = div(parse(bps), q(10_000n));
  const edge = side === "bid" ? mul(mid, sub(q(1n), b)) : mul(mid, add(q(1n), b));
  let sum = ZERO;
  let unverified = false;
  let i = 0;
  for (; i < levels.length; i++) {
    const p = parse(levels[i]!.price);
    const inside = side === "bid" ? cmp(p, edge) >= 0 : cmp(p, edge) <= 0;
    if (!inside) break;
    sum = add(sum, mul(p, parse(levels[i]!.qty)));
    if (i >= 10) unverified = true;
  }
  return { amount: exactText(sum), complete: i < levels.length, usesUnverified: unverified };
}

export function refCost(
  levels: readonly AnalyticsLevel[],
  side: "buy" | "sell",
  mid: Q,
  notional: string,
): RefCost {
  const want = parse(notional);
  let spent = ZERO;
  let base = ZERO;
  let unverified = false;
  for (let i = 0; i < levels.length && cmp(spent, want) < 0; i++) {
    if (i >= 10) unverified = true;
    const p = parse(levels[i]!.price);
    const value = mul(p, parse(levels[i]!.qty));
    const take = cmp(add(spent, value), want) <= 0 ? value : sub(want, spent);
    spent = add(spent, take);
    base = add(base, div(take, p));
  }
  const complete = cmp(spent, want) === 0;
  if (cmp(base, ZERO) === 0) return { bps: "0.0000", complete, usesUnverified: unverified };
  const avg = div(spent, base);
  const rel = side === "buy" ? sub(avg, mid) : sub(mid, avg);
  return {
    bps: round(mul(div(rel, mid), q(10_000n)), 4, complete ? "half-even" : "floor"),
    complete,
    usesUnverified: unverified,
  };
}
