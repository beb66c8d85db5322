/**
 * The one rule for what may be shown or served as the exchange's book now, used by the ladder, the board,
 * NDJSON analytics, the library, `serve` and its web page (which mirrors it in its own script).
 *
 * The feed decides each book's state: it voids every book when the socket goes (each awaits its next
 * snapshot), marks every verified book `lagging` while the connection is quiet or behind, and calls a book
 * `live` only once it is verified on the current connection. So a book verified while other subscriptions
 * are still being answered (`subscribing`) is live: one pair the exchange is slow to answer does not hide
 * the others. What a consumer adds is the socket itself: while it is not open (connecting, reconnecting,
 * stopped), or once the server has said its feed ended (`ended`: the end of a replay; the books keep
 * their last state, but none will change again), nothing is live. A feed worker that stops answering is
 * `stalled` (said by the main thread, feed/stall.ts): like `quiet`, its verified books are `lagging` then.
 */

/**
 * Whether the books carry a verdict: the socket is open, or was when a stalled worker last answered (its
 * books are then `lagging`, prices kept but never live).
 */
export function connectionOpen(connection: string | undefined): boolean {
  return (
    connection === "subscribing" ||
    connection === "live" ||
    connection === "quiet" ||
    connection === "stalled"
  );
}

/**
 * Whether what arrives on the connection is current: the socket is open and neither quiet nor stalled. For
 * what has no state of its own in the feed (a pair's ticker, its trade tape), where a book has `lagging`.
 */
export function connectionCurrent(connection: string | undefined): boolean {
  return connection === "subscribing" || connection === "live";
}

/**
 * Whether a book's state says its levels are verified, the exchange's as of its last checksum: `live`,
 * `stale` (a quiet market) or `lagging` (behind the exchange). Such a book's levels are kept and shown,
 * an empty side meaning no orders; any other book (awaiting its snapshot, resyncing, rejected) has none.
 */
export function verifiedState(book: string): boolean {
  return book === "live" || book === "stale" || book === "lagging";
}

/**
 * Whether a book's prices may be shown or served as current: verified and current (`live`, or `stale`:
 * a quiet market) on an open connection.
 */
export function servable(book: string, connection: string | undefined): boolean {
  return (book === "live" || book === "stale") && connectionOpen(connection);
}

/**
 * A book's reason as every surface gives it: its own (a resync's, a rejection's) or, while the socket is
 * not open, the connection's (`connection stopped`, `connection ended`, …); none otherwise (a lagging
 * book's state says it). So a book that keeps its last state (`live`) once the feed has stopped or ended
 * is never served or streamed as if it were current.
 */
export function servedReason(
  bookReason: string | undefined,
  connection: string | undefined,
): string | undefined {
  return bookReason ?? (connectionOpen(connection) ? undefined : `connection ${connection ?? "connecting"}`);
}

/**
 * A book's lag as every surface gives it: how far behind the exchange its prices are (a lagging book's
 * included: its state's measure), while the socket is open; none once it is not, as the book's last lag
 * is then no measure of anything.
 */
export function servedLag(lagMs: number | undefined, connection: string | undefined): number | undefined {
  return connectionOpen(connection) ? lagMs : undefined;
}
