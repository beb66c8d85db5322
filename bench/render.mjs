// Benchmark 3, rendering: time to render one ladder frame at 200×60 with 5 symbols live (p50, p99), on views
// from a real feed session (see render-child.mjs). Several fresh processes per way, samples pooled, the two
// ways alternating. The target is judged on the way the app draws: one Ink instance kept mounted, each new
// view handed to its store, timed from the store change to Ink's write of the frame. For reference, the
// older figure: renderFrame (renderToString), a fresh React/Ink tree per frame.
import { fileURLToPath } from "node:url";
import { load1, log, percentile, stealMeter, summary, timeProcess } from "./lib/util.mjs";

const CHILD = fileURLToPath(new URL("./render-child.mjs", import.meta.url));
/** The publisher's rate in render-child.mjs: views a second. */
const FPS = 30;

function pooled(what, samples, perRunP99, target) {
  return {
    what,
    frames: samples.length,
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    max: Math.max(...samples),
    perRunP99: summary(perRunP99),
    target,
  };
}

/** Samples [from, to) of a run, by view index after the warm-up. */
const slice = (samples, [from, to]) => samples.slice(from, to);

/** The target: a frame's p99 under this, ms. */
const TARGET_MS = 4;

/**
 * What was seen during a window's frames that missed the target: frames that would have made it without their
 * wait for a core, frames (of the others) during which the host stole time, and the rest.
 */
function slowFrames(run, [from, to], into = { over: 0, waited: 0, stolen: 0, unexplained: 0 }) {
  for (let i = from; i < to; i++) {
    const ms = run.render[i];
    if (ms < TARGET_MS) continue;
    into.over++;
    if (ms - run.wait[i] < TARGET_MS) into.waited++;
    else if (run.stolen[i] === 1) into.stolen++;
    else into.unexplained++;
  }
  return into;
}

export async function runRender({ quick }) {
  const runs = quick ? 2 : 3;
  const warmup = quick ? 50 : 100;
  // Views measured after the warm-up, and the two windows judged: the first seconds after start (JIT compilers
  // still at work: the app's first ~15 s) and a steady state from 30 s after start on (~10 s in quick runs).
  const perWindow = quick ? 150 : 400;
  const early = [0, perWindow];
  const steadyFrom = Math.round((quick ? 10 : 30) * FPS) - warmup;
  const steady = [steadyFrom, steadyFrom + perWindow];
  const frames = { live: steady[1], string: perWindow };
  const modes = ["live", "string"];
  const pools = {};
  const pool = (name) => (pools[name] ??= { samples: [], p99: [] });
  const add = (name, samples) => {
    pool(name).samples.push(...samples);
    pool(name).p99.push(percentile(samples, 0.99));
  };
  const loadBefore = load1();
  const stolen = stealMeter();
  /** The machine's stolen CPU time during each live-mode process, in percent. */
  const liveStolen = [];
  /** Per window, the frames over the target and what was seen during them (slowFrames). */
  const slow = {};
  for (let r = 0; r < runs; r++) {
    for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) {
      log(`  render: run ${r + 1}/${runs}, ${mode}, ${warmup} + ${frames[mode]} views …`);
      // As the app runs: NODE_ENV unset (the app then picks React's production build itself), colour on.
      const env = { ...process.env, FORCE_COLOR: "1" };
      delete env.NODE_ENV;
      const stolenInRun = stealMeter();
      const { stdout } = timeProcess(process.execPath, [CHILD, mode, String(frames[mode]), String(warmup)], {
        env,
      });
      const j = JSON.parse(stdout);
      if (j.live !== 5) throw new Error(`render: ${j.live} of 5 books live`);
      if (j.missed > 0) throw new Error(`render: ${j.missed} store changes were never drawn`);
      if (mode === "live") {
        liveStolen.push(stolenInRun());
        for (const [name, window] of [
          ["early", early],
          ["steady", steady],
        ]) {
          add(`${name}.render`, slice(j.render, window));
          if (j.wait.length > 0 && j.stolen.length > 0) slow[name] = slowFrames(j, window, slow[name]);
          add(`${name}.output`, slice(j.outputStage, window));
          if (j.wait.length > 0) {
            const wait = slice(j.wait, window);
            add(`${name}.wait`, wait);
            add(
              `${name}.unwaited`,
              slice(j.render, window).map((ms, i) => ms - wait[i]),
            );
          }
        }
      } else {
        add("string.render", j.render);
        add("string.build", j.build);
      }
    }
  }
  const row = (what, name, target) => pooled(what, pools[name].samples, pools[name].p99, target);
  const seconds = (window) =>
    `${((warmup + window[0]) / FPS).toFixed(0)}–${((warmup + window[1]) / FPS).toFixed(0)} s`;
  const schedRows = (name) =>
    pools[`${name}.wait`] === undefined
      ? []
      : [
          row(
            "… of which the main thread waited for a core (runnable, both cores busy)",
            `${name}.wait`,
            false,
          ),
          row("… the frame without that wait (its own work)", `${name}.unwaited`, false),
        ];
  return {
    description:
      "A real feed session and publisher fed generated frames (5 pairs, depth 25, 5 × 1,000 msg/s on a virtual clock); each view it publishes (30 a second) drawn at 200×60 with the colour theme; the selected symbol changes every 30 views (a key press, drawn with the next view in one frame where every line changes). **As the app draws**: one Ink instance, the bundle's own (with its build-time changes), mounted once with the app's options (maxFps 60, incrementalRendering) on a fake 200×60 terminal shows the real App over a real LadderStore, each frame handed to the terminal in one write as the app does; views are handed to the store one publisher interval (33 ms) apart, and a frame's time runs from the store change to Ink's write of that frame (React commit, Yoga layout, Ink's output stage, log-update). " +
      `Two windows of ${perWindow} views each are judged: **the first seconds** (${seconds(early)} after start, while V8 is still compiling the hot code in its background threads) and **steady state** (${seconds(steady)} after start, as a pane that runs all day draws). ` +
      "The main thread's time waiting for a core (runnable while other threads or processes held both cores) is the kernel's per-thread figure (/proc/self/task/PID/schedstat) from a frame's start to its write; the frame's time less that wait is what the frame took with a core to itself (time the hypervisor stole from the virtual machine still counts in it: it is reported per process below the table). Ink's output stage alone is Ink's own `onRender` timing. For reference, `renderFrame`: a fresh React/Ink tree rendered to a string per view (what this benchmark timed before), and `buildFrame`, the view-model alone. " +
      `Samples pooled over ${runs} fresh processes per way, after ${warmup} warm-up views each.`,
    rows: [
      row(
        `frame as the app draws it, **steady state** (${seconds(steady)}): store change → Ink's write`,
        "steady.render",
        true,
      ),
      ...schedRows("steady"),
      row("… of which Ink's output stage (renderNodeToOutput + Output.get)", "steady.output", false),
      row(`frame as the app draws it, **first seconds** (${seconds(early)})`, "early.render", true),
      ...schedRows("early"),
      row("renderFrame: a fresh tree per frame, renderToString", "string.render", false),
      row("buildFrame (view-model only, no Ink)", "string.build", false),
    ],
    loadAverage: [loadBefore, load1()],
    stolenPercent: stolen(),
    stolenPercentPerLiveRun: liveStolen,
    slowFrames: slow,
  };
}
