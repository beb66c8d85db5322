import CRC32 from "crc-32";

/**
 * Kraken's checksum text for one number: the wire text without its `.` and leading zeros.
 * `45285.2` → `452852`, `0.00100000` → `100000`, `0.0280` → `280`.
 * https://docs.kraken.com/api/docs/guides/spot-ws-book-v2 (Book checksum)
 */
export function checksumText(wire: string): string {
  const dot = wire.indexOf(".");
  const digits = dot < 0 ? wire : wire.slice(0, dot) + wire.slice(dot + 1);
  let i = 0;
  while (i < digits.length && digits.charCodeAt(i) === 48) i++;
  return i === 0 ? digits : digits.slice(i);
}

/**
 * CRC-32 (zlib polynomial) of ASCII text, continuing from `seed` (the value returned for the
 * text before it), so `crc(b, crc(a)) === crc(a + b)`. Signed, as crc-32 returns it.
 * Checksum text is ASCII digits, so the byte-string variant is exact and skips UTF-8 encoding.
 */
export function crc32(text: string, seed = 0): number {
  return CRC32.bstr(text, seed);
}

/** Unsigned 32-bit checksum over levels given as `{price, qty}` wire text, asks then bids (reference form). */
export function bookChecksum(
  asks: readonly { readonly price: string; readonly qty: string }[],
  bids: readonly { readonly price: string; readonly qty: string }[],
): number {
  let text = "";
  for (const l of asks.slice(0, 10)) text += checksumText(l.price) + checksumText(l.qty);
  for (const l of bids.slice(0, 10)) text += checksumText(l.price) + checksumText(l.qty);
  return CRC32.str(text) >>> 0;
}
