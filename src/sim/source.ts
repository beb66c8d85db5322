/** Where a connection's book frames come from: the live market model, or a replayed recording. */

export type Subscriber = {
  /** Sends one book frame (already-rendered text) to this subscriber. */
  readonly send: (frame: string, symbol: string) => void;
  /** Bytes waiting to be written to the subscriber's socket, for backpressure. */
  readonly backlog: () => number;
};

export type BookSource = {
  /** Whether `symbol` can be served. */
  has(symbol: string): boolean;
  /** The depth actually served for `symbol` when `requested` is asked for (a replay serves its recorded depth). */
  servedDepth(symbol: string, requested: number): number;
  /** Starts a subscription (snapshot first when asked); returns the function that stops it. */
  subscribe(symbol: string, depth: number, snapshot: boolean, subscriber: Subscriber): () => void;
  /** The `instrument` channel snapshot frame for what this source serves. */
  instrumentFrame(): string;
  close(): void;
};
