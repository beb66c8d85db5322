import { parentPort, workerData } from "node:worker_threads";
import { Connection } from "./connection.js";
import { Publisher } from "./publisher.js";
import { Recorder } from "./record.js";
import { Session } from "./session.js";
import { traceThread } from "./trace-thread.js";
import type { ConnectionState, FeedCommand, FeedEvent, FeedOptions } from "./types.js";

/**
 * The feed worker: owns the socket, the books and the publisher. It never writes to stdout;
 * everything leaves as a FeedEvent posted to the main thread.
 */

/** At most this many error events a second reach the main thread; the rest are counted. */
const ERRORS_PER_SECOND = 20;

if (parentPort === null) throw new Error("feed/worker.js must run in a worker thread");
const port = parentPort;
const options = workerData as FeedOptions;
traceThread("feed-worker"); // off unless KRAKEN_LADDER_TRACE is set (bench/app.mjs)
const post = (event: FeedEvent): void => port.postMessage(event);

let errorWindowStart = 0;
let errorsInWindow = 0;
let errorsSuppressed = 0;
function postError(message: string): void {
  const now = Date.now();
  if (now - errorWindowStart >= 1000) {
    if (errorsSuppressed > 0) post({ type: "error", message: `${errorsSuppressed} more errors not shown` });
    errorWindowStart = now;
    errorsInWindow = 0;
    errorsSuppressed = 0;
  }
  if (++errorsInWindow <= ERRORS_PER_SECOND) post({ type: "error", message });
  else errorsSuppressed++;
}

let connection: ConnectionState = { state: "connecting", attempt: 1 };
function setConnection(next: ConnectionState): void {
  connection = next;
  post({ type: "connection", ...next });
}

let recorder: Recorder | undefined;
if (options.recordPath !== undefined) {
  try {
    recorder = new Recorder(options.recordPath);
  } catch (e) {
    postError(`cannot record to ${options.recordPath}: ${(e as Error).message}`);
  }
}

const session = new Session(
  {
    symbols: options.symbols,
    depth: options.depth,
    retryBaseMs: options.backoffBaseMs,
    retryCapMs: options.backoffCapMs,
    failureMemoryMs: options.backoffResetMs,
    ...(options.pongTimes === undefined ? {} : { pongTimes: options.pongTimes }),
  },
  {
    send: (text) => socket.send(text),
    event: (event) => (event.type === "error" ? postError(event.message) : post(event)),
    slowDown: (reason) => socket.slowDown(reason),
  },
);

/** Whether every book verified on this connection has been told to the socket (its backoff rule). */
let served = false;
function checkLive(): void {
  if (connection.state === "subscribing" && session.settled()) setConnection({ state: "live" });
  if (!served && connection.state === "live" && session.verified()) {
    served = true;
    socket.served();
  }
}

const socket = new Connection(options, {
  connecting: (attempt) => setConnection({ state: "connecting", attempt }),
  open: () => {
    served = false;
    setConnection({ state: "subscribing" });
    session.opened();
    checkLive();
  },
  frame: (raw, receivedAt) => {
    if (recorder !== undefined) {
      const failure = recorder.write(raw);
      if (failure !== undefined) {
        recorder = undefined;
        postError(failure);
      }
    }
    session.frame(raw, receivedAt);
    checkLive();
  },
  quiet: (since) => {
    if (connection.state === "live") setConnection({ state: "quiet", since });
  },
  heard: () => {
    if (connection.state === "quiet") setConnection({ state: "live" });
  },
  reconnecting: (attempt, retryInMs, reason) => {
    session.closed();
    setConnection({ state: "reconnecting", attempt, retryInMs, retryAt: Date.now() + retryInMs, reason });
  },
});

/** A view posted and not yet acknowledged by the main thread: at most one is ever queued. */
let viewInFlight = false;
const publisher = new Publisher(
  session,
  () => connection,
  (view) => {
    viewInFlight = true;
    post({ type: "view", view });
  },
  options,
  () => !viewInFlight,
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  publisher.stop();
  session.dispose();
  await socket.stop();
  recorder?.close();
  // Flush what the books last showed, then report the stop (its view repeats the same books).
  publisher.tick(Date.now(), true);
  setConnection({ state: "stopped" });
  publisher.tick(Date.now(), true);
  post({ type: "stopped" });
  port.close();
}

port.on("message", (command: FeedCommand) => {
  switch (command.type) {
    case "set-levels":
      publisher.setLevels(command.levels);
      return;
    case "view-seen":
      viewInFlight = false;
      publisher.resume(Date.now());
      return;
    case "stop":
      void stop();
      return;
    default:
      command satisfies never;
  }
});

socket.start();
publisher.start();
