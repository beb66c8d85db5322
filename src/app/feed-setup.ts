import { closeSync, constants, openSync } from "node:fs";
import { startFeed } from "../feed/client.js";
import type { WorkerFeedClient } from "../feed/client.js";
import { normaliseSymbols, SymbolError } from "../feed/symbols.js";
import type { FeedClient, FeedOptions, RecordingFailure } from "../feed/types.js";
import { EXIT } from "./exit-codes.js";
import { DEFAULT_DEPTH, DEFAULT_MARKET_DEPTH } from "./options.js";
import type { AppOptions } from "./options.js";
import type { Shutdown } from "./shutdown.js";
import { fail } from "./stdout.js";
import { fileReason } from "../text/file-reason.js";

/** What the ladder and `serve` share of their options: everything about the feed. */
export type FeedSetupOptions = Omit<AppOptions, "json" | "analytics" | "jsonLevels" | "board" | "figures">;

/**
 * The books to open: their symbols and the Kraken depth to subscribe at; the `--record` file, open for
 * appending, when one is given.
 */
export type FeedTarget = {
  readonly symbols: readonly string[];
  readonly depth: number;
  readonly recordFd?: number;
};

/**
 * The symbols and depth to watch: as typed (a replay's own when none are typed), normalised; notices on
 * stderr. An exit code when they cannot be had (a bad symbol, an unreadable recording, a record file
 * that cannot be opened).
 */
export async function resolveFeedTarget(options: FeedSetupOptions): Promise<FeedTarget | number> {
  let typed = options.symbols;
  let depth = options.depth;
  if (options.market !== undefined) {
    // The books come from the exchange's pair list (see Session), not from symbols or a recording.
    const flag = options.market.kind === "all" ? "--all" : "--quote";
    if (typed.length > 0 || options.replayPath !== undefined) {
      fail(`${flag} watches the exchange's own pair list: give no symbols and no --replay with it`);
      return EXIT.USAGE;
    }
    depth ??= DEFAULT_MARKET_DEPTH;
  }
  /** The recording's pairs, when symbols were typed with --replay. */
  let recorded: readonly string[] | undefined;
  if (options.replayPath !== undefined) {
    try {
      const { describeRecording } = await import("../recording/outline.js");
      const recording = describeRecording(options.replayPath);
      if (typed.length === 0) typed = recording.symbols;
      else recorded = recording.symbols;
      depth ??= recording.depth;
    } catch (e) {
      fail(`cannot replay ${options.replayPath}: ${fileReason(e)}`);
      return EXIT.USAGE;
    }
  }
  let symbols: readonly string[];
  try {
    const normalised = options.market === undefined ? normaliseSymbols(typed) : { symbols: [], notices: [] };
    for (const notice of normalised.notices) fail(notice);
    symbols = normalised.symbols;
  } catch (e) {
    if (!(e instanceof SymbolError)) throw e;
    fail(e.message);
    return EXIT.USAGE;
  }
  if (recorded !== undefined) {
    // A pair the recording does not hold is one its replay refuses: that book would wait, rejected, for ever.
    const missing = symbols.filter((s) => !recorded.includes(s));
    if (missing.length > 0) {
      fail(
        `cannot replay ${options.replayPath}: it holds no ${missing.join(", ")} (it holds ${recorded.join(", ")})`,
      );
      return EXIT.USAGE;
    }
  }
  let recordFd: number | undefined;
  if (options.recordPath !== undefined) {
    try {
      recordFd = openRecording(options.recordPath);
    } catch (e) {
      const reason =
        (e as NodeJS.ErrnoException).code === "ENXIO"
          ? "it is a named pipe that nobody is reading (start the reader first)"
          : fileReason(e);
      fail(`cannot record to ${options.recordPath}: ${reason}`);
      return EXIT.FAILURE;
    }
  }
  return { symbols, depth: depth ?? DEFAULT_DEPTH, ...(recordFd === undefined ? {} : { recordFd }) };
}

/**
 * Opens the `--record` file for appending, for the feed worker to write (a descriptor is the process's:
 * the worker writes to this one, and `startFeedFor` closes it once the feed has stopped).
 *
 * First without waiting: a named pipe nobody reads would block a plain open, silently, until a reader
 * came (ENXIO instead). Then the descriptor kept, opened before the first is closed: a pipe's reader sees
 * the end of its input once no writer has it open, and one that waits for a writer (`gzip < pipe`) would
 * take that first open and close for the whole stream, and exit.
 */
function openRecording(path: string): number {
  const { O_WRONLY, O_APPEND, O_CREAT, O_NONBLOCK } = constants;
  const probe = openSync(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK, 0o666);
  try {
    return openSync(path, "a");
  } finally {
    closeSync(probe);
  }
}

/**
 * Starts the built-in server (--demo, --replay) if asked, then the feed worker; both are stopped by
 * `shutdown` (the feed first).
 */
export async function startFeedFor(
  options: FeedSetupOptions,
  target: FeedTarget,
  levels: number,
  shutdown: Shutdown,
): Promise<WorkerFeedClient> {
  let url = options.url;
  if (options.demo || options.replayPath !== undefined) {
    const { startSimServer } = await import("../sim/server.js");
    const started = await startSimServer({
      host: "127.0.0.1",
      port: 0,
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.pairs === undefined ? {} : { pairs: options.pairs }),
      ...(options.replayPath === undefined ? {} : { replayPath: options.replayPath, speed: options.speed }),
    });
    shutdown.onCleanup(() => started.close());
    url = started.url;
  }
  const { recordFd } = target;
  const feedOptions: FeedOptions = {
    url,
    symbols: target.symbols,
    ...(options.market === undefined ? {} : { market: options.market }),
    depth: target.depth,
    fps: options.fps,
    levels,
    readTimeoutMs: options.readTimeoutMs,
    pingIntervalMs: options.pingIntervalMs,
    staleAfterMs: options.staleAfterMs,
    maxLagMs: options.maxLagMs,
    quietAfterMs: options.quietAfterMs,
    maxFrameBytes: options.maxFrameBytes,
    // A replay's book timestamps are the recording's; the server answers pings now.
    replayTimes: options.replayPath !== undefined,
    backoffBaseMs: options.backoffBaseMs,
    backoffCapMs: options.backoffCapMs,
    backoffResetMs: options.backoffResetMs,
    ...(options.subscribeTimeoutMs === undefined ? {} : { subscribeTimeoutMs: options.subscribeTimeoutMs }),
    ...(options.recordPath === undefined ? {} : { recordPath: options.recordPath }),
    ...(recordFd === undefined ? {} : { recordFd }),
  };
  // Closed once the feed has stopped (steps run last registered first): the worker writes to it till then.
  if (recordFd !== undefined) shutdown.onCleanup(() => closeSync(recordFd));
  const feed = startFeed(feedOptions);
  // Stopped before the server closes (steps run last registered first).
  shutdown.onCleanup(() => feed.stop());
  return feed;
}

/**
 * Remembers a `--record` that stopped early (a full disk, a removed file); `settle` says so, last (after a
 * terminal is restored), and fails the run: the books kept going, but the file is incomplete.
 */
export function recordingOutcome(feed: Pick<FeedClient, "subscribe">): { settle(code: number): number } {
  let failure: RecordingFailure | undefined;
  feed.subscribe((event) => {
    if (event.type === "recording-failed") failure = event;
  });
  return {
    settle(code) {
      if (failure === undefined) return code;
      fail(`the recording ${failure.path} is incomplete: ${failure.reason}`);
      return Math.max(code, EXIT.FAILURE);
    },
  };
}
