import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { FREE, WAKE_ME } from "./in-flight.js";
import { BEAT_EVERY_MS, StallWatch, stallLimit } from "./stall.js";
import { STUCK_MESSAGE, stuckWorkers as stuck } from "./stuck.js";
import type { FeedClient, FeedCommand, FeedEvent, FeedOptions, FeedView } from "./types.js";
import { ViewDecoder } from "./view-delta.js";
import type { WorkerMessage } from "./view-delta.js";

/** How long `stop()` waits for the worker to finish by itself before terminating it, and then for that. */
const STOP_GRACE_MS = 1000;

/** Whether `done` settles within `ms`. */
async function within(done: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([done.then(() => true as const), late]);
  clearTimeout(timer);
  return settled;
}

/**
 * The bundled worker, dist/feed/worker.js. In the bundle this code runs from a file one folder below dist/
 * (an entry such as dist/lib/index.js, or a shared chunk in dist/chunks/: build/bundle.mjs), so the
 * worker is at ../feed/worker.js from either; when this file is loaded from src/ (vitest) the worker still
 * comes from dist/, because a .ts worker does not load on Node 20.
 */
function workerUrl(): URL {
  const bundled = new URL("../feed/worker.js", import.meta.url);
  if (existsSync(fileURLToPath(bundled))) return bundled;
  return new URL("../../dist/feed/worker.js", import.meta.url);
}

/**
 * What the worker is started with: its options, the flag of the view in flight (see in-flight.ts), and the
 * counter it beats (see stall.ts).
 */
export type FeedWorkerData = {
  readonly options: FeedOptions;
  readonly inFlight: SharedArrayBuffer;
  readonly beat: SharedArrayBuffer;
};

/** The feed client of a worker thread. */
export interface WorkerFeedClient extends FeedClient {
  /** Resolves once the worker thread runs (its isolate exists); never rejects. */
  readonly online: Promise<void>;
}

/**
 * The worker's young generation, bounded when the worker is created (a launch-time limit, not a run-time
 * flag). V8's default lets it grow to 8 MB and more under a burst and keep it, resident, long after; the
 * worker's garbage is short-lived (frames, views), so a small young generation costs few extra scavenges.
 * Young generation = 3 × semi-space in V8: 3 MB is a 1 MB semi-space, the size V8 starts with.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 3 } as const;

/** Starts the feed worker; events flow at once, and `stop()` ends it within about two seconds. */
export function startFeed(options: FeedOptions): WorkerFeedClient {
  // stdout: true keeps the worker's stdout away from ours (it would tear Ink's frame).
  const inFlight = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const flag = new Int32Array(inFlight);
  const beat = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const workerData: FeedWorkerData = { options, inFlight, beat };
  const worker = new Worker(workerUrl(), { workerData, stdout: true, resourceLimits: WORKER_LIMITS });
  worker.stdout.resume();
  const online = new Promise<void>((resolve) => worker.once("online", () => resolve()));
  const listeners = new Set<(event: FeedEvent) => void>();
  let latest: FeedView | undefined;
  let pairs: readonly string[] = [];
  let stoppedSeen = false;
  let exited = false;

  const emit = (event: FeedEvent): void => {
    if (event.type === "view") latest = event.view;
    if (event.type === "pairs") pairs = event.symbols;
    if (event.type === "stopped") stoppedSeen = true;
    for (const listener of [...listeners]) listener(event);
  };
  const send = (command: FeedCommand): void => {
    if (!exited) worker.postMessage(command);
  };

  const views = new ViewDecoder();
  const watch = new StallWatch(beat, stallLimit(options.quietAfterMs));
  worker.on("message", (message: WorkerMessage) => {
    const event: FeedEvent =
      message.type === "view" ? { type: "view", view: views.decode(message.view) } : message;
    for (const seen of watch.fromWorker(event, Date.now())) emit(seen);
    // Taken once the listeners have it: a busy main thread slows the views, never queues them. A worker
    // that held a view back meanwhile is told so.
    if (event.type === "view" && Atomics.exchange(flag, 0, FREE) === WAKE_ME) send({ type: "view-seen" });
  });
  const watching = setInterval(() => {
    const { events, refresh } = watch.check(Date.now());
    for (const event of events) emit(event);
    if (refresh) send({ type: "refresh" });
  }, BEAT_EVERY_MS);
  watching.unref();
  worker.on("error", (e: Error) => emit({ type: "error", message: `feed worker failed: ${e.message}` }));
  const exit = new Promise<void>((resolve) => {
    worker.once("exit", () => {
      exited = true;
      clearInterval(watching);
      stuck.delete(worker);
      if (!stoppedSeen) {
        emit({ type: "connection", state: "stopped" });
        emit({ type: "stopped" });
      }
      resolve();
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    online,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    latest: () => latest,
    pairs: () => pairs,
    setLevels(levels, deep) {
      send({ type: "set-levels", levels, ...(deep === undefined ? {} : { deep }) });
    },
    addSymbol(symbol) {
      send({ type: "add-symbol", symbol });
    },
    removeSymbol(symbol) {
      send({ type: "remove-symbol", symbol });
    },
    setDepth(symbol, depth) {
      send({ type: "set-depth", symbol, depth });
    },
    refresh() {
      send({ type: "refresh" });
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(watching);
        send({ type: "stop" });
        if (await within(exit, STOP_GRACE_MS)) return;
        void worker.terminate();
        if (await within(exit, STOP_GRACE_MS)) return;
        // Blocked in a system call: it cannot be ended. Said as the worker would have said it.
        stuck.add(worker);
        emit({ type: "error", message: STUCK_MESSAGE });
        if (!stoppedSeen) {
          emit({ type: "connection", state: "stopped" });
          emit({ type: "stopped" });
        }
      })();
      return stopping;
    },
  };
}
