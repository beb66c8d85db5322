import { closeSync, openSync, readSync } from "node:fs";
import { LARGEST_MAX_FRAME } from "../protocol/types.js";

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
 * The longest line the reader holds, in bytes before its `\n` (a `\r` before it counted): 257 MiB. The
 * largest frame the feed can be told to accept is LARGEST_MAX_FRAME (256 MiB, `--max-frame`'s limit), and
 * `--record` writes a frame as a line of the same length (ws checks a text frame's UTF-8, so its text
 * encodes back to the same bytes); 1 MiB more to spare (a `\r`, a tool that rewrote the file). A longer
 * line is no frame the app recorded (at most a binary frame's garbage, each invalid byte written as
 * U+FFFD, 3 bytes): it is skipped without being held, so the reader's memory stays bounded whatever the
 * file (`/dev/zero`).
 */
export const MAX_LINE_BYTES = LARGEST_MAX_FRAME + 1024 * 1024;

/** Why a line over `maxLine` was not read, for a report (with its length in bytes). */
export function longLineMessage(bytes: number, maxLine = MAX_LINE_BYTES): string {
  const cap = maxLine % (1024 * 1024) === 0 ? `${maxLine / (1024 * 1024)} MiB` : `${maxLine} bytes`;
  return `line too long: ${bytes} bytes, over the ${cap} a recorded frame can be (not read)`;
}

/** Called for a line longer than the reader holds, with its length in bytes (before its `\n`), in file order. */
export type LongLine = (bytes: number) => void;

/**
 * Reads a file synchronously, 64 KiB at a time, into one buffer reused for the whole file, and hands
 * out each read's whole lines as one Block. The unfinished line after them is moved to the buffer's
 * front and the next read appended to it, so every line is whole in one block (the buffer doubles for
 * a line longer than it, up to `maxLine` bytes and its `\n`); a last line without `\n` comes alone in the
 * last block. A line longer than `maxLine` (MAX_LINE_BYTES but in tests) is not held: what was read of it
 * is dropped, the rest read through to its `\n` (or the end of the file) and dropped, and `onLong` is
 * called with its length, between the blocks before it and after it.
 *
 * Flat memory whatever the file size, no string made (callers decode what they need), and no wait on
 * libuv's thread pool between reads: an fs stream's reads left the main thread idle for ~5% of a verify
 * run. Bounded whatever its lines too: the buffer is at most `maxLine` bytes and a little; with the smaller
 * ones it grew from, until the garbage collector frees them, about twice that (~510 MB of RSS measured on
 * `/dev/zero`, which it reads through for ever, as any reader of lines does). Throws what the file system throws (ENOENT,
 * EISDIR, …), and CompressedRecordingError for a file that starts as a gzip, bzip2, xz, zstd or zip file
 * does (read as lines, it is only garbage).
 */
export function readBlocks(path: string, onBlock: Block, onLong: LongLine, maxLine = MAX_LINE_BYTES): void {
  // The buffer's largest size (slack aside): the longest line and its `\n`.
  const limit = maxLine + 1;
  const fd = openSync(path, "r");
  try {
    let size = Math.min(CHUNK, limit);
    let buf = Buffer.allocUnsafeSlow(size + BLOCK_SLACK);
    let have = 0;
    let first = true;
    /** Bytes of a line too long to hold read so far, while reading through it (else -1). */
    let skipped = -1;
    for (;;) {
      if (have === size) {
        if (size < limit) {
          // Doubled, but straight to the limit from a size over a quarter of it (not a last small step).
          size = size * 4 > limit ? limit : size * 2;
          const bigger = Buffer.allocUnsafeSlow(size + BLOCK_SLACK);
          buf.copy(bigger, 0, 0, have);
          buf = bigger;
        } else {
          // A full buffer and no `\n`: a line over maxLine. Drop it and read on to its end.
          skipped = have;
          have = 0;
        }
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
      let from = 0;
      if (skipped >= 0) {
        // `have` is 0 here. Searched within the bytes read only: the rest of a large buffer is stale.
        const nl = buf.subarray(0, end).indexOf(LF);
        if (nl < 0) {
          skipped += end;
          continue;
        }
        onLong(skipped + nl);
        skipped = -1;
        from = nl + 1;
      }
      // Only the new bytes can hold a newline: the carried ones held none. Searched alone, or a long line read
      // through a pipe (64 KiB a read) would be searched again on every read: 37 s for a line of 257 MiB.
      const last = buf.subarray(have, end).lastIndexOf(LF);
      const whole = last >= 0 ? have + last + 1 : from;
      if (whole > from) onBlock(buf, from, whole);
      have = end - whole;
      if (whole > 0 && have > 0) buf.copy(buf, 0, whole, end);
    }
    if (skipped >= 0) onLong(skipped);
    else if (have > 0) {
      buf[have] = 0;
      onBlock(buf, 0, have);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls `onLine` with each line of a file (without its `\n` or a `\r` before it, or a lone `\r` ending the
 * file) and its 1-based number, in order; `onLong` instead for a line longer than `maxLine` bytes, which is
 * never read into memory (see readBlocks). Built on readBlocks: the same reads, whole lines decoded as
 * UTF-8 one at a time. An empty file has no line; a last line without `\n` is a line. Throws what the
 * file system throws.
 */
export function forEachLine(
  path: string,
  onLine: (line: string, lineNo: number) => void,
  onLong: (lineNo: number, bytes: number) => void,
  maxLine = MAX_LINE_BYTES,
): void {
  let lineNo = 0;
  readBlocks(
    path,
    (bytes, start, end) => {
      let from = start;
      while (from < end) {
        const nl = bytes.indexOf(LF, from);
        const stop = nl < 0 || nl >= end ? end : nl;
        const to = stop > from && bytes[stop - 1] === CR ? stop - 1 : stop;
        onLine(bytes.toString("utf8", from, to), ++lineNo);
        from = stop + 1;
      }
    },
    (bytes) => onLong(++lineNo, bytes),
    maxLine,
  );
}
