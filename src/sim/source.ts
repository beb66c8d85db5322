/** Where a connection's frames come from: the live market model, or a replayed recording. */

export type Subscriber = {
  /** Sends one frame (already-rendered text); `symbol` marks a book frame of that symbol. */
  readonly send: (frame: string, symbol?: string) => void;
  /** Bytes waiting to be written to the subscriber's socket, for backpressure. */
  readonly backlog: () => number;
};

/** When a `ticker` subscription is sent an update: on every trade (Kraken's default) or best bid/offer change. */
export type TickerTrigger = "trades" | "bbo";

export type BookSource = {
  /** Whether `symbol` can be served. */
  has(symbol: string): boolean;
  /** The depth actually served for `symbol` when `requested` is asked for (a replay serves its recorded depth). */
  servedDepth(symbol: string, requested: number): number;
  /**
   * Why a book subscription of `symbol` would send nothing on this connection, if it would (a replay past its
   * last snapshot of it): the subscribe is then answered with this error rather than an ack.
   */
  refusal?(symbol: string, subscriber: Subscriber): string | undefined;
  /** Starts a book subscription (snapshot first when asked); returns the function that stops it. */
  subscribe(symbol: string, depth: number, snapshot: boolean, subscriber: Subscriber): () => void;
  /** Starts a `trade` subscription (the last 50 trades first when asked). */
  subscribeTrades(symbol: string, snapshot: boolean, subscriber: Subscriber): () => void;
  /** Starts a `ticker` subscription (the current ticker first when asked). */
  subscribeTicker(
    symbol: string,
    snapshot: boolean,
    trigger: TickerTrigger,
    subscriber: Subscriber,
  ): () => void;
  /** Starts an `instrument` subscription: the snapshot when asked, then an update when a pair changes. */
  subscribeInstrument(snapshot: boolean, subscriber: Subscriber): () => void;
  /**
   * Follows the exchange's system status (`online`, `maintenance`, `cancel_only`, `post_only`):
   * `onStatus` is called now with the current one and again on each change.
   */
  watchStatus(onStatus: (system: string) => void): () => void;
  /**
   * The exchange's time on this connection (epoch µs), which the server's own answers (a pong, an ack)
   * carry: a replay's is its recording's clock; undefined (the live market) is this machine's.
   */
  clock?(subscriber: Subscriber): number | undefined;
  close(): void;
};
