import { closeSync, openSync } from "node:fs";
import { startFeed } from "../feed/client.js";
import { normaliseSymbols, SymbolError } from "../feed/symbols.js";
import type { FeedClient, FeedOptions, RecordingFailure } from "../feed/types.js";
import { escapeUnsafe } from "../text/sanitize.js";
import { showFirstScreen } from "../ui/first-screen.js";
import type { FirstScreen } from "../ui/first-screen.js";
import { EXIT } from "./exit-codes.js";
import { NdjsonWriter } from "./ndjson.js";
import { DEFAULT_DEPTH } from "./options.js";
import type { AppOptions } from "./options.js";
import { createShutdown } from "./shutdown.js";
import type { Shutdown } from "./shutdown.js";

/** Levels per side in views for NDJSON: none, the touch printed comes in each book's `bid` and `ask`. */
const NDJSON_LEVELS = 0;
const INITIAL_LADDER_LEVELS = 50;

/** A server started in-process for `--demo` and `--replay`. */
type LocalServer = { readonly url: string; close(): Promise<void> };

/** A line on stderr; server and file text in it is shown escaped, never raw (see text/sanitize.ts). */
function fail(message: string): void {
  process.stderr.write(`kraken-ladder: ${escapeUnsafe(message)}\n`);
}

/**
 * The root command: symbols → (built-in server) → feed worker → NDJSON or the Ink ladder.
 * The feed is always stopped and the server always closed before this resolves.
 */
export async function runApp(options: AppOptions): Promise<number> {
  let typed = options.symbols;
  let depth = options.depth;
  if (options.replayPath !== undefined) {
    try {
      const { describeRecording } = await import("../recording/outline.js");
      const recording = describeRecording(options.replayPath);
      if (typed.length === 0) typed = recording.symbols;
      depth ??= recording.depth;
    } catch (e) {
      fail(`cannot replay ${options.replayPath}: ${(e as Error).message}`);
      return EXIT.USAGE;
    }
  }

  let symbols: readonly string[];
  try {
    const normalised = normaliseSymbols(typed);
    for (const notice of normalised.notices) fail(notice);
    symbols = normalised.symbols;
  } catch (e) {
    if (!(e instanceof SymbolError)) throw e;
    fail(e.message);
    return EXIT.USAGE;
  }

  if (options.recordPath !== undefined) {
    try {
      closeSync(openSync(options.recordPath, "a"));
    } catch (e) {
      fail(`cannot record to ${options.recordPath}: ${(e as Error).message}`);
      return EXIT.FAILURE;
    }
  }

  const json = options.json || process.stdout.isTTY !== true;
  // From here every way out (a signal, --duration, a closed pipe, q, a dead feed) ends in shutdown.run().
  const shutdown = createShutdown({ report: fail });
  // On a terminal, something to look at at once, while the server, the feed and the ladder start.
  const first = json ? undefined : showFirstScreen({ stdout: process.stdout, stdin: process.stdin }, symbols);
  if (first !== undefined) shutdown.onCleanup(() => first.close());
  let code: number = EXIT.FAILURE;
  try {
    let url = options.url;
    if (options.demo || options.replayPath !== undefined) {
      const { startSimServer } = await import("../sim/server.js");
      const started: LocalServer = await startSimServer({
        host: "127.0.0.1",
        port: 0,
        ...(options.rate === undefined ? {} : { rate: options.rate }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(options.replayPath === undefined ? {} : { replayPath: options.replayPath, speed: options.speed }),
      });
      shutdown.onCleanup(() => started.close());
      url = started.url;
    }
    const feedOptions: FeedOptions = {
      url,
      symbols,
      depth: depth ?? DEFAULT_DEPTH,
      fps: options.fps,
      levels: json ? NDJSON_LEVELS : INITIAL_LADDER_LEVELS,
      readTimeoutMs: options.readTimeoutMs,
      pingIntervalMs: options.pingIntervalMs,
      staleAfterMs: options.staleAfterMs,
      maxLagMs: options.maxLagMs,
      quietAfterMs: options.quietAfterMs,
      maxFrameBytes: options.maxFrameBytes,
      // A replay's book timestamps are the recording's; the server answers pings now.
      pongTimes: options.replayPath === undefined,
      backoffBaseMs: options.backoffBaseMs,
      backoffCapMs: options.backoffCapMs,
      backoffResetMs: options.backoffResetMs,
      ...(options.subscribeTimeoutMs === undefined ? {} : { subscribeTimeoutMs: options.subscribeTimeoutMs }),
      ...(options.recordPath === undefined ? {} : { recordPath: options.recordPath }),
    };
    const feed = startFeed(feedOptions);
    // Stopped before the server closes (steps run last registered first).
    shutdown.onCleanup(() => feed.stop());
    let recording: RecordingFailure | undefined;
    feed.subscribe((event) => {
      if (event.type === "recording-failed") recording = event;
    });
    code =
      first === undefined
        ? await streamNdjson(feed, options.durationMs, shutdown)
        : await runTerminal(feed, symbols, options, first, shutdown);
    // Said last, after the ladder has restored the terminal: a recording that stopped early fails the run.
    if (recording !== undefined) {
      fail(`the recording ${recording.path} is incomplete: ${recording.reason}`);
      code = Math.max(code, EXIT.FAILURE);
    }
  } finally {
    code = await shutdown.run(code);
  }
  return code;
}

/** NDJSON until `--duration`, a signal or a closed pipe (all exit 0), or the feed dying (1). */
async function streamNdjson(
  feed: FeedClient,
  durationMs: number | undefined,
  shutdown: Shutdown,
): Promise<number> {
  const writer = new NdjsonWriter(
    (line) => void process.stdout.write(line + "\n"),
    (message) => fail(message),
  );
  const onPipe = (e: NodeJS.ErrnoException): void => {
    if (e.code === "EPIPE") shutdown.request(EXIT.OK);
  };
  const unsubscribe = feed.subscribe((event) => {
    writer.event(event);
    if (event.type === "stopped") shutdown.request(EXIT.FAILURE);
  });
  const timer =
    durationMs === undefined ? undefined : setTimeout(() => shutdown.request(EXIT.OK), durationMs);
  process.stdout.on("error", onPipe);
  try {
    const reason = await shutdown.requested;
    // Stopping still reports the final transition ("stopped") on the stream.
    await feed.stop();
    return reason.kind === "request" ? reason.code : EXIT.OK;
  } finally {
    unsubscribe();
    clearTimeout(timer);
    process.stdout.off("error", onPipe);
  }
}

/** The Ink ladder, loaded only here so NDJSON runs never load Ink or React. */
async function runTerminal(
  feed: FeedClient,
  symbols: readonly string[],
  options: AppOptions,
  first: FirstScreen,
  shutdown: Shutdown,
): Promise<number> {
  const { loadLadder } = await import("../ui/load-ladder.js");
  const { runLadder } = await loadLadder();
  // A signal while the first screen was up: stop before the ladder draws.
  if (first.quitRequested() || shutdown.reason() !== undefined) return EXIT.OK;
  // The ladder quits on SIGINT, SIGTERM and SIGHUP itself; the shutdown's listeners, there for the whole
  // run, keep Ink's signal-exit from re-raising the signal (exit 143) once the ladder removes its own.
  first.handOver();
  // --duration quits the ladder the way SIGTERM does, restoring the terminal.
  const timer =
    options.durationMs === undefined
      ? undefined
      : setTimeout(() => process.kill(process.pid, "SIGTERM"), options.durationMs);
  try {
    return await runLadder(feed, { symbols, fps: options.fps });
  } finally {
    clearTimeout(timer);
  }
}
