import { sanitize } from "../../text/sanitize.js";

/**
 * Exact decimal arithmetic on wire text as integers: `63388.7` at 1 decimal is 633887n ticks.
 * Grouping, cumulative sizes and depth bars need sums of sizes; floats would drift, decimal.js would be slow
 * per row, and bigint on a few dozen rows per frame is exact and cheap.
 */
export function toUnits(text: string, decimals: number): bigint {
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  const dot = body.indexOf(".");
  const whole = dot < 0 ? body : body.slice(0, dot);
  let fraction = dot < 0 ? "" : body.slice(dot + 1);
  if (fraction.length > decimals) fraction = fraction.slice(0, decimals);
  const digits = (whole === "" ? "0" : whole) + fraction.padEnd(decimals, "0");
  const units = BigInt(digits);
  return negative ? -units : units;
}

/** `633887n` at 1 decimal → `63388.7`; always exactly `decimals` digits after the point. */
export function formatUnits(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, "0");
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

/** Digits after the point in a wire number's text. */
export function decimalsIn(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** A plain decimal with digits after its point (the wire's form; not `1e-08`). */
const PLAIN_FRACTION = /^-?\d*\.\d+$/;

/**
 * `decimals`, or the digits after the point of `text` where that plain decimal shows more: what a number is
 * displayed at so that it is never cut to a precision narrower than its own text (a pair's precisions are
 * what the instrument says, and the wire may still show more digits).
 */
export function widenDecimals(decimals: number, text: string): number {
  const shown = decimalsIn(text);
  return shown > decimals && PLAIN_FRACTION.test(text) ? shown : decimals;
}

/**
 * A wire number for display: at `decimals`, or at its own digits where it shows more (`widenDecimals`), so no
 * digit is cut; the sanitised wire text when it is not a plain decimal.
 */
export function displayDecimal(text: string, decimals: number): string {
  try {
    const shown = widenDecimals(decimals, text);
    return formatUnits(toUnits(text, shown), shown);
  } catch {
    return sanitize(text);
  }
}

/** 10^n as a bigint. */
export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}
