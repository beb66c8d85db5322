import { spawnSync } from "node:child_process";
import { closeSync, constants, openSync, writeSync } from "node:fs";

/** Makes a named pipe at `path` (mkfifo(1)). */
export function mkfifo(path: string): void {
  const made = spawnSync("mkfifo", [path], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`mkfifo ${path}: ${made.stderr}`);
}

/**
 * Fills a named pipe that is open for reading elsewhere to the brim, without blocking: the next write to
 * it blocks until somebody reads.
 */
export function fillPipe(path: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const chunk = Buffer.alloc(4096, 0x20);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
  } finally {
    closeSync(fd);
  }
}
