// Benchmark 4, the whole app: simulate --rate 1000 (5 symbols × 1,000 msg/s) and the ladder in tmux at
// 200×60 for 60 s: CPU of the main thread and of the feed worker (/proc/PID/task/TID/stat, each thread
// identified by its own /proc/thread-self through the trace hook), receive-to-screen latency, frames/s.
// Run as users run it (NODE_ENV unset; the bundle holds React's production build whatever it is).
import { AppSession, cpuPercent, FPS, RATE } from "./lib/app-session.mjs";
import { load1, log, percentile, sleep, stealMeter, SYMBOLS } from "./lib/util.mjs";

const WARMUP_MS = 5000;

async function measure(seconds, env) {
  const app = new AppSession({ env });
  try {
    await app.start();
    await sleep(WARMUP_MS);
    const loadBefore = load1();
    const stolen = stealMeter();
    log(`  app: measuring ${seconds} s${env.NODE_ENV ? ` with NODE_ENV=${env.NODE_ENV}` : ""} …`);
    const rssStart = app.rssMB();
    const a = app.cpu();
    const from = Date.now();
    await sleep(seconds * 1000);
    const b = app.cpu();
    const to = Date.now();
    const rssEnd = app.rssMB();
    const screen = app.screen();
    const frames = app.frames().filter((f) => f.written >= from && f.written <= to);
    const data = frames.filter((f) => f.newest !== undefined);
    const newest = data.map((f) => f.written - f.newest);
    const oldest = data.map((f) => f.written - f.oldest);
    const status = screen.filter((l) => /msg\/s/.test(l)).at(-1) ?? "";
    const mps = /([\d,.]+)\s*(k?)\s*msg\/s/i.exec(status);
    const result = {
      cpu: cpuPercent(a, b, app.threads),
      latency: {
        p50: percentile(oldest, 0.5),
        p99: percentile(oldest, 0.99),
        max: Math.max(...oldest),
        newestP50: percentile(newest, 0.5),
        newestP99: percentile(newest, 0.99),
        frames: data.length,
      },
      framesPerSecond: frames.length / ((to - from) / 1000),
      dataFramesPerSecond: data.length / ((to - from) / 1000),
      selectedMessagesPerSecond: mps ? Number(mps[1].replace(/,/g, "")) * (mps[2] ? 1000 : 1) : null,
      statusLine: status.trim(),
      rssMB: [rssStart, rssEnd],
      loadAverage: [loadBefore, load1()],
      stolenPercent: stolen(),
    };
    await app.stop();
    return { ...result, quitMs: app.quitMs };
  } finally {
    await app.stop();
  }
}

export async function runApp({ quick }) {
  const seconds = quick ? 15 : 60;
  // As users run it: NODE_ENV unset (the bundle holds React's production build whatever it is).
  const variants = [{ label: "as users run it", env: {}, target: true }];
  const runs = [];
  for (const v of variants)
    runs.push({ label: v.label, target: v.target, ...(await measure(seconds, v.env)) });
  return {
    description: `\`kraken-ladder simulate --rate ${RATE}\` and \`kraken-ladder --url ws://127.0.0.1:… --fps ${FPS} ${SYMBOLS.join(" ")}\` in tmux at 200×60 (colour), measured for ${seconds} s after ${WARMUP_MS / 1000} s of warm-up. CPU from /proc/PID/task/TID/stat (utime+stime), in % of one core; the main thread is the process id, the feed worker's thread id is written by the worker itself (\`/proc/thread-self\`, KRAKEN_LADDER_TRACE hook); "other threads" are V8's GC and compiler helpers and libuv's pool. Latency: from the receive time of a wire message (worker clock) to the write of the first frame showing it (main thread), per frame with new data, for the oldest message new in that frame (an upper bound; the newest message's figure is given too). Quit: time from pressing q to the process ending.`,
    fps: FPS,
    measuredSeconds: seconds,
    runs,
  };
}
