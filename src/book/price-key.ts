/**
 * Fast conversions of validated wire decimals (`63005.0`, `0.00000000`), cheaper than `Number(text)`,
 * which goes through the engine's general string-to-double routine (measured ~4× slower here).
 */

const POWERS = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];
const EXACT_LIMIT = 2 ** 53;

/**
 * The decimal's value as a double, identical to `Number(text)`: when the digits form an integer
 * below 2^53 and the scale is a power of ten that a double holds exactly, one correctly rounded
 * division gives the correctly rounded value; anything else takes `Number`.
 */
export function priceKey(text: string): number {
  let mantissa = 0;
  let scale = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      scale = 0;
      continue;
    }
    mantissa = mantissa * 10 + (c - 48);
    if (scale >= 0) scale++;
  }
  if (mantissa >= EXACT_LIMIT || scale >= POWERS.length) return Number(text);
  return scale <= 0 ? mantissa : mantissa / POWERS[scale]!;
}

/** Whether a decimal's text is zero (`0`, `0.00000000`): only zeros and the point. */
export function isZeroText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 48 && c !== 46) return false;
  }
  return true;
}
