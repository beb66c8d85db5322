import { BookChanges, publicEvents } from "../events/from-feed.js";
import type { PublicEventOptions } from "../events/from-feed.js";
import type { BookEvent, BookFeedEvent } from "../events/types.js";
import { startFeed } from "../feed/client.js";
import { normaliseSymbols } from "../feed/symbols.js";
import type { FeedClient, FeedEvent } from "../feed/types.js";
import { resolveOptions, shown } from "./options.js";
import type { ResolvedOptions } from "./options.js";
import type { BookOptions, Books } from "./types.js";

/** The library serves what `serve` serves: prices only for a live or stale book, with its ladder. */
const LIBRARY_EVENTS: PublicEventOptions = { prices: "servable", ladder: true };

/**
 * Starts the feed worker (and the simulator for `demo`) and calls listeners with every public event.
 * Options are checked at once: a bad symbol throws SymbolError, a bad number RangeError.
 */
export function openBooks(options: BookOptions = {}): Books {
  return openResolved(resolveOptions(options));
}

/** openBooks with options already checked (watchBooks checks them when called, starts when iterated). */
export function openResolved(options: ResolvedOptions): Books {
  const listeners = new Set<(event: BookFeedEvent) => void>();
  const current = new Map<string, BookEvent>();
  const changes = new BookChanges();
  let feed: FeedClient | undefined;
  let server: { close(): Promise<void> } | undefined;
  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (markClosed = resolve));

  const deliver = (event: BookFeedEvent): void => {
    for (const listener of [...listeners]) listener(event);
  };
  const onFeed = (event: FeedEvent): void => {
    for (const e of publicEvents(event, LIBRARY_EVENTS)) {
      if (e.type === "book") {
        // Only what changed, as NDJSON: at most one book event per symbol per published view.
        if (changes.changed(e) === undefined) continue;
        current.set(e.symbol, e);
      }
      deliver(e);
    }
    // The feed ended by itself (or by close()): so does this handle. Every pair rejected leaves nothing
    // a caller can watch (the library has no way to add one): it stops, as the command line exits 1.
    if (event.type === "stopped" || event.type === "nothing-to-watch") void close();
  };

  const start = async (): Promise<void> => {
    let url = options.url;
    if (options.demo !== undefined) {
      const { startSimServer } = await import("../sim/server.js");
      const sim = await startSimServer({ host: "127.0.0.1", port: 0, ...options.demo });
      server = sim;
      url = sim.url;
    }
    if (closing !== undefined) return;
    feed = startFeed({ ...options.feed, url });
    feed.subscribe(onFeed);
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      await started;
      // The feed first (its socket closes with 1000), then the simulator it talks to.
      await feed?.stop();
      await server?.close();
      markClosed();
    })();
    return closing;
  };
  const onAbort = (): void => void close();

  const started = options.signal?.aborted
    ? Promise.resolve()
    : start().catch((e: unknown) => {
        deliver({ type: "error", message: `cannot start: ${e instanceof Error ? e.message : String(e)}` });
        void close();
      });
  if (options.signal?.aborted) void close();
  else options.signal?.addEventListener("abort", onAbort, { once: true });

  return {
    symbols: options.feed.symbols,
    on(listener) {
      // Not an EventEmitter: `on("book", fn)` would otherwise fail later, inside the feed's event path.
      if (typeof listener !== "function")
        throw new TypeError(
          `on: ${shown(listener)} is not a function; give one listener for every event, e.g. books.on((event) => { if (event.type === "book") … })`,
        );
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    current(symbol) {
      try {
        const [name] = normaliseSymbols([symbol]).symbols;
        return name === undefined ? undefined : current.get(name);
      } catch {
        return undefined;
      }
    },
    close,
    closed,
  };
}
