// Benchmark 4, the whole app: simulate --rate 1000 (5 symbols × 1,000 msg/s) and the ladder in tmux at
// 200×60 for 60 s: CPU of the main thread and of the feed worker (/proc/PID/task/TID/stat, each thread
// identified by its own /proc/thread-self through the trace hook), receive-to-screen latency, frames/s.
import { AppSession, cpuPercent, FPS, RATE } from "./lib/app-session.mjs";
import { load1, log, percentile, sleep, SYMBOLS } from "./lib/util.mjs";

const WARMUP_MS = 5000;

export async function runApp({ quick }) {
  const seconds = quick ? 15 : 60;
  const app = new AppSession();
  try {
    await app.start();
    await sleep(WARMUP_MS);
    const loadBefore = load1();
    log(`  app: measuring ${seconds} s …`);
    const a = app.cpu();
    const from = Date.now();
    await sleep(seconds * 1000);
    const b = app.cpu();
    const to = Date.now();
    const screen = app.screen();
    const cpu = cpuPercent(a, b, app.threads);
    const frames = app.frames().filter((f) => f.written >= from && f.written <= to);
    const data = frames.filter((f) => f.newest !== undefined);
    const newest = data.map((f) => f.written - f.newest);
    const oldest = data.map((f) => f.written - f.oldest);
    const status = screen.filter((l) => /msg/.test(l)).at(-1) ?? "";
    const mps = /([\d,.]+)\s*(k?)\s*msg\/s/i.exec(status);
    return {
      description: `\`kraken-ladder simulate --rate ${RATE}\` and \`kraken-ladder --url ws://127.0.0.1:… --fps ${FPS} ${SYMBOLS.join(" ")}\` in tmux at 200×60 (colour), measured for ${seconds} s after ${WARMUP_MS / 1000} s of warm-up. CPU from /proc/PID/task/TID/stat (utime+stime); the main thread is the process id, the feed worker's thread id is written by the worker itself (\`/proc/thread-self\`, KRAKEN_LADDER_TRACE hook). Latency: from the receive time of a wire message (worker clock) to the write of the first frame showing it (main thread), per frame with new data, counted for the oldest message new in that frame (upper bound; the newest one's figure is given too).`,
      fps: FPS,
      measuredSeconds: seconds,
      cpu,
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
      messagesPerSecond: mps ? Number(mps[1].replace(/,/g, "")) * (mps[2] ? 1000 : 1) : null,
      statusLine: status.trim(),
      loadAverage: [loadBefore, load1()],
    };
  } finally {
    await app.stop();
  }
}
