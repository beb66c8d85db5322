import { parentPort, workerData } from "node:worker_threads";
import { Connection } from "./connection.js";
import { Publisher } from "./publisher.js";
import { MessageLimiter } from "./message-limit.js";
import { Recorder } from "../recording/recorder.js";
import { Session } from "./session.js";
import { traceThread } from "./trace-thread.js";
import type { FeedWorkerData } from "./client.js";
import { FREE, IN_FLIGHT, WAKE_ME } from "./in-flight.js";
import { startBeating } from "./stall.js";
import type { ConnectionState, FeedCommand, FeedEvent, RecordingFailure } from "./types.js";
import { ViewEncoder } from "./view-delta.js";
import type { WorkerMessage } from "./view-delta.js";
import { fileReason } from "../text/file-reason.js";

/**
 * The feed worker: owns the socket, the books and the publisher. It never writes to stdout;
 * everything leaves as a FeedEvent posted to the main thread.
 */

/** At most this many error events a second reach the main thread; the rest are counted. */
const ERRORS_PER_SECOND = 20;
/** Notices (exchange status) go to a terminal's stderr: fewer. */
const NOTICES_PER_SECOND = 5;

if (parentPort === null) throw new Error("feed/worker.js must run in a worker thread");
const port = parentPort;
const { options, inFlight, beat } = workerData as FeedWorkerData;
traceThread("feed-worker"); // off unless KRAKEN_LADDER_TRACE is set (bench/app.mjs)
const post = (event: WorkerMessage): void => port.postMessage(event);

const errors = new MessageLimiter<Extract<FeedEvent, { type: "error" }>>(
  ERRORS_PER_SECOND,
  "errors",
  post,
  (message) => ({ type: "error", message }),
);
const notices = new MessageLimiter<Extract<FeedEvent, { type: "notice" }>>(
  NOTICES_PER_SECOND,
  "notices",
  post,
  (message) => ({ type: "notice", message }),
);

let connection: ConnectionState = { state: "connecting", attempt: 1 };
function setConnection(next: ConnectionState): void {
  connection = next;
  post({ type: "connection", ...next });
  publishNow();
}

/**
 * A change of the connection, a book leaving live (a resync) or a tape becoming current is published at
 * once, past the interval and past a busy consumer, as one view per turn however many there are in it:
 * every face reads the latest view, and none may keep showing a book as live meanwhile, miss that it was
 * withdrawn when it verifies again within one interval, or serve trades its view says are not current.
 */
let publishing = false;
function publishNow(): void {
  if (publishing) return;
  publishing = true;
  queueMicrotask(() => {
    publishing = false;
    publisher.tick(Date.now(), true);
  });
}

let recorder: Recorder | undefined;
let recordingFailure: RecordingFailure | undefined;
function recordingFailed(path: string, reason: string): void {
  recorder = undefined;
  recordingFailure = { path, reason };
  post({ type: "recording-failed", ...recordingFailure });
  // A change every later view shows.
  session.version++;
}

const session = new Session(
  {
    symbols: options.symbols,
    depth: options.depth,
    retryBaseMs: options.backoffBaseMs,
    retryCapMs: options.backoffCapMs,
    failureMemoryMs: options.backoffResetMs,
    ...(options.subscribeTimeoutMs === undefined ? {} : { subscribeTimeoutMs: options.subscribeTimeoutMs }),
    ...(options.replayTimes === undefined ? {} : { replayTimes: options.replayTimes }),
    ...(options.market === undefined ? {} : { market: options.market }),
  },
  {
    send: (text) => socket.send(text),
    event: (event) => {
      if (event.type === "error") errors.post(event);
      else if (event.type === "notice") notices.post(event);
      else post(event);
    },
    urgent: publishNow,
    slowDown: (reason) => socket.slowDown(reason),
    ended: () => {
      if (connection.state !== "live" && connection.state !== "subscribing" && connection.state !== "quiet")
        return;
      // What the books last showed leaves first, then the end. The books stay as they ended: the session
      // asks nothing more (its resubscribes would start the replay again) and applies nothing more.
      publisher.tick(Date.now(), true);
      session.dispose();
      setConnection({ state: "ended" });
    },
  },
);

if (options.recordPath !== undefined) {
  try {
    recorder = new Recorder(options.recordPath, { fd: options.recordFd });
  } catch (e) {
    recordingFailed(options.recordPath, fileReason(e));
  }
}

/** Whether every book verified on this connection has been told to the socket (its backoff rule). */
let served = false;
/** The state a quiet connection returns to when a frame comes. */
let resumeAs: "live" | "subscribing" = "live";
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
      if (failure !== undefined) recordingFailed(recorder.path, failure);
    }
    if (connection.state === "ended") return;
    session.frame(raw, receivedAt);
    checkLive();
    publisher.changed(Date.now());
  },
  // Quiet from subscribing too: a book verified on this connection is live before every pair is answered
  // (feed/servable.ts), so a silence then makes it lagging as it would once the connection is live.
  quiet: (since) => {
    if (connection.state !== "live" && connection.state !== "subscribing") return;
    resumeAs = connection.state;
    setConnection({ state: "quiet", since });
  },
  heard: () => {
    if (connection.state !== "quiet") return;
    session.resumed(Date.now());
    setConnection({ state: resumeAs });
    checkLive();
  },
  pinged: (reqId, at) => session.pinged(reqId, at),
  reconnecting: (attempt, retryInMs, reason, opened) => {
    session.closed();
    const retryAt = Date.now() + retryInMs;
    setConnection({
      state: "reconnecting",
      attempt,
      retryInMs,
      retryAt,
      reason,
      ...(opened ? {} : { neverOpened: true as const }),
    });
  },
});

/**
 * At most one view is ever queued for the main thread, but for one pushed at once by `publishNow`. The flag it clears when it has taken a view is shared
 * memory, so taking one costs this thread no wake-up; only when a view is held back does the worker ask for
 * a "view-seen" message (see in-flight.ts).
 */
const flag = new Int32Array(inFlight);
const views = new ViewEncoder();
const publisher = new Publisher(
  session,
  () => connection,
  (view) => {
    Atomics.store(flag, 0, IN_FLIGHT);
    post({
      type: "view",
      view: views.encode(recordingFailure === undefined ? view : { ...view, recording: recordingFailure }),
    });
  },
  options,
  // Free, or taken between the load and the exchange: ready. Else the main thread is asked to say when.
  () => Atomics.compareExchange(flag, 0, IN_FLIGHT, WAKE_ME) === FREE,
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  publisher.stop();
  session.dispose();
  await socket.stop();
  recorder?.close();
  errors.flush();
  notices.flush();
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
      publisher.setLevels(command.levels, command.deep);
      publisher.changed(Date.now());
      return;
    case "view-seen":
      publisher.resume(Date.now());
      return;
    case "refresh":
      publisher.republish(Date.now());
      return;
    case "add-symbol":
      if (session.add(command.symbol)) publisher.changed(Date.now());
      return;
    case "remove-symbol":
      if (session.remove(command.symbol)) publisher.changed(Date.now());
      return;
    case "set-depth":
      if (session.setDepth(command.symbol, command.depth)) publisher.changed(Date.now());
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
startBeating(beat);
