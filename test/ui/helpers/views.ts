import type {
  BookView,
  DeepLevels,
  ConnectionState,
  FeedEvent,
  FeedClient,
  FeedView,
  LevelView,
} from "../../../src/feed/types.js";

export const NOW = 1_780_000_000_000;

/** `[price, qty]` pairs → levels. */
export function levels(pairs: readonly (readonly [string, string])[]): LevelView[] {
  return pairs.map(([price, qty]) => ({ price, qty }));
}

const BTC_ASKS = levels([
  ["63388.8", "0.34887114"],
  ["63389.0", "1.20000000"],
  ["63389.5", "0.05000000"],
  ["63390.1", "2.00000000"],
  ["63391.0", "0.10000000"],
  ["63392.4", "0.75000000"],
]);
const BTC_BIDS = levels([
  ["63388.7", "0.25761908"],
  ["63388.2", "0.50000000"],
  ["63387.0", "1.00000000"],
  ["63386.9", "0.01000000"],
  ["63385.0", "3.50000000"],
  ["63380.0", "0.20000000"],
]);

export function btcBook(overrides: Partial<BookView> = {}): BookView {
  const asks = overrides.asks ?? BTC_ASKS;
  const bids = overrides.bids ?? BTC_BIDS;
  return {
    symbol: "BTC/USD",
    state: "live",
    version: 1,
    bids,
    asks,
    ...(bids[0] === undefined ? {} : { bid: bids[0] }),
    ...(asks[0] === undefined ? {} : { ask: asks[0] }),
    spread: "0.1",
    mid: "63388.75",
    priceDecimals: 1,
    qtyDecimals: 8,
    checksums: { ok: 120, failed: 0 },
    resyncs: 0,
    tradeGaps: 0,
    changedAt: NOW - 400,
    messagesPerSecond: 42,
    latencyP50: 12,
    latencyP99: 40,
    ...overrides,
  };
}

export function ethBook(overrides: Partial<BookView> = {}): BookView {
  const asks =
    overrides.asks ??
    levels([
      ["3120.55", "10.000"],
      ["3120.60", "2.500"],
      ["3121.00", "7.125"],
    ]);
  const bids =
    overrides.bids ??
    levels([
      ["3120.50", "4.000"],
      ["3120.10", "1.250"],
      ["3119.95", "0.500"],
    ]);
  return {
    symbol: "ETH/USD",
    state: "live",
    version: 1,
    bids,
    asks,
    ...(bids[0] === undefined ? {} : { bid: bids[0] }),
    ...(asks[0] === undefined ? {} : { ask: asks[0] }),
    spread: "0.05",
    mid: "3120.525",
    priceDecimals: 2,
    qtyDecimals: 3,
    checksums: { ok: 80, failed: 1 },
    resyncs: 1,
    tradeGaps: 0,
    changedAt: NOW - 2500,
    messagesPerSecond: 7.5,
    latencyP50: 3.25,
    latencyP99: 19,
    ...overrides,
  };
}

export const LIVE: ConnectionState = { state: "live" };

export function feedView(books: readonly BookView[], connection: ConnectionState = LIVE): FeedView {
  return { connection, books, publishedAt: NOW, receivedAt: NOW, malformed: 0 };
}

/**
 * An in-memory FeedClient: the test publishes views by hand. Fine for the UI, which only presents what a
 * feed publishes; the real feed has its own tests.
 */
export class MemoryFeed implements FeedClient {
  readonly levelRequests: number[] = [];
  stopped = false;
  #listeners = new Set<(event: FeedEvent) => void>();
  #latest: FeedView | undefined;

  constructor(initial?: FeedView) {
    this.#latest = initial;
  }

  publish(view: FeedView): void {
    this.#latest = view;
    for (const listener of [...this.#listeners]) listener({ type: "view", view });
  }

  emit(event: FeedEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  subscribe(listener: (event: FeedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  latest(): FeedView | undefined {
    return this.#latest;
  }

  /** How many times a whole view was asked for (refresh). */
  refreshes = 0;

  refresh(): void {
    this.refreshes++;
  }

  /** The `deep` of each setLevels call (undefined when none). */
  readonly deepRequests: (DeepLevels | undefined)[] = [];

  setLevels(levels: number, deep?: DeepLevels): void {
    this.levelRequests.push(levels);
    this.deepRequests.push(deep);
  }

  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}
