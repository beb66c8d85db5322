import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { servable, servedLag } from "../feed/servable.js";
import type { BookState, ConnectionState, FeedClient, FeedView } from "../feed/types.js";

const BOOK_STATES: readonly BookState[] = [
  "awaiting-snapshot",
  "live",
  "resyncing",
  "rejected",
  "stale",
  "lagging",
];
const CONNECTION_STATES: readonly ConnectionState["state"][] = [
  "connecting",
  "subscribing",
  "live",
  "quiet",
  "stalled",
  "reconnecting",
  "ended",
  "stopped",
];

export type ServeMetrics = {
  readonly registry: Registry;
  /** SSE clients connected now, and dropped for being too slow since start. */
  sseClients(count: () => number): void;
  sseDropped(): void;
};

/**
 * The Prometheus registry of `GET /metrics`. Figures the feed reports as totals (checksums, messages) are
 * read from the latest view when scraped; events (resyncs by reason, reconnects) are counted as they come.
 */
export function createMetrics(feed: FeedClient): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const latest = (): FeedView | undefined => feed.latest();
  /** What the counters fed from totals have been given so far, per label set. */
  const given = new Map<string, number>();
  const catchUp = (
    name: string,
    counter: Counter<string>,
    labels: Record<string, string>,
    total: number,
  ): void => {
    const key = `${name}${JSON.stringify(labels)}`;
    const before = given.get(key) ?? 0;
    counter.inc(labels, Math.max(0, total - before));
    given.set(key, Math.max(before, total));
  };

  new Counter({
    name: "kraken_ladder_checksums_total",
    help: "Book messages checked against Kraken's CRC32, by symbol and result (ok, failed).",
    labelNames: ["symbol", "result"],
    registers: [registry],
    collect() {
      for (const b of latest()?.books ?? []) {
        catchUp("checksums", this, { symbol: b.symbol, result: "ok" }, b.checksums.ok);
        catchUp("checksums", this, { symbol: b.symbol, result: "failed" }, b.checksums.failed);
      }
    },
  });
  new Counter({
    name: "kraken_ladder_book_messages_total",
    help: "Book messages applied (each one is checksummed), by symbol.",
    labelNames: ["symbol"],
    registers: [registry],
    collect() {
      for (const b of latest()?.books ?? []) {
        catchUp("messages", this, { symbol: b.symbol }, b.checksums.ok + b.checksums.failed);
      }
    },
  });
  new Counter({
    name: "kraken_ladder_malformed_frames_total",
    help: "Frames that could not be parsed.",
    registers: [registry],
    collect() {
      catchUp("malformed", this, {}, latest()?.malformed ?? 0);
    },
  });
  const resyncs = new Counter({
    name: "kraken_ladder_resyncs_total",
    help: "Books subscribed again, by symbol and reason.",
    labelNames: ["symbol", "reason"],
    registers: [registry],
  });
  const reconnects = new Counter({
    name: "kraken_ladder_reconnects_total",
    help: "Connections lost and tried again.",
    registers: [registry],
  });
  new Gauge({
    name: "kraken_ladder_book_state",
    help: "1 for each book's current state, 0 for the others.",
    labelNames: ["symbol", "state"],
    registers: [registry],
    collect() {
      for (const b of latest()?.books ?? []) {
        for (const state of BOOK_STATES) this.set({ symbol: b.symbol, state }, b.state === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    // A book keeps its own state once the socket is gone or the feed ended (`book_state` says live then):
    // this says whether it is served as the exchange's book now, by the rule /book and /stream follow.
    name: "kraken_ladder_book_servable",
    help: "1 while the book is served as current (verified, on an open connection, not lagging), else 0.",
    labelNames: ["symbol"],
    registers: [registry],
    collect() {
      const view = latest();
      for (const b of view?.books ?? []) {
        this.set({ symbol: b.symbol }, servable(b.state, view?.connection.state) ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: "kraken_ladder_book_lag_seconds",
    help: "How far behind the exchange each verified book is (absent until measured, and while the socket is not open).",
    labelNames: ["symbol"],
    registers: [registry],
    collect() {
      this.reset();
      const view = latest();
      for (const b of view?.books ?? []) {
        const lagMs = servedLag(b.lagMs, view?.connection.state);
        if (lagMs !== undefined) this.set({ symbol: b.symbol }, lagMs / 1000);
      }
    },
  });
  new Gauge({
    name: "kraken_ladder_book_messages_per_second",
    help: "Book messages per second over the last few seconds, by symbol.",
    labelNames: ["symbol"],
    registers: [registry],
    collect() {
      for (const b of latest()?.books ?? []) this.set({ symbol: b.symbol }, b.messagesPerSecond);
    },
  });
  new Gauge({
    name: "kraken_ladder_connection_state",
    help: "1 for the connection's current state, 0 for the others.",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const now = latest()?.connection.state ?? "connecting";
      for (const state of CONNECTION_STATES) this.set({ state }, state === now ? 1 : 0);
    },
  });
  let clients: () => number = () => 0;
  new Gauge({
    name: "kraken_ladder_sse_clients",
    help: "SSE clients connected.",
    registers: [registry],
    collect() {
      this.set(clients());
    },
  });
  const dropped = new Counter({
    name: "kraken_ladder_sse_dropped_clients_total",
    help: "SSE clients disconnected for staying backed up past the limit.",
    registers: [registry],
  });
  dropped.inc(0);
  reconnects.inc(0);

  feed.subscribe((event) => {
    if (event.type === "resync") resyncs.inc({ symbol: event.symbol, reason: event.reason });
    else if (event.type === "connection" && event.state === "reconnecting") reconnects.inc();
  });
  return {
    registry,
    sseClients: (count) => void (clients = count),
    sseDropped: () => dropped.inc(),
  };
}
