// `serve` benchmark: `serve --demo --rate 100` (5 symbols × 100 messages/s) with 1, 100 and 1,000 SSE
// clients on /stream (raw loopback sockets that read and note each event's id), plus one client that never
// reads. Figures: the serve process's CPU per client count (the ratio 1,000 : 1 is the target, ≤ 3×), how
// far behind the first client to see a view every other client sees it (p99, target ≤ one frame interval),
// and whether the never-reading client was dropped, with the serve process's resident memory. The clients
// all run in this one process: when it cannot keep up, the server coalesces (fewer events per client) and
// "behind" includes this process's own delay in reading its sockets.
import { spawn } from "node:child_process";
import { get } from "node:http";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { processCpuSeconds, processRssMB } from "./lib/proc.mjs";
import { BIN, ROOT, SYMBOLS, log, percentile, sleep } from "./lib/util.mjs";

const FPS = 30;
const FRAME_MS = 1000 / FPS;

function startServe() {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--demo", "--rate", "100", "--fps", String(FPS), "--port", "0", ...SYMBOLS],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c) => {
      out += c;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve({ child, url: new URL(out.slice(0, nl)) });
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}`)));
  });
}

/** A raw SSE client on /stream: notes when it receives each `symbol:version` id. */
function client(port, firstSeen, delays, measuring) {
  const socket = connect(port, "127.0.0.1");
  socket.setEncoding("utf8");
  socket.write("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  let tail = "";
  socket.on("data", (chunk) => {
    const now = performance.now();
    const text = tail + chunk;
    let at = 0;
    for (;;) {
      const i = text.indexOf("\nid: ", at);
      if (i < 0) break;
      const end = text.indexOf("\n", i + 5);
      if (end < 0) break;
      const id = text.slice(i + 5, end);
      const first = firstSeen.get(id);
      if (first === undefined) firstSeen.set(id, now);
      else if (measuring()) delays.push(now - first);
      at = end;
    }
    tail = text.slice(Math.max(at, text.length - 200));
  });
  socket.on("error", () => undefined);
  return socket;
}

/** Views first seen after `t0` (each counted once, by the client that saw it first). */
function firstSeenDuring(firstSeen, t0) {
  let n = 0;
  for (const at of firstSeen.values()) if (at >= t0) n++;
  return n;
}

function metric(url, name) {
  return new Promise((resolve, reject) => {
    get(new URL("/metrics", url), (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c) => (text += c));
      res.on("end", () => {
        const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
        resolve(m ? Number(m[1]) : NaN);
      });
    }).on("error", reject);
  });
}

export async function runServe({ quick }) {
  const measureMs = quick ? 4000 : 10_000;
  const { child, url } = await startServe();
  const port = Number(url.port);
  const runs = [];
  let paused;
  try {
    await sleep(2000);
    const rssIdleMB = processRssMB(child.pid);
    // The never-reading client: connects, sends its request, never reads a byte.
    paused = connect(port, "127.0.0.1");
    paused.write("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    paused.pause();
    paused.on("error", () => undefined);
    let rssPeakMB = rssIdleMB;
    const rssTimer = setInterval(() => (rssPeakMB = Math.max(rssPeakMB, processRssMB(child.pid))), 250);
    for (const n of [1, 100, 1000]) {
      const firstSeen = new Map();
      const delays = [];
      let measuring = false;
      const sockets = [];
      for (let i = 0; i < n; i++) sockets.push(client(port, firstSeen, delays, () => measuring));
      await sleep(quick ? 1500 : 3000);
      measuring = true;
      const cpu0 = processCpuSeconds(child.pid);
      const t0 = performance.now();
      await sleep(measureMs);
      const cpuPercent = ((processCpuSeconds(child.pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
      measuring = false;
      const p99 = percentile(delays, 0.99);
      const perClient = (delays.length + firstSeenDuring(firstSeen, t0)) / n / (measureMs / 1000);
      runs.push({
        clients: n,
        cpuPercent,
        p99BehindMs: p99 ?? 0,
        eventsPerClientPerSecond: perClient,
        rssMB: processRssMB(child.pid),
      });
      log(`bench serve: ${n} clients: CPU ${cpuPercent.toFixed(1)}%, p99 behind ${p99?.toFixed(1)} ms`);
      for (const s of sockets) s.destroy();
      await sleep(500);
    }
    // The paused client has had the whole run to fill its socket: it is dropped within the stall bound.
    let dropped = await metric(url, "kraken_ladder_sse_dropped_clients_total");
    for (let i = 0; i < 40 && dropped < 1; i++) {
      await sleep(500);
      dropped = await metric(url, "kraken_ladder_sse_dropped_clients_total");
    }
    clearInterval(rssTimer);
    const one = runs[0];
    const thousand = runs[2];
    return {
      description:
        "`serve --demo --rate 100` (5 symbols × 100 msg/s, --fps 30), raw loopback SSE clients on /stream, plus one that never reads.",
      runs,
      frameMs: FRAME_MS,
      neverReadingDropped: dropped >= 1,
      rssIdleMB,
      rssPeakMB,
      ratios: {
        cpu1000vs1: thousand.cpuPercent / one.cpuPercent,
        p99BehindFrames: Math.max(...runs.map((r) => r.p99BehindMs ?? 0)) / FRAME_MS,
      },
      targets: { cpu1000vs1: 3, p99BehindFrames: 1 },
    };
  } finally {
    paused?.destroy();
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}
