import { connectionOpen } from "../../feed/servable.js";
import type { BookView, ConnectionState } from "../../feed/types.js";
import { formatDuration } from "./numbers.js";

/**
 * What the screen says about a book (the rule is feed/servable.ts's). `syncing` is the wait for a first
 * snapshot on an open connection; `lagging` a verified book behind the exchange, or on a quiet connection
 * (its prices stay, dimmed); `disconnected` every book while the socket is not open, but `connecting` for
 * one that has not verified once in this run while the feed is still trying (at start, or a pair added
 * during an outage): nothing was lost there, and a first connect is not a disconnection. `ended`: every
 * book once the server has said its feed ended (a replay ran out).
 */
export type DisplayState =
  | "live"
  | "syncing"
  | "connecting"
  | "resyncing"
  | "stale"
  | "lagging"
  | "rejected"
  | "disconnected"
  | "ended";

export const GLYPHS: { readonly [S in DisplayState]: string } = {
  live: "●",
  syncing: "◌",
  connecting: "◌",
  resyncing: "↻",
  stale: "◐",
  lagging: "◔",
  rejected: "✕",
  disconnected: "○",
  ended: "■",
};

/** The widest state word, for fixed-width header cells. */
export const STATE_WORD_WIDTH = "disconnected".length;

export function displayState(
  book: BookView | undefined,
  connection: ConnectionState | undefined,
): DisplayState {
  if (book?.state === "rejected") return "rejected";
  if (connection?.state === "ended") return "ended";
  if (!connectionOpen(connection?.state)) {
    const trying = connection?.state !== "stopped";
    return trying && (book === undefined || book.checksums.ok === 0) ? "connecting" : "disconnected";
  }
  if (book === undefined) return "syncing";
  switch (book.state) {
    case "live":
      return "live";
    case "awaiting-snapshot":
      return "syncing";
    case "resyncing":
      return "resyncing";
    case "stale":
      return "stale";
    case "lagging":
      return "lagging";
    default:
      return book.state satisfies never;
  }
}

/** How long until a resyncing or syncing book is subscribed again, when it waits out a backoff. */
export function retryWait(book: BookView | undefined, state: DisplayState, now: number): string | undefined {
  if (book?.retryAt === undefined || (state !== "resyncing" && state !== "syncing")) return undefined;
  return formatDuration(book.retryAt - now);
}
