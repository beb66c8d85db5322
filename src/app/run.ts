import type { FeedClient } from "../feed/types.js";
import { showFirstScreen } from "../ui/first-screen.js";
import { asciiStdout } from "../ui/glyphs.js";
import type { FirstScreen } from "../ui/first-screen.js";
import { depthHolding } from "../protocol/types.js";
import { EXIT } from "./exit-codes.js";
import { recordingOutcome, resolveFeedTarget, startFeedFor } from "./feed-setup.js";
import { fail } from "./stdout.js";
import type { FeedTarget } from "./feed-setup.js";
import { LineOut } from "./line-out.js";
import { NdjsonWriter } from "./ndjson.js";
import { bufferMarketEvents } from "./market-buffer.js";
import { marketName, streamsNdjson } from "./options.js";
import type { AppOptions } from "./options.js";
import { createShutdown } from "./shutdown.js";
import { terminalProblem } from "./terminal-check.js";
import type { Shutdown } from "./shutdown.js";

/**
 * Levels per side in views for NDJSON: none, the touch printed comes in each book's `bid` and `ask`; with
 * `--analytics` every level the book holds (its depth: the walks must see all of them to know when they
 * run off it); with `--json-levels N` at least N.
 */
function ndjsonLevels(options: AppOptions, depth: number): number {
  return Math.max(options.analytics === undefined ? 0 : depth, options.jsonLevels ?? 0);
}
const INITIAL_LADDER_LEVELS = 50;

/**
 * NDJSON's books: `--json-levels N` past the depth they would open at deepens them to the shallowest
 * Kraken depth that holds N levels, when no depth was asked for; past a depth asked for (flag, variable,
 * config file) or a recording's, it is a usage error rather than fewer levels than asked, in silence.
 */
function ndjsonTarget(options: AppOptions, target: FeedTarget): FeedTarget | number {
  const wanted = options.jsonLevels;
  if (wanted === undefined || wanted <= target.depth) return target;
  // Its parser keeps --json-levels within the deepest book: some depth holds it.
  const deep = depthHolding(wanted);
  if (options.replayPath === undefined && options.depth === undefined) return { ...target, depth: deep };
  fail(
    options.replayPath === undefined
      ? `--json-levels ${wanted} asks for more levels than depth ${target.depth} gives the books: ask for at most ${target.depth}, or for depth ${deep}`
      : `--json-levels ${wanted} asks for more levels than the recording's books hold (${target.depth} a side): ask for at most ${target.depth}`,
  );
  return EXIT.USAGE;
}

/**
 * The ladder opens its books deep enough to fill the pane's rows when no depth was asked for (by flag,
 * variable or config file): see launchDepth. A replay serves its recorded depth; `--all` and `--quote`
 * watch hundreds of books at the shallowest; `--board` starts on the board, which shows no ladder rows.
 */
async function ladderTarget(options: AppOptions, target: FeedTarget): Promise<FeedTarget> {
  const asked = options.depth !== undefined || options.replayPath !== undefined;
  if (asked || options.market !== undefined || options.board === true) return target;
  const { launchDepth } = await import("../ui/view-model/depth.js");
  const { columns, rows } = process.stdout;
  const depth = launchDepth(target.depth, target.symbols, columns || 80, rows || 24);
  return depth === target.depth ? target : { ...target, depth };
}

/**
 * The root command: symbols → (built-in server) → feed worker → NDJSON or the Ink ladder.
 * The feed is always stopped and the server always closed before this resolves.
 */
export async function runApp(options: AppOptions): Promise<number> {
  const json = streamsNdjson(options.json);
  const problem = json ? undefined : terminalProblem(process.stdin, process.env);
  if (problem !== undefined) {
    fail(problem);
    return EXIT.USAGE;
  }
  const resolved = await resolveFeedTarget(options);
  const target = json && typeof resolved !== "number" ? ndjsonTarget(options, resolved) : resolved;
  if (typeof target === "number") return target;
  const { symbols } = target;

  // From here every way out (a signal, --duration, a closed pipe, q, a dead feed) ends in shutdown.run().
  const shutdown = createShutdown({ report: fail });
  // On a terminal, something to look at at once, while the server, the feed and the ladder start.
  const stdout = options.display?.ascii === true ? asciiStdout(process.stdout) : process.stdout;
  const named = options.market === undefined ? symbols : [marketName(options.market)];
  const first = json ? undefined : showFirstScreen({ stdout, stdin: process.stdin }, named);
  if (first !== undefined) shutdown.onCleanup(() => first.close());
  let code: number = EXIT.FAILURE;
  try {
    const opened = json ? target : await ladderTarget(options, target);
    const feed = await startFeedFor(
      options,
      opened,
      json ? ndjsonLevels(options, target.depth) : INITIAL_LADDER_LEVELS,
      shutdown,
    );
    const recording = recordingOutcome(feed);
    code = recording.settle(
      first === undefined
        ? await streamNdjson(feed, options, shutdown)
        : await runTerminal(feed, symbols, options, first, shutdown, target.depth),
    );
  } finally {
    code = await shutdown.run(code);
  }
  return code;
}

/** Lines other than books (trades, tickers, …) that may wait for a reader that does not read: 32 MiB. */
const NDJSON_BACKLOG_LIMIT = 32 * 2 ** 20;

/**
 * NDJSON until `--duration`, a signal, a closed pipe or the end of a replay (the connection `ended`: nothing
 * more will come), all exit 0; or the feed dying, or nothing left to watch (every pair rejected, a market
 * that lists none: a stream that would never carry a book), 1.
 */
async function streamNdjson(feed: FeedClient, options: AppOptions, shutdown: Shutdown): Promise<number> {
  const { durationMs } = options;
  const out = new LineOut(process.stdout, NDJSON_BACKLOG_LIMIT, (waiting) => {
    fail(
      `stdout's reader is not keeping up: ${(waiting / 2 ** 20).toFixed(0)} MiB of lines that are not books are waiting ` +
        `for it (each book's waits as its newest line only); stopping rather than growing without bound`,
    );
    shutdown.request(EXIT.FAILURE);
  });
  const writer = new NdjsonWriter(
    (lines, books) => out.write(lines, books),
    (message) => fail(message),
    {
      ...(options.analytics === undefined ? {} : { analytics: options.analytics }),
      ...(options.jsonLevels === undefined ? {} : { levels: options.jsonLevels }),
    },
  );
  const unsubscribe = feed.subscribe((event) => {
    writer.event(event);
    if (event.type === "stopped") shutdown.request(EXIT.FAILURE);
    else if (event.type === "connection" && event.state === "ended") shutdown.request(EXIT.OK);
    else if (event.type === "nothing-to-watch") {
      fail(event.message);
      shutdown.request(EXIT.FAILURE);
    }
  });
  const timer =
    durationMs === undefined ? undefined : setTimeout(() => shutdown.request(EXIT.OK), durationMs);
  try {
    const reason = await shutdown.requested;
    // Stopping still reports the final transition ("stopped") on the stream.
    await feed.stop();
    return reason.kind === "request" ? reason.code : EXIT.OK;
  } finally {
    unsubscribe();
    clearTimeout(timer);
    // What still waits for a slow reader goes to the stream, whose end the exit waits for.
    out.flushNow();
  }
}

/** The Ink ladder, loaded only here so NDJSON runs never load Ink or React. */
async function runTerminal(
  feed: FeedClient,
  symbols: readonly string[],
  options: AppOptions,
  first: FirstScreen,
  shutdown: Shutdown,
  baseDepth: number,
): Promise<number> {
  const { loadLadder } = await import("../ui/load-ladder.js");
  // Instrument and status come once, right after subscribing: held until the ladder listens.
  const early = bufferMarketEvents(feed);
  const { runLadder } = await loadLadder();
  // A signal while the first screen was up: stop before the ladder draws.
  if (first.quitRequested() || shutdown.reason() !== undefined) {
    early.take();
    return EXIT.OK;
  }
  // The ladder quits on SIGINT, SIGTERM and SIGHUP itself; the shutdown's listeners, there for the whole
  // run, keep Ink's signal-exit from re-raising the signal (exit 143) once the ladder removes its own.
  first.handOver();
  // --duration quits the ladder the way SIGTERM does, restoring the terminal.
  const timer =
    options.durationMs === undefined
      ? undefined
      : setTimeout(() => process.kill(process.pid, "SIGTERM"), options.durationMs);
  try {
    const display = options.display;
    return await runLadder(feed, {
      symbols,
      fps: options.fps,
      onSave: async (list) => {
        const { saveWatchlist } = await import("../config/save-watchlist.js");
        return saveWatchlist(list, display?.configPath);
      },
      replay: options.replayPath !== undefined,
      baseDepth,
      earlyEvents: () => early.take(),
      ...(options.vapWindowMs === undefined ? {} : { vapWindowMs: options.vapWindowMs }),
      ...(options.board === true ? { board: true } : {}),
      ...(options.figures === undefined ? {} : { figures: options.figures }),
      ...(display === undefined
        ? {}
        : {
            color: display.color,
            ascii: display.ascii,
            groups: display.grouping,
          }),
    });
  } finally {
    clearTimeout(timer);
  }
}
