// Benchmark 3, rendering: time to render one ladder frame at 200×60 with 5 symbols live (p50, p99), on views
// from a real feed session (see render-child.mjs). Several fresh processes per way, samples pooled, the two
// ways alternating. The target is judged on the way the app draws: one Ink instance kept mounted, each new
// view handed to its store, timed from the store change to Ink's write of the frame. For reference, the
// older figure: renderFrame (renderToString), a fresh React/Ink tree per frame.
import { fileURLToPath } from "node:url";
import { load1, log, percentile, summary, timeProcess } from "./lib/util.mjs";

const CHILD = fileURLToPath(new URL("./render-child.mjs", import.meta.url));

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

export async function runRender({ quick }) {
  const runs = quick ? 2 : 3;
  const frames = quick ? 150 : 400;
  const warmup = quick ? 50 : 100;
  const modes = ["live", "string"];
  const samples = {};
  for (const m of modes)
    samples[m] = { render: [], build: [], output: [], cpu: [], p99: [], bp99: [], op99: [], cp99: [] };
  const loadBefore = load1();
  for (let r = 0; r < runs; r++) {
    for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) {
      log(`  render: run ${r + 1}/${runs}, ${mode}, ${frames} views …`);
      // As the app runs: NODE_ENV unset (the app then picks React's production build itself), colour on.
      const env = { ...process.env, FORCE_COLOR: "1" };
      delete env.NODE_ENV;
      const { stdout } = timeProcess(process.execPath, [CHILD, mode, String(frames), String(warmup)], {
        env,
      });
      const j = JSON.parse(stdout);
      if (j.live !== 5) throw new Error(`render: ${j.live} of 5 books live`);
      if (j.missed > 0) throw new Error(`render: ${j.missed} store changes were never drawn`);
      const s = samples[mode];
      s.render.push(...j.render);
      s.p99.push(percentile(j.render, 0.99));
      if (mode === "live") {
        s.output.push(...j.outputStage);
        s.op99.push(percentile(j.outputStage, 0.99));
        s.cpu.push(...j.cpu);
        s.cp99.push(percentile(j.cpu, 0.99));
      } else {
        s.build.push(...j.build);
        s.bp99.push(percentile(j.build, 0.99));
      }
    }
  }
  const { live, string } = samples;
  return {
    description:
      "A real feed session and publisher fed generated frames (5 pairs, depth 25, 5 × 1,000 msg/s on a virtual clock); each view it publishes (30 a second) drawn at 200×60 with the colour theme; the selected symbol changes every 30 views (a key press, drawn with the next view in one frame where every line changes). **As the app draws**: one Ink instance mounted once with the app's options (maxFps 60, incrementalRendering, Ink's loader hooks) on a fake 200×60 terminal shows the real App over a real LadderStore; views are handed to the store one publisher interval (33 ms) apart, and a frame's time runs from the store change to Ink's write of that frame (React commit, Yoga layout, Ink's output stage, log-update). Ink's output stage alone is Ink's own `onRender` timing; a frame's CPU time is the process's (process.cpuUsage) over the same span, which leaves out the time the shared machine's other processes held the cores. For reference, `renderFrame`: a fresh React/Ink tree rendered to a string per view (what this benchmark timed before), and `buildFrame`, the view-model alone. " +
      `Samples pooled over ${runs} fresh processes per way, after ${warmup} warm-up views each.`,
    rows: [
      pooled(
        "frame as the app draws it: store change → Ink's write (one live Ink instance)",
        live.render,
        live.p99,
        true,
      ),
      pooled(
        "… of which Ink's output stage (renderNodeToOutput + Output.get)",
        live.output,
        live.op99,
        false,
      ),
      pooled("renderFrame: a fresh tree per frame, renderToString", string.render, string.p99, false),
      pooled(
        "… its CPU time (process.cpuUsage over the frame: the work, without waiting for a core)",
        live.cpu,
        live.cp99,
        false,
      ),
      pooled("buildFrame (view-model only, no Ink)", string.build, string.bp99, false),
    ],
    loadAverage: [loadBefore, load1()],
  };
}
