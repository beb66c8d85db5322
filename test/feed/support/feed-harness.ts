import { startFeed } from "../../../src/feed/client.js";
import type { WorkerFeedClient } from "../../../src/feed/client.js";
import type { BookView, FeedEvent, FeedOptions, FeedView } from "../../../src/feed/types.js";

/** Short real timers: everything a test waits for happens within a second or two. */
export function feedOptions(url: string, overrides: Partial<FeedOptions> = {}): FeedOptions {
  return {
    url,
    symbols: ["BTC/USD"],
    depth: 10,
    fps: 50,
    levels: 5,
    readTimeoutMs: 2000,
    pingIntervalMs: 500,
    staleAfterMs: 10_000,
    maxLagMs: 3000,
    quietAfterMs: 1500,
    maxFrameBytes: 1024 * 1024,
    backoffBaseMs: 20,
    backoffCapMs: 200,
    backoffResetMs: 60_000,
    ...overrides,
  };
}

export type Harness = {
  readonly feed: WorkerFeedClient;
  readonly events: FeedEvent[];
  views(): FeedView[];
  book(symbol: string): BookView | undefined;
  /** Resolves with the first truthy value of `probe`, polled every 10 ms; rejects after `ms`. */
  until<T>(probe: () => T | undefined | null | false, what: string, ms?: number): Promise<T>;
};

export function harness(options: FeedOptions): Harness {
  const feed = startFeed(options);
  const events: FeedEvent[] = [];
  feed.subscribe((e) => events.push(e));
  const views = (): FeedView[] => events.flatMap((e) => (e.type === "view" ? [e.view] : []));
  return {
    feed,
    events,
    views,
    book: (symbol) => feed.latest()?.books.find((b) => b.symbol === symbol),
    until: (probe, what, ms = 5000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = (): void => {
          const v = probe();
          if (v !== undefined && v !== null && v !== false) return resolve(v);
          if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
          setTimeout(poll, 10);
        };
        poll();
      }),
  };
}
