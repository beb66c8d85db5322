import { openSync, writeSync } from "node:fs";
import { traceThread } from "../feed/trace-thread.js";
import type { FeedView } from "../feed/types.js";

const BEGIN_SYNC = "\u001b[?2026h";
const END_SYNC = "\u001b[?2026l";

/** The parts of the store and feed the trace watches. */
type ScreenSource = { subscribe(listener: () => void): () => void };
type ViewSource = { latest(): FeedView | undefined };

/**
 * Frame tracing for the whole-app benchmark (bench/app.mjs), off unless `KRAKEN_LADDER_TRACE=FILE` is set.
 *
 * For every frame Ink writes that shows newer feed data than the frame before it, one line is appended to
 * FILE: `newest oldest written bytes` — in epoch ms the receive time of the newest frame the view reflects
 * (`FeedView.receivedAt`), that of the view shown by the previous traced frame (so every wire message new in
 * this frame was received after it: an upper bound on its age), and when the frame was handed to the
 * terminal; then the length of what was written. Other writes (frames that only redraw clocks) are lines
 * `- - written bytes`; Ink's synchronized-update marks around each frame are not traced. Without the variable, `stdout` is returned untouched and nothing else happens.
 */
export function traceFrames(
  stdout: NodeJS.WriteStream,
  store: ScreenSource,
  feed: ViewSource,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.WriteStream {
  const file = env["KRAKEN_LADDER_TRACE"];
  if (file === undefined || file === "") return stdout;
  traceThread("main", env);
  const fd = openSync(file, "a");
  let shownAt = 0;
  let pending = 0;
  store.subscribe(() => {
    const receivedAt = feed.latest()?.receivedAt ?? 0;
    if (receivedAt > shownAt && receivedAt > pending) pending = receivedAt;
  });
  const write = (...args: unknown[]): boolean => {
    const ok = (stdout.write as (...a: unknown[]) => boolean)(...args);
    const chunk = args[0];
    // Ink brackets each frame in synchronized-update marks; the frame is the write between them.
    if (chunk === BEGIN_SYNC || chunk === END_SYNC) return ok;
    const now = Date.now();
    const bytes = typeof chunk === "string" || chunk instanceof Uint8Array ? chunk.length : 0;
    if (pending > 0) {
      writeSync(fd, `${pending} ${shownAt > 0 ? shownAt : pending} ${now} ${bytes}\n`);
      shownAt = pending;
      pending = 0;
    } else {
      writeSync(fd, `- - ${now} ${bytes}\n`);
    }
    return ok;
  };
  return new Proxy(stdout, {
    get(target, property) {
      if (property === "write") return write;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
