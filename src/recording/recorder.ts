import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { fileReason } from "../text/file-reason.js";

/** Writes up to `length` bytes of `bytes` from `offset` to `fd` and returns how many it wrote (fs.writeSync's contract). */
export type WriteBytes = (fd: number, bytes: Uint8Array, offset: number, length: number) => number;

const writeToFd: WriteBytes = (fd, bytes, offset, length) => writeSync(fd, bytes, offset, length);

/**
 * Appends every raw frame, one per line, exactly as received. One synchronous write per frame: when it
 * returns the line is in the kernel, so a crash of this process loses nothing but a line being written.
 * (A frame containing a line break — never valid Kraken output — has its line breaks written as spaces
 * so the file stays one frame per line.)
 *
 * A short write is followed by another for the rest, as the kernel may take part of a write; when the
 * disk is full that next write fails with the file system's own reason (ENOSPC, or EFBIG past a file-size
 * limit). The file only ever ends in a whole line: a line that could not be written whole is cut back
 * with ftruncate to the length before it, and recording stops.
 */
export class Recorder {
  private fd: number | undefined;
  /** The file's length after the last whole line written. */
  private length: number;

  /** Whether this recorder opened the file, and so closes it. */
  private readonly owned: boolean;

  private readonly writeBytes: WriteBytes;

  /**
   * `fd`: the file already open for appending (the main thread's, see app/feed-setup.ts), which its opener
   * closes; else the file is opened here. `writeBytes`: the write itself (tests stand in a full disk).
   */
  constructor(
    readonly path: string,
    {
      fd,
      writeBytes = writeToFd,
    }: { readonly fd?: number | undefined; readonly writeBytes?: WriteBytes } = {},
  ) {
    this.writeBytes = writeBytes;
    this.owned = fd === undefined;
    this.fd = fd ?? openSync(path, "a");
    try {
      this.length = fstatSync(this.fd).size;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Writes one frame; returns why recording stopped, if it just did (later calls do nothing). */
  write(raw: string): string | undefined {
    const fd = this.fd;
    if (fd === undefined) return undefined;
    const line = (raw.includes("\n") || raw.includes("\r") ? raw.replace(/\r?\n|\r/g, " ") : raw) + "\n";
    const bytes = Buffer.from(line);
    let written = 0;
    let reason: string | undefined;
    try {
      while (written < bytes.length) {
        const n = this.writeBytes(fd, bytes, written, bytes.length - written);
        if (n <= 0) {
          reason = `short write (${written} of ${bytes.length} bytes)`;
          break;
        }
        written += n;
      }
    } catch (e) {
      reason = fileReason(e);
    }
    if (reason === undefined) {
      this.length += written;
      return undefined;
    }
    if (written > 0) {
      try {
        ftruncateSync(fd, this.length);
      } catch (e) {
        reason += `; the partial last line could not be removed: ${fileReason(e)}`;
      }
    }
    this.close();
    return reason;
  }

  /** Stops recording; closes the file if this recorder opened it. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    if (this.owned) closeSync(fd);
  }
}
