import type { BookFeedEvent } from "../events/types.js";
import { openResolved } from "./books.js";
import { EventBuffer } from "./buffer.js";
import { check, resolveOptions } from "./options.js";
import type { ResolvedOptions } from "./options.js";
import type { WatchOptions } from "./types.js";

const DEFAULT_BUFFER = 1000;

/**
 * `for await (const event of watchBooks({ symbols: ["BTC/USD"] }))`: the public events of one feed worker.
 * Options are checked when called (SymbolError, RangeError); the feed starts on the first `next()`.
 * Breaking out of the loop, `return()`, or aborting `signal` stops the feed; after an abort the iteration
 * ends without throwing, once the feed's last events (`connection` `stopped`, then each book without
 * prices) are yielded. It also ends if the feed stops by itself, or with nothing left to watch (every pair
 * rejected: an `error` event says so first).
 */
export function watchBooks(options: WatchOptions = {}): AsyncGenerator<BookFeedEvent, void, undefined> {
  const resolved = resolveOptions(options, ["bufferSize"]);
  const limit = options.bufferSize ?? DEFAULT_BUFFER;
  check("bufferSize", limit, Number.isInteger(limit) && limit >= 1, "a whole number above 0");
  return iterate(resolved, limit);
}

async function* iterate(
  options: ResolvedOptions,
  limit: number,
): AsyncGenerator<BookFeedEvent, void, undefined> {
  const buffer = new EventBuffer(limit);
  let wake: (() => void) | undefined;
  const rouse = (): void => {
    wake?.();
    wake = undefined;
  };
  const books = openResolved(options);
  const off = books.on((event) => {
    buffer.push(event);
    rouse();
  });
  let ended = false;
  void books.closed.then(() => {
    ended = true;
    rouse();
  });
  try {
    for (;;) {
      const event = buffer.shift();
      if (event !== undefined) yield event;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    off();
    await books.close();
  }
}
