// Benchmark 5, soak: resident memory of the app (all threads) sampled every 5 s for 10 minutes at
// 5 × 1,000 msg/s, in the same setting as the app benchmark, as users run it. A run is cut short if the
// app passes 1 GB (the machine is shared).
import { AppSession } from "./lib/app-session.mjs";
import { load1, log, median, sleep, stealMeter } from "./lib/util.mjs";

const EVERY_MS = 5000;
const WARMUP_S = 60;
/** "No upward trend": the least-squares slope after the first minute stays under this. */
const MAX_SLOPE_MB_PER_MIN = 0.5;
const ABORT_MB = 1000;

function slope(points) {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mx) * (p.mb - my);
    den += (p.t - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function soak(seconds, env) {
  const app = new AppSession({ env });
  try {
    await app.start();
    const loadBefore = load1();
    const stolen = stealMeter();
    log(
      `  soak: resident memory every ${EVERY_MS / 1000} s for ${seconds / 60} min${env.NODE_ENV ? ` with NODE_ENV=${env.NODE_ENV}` : ""} …`,
    );
    const t0 = Date.now();
    const samples = [];
    let aborted = false;
    for (;;) {
      const t = (Date.now() - t0) / 1000;
      samples.push({ t, mb: app.rssMB() });
      if (samples.at(-1).mb > ABORT_MB) {
        aborted = true;
        break;
      }
      if (t >= seconds) break;
      await sleep(Math.min(EVERY_MS, (seconds - t) * 1000 + 1));
    }
    // With a short run (or an aborted one) the trend is taken over whatever follows the first sample.
    const after = samples.filter((s) => s.t >= Math.min(WARMUP_S, samples.at(-1).t / 2));
    const slopePerMin = slope(after.map((s) => ({ t: s.t / 60, mb: s.mb })));
    const third = Math.max(1, Math.floor(after.length / 3));
    const mbs = samples.map((s) => s.mb);
    return {
      measuredSeconds: Math.round(samples.at(-1).t),
      aborted,
      samples: samples.length,
      startMB: mbs[0],
      endMB: mbs.at(-1),
      maxMB: Math.max(...mbs),
      minMB: Math.min(...mbs),
      slopeMBPerMin: slopePerMin,
      earlyMedianMB: median(after.slice(0, third).map((s) => s.mb)),
      lateMedianMB: median(after.slice(-third).map((s) => s.mb)),
      noTrend: slopePerMin < MAX_SLOPE_MB_PER_MIN,
      series: samples.map((s) => [Math.round(s.t), Number(s.mb.toFixed(1))]),
      loadAverage: [loadBefore, load1()],
      stolenPercent: stolen(),
    };
  } finally {
    await app.stop();
  }
}

export async function runSoak({ quick }) {
  const seconds = quick ? 90 : 600;
  const variants = [{ label: "as users run it", env: {}, target: true }];
  const runs = [];
  for (const v of variants) runs.push({ label: v.label, target: v.target, ...(await soak(seconds, v.env)) });
  return {
    description: `The app as in benchmark 4, its resident memory (VmRSS of the process, all threads; 1 MB = 10^6 bytes) sampled every ${EVERY_MS / 1000} s for ${seconds / 60} minutes from the moment it is live; a run is stopped early if it passes ${ABORT_MB} MB. Trend: least-squares slope over the samples after the first ${WARMUP_S} s (no upward trend: under ${MAX_SLOPE_MB_PER_MIN} MB/min), and the median of the first and last third of those samples.`,
    plannedSeconds: seconds,
    runs,
  };
}
