import CRC32 from "crc-32";

/**
 * CRC-32 of a concatenation from the CRCs of its parts, so each level's CRC is computed once
 * (by crc-32) and the book's checksum is 4 table lookups per level instead of a byte-serial loop.
 *
 * The table-driven CRC register update is linear over GF(2): feeding text M to register S gives
 * `shift(S, |M|) ^ raw(M)`, where `raw(M)` is the register after M from zero and `shift(S, n)` is
 * the register after n zero bytes from S. `shift(·, n)` is a linear map of 32 bits, applied as
 * four 256-entry tables (one per byte of S), built lazily once per length n (a level's text, or a
 * whole side's top 10: a few hundred lengths at most, 4 KiB each).
 * Reference: zlib's crc32_combine (https://github.com/madler/zlib/blob/master/crc32.c).
 */

const T0 = (CRC32 as unknown as { table: Int32Array }).table;
const shiftTables: (Int32Array | undefined)[] = [];

/**
 * Feeds a wire number's checksum text (see checksumText: no `.`, no leading zeros) to a raw CRC
 * register, computed from the wire text directly with crc-32's table: no strings are built on the hot
 * path. Feeding a price then its qty from 0 gives the raw register of the level's checksum text.
 * The text's length is written to `out.length`; returns the register.
 */
export function feedWire(register: number, wire: string, out: { length: number }): number {
  let c = register;
  let length = 0;
  let leading = true;
  for (let i = 0; i < wire.length; i++) {
    const ch = wire.charCodeAt(i);
    if (ch === 46 || (leading && ch === 48)) continue;
    leading = false;
    c = (c >>> 8) ^ T0[(c ^ ch) & 0xff]!;
    length++;
  }
  out.length = length;
  return c;
}

/** `feedWire` for a wire number held as ASCII bytes `from`…`to` (a frame read by BookScan). */
export function feedWireBytes(
  register: number,
  b: Uint8Array,
  from: number,
  to: number,
  out: { length: number },
): number {
  let c = register;
  let i = from;
  // Leading zeros and points (`0.000…`) say nothing; after them, only the point is skipped.
  while (i < to && (b[i] === 48 || b[i] === 46)) i++;
  let length = 0;
  for (; i < to; i++) {
    const ch = b[i]!;
    if (ch === 46) continue;
    c = (c >>> 8) ^ T0[(c ^ ch) & 0xff]!;
    length++;
  }
  out.length = length;
  return c;
}

/** The register before any text (CRC-32 starts all ones). */
export const CRC_INIT = -1;

/** Register after appending a part (its raw CRC and length) to a register. */
export function appendCrc(register: number, partRaw: number, partLength: number): number {
  return shifted(shiftTable(partLength), register) ^ partRaw;
}

/** CRC_INIT shifted by n zero bytes, by n: the start of every book checksum, one number per length. */
const initShifts: number[] = [];

/** `appendCrc(CRC_INIT, partRaw, partLength)` without reading a shift table. */
export function appendToInit(partRaw: number, partLength: number): number {
  return (initShifts[partLength] ??= shifted(shiftTable(partLength), CRC_INIT)) ^ partRaw;
}

/** The tables that shift a register by `n` zero bytes (for `shifted`), built once per length. */
export function shiftTable(n: number): Int32Array {
  return shiftTables[n] ?? buildShift(n);
}

/** The register shifted by the zero bytes `table` stands for: append a part with `shifted(t, r) ^ raw`. */
export function shifted(table: Int32Array, register: number): number {
  return (
    table[register & 0xff]! ^
    table[256 | ((register >>> 8) & 0xff)]! ^
    table[512 | ((register >>> 16) & 0xff)]! ^
    table[768 | (register >>> 24)]!
  );
}

/** The unsigned CRC-32 a register stands for. */
export function finishCrc(register: number): number {
  return ~register >>> 0;
}

function buildShift(n: number): Int32Array {
  // Images of the 32 basis bits under n zero-byte steps.
  const basis = new Int32Array(32);
  for (let bit = 0; bit < 32; bit++) {
    let c = 1 << bit;
    for (let i = 0; i < n; i++) c = (c >>> 8) ^ T0[c & 0xff]!;
    basis[bit] = c;
  }
  const table = new Int32Array(1024);
  for (let byte = 0; byte < 4; byte++) {
    const base = byte * 256;
    for (let v = 1; v < 256; v++) {
      const low = v & -v;
      table[base + v] = table[base + (v ^ low)]! ^ basis[byte * 8 + 31 - Math.clz32(low)]!;
    }
  }
  shiftTables[n] = table;
  return table;
}
