import { readFileSync } from "node:fs";
import type { Server } from "node:net";

/**
 * The process's soft limit of open files (`ulimit -n`), from the text of /proc/self/limits; undefined
 * where there is no such file (not Linux) or the limit is unlimited.
 */
export function openFileLimit(limits: string | undefined = readLimits()): number | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits ?? "");
  return m === null || m[1] === "unlimited" ? undefined : Number(m[1]);
}

function readLimits(): string | undefined {
  try {
    return readFileSync("/proc/self/limits", "utf8");
  } catch {
    return undefined;
  }
}

/** Files the process keeps open besides its connections (stdio, the feed's socket, threads' handles), and a margin. */
export const SPARE_FILES = 64;

/**
 * Says once, through `note`, when the server's open connections come within SPARE_FILES of `limit`. Past
 * the limit the kernel refuses to accept, and Node (libuv) accepts each waiting connection with a spare
 * file and closes it at once: the client sees its connection closed, and the server hears nothing. Said
 * again only after the count has fallen half SPARE_FILES below where it is said (to none, for a small limit).
 */
export function watchOpenFiles(
  server: Server,
  limit: number | undefined,
  note: (message: string) => void,
): void {
  if (limit === undefined) return;
  const near = Math.max(1, limit - SPARE_FILES);
  const rearm = Math.max(1, near - SPARE_FILES / 2);
  let open = 0;
  let armed = true;
  server.on("connection", (socket) => {
    open++;
    socket.once("close", () => {
      open--;
      if (open < rearm) armed = true;
    });
    if (!armed || open < near) return;
    armed = false;
    note(
      `${open} connections are open, near the open-file limit of ${limit} (ulimit -n): connections past it are closed unanswered; raise the limit before starting serve (ulimit -n 65536)`,
    );
  });
}
