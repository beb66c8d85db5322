import { Decimal } from "decimal.js";

/** Exact value of a wire number, for the few places that do arithmetic (spread, mid, grouping). */
export function toDecimal(text: string): Decimal {
  return new Decimal(text);
}

/** Digits after the point in a wire number's text: `63005.0` → 1, `0.10000000` → 8. */
export function decimalsOf(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

export { Decimal };
