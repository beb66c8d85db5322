import { EXIT } from "../app/exit-codes.js";
import { recordingOutcome, resolveFeedTarget, startFeedFor } from "../app/feed-setup.js";
import { fail } from "../app/stdout.js";
import { marketName } from "../app/options.js";
import type { FeedSetupOptions } from "../app/feed-setup.js";
import { createShutdown } from "../app/shutdown.js";
import { escapeUnsafe } from "../text/sanitize.js";
import { isLoopback } from "./auth.js";
import { FeedNotes } from "./feed-notes.js";
import type { CorsOrigins } from "./cors.js";
import { startServeServer } from "./http-server.js";

export type ServeOptions = FeedSetupOptions & {
  readonly host: string;
  readonly port: number;
  /** Bearer token (from --token or KRAKEN_LADDER_TOKEN). */
  readonly token?: string;
  /** --no-auth: serve without a token even off loopback. */
  readonly noAuth: boolean;
  /** --cors: the origins whose pages may read the answers. */
  readonly cors?: CorsOrigins;
  /** An SSE client backed up this long is dropped. */
  readonly clientTimeoutMs: number;
};

/** Bytes an SSE client may hold unsent before it is dropped, whatever the time. */
const MAX_CLIENT_BUFFER = 1024 * 1024;

/**
 * `kraken-ladder serve`: the feed's books over HTTP until a signal or --duration (exit 0), or the feed
 * stopping (1). The first stdout line is the base URL; notes go to stderr.
 */
export async function runServe(options: ServeOptions): Promise<number> {
  if (!isLoopback(options.host) && options.token === undefined && !options.noAuth) {
    fail(
      `binding ${options.host} (not loopback) needs a token: --token or KRAKEN_LADDER_TOKEN, or --no-auth to serve without one`,
    );
    return EXIT.USAGE;
  }
  const target = await resolveFeedTarget(options);
  if (typeof target === "number") return target;
  const shutdown = createShutdown({ report: fail });
  let code: number = EXIT.FAILURE;
  try {
    // Every view carries the full depth: each client takes the levels it asked for.
    const feed = await startFeedFor(options, target, target.depth, shutdown);
    // Listening from the start, so that a first try failed while the server starts is said too; held
    // until the line saying what is served, which comes first.
    const held: string[] = [];
    let holding = true;
    const notes = new FeedNotes((message) => (holding ? held.push(message) : fail(message)));
    shutdown.onCleanup(feed.subscribe((event) => notes.event(event)));
    let server;
    try {
      server = await startServeServer({
        feed,
        symbols: target.symbols,
        depth: target.depth,
        host: options.host,
        port: options.port,
        ...(options.noAuth || options.token === undefined ? {} : { token: options.token }),
        ...(options.cors === undefined ? {} : { cors: options.cors }),
        limits: {
          stallMs: options.clientTimeoutMs,
          maxBufferedBytes: MAX_CLIENT_BUFFER,
          tradeFlushMs: Math.max(1, Math.round(1000 / options.fps)),
        },
        onNote: (message) => process.stderr.write(`kraken-ladder: ${message}\n`),
      });
    } catch (e) {
      fail(`cannot listen on ${options.host}:${options.port}: ${(e as Error).message}`);
      return (code = EXIT.FAILURE);
    }
    // Registered after the feed, so it closes first: every stream ends before the feed stops.
    shutdown.onCleanup(() => server.close());
    process.stdout.write(`${server.url}\n`);
    const token = options.noAuth || options.token === undefined ? "no token" : "bearer token required";
    const auth =
      options.cors === undefined
        ? token
        : `${token}; pages of ${options.cors === "*" ? "any origin" : options.cors.join(", ")} may read it`;
    process.stderr.write(
      `kraken-ladder: serving ${options.market === undefined ? escapeUnsafe(target.symbols.join(" ")) : marketName(options.market)} at ${server.url} (${auth}); /stream, /book/:symbol, /metrics\n`,
    );
    holding = false;
    for (const message of held.splice(0)) fail(message);
    const recording = recordingOutcome(feed);
    const unsubscribe = feed.subscribe((event) => {
      if (event.type === "stopped") shutdown.request(EXIT.FAILURE);
      // Serving goes on; said at once (a serve runs for days) and again at the end, which it fails.
      if (event.type === "recording-failed")
        fail(`recording stopped, ${event.path} is incomplete: ${event.reason}`);
    });
    const timer =
      options.durationMs === undefined
        ? undefined
        : setTimeout(() => shutdown.request(EXIT.OK), options.durationMs);
    const reason = await shutdown.requested;
    clearTimeout(timer);
    unsubscribe();
    code = recording.settle(reason.kind === "request" ? reason.code : EXIT.OK);
  } finally {
    code = await shutdown.run(code);
  }
  return code;
}
