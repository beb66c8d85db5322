// Benchmark 3, rendering: time to render one ladder frame at 200×60 with 5 symbols live (p50, p99), with
// src/ui/render-frame.tsx on views from a real feed session (see render-child.mjs). Several fresh processes,
// samples pooled. Rendered as the app runs (React's production build unless NODE_ENV says otherwise) and,
// for reference, with NODE_ENV=development.
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
  const variants = [
    {
      key: "app",
      label: "renderFrame, as the app runs (React production build, Ink measure cache bounded)",
      env: {},
      target: true,
    },
    {
      key: "dev",
      label: "renderFrame with NODE_ENV=development (React development build)",
      env: { NODE_ENV: "development" },
      target: false,
    },
  ];
  const samples = {
    app: { render: [], build: [], p99: [], bp99: [] },
    dev: { render: [], build: [], p99: [], bp99: [] },
  };
  const loadBefore = load1();
  for (let r = 0; r < runs; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      log(`  render: run ${r + 1}/${runs}, ${v.key}, ${frames} frames …`);
      const env = { ...process.env, FORCE_COLOR: "1", ...v.env };
      if (v.key === "app") delete env.NODE_ENV;
      const { stdout } = timeProcess(process.execPath, [CHILD, String(frames), String(warmup)], { env });
      const j = JSON.parse(stdout);
      if (j.live !== 5) throw new Error(`render: ${j.live} of 5 books live`);
      const s = samples[v.key];
      s.render.push(...j.render);
      s.build.push(...j.build);
      s.p99.push(percentile(j.render, 0.99));
      s.bp99.push(percentile(j.build, 0.99));
    }
  }
  return {
    description:
      "A real feed session and publisher fed generated frames (5 pairs, depth 25, 5 × 1,000 msg/s on a virtual clock); each published view (30 a second) rendered once at 200×60 with the colour theme; the selected symbol changes every 30 frames. Time per call of `renderFrame` (a complete Ink render to a string: React render, Yoga layout, Ink's output) and of `buildFrame` (the view-model alone). Samples pooled over " +
      `${runs} fresh processes, after ${warmup} warm-up frames each.`,
    rows: [
      pooled(variants[0].label, samples.app.render, samples.app.p99, true),
      pooled(variants[1].label, samples.dev.render, samples.dev.p99, false),
      pooled(
        "buildFrame (view-model only, no Ink), as the app runs",
        samples.app.build,
        samples.app.bp99,
        false,
      ),
    ],
    loadAverage: [loadBefore, load1()],
  };
}
