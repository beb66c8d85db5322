import { Decimal } from "decimal.js";
import type { AnalyticsLevel, ExactLevel } from "./types.js";

/**
 * Decimal arithmetic for the analytics: a precision far above any figure a book can produce (prices and
 * sizes of at most ~20 significant digits, sums over at most 1000 levels, products of three such: under
 * 80 digits), so sums, differences and products are exact. Quotients are never taken with it: they go through `roundedQuotient`, which rounds
 * once, exactly.
 */
export const Exact = Decimal.clone({
  precision: 200,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type Exact = Decimal;

const POWERS = new Map<number, Exact>();
/** 10^places, made once per `places`. */
function power(places: number): Exact {
  let p = POWERS.get(places);
  if (p === undefined) POWERS.set(places, (p = new Exact(10).pow(places)));
  return p;
}

/** Each level's price, size and value, read once (every band and both walks reuse them). */
export function exactLevels(levels: readonly AnalyticsLevel[]): ExactLevel[] {
  return levels.map((l) => {
    const price = new Exact(l.price);
    const qty = new Exact(l.qty);
    return { price, qty, value: price.times(qty) };
  });
}

/** How a quotient is rounded: to nearest (ties to even), or down (a lower bound stays a lower bound). */
export type Rounding = "half-even" | "floor";

/**
 * `num / den` rounded to `places` decimal places, exactly: one integer division and a look at the
 * remainder, no intermediate rounding. `den` must not be zero. Plain decimal text, no exponent.
 */
export function roundedQuotient(num: Exact, den: Exact, places: number, rounding: Rounding): string {
  const negative = num.isNegative() !== den.isNegative() && !num.isZero();
  const scale = power(places);
  const n = num.abs().times(scale);
  const d = den.abs();
  let q = n.dividedToIntegerBy(d);
  const r = n.minus(q.times(d));
  if (negative) {
    // floor of a negative quotient moves away from zero when anything is left over
    if (rounding === "floor" ? !r.isZero() : roundUp(r, d, q)) q = q.plus(1);
  } else if (rounding === "half-even" && roundUp(r, d, q)) q = q.plus(1);
  const value = q.dividedBy(scale);
  return (negative && !q.isZero() ? value.negated() : value).toFixed(places);
}

/** Half-even: the remainder is over half the divisor, or exactly half and the quotient odd. */
function roundUp(r: Exact, d: Exact, q: Exact): boolean {
  const c = r.times(2).comparedTo(d);
  return c > 0 || (c === 0 && !q.mod(2).isZero());
}
