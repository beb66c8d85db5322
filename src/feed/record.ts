import { closeSync, openSync, writeSync } from "node:fs";

/**
 * Appends every raw frame, one per line, exactly as received. One synchronous append per frame:
 * when `write` returns the line is in the kernel, so a crash of this process loses nothing but
 * a line being written. (A frame containing a line break — never valid Kraken output — has its
 * line breaks written as spaces so the file stays one frame per line.)
 */
export class Recorder {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, "a");
  }

  /** Returns an error message if the file could not be written (recording then stops). */
  write(raw: string): string | undefined {
    if (this.fd === undefined) return undefined;
    const line = raw.includes("\n") || raw.includes("\r") ? raw.replace(/\r?\n|\r/g, " ") : raw;
    try {
      writeSync(this.fd, line + "\n");
      return undefined;
    } catch (e) {
      this.close();
      return `recording to ${this.path} stopped: ${(e as Error).message}`;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}
