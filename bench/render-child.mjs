#!/usr/bin/env node
// One render measurement in a fresh process: `node bench/render-child.mjs MODE FRAMES WARMUP`, with React
// and Ink loaded the way the app loads them (src/ui/load-ladder.ts).
// A real feed session (src/feed/session.ts) and publisher (src/feed/publisher.ts) are fed generated frames for
// 5 pairs at depth 25 (the app's default) on a virtual clock of 5 × 1,000 messages a second; every view the
// publisher publishes (30 a second) is drawn at 200×60 with the colour theme, the selected symbol moving on
// every 30 views (a key press, drawn in the same frame as the next view).
//   MODE live:   what the app does per frame. One Ink instance, mounted once with the app's options
//                (run-ladder.tsx, frameOptions: maxFps twice the publisher's rate, incrementalRendering) on a
//                fake 200×60 terminal, shows the real App
//                over a real LadderStore; each view (made beforehand: in the app the feed runs in a worker)
//                is handed to the store as the feed client hands it, a structured clone, one publisher
//                interval (33 ms, real time) apart. A sample is the time from the store receiving the view
//                (and the key press, if any) to Ink's write of that frame to the terminal: React's commit,
//                Yoga's layout, Ink's output stage and log-update, all of it.
//                On Linux the main thread's time waiting for a core (runnable while other threads or processes
//                held both cores) comes from /proc/self/task/PID/schedstat, read at the frame's start and write;
//                whether the host stole CPU time during the frame, from /proc/stat read before and after it.
//   MODE string: renderFrame (src/ui/render-frame.tsx) per view: a fresh React/Ink tree rendered to a
//                string each time (what this benchmark measured before; not what the app does).
// The string mode also times buildFrame (the view-model alone; not in live mode, where it would add garbage the
// app does not make). Prints {render: [ms...], build: [ms...], ...} as JSON.
import { EventEmitter } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { deserialize, serialize } from "node:v8";
import { generateFrames } from "../dist/sim/generate.js";
import { parseFrame } from "../dist/protocol/parse.js";
import { Session } from "../dist/feed/session.js";
import { Publisher } from "../dist/feed/publisher.js";
import { loadLadder } from "../dist/ui/load-ladder.js";
import { stolenTicks } from "./lib/util.mjs";

// Ink and React loaded as the app loads them, from the bundle (React's production build, Ink with its
// build-time changes).
await loadLadder();
const { COLOR_THEME } = await import("../dist/ui/colors.js");
const { buildFrame, renderFrame } = await import("../dist/ui/render-frame.js");
// Frames Ink's output stage drew by the fast path of src/ui/ink-fast.ts, and by its own.
const { outputStats } = await import("../dist/ui/ink-fast.js");

// The main thread's scheduler figures (Linux): the second is the nanoseconds it spent runnable but waiting for a
// core (other threads or processes held both), read at a frame's start and at its write. (The first, time on a
// core, is only brought up to date at scheduler events, so it is not used.)
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const hasSchedstat = existsSync(SCHEDSTAT);
const schedstat = () => (hasSchedstat ? readFileSync(SCHEDSTAT, "utf8").split(" ").map(Number) : undefined);

const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "DOGE/USD"];
const COLUMNS = 200;
const ROWS = 60;
const FPS = 30;
const RATE = 1000;
const [mode = "live", framesArg = "300", warmupArg = "100"] = process.argv.slice(2);
const frames = Number(framesArg);
const warmup = Number(warmupArg);
if (mode !== "live" && mode !== "string") throw new Error(`mode: live or string, not ${mode}`);

const startMs = Date.UTC(2026, 0, 1);
const session = new Session(
  { symbols: SYMBOLS, depth: 25, retryBaseMs: 250, retryCapMs: 30_000 },
  { send: () => undefined, event: () => undefined, slowDown: () => undefined },
);
session.opened();
let view;
const publisher = new Publisher(
  session,
  () => ({ state: "live" }),
  (v) => (view = v),
  {
    fps: FPS,
    levels: 25,
    staleAfterMs: 60_000,
    maxLagMs: 3000,
  },
);

const perTick = (SYMBOLS.length * RATE) / FPS;
const source = generateFrames({
  symbols: SYMBOLS,
  depth: 25,
  seed: 7,
  messages: Math.ceil((frames + warmup + 10) * perTick),
  rate: RATE,
  startMicros: startMs * 1000,
});

let now = startMs;
/** Feeds one publisher interval of messages and returns the view published at its end. */
function nextView() {
  // source.next(), not for…of: a `break` out of for…of would close the generator after the first interval.
  for (let i = 0; i < perTick; i++) {
    const next = source.next();
    if (next.done === true) break;
    const message = parseFrame(next.value);
    // The virtual clock is the exchange's: each update is received when it was stamped, so the books stay
    // current (a clock of its own would drift from the generator's and turn them lagging).
    const stamped =
      message.kind === "book" && message.type === "update" ? message.data[0]?.timestamp : undefined;
    if (stamped !== undefined) now = Date.parse(stamped);
    session.handle(message, now);
  }
  view = undefined;
  publisher.tick(now);
  return view;
}

const render = [];
const build = [];
/** Live mode: Ink's output stage alone, per frame timed (its onRender callback). */
const outputStage = [];
/** Live mode, Linux: the main thread's time waiting for a core during each frame. */
const waited = [];
/** Live mode, Linux: 1 where the host was seen stealing time during the frame (see stolenTicks), else 0. */
const stolen = [];
const stats = { writes: 0, bytes: 0, async: 0, missed: 0, renders: 0 };

function timeBuild(v, selected) {
  const t0 = performance.now();
  buildFrame(v, { symbols: SYMBOLS, columns: COLUMNS, rows: ROWS, selected, now: v.publishedAt });
  return performance.now() - t0;
}

if (mode === "string") {
  for (let f = 0; f < warmup + frames; f++) {
    const v = nextView();
    if (v === undefined) continue;
    const selected = Math.floor(f / 30) % 5;
    const options = {
      symbols: SYMBOLS,
      columns: COLUMNS,
      rows: ROWS,
      selected,
      theme: COLOR_THEME,
      now: v.publishedAt,
    };
    const t0 = performance.now();
    const text = renderFrame(v, options);
    const r = performance.now() - t0;
    const b = timeBuild(v, selected);
    stats.bytes += text.length;
    if (f >= warmup) {
      render.push(r);
      build.push(b);
    }
  }
} else {
  const { mountApp } = await import("../dist/ui/render-frame.js");
  const { LadderStore } = await import("../dist/ui/store.js");
  const { BEGIN_SYNC, END_SYNC, HOME, homedStdout } = await import("../dist/ui/terminal.js");
  const { frameOptions } = await import("../dist/ui/run-ladder.js");

  /** A 200×60 terminal: records when each frame is written. */
  class FakeTerminal extends EventEmitter {
    columns = COLUMNS;
    rows = ROWS;
    isTTY = true;
    /** Called with the time of the next frame written (and the main thread's schedstat then). */
    onFrame = undefined;
    write(chunk) {
      const at = performance.now();
      // A frame reaches the terminal in one write: homedStdout, as in the app, gathers Ink's frame between
      // its synchronized-update marks and sends it with the cursor sent home first. A write of nothing
      // else is not a frame.
      if (
        typeof chunk === "string" &&
        chunk.replaceAll(HOME, "").replaceAll(BEGIN_SYNC, "").replaceAll(END_SYNC, "") === ""
      )
        return true;
      stats.writes++;
      stats.bytes += chunk.length;
      const onFrame = this.onFrame;
      this.onFrame = undefined;
      onFrame?.({ at, sched: onFrame === undefined ? undefined : schedstat() });
      return true;
    }
  }
  class FakeStdin extends EventEmitter {
    isTTY = true;
    setRawMode() {}
    setEncoding() {}
    ref() {}
    unref() {}
    read() {
      return null;
    }
  }
  const terminal = new FakeTerminal();
  // The app's options for Ink (run-ladder.tsx).
  const appFrames = frameOptions(FPS);
  let lastOutputMs = 0;
  // The feed client as the store sees it: views arrive as events.
  const listeners = new Set();
  let latest;
  const feed = {
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    latest: () => latest,
    setLevels: () => undefined,
  };
  const store = new LadderStore(feed, {
    symbols: SYMBOLS,
    columns: COLUMNS,
    rows: ROWS,
    now: () => latest?.publishedAt ?? startMs,
  });
  store.start();
  // The App drawn by the bundle's own Ink and React (the stock ones in node_modules would not drive it).
  const instance = mountApp(store, COLOR_THEME, {
    stdout: homedStdout(terminal),
    stdin: new FakeStdin(),
    patchConsole: false,
    ...appFrames,
    // Ink's own timing of its output stage (renderNodeToOutput and Output.get), reported alongside.
    onRender: (metrics) => {
      lastOutputMs = metrics.renderTime;
      stats.renders++;
    },
  });
  const interval = 1000 / FPS;

  /** Times one change to the store up to the write of its frame (React may commit it a task later). */
  async function timeFrame(change) {
    const written = new Promise((resolve) => (terminal.onFrame = resolve));
    const stolen0 = stolenTicks();
    const s0 = schedstat();
    const t0 = performance.now();
    change();
    const sync = terminal.onFrame === undefined;
    let timer;
    const end = await Promise.race([written, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
    if (end === undefined) {
      terminal.onFrame = undefined;
      stats.missed++;
      return undefined;
    }
    if (!sync) stats.async++;
    const s1 = end.sched;
    const stolen1 = stolenTicks();
    return {
      ms: end.at - t0,
      stolen: stolen1 === undefined ? undefined : stolen1 > stolen0 ? 1 : 0,
      outputMs: lastOutputMs,
      waitMs: s1 === undefined ? undefined : (s1[1] - s0[1]) / 1e6,
    };
  }

  let next = performance.now();
  let selected = 0;
  // In the app the feed runs in its worker thread, and its garbage is collected there, and the main thread
  // holds only the views it draws: the views are made first, each kept serialised outside V8's heap (as a
  // message between threads is), and each reaches the store as the app's do, deserialised from that.
  const views = [];
  for (let f = 0; f < warmup + frames; f++) {
    const made = nextView();
    views.push(made === undefined ? undefined : serialize(made));
  }
  for (let f = 0; f < warmup + frames; f++) {
    const made = views[f];
    views[f] = undefined;
    if (made === undefined) continue;
    const v = deserialize(made);
    next += interval;
    const wanted = Math.floor(f / 30) % 5;
    const key = wanted !== selected;
    selected = wanted;
    // Every 30 views the user selects another symbol: that key press and the view are drawn in one frame, in
    // which every line changes. (Drawn as two frames half an interval apart, the second would fall inside
    // Ink's throttle window, maxFps 60, and time that wait rather than drawing.)
    const sample = await timeFrame(() => {
      if (key) store.dispatch({ type: "jump", index: wanted });
      latest = v;
      for (const l of listeners) l({ type: "view", view: v });
    });
    if (f >= warmup && sample !== undefined) {
      render.push(sample.ms);
      outputStage.push(sample.outputMs);
      if (sample.waitMs !== undefined) waited.push(sample.waitMs);
      if (sample.stolen !== undefined) stolen.push(sample.stolen);
    }
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    else next = performance.now();
  }
  instance.unmount();
  instance.cleanup();
  store.dispose();
}

process.stdout.write(
  JSON.stringify({
    mode,
    render,
    build,
    outputStage,
    wait: waited,
    stolen,
    ...stats,
    outputPaths: outputStats,
    live: view?.books.filter((b) => b.state === "live").length,
  }) + "\n",
);
