// The markdown of the `serve` benchmark's section (bench/serve.mjs), for bench/lib/report.mjs.
import { fmt } from "./lib/util.mjs";

const met = (ok) => (ok ? "met" : "**MISSED**");

/** `header` is report.mjs's section header (date, load average, commit). */
export function serveSection(sec, header) {
  const { ratios: q, targets: t, neverReading: p } = sec;
  const frames = (ms) => fmt(ms / sec.frameMs, 2);
  return [
    ...header(
      sec,
      "7. serve: 5 symbols × 100 msg/s to 1, 100 and 1,000 SSE clients, plus one that never reads",
    ),
    sec.description,
    "",
    "| SSE clients | serve CPU, % of one core (waiting for a CPU) | its main thread (waiting) | load processes' CPU (waiting) | views / s first seen | book events / client / s | trades / client / s | catch-up p50 / **p99** / max | view age at receipt p50 / p99 | dropped | serve RSS | load average 1 min |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...sec.runs.map(
      (r) =>
        `| ${r.clients} | ${fmt(r.cpuPercent, 1)}% (${fmt(r.waitPercent, 1)}%) | ${fmt(r.mainCpuPercent, 1)}% (${fmt(r.mainWaitPercent, 1)}%) | ${fmt(r.loadCpuPercent, 1)}% (${fmt(r.loadWaitPercent, 1)}%) | ${fmt(r.viewsPerSecond, 1)} | ${fmt(r.eventsPerClientPerSecond, 1)} | ${fmt(r.tradesPerClientPerSecond, 1)} | ${fmt(r.catchUpMs.p50, 1)} / **${fmt(r.catchUpMs.p99, 1)}** / ${fmt(r.catchUpMs.max, 1)} ms | ${fmt(r.ageMs.p50, 1)} / ${fmt(r.ageMs.p99, 1)} ms | ${r.droppedDuring} | ${fmt(r.rssMB, 1)} MB | ${r.load1.join(" → ")} |`,
    ),
    "",
    "| ratio (one run) | measured | target |",
    "|---|---:|---|",
    `| serve CPU with 1,000 clients / with 1 | **${fmt(q.cpu1000vs1, 2)}×** | ≤ ${t.cpu1000vs1}×: ${met(q.cpu1000vs1 <= t.cpu1000vs1)} |`,
    ...sec.runs.map(
      (r) =>
        `| catch-up p99 with ${r.clients} client${r.clients === 1 ? "" : "s"}, in frame intervals (${fmt(sec.frameMs, 1)} ms) | **${frames(r.catchUpMs.p99)}** | ≤ ${t.catchUpP99Frames}: ${met(r.catchUpMs.p99 <= t.catchUpP99Frames * sec.frameMs)} |`,
    ),
    ...floorLines(sec),
    "",
    `The never-reading client (alone): ${p.droppedAfterS === null ? "**not** dropped within 60 s" : `dropped after ${fmt(p.droppedAfterS, 1)} s`}; the serve process's resident memory ${fmt(p.rssBeforeMB, 1)} MB before it connected, ${fmt(p.rssPeakMB, 1)} MB at most while it was connected, ${fmt(p.rssAfterMB, 1)} MB after the drop.`,
  ];
}

/** The bare server's runs (bench/serve-floor.mjs) and what they say of the ratio; none in older results. */
function floorLines(sec) {
  const { floor, ratios: q, runs } = sec;
  if (floor === undefined) return [];
  const one = runs[0];
  return [
    "",
    `**The floor**, in the same run: a bare Node HTTP server writing one pre-encoded ${fmt(floor.bytesPerWrite / 1000, 1)} kB event (what serve wrote its one client per frame) to every client ${floor.writesPerSecond} times a second, with no feed, books or queues (\`bench/serve-floor.mjs\`).`,
    "",
    "| SSE clients | bare server CPU (waiting) | its main thread (waiting) | load processes' CPU | catch-up p50 / p99 | view age at receipt p50 / p99 |",
    "|---:|---:|---:|---:|---:|---:|",
    ...floor.runs.map(
      (r) =>
        `| ${r.clients} | ${fmt(r.cpuPercent, 1)}% (${fmt(r.waitPercent, 1)}%) | ${fmt(r.mainCpuPercent, 1)}% (${fmt(r.mainWaitPercent, 1)}%) | ${fmt(r.loadCpuPercent, 1)}% | ${fmt(r.catchUpMs.p50, 1)} / ${fmt(r.catchUpMs.p99, 1)} ms | ${fmt(r.ageMs.p50, 1)} / ${fmt(r.ageMs.p99, 1)} ms |`,
    ),
    "",
    "| ratio (one run) | measured |",
    "|---|---:|",
    `| bare server with 1,000 clients / serve with 1 (serve's whole 1-client CPU: ${fmt(one.cpuPercent, 1)}%) | **${fmt(q.floor1000vsServe1, 2)}×** |`,
    `| serve with 1,000 clients / bare server with 1,000 | **${fmt(q.serve1000vsFloor1000, 2)}×** |`,
  ];
}
