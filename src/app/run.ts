import { closeSync, openSync } from "node:fs";
import { startFeed } from "../feed/client.js";
import { normaliseSymbols, SymbolError } from "../feed/symbols.js";
import type { FeedClient, FeedOptions, RecordingFailure } from "../feed/types.js";
import { escapeUnsafe } from "../text/sanitize.js";
import { showFirstScreen } from "../ui/first-screen.js";
import type { FirstScreen } from "../ui/first-screen.js";
import { preferSmallHeap } from "./heap.js";
import { lowerHelperThreadPriority } from "./priority.js";
import { NdjsonWriter } from "./ndjson.js";
import { DEFAULT_DEPTH } from "./options.js";
import type { AppOptions } from "./options.js";

/** Exit codes: 0 clean stop, 1 runtime failure, 2 bad usage (bad symbol, unreadable recording). */
const USAGE_ERROR = 2;
const FAILURE = 1;
/** Levels per side in views for NDJSON (only the touch is printed); the ladder sets its own. */
const NDJSON_LEVELS = 1;
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
      return USAGE_ERROR;
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
    return USAGE_ERROR;
  }

  if (options.recordPath !== undefined) {
    try {
      closeSync(openSync(options.recordPath, "a"));
    } catch (e) {
      fail(`cannot record to ${options.recordPath}: ${(e as Error).message}`);
      return FAILURE;
    }
  }

  const json = options.json || process.stdout.isTTY !== true;
  // On a terminal, something to look at at once, while the server, the feed and the ladder start.
  const first = json ? undefined : showFirstScreen({ stdout: process.stdout, stdin: process.stdin }, symbols);
  preferSmallHeap();
  lowerHelperThreadPriority();
  let server: LocalServer | undefined;
  let feed: FeedClient | undefined;
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
      server = started;
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
      backoffBaseMs: options.backoffBaseMs,
      backoffCapMs: options.backoffCapMs,
      backoffResetMs: options.backoffResetMs,
      ...(options.recordPath === undefined ? {} : { recordPath: options.recordPath }),
    };
    const started = startFeed(feedOptions);
    feed = started;
    let recording: RecordingFailure | undefined;
    feed.subscribe((event) => {
      if (event.type === "recording-failed") recording = event;
    });
    // The feed worker's isolate undoes the young generation's sizing (see heap.ts): set it again.
    void started.online.then(preferSmallHeap);
    const code =
      first === undefined
        ? await streamNdjson(feed, options.durationMs)
        : await runTerminal(feed, symbols, options, first);
    // Said last, after the ladder has restored the terminal: a recording that stopped early fails the run.
    if (recording === undefined) return code;
    fail(`the recording ${recording.path} is incomplete: ${recording.reason}`);
    return code === 0 ? FAILURE : code;
  } finally {
    first?.close();
    await feed?.stop();
    await server?.close();
  }
}

/** NDJSON until `--duration`, SIGINT, SIGTERM or a closed pipe (all exit 0), or the feed dying (1). */
async function streamNdjson(feed: FeedClient, durationMs: number | undefined): Promise<number> {
  const writer = new NdjsonWriter(
    (line) => void process.stdout.write(line + "\n"),
    (message) => fail(message),
  );
  let requested = false;
  let settle: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (settle = resolve));
  const finish = (): void => {
    requested = true;
    settle(0);
  };
  const onPipe = (e: NodeJS.ErrnoException): void => {
    if (e.code === "EPIPE") finish();
  };
  const unsubscribe = feed.subscribe((event) => {
    writer.event(event);
    if (event.type === "stopped" && !requested) settle(FAILURE);
  });
  const timer = durationMs === undefined ? undefined : setTimeout(finish, durationMs);
  process.once("SIGINT", finish);
  process.once("SIGTERM", finish);
  process.stdout.on("error", onPipe);
  try {
    const code = await done;
    // Stopping still reports the final transition ("stopped") on the stream.
    await feed.stop();
    return code;
  } finally {
    unsubscribe();
    clearTimeout(timer);
    process.off("SIGINT", finish);
    process.off("SIGTERM", finish);
    process.stdout.off("error", onPipe);
  }
}

/** The Ink ladder, loaded only here so NDJSON runs never load Ink or React. */
async function runTerminal(
  feed: FeedClient,
  symbols: readonly string[],
  options: AppOptions,
  first: FirstScreen,
): Promise<number> {
  const { loadLadder } = await import("../ui/load-ladder.js");
  const { runLadder } = await loadLadder();
  // A signal while the first screen was up: stop before the ladder draws.
  if (first.quitRequested()) return 0;
  // The ladder quits on these signals itself. Ink's signal-exit re-raises a signal when it finds no
  // other listener left (the ladder removes its own while quitting), which would kill the process
  // with 143 instead of exiting 0: a listener of ours for the whole run prevents that.
  const keep = (): void => {};
  for (const signal of LADDER_SIGNALS) process.on(signal, keep);
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
    for (const signal of LADDER_SIGNALS) process.off(signal, keep);
  }
}

const LADDER_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
