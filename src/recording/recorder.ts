import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { fileReason } from "../text/file-reason.js";

/** Writes `text` to `fd` in one call and returns the bytes written (fs.writeSync's contract). */
export type WriteText = (fd: number, text: string) => number;

const writeToFd: WriteText = (fd, text) => writeSync(fd, text);

/**
 * Appends every raw frame, one per line, exactly as received. One synchronous write per frame: when it
 * returns the line is in the kernel, so a crash of this process loses nothing but a line being written.
 * (A frame containing a line break — never valid Kraken output — has its line breaks written as spaces
 * so the file stays one frame per line.)
 *
 * The file only ever ends in a whole line: a write that fails or is short (a full disk) is cut back with
 * ftruncate to the length before it, and recording stops.
 */
export class Recorder {
  private fd: number | undefined;
  /** The file's length after the last whole line written. */
  private length: number;

  constructor(
    readonly path: string,
    private readonly writeText: WriteText = writeToFd,
  ) {
    this.fd = openSync(path, "a");
    try {
      this.length = fstatSync(this.fd).size;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  /** Writes one frame; returns why recording stopped, if it just did (later calls do nothing). */
  write(raw: string): string | undefined {
    const fd = this.fd;
    if (fd === undefined) return undefined;
    const line = (raw.includes("\n") || raw.includes("\r") ? raw.replace(/\r?\n|\r/g, " ") : raw) + "\n";
    let written = 0;
    let reason: string | undefined;
    try {
      written = this.writeText(fd, line);
    } catch (e) {
      reason = fileReason(e);
    }
    const expected = Buffer.byteLength(line);
    if (reason === undefined && written === expected) {
      this.length += written;
      return undefined;
    }
    reason ??= `short write (${written} of ${expected} bytes)`;
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

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}
