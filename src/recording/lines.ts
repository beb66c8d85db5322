import { closeSync, openSync, readSync } from "node:fs";

/** Read size: a 64 KiB buffer, reused for the whole file (see readBlocks). */
const CHUNK = 1 << 16;
/** Bytes kept free after the bytes read (see Block). */
export const BLOCK_SLACK = 128;
const LF = 10;
const CR = 13;

/**
 * Called with a run of whole lines: `bytes[start…end)` ends just after a `\n`, except at the end of a
 * file whose last line has none: then `bytes[end]` is 0. At least BLOCK_SLACK bytes of the buffer
 * follow `end`, so a reader may look past a line's end without a bounds check (see BookScan.scanLine).
 * The bytes are the reader's buffer, valid only during the call.
 */
export type Block = (bytes: Buffer, start: number, end: number) => void;

/** Leading bytes of the compressed formats a recording may be kept in; none can begin a JSON text. */
const COMPRESSED: readonly (readonly [format: string, magic: Buffer])[] = [
  ["gzip", Buffer.from([0x1f, 0x8b])],
  ["bzip2", Buffer.from("BZh")],
  ["xz", Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ["zstd", Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ["zip", Buffer.from([0x50, 0x4b, 0x03, 0x04])],
];

/** A recording that is a compressed file: it says which format, and to decompress it first. */
export class CompressedRecordingError extends Error {
  override readonly name = "CompressedRecordingError";
  constructor(readonly format: string) {
    super(`it is ${format}-compressed: decompress it first (a recording is plain JSON lines)`);
  }
}

/**
 * Reads a file synchronously, 64 KiB at a time, into one buffer reused for the whole file, and hands
 * out each read's whole lines as one Block. The unfinished line after them is moved to the buffer's
 * front and the next read appended to it, so every line is whole in one block (the buffer doubles for
 * a line longer than it); a last line without `\n` comes alone in the last block.
 *
 * Flat memory whatever the file size, no string made (callers decode what they need), and no wait on
 * libuv's thread pool between reads: an fs stream's reads left the main thread idle for ~5% of a
 * verify run. Throws what the file system throws (ENOENT, EISDIR, …), and CompressedRecordingError for
 * a file that starts as a gzip, bzip2, xz, zstd or zip file does (read as lines, it is only garbage).
 */
export function readBlocks(path: string, onBlock: Block): void {
  const fd = openSync(path, "r");
  try {
    let size = CHUNK;
    let buf = Buffer.allocUnsafeSlow(size + BLOCK_SLACK);
    let have = 0;
    let first = true;
    for (;;) {
      if (have === size) {
        size *= 2;
        const bigger = Buffer.allocUnsafeSlow(size + BLOCK_SLACK);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const read = readSync(fd, buf, have, size - have, null);
      if (read === 0) break;
      if (first) {
        first = false;
        const compressed = COMPRESSED.find(
          ([, magic]) => read >= magic.length && buf.subarray(0, magic.length).equals(magic),
        );
        if (compressed !== undefined) throw new CompressedRecordingError(compressed[0]);
      }
      const end = have + read;
      // Only the new bytes can hold a newline: the carried ones held none.
      const last = buf.lastIndexOf(LF, end - 1);
      const whole = last >= have ? last + 1 : 0;
      if (whole > 0) onBlock(buf, 0, whole);
      have = end - whole;
      if (whole > 0 && have > 0) buf.copy(buf, 0, whole, end);
    }
    if (have > 0) {
      buf[have] = 0;
      onBlock(buf, 0, have);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls `onLine` with each line of a file (without its `\n` or a `\r` before it, or a lone `\r` ending the
 * file) and its 1-based number, in order. Built on readBlocks: the same reads, whole lines decoded as
 * UTF-8 one at a time. An empty file has no line; a last line without `\n` is a line. Throws what the
 * file system throws.
 */
export function forEachLine(path: string, onLine: (line: string, lineNo: number) => void): void {
  let lineNo = 0;
  readBlocks(path, (bytes, start, end) => {
    let from = start;
    while (from < end) {
      const nl = bytes.indexOf(LF, from);
      const stop = nl < 0 || nl >= end ? end : nl;
      const to = stop > from && bytes[stop - 1] === CR ? stop - 1 : stop;
      onLine(bytes.toString("utf8", from, to), ++lineNo);
      from = stop + 1;
    }
  });
}
