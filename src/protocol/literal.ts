/**
 * Literals matched 8 bytes at a time, for BookScan.
 *
 * Each 8-byte window of a literal (the last one overlapping the one before) is compared as a double
 * read from the frame's bytes through a DataView. Printable ASCII never forms a NaN, an infinity, a
 * zero or a subnormal (those need a top byte of 0x00, 0x7f, 0x80 or 0xff), and a double equals such
 * a normal double only with the very same bits: comparing the doubles compares the bytes exactly, in
 * an eighth of the steps of a byte loop.
 */

const encoder = new TextEncoder();
const PRINTABLE = /^[\x20-\x7e]+$/;

export function isPrintable(text: string): boolean {
  return PRINTABLE.test(text);
}

/** A printable ASCII literal of 8 bytes or more, as its 8-byte windows. */
export class Literal {
  readonly length: number;
  readonly words: Float64Array;
  readonly offsets: Int32Array;

  constructor(readonly text: string) {
    const bytes = encoder.encode(text);
    if (bytes.length < 8 || !isPrintable(text))
      throw new Error(`not a printable literal of 8+ bytes: ${text}`);
    this.length = bytes.length;
    const count = Math.ceil(bytes.length / 8);
    this.words = new Float64Array(count);
    this.offsets = new Int32Array(count);
    const view = new DataView(bytes.buffer);
    for (let k = 0; k < count; k++) {
      const offset = Math.min(k * 8, bytes.length - 8);
      this.offsets[k] = offset;
      this.words[k] = view.getFloat64(offset, true);
    }
  }
}

/**
 * Whether `literal` stands in the frame at `p`. The view must hold `literal.length` bytes from `p`
 * (BookScan keeps slack after every frame).
 */
export function at(view: DataView, p: number, literal: Literal): boolean {
  const { words, offsets } = literal;
  for (let k = 0; k < words.length; k++) {
    if (view.getFloat64(p + offsets[k]!, true) !== words[k]) return false;
  }
  return true;
}
