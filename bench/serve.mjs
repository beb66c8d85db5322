// `serve` benchmark: `serve --demo --rate 100` (5 symbols × 100 messages/s, --fps 30) with 1, 100 and
// 1,000 SSE clients on /stream, plus one client that never reads.
//
// The reading clients live in separate load processes (bench/serve-load.mjs, at most 250 sockets each), so
// the serve process's CPU (/proc/PID/stat, all its threads: HTTP, the feed worker and the in-process demo
// market) is its own. Figures per client count:
// - serve CPU, and the ratio 1,000 clients : 1 (target ≤ 3×);
// - catch-up delay, the staleness of the newest view: for every view (symbol, version) of the measurement,
//   F = the moment the first client anywhere received it (the server had made it the newest); for every
//   reading client, how long after F it held that version or a newer one of that symbol (a client that the
//   server coalesced past a version catches up with the newer one). Its p99 over all clients and views
//   (target ≤ one frame interval, 33.3 ms). Times are the machine's wall clock in every process.
// - the age of each view when received (receive time − the view's exchange `time`), p50/p99: the whole
//   path from the simulator through the feed worker and the fan-out.
// The never-reading client: the serve process's resident memory while it is connected (its socket's and
// the server's buffers fill, then are bounded), and how long until the server drops it (--client-timeout).
// The floor, in the same run: a bare Node HTTP server (bench/serve-floor.mjs) writing one pre-encoded event
// of the size serve wrote per frame to 1 and 1,000 of the same clients, 30 times a second. Its CPU with
// 1,000 clients against serve's with 1 is the part of the ratio that no server written in Node avoids.
import { execFileSync, fork, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { get } from "node:http";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { processCpuSeconds, processRssMB } from "./lib/proc.mjs";
import { BIN, ROOT, SYMBOLS, load1, log, percentile, sleep } from "./lib/util.mjs";

const FPS = 30;
const FRAME_MS = 1000 / FPS;
const PER_PROCESS = 250;
const CLIENT_TIMEOUT_S = 5;
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const LOAD = fileURLToPath(new URL("./serve-load.mjs", import.meta.url));
const FLOOR = fileURLToPath(new URL("./serve-floor.mjs", import.meta.url));

function startServe() {
  return startServer([
    ...[BIN, "serve", "--demo", "--rate", "100", "--fps", String(FPS), "--port", "0"],
    ...["--client-timeout", String(CLIENT_TIMEOUT_S), ...SYMBOLS],
  ]);
}

/** A server process whose first line on stdout is its base URL. */
function startServer(args) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c) => {
      out += c;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve({ child, url: new URL(out.slice(0, nl)) });
    });
    child.once("exit", (code) => reject(new Error(`${args[0]} exited ${code}`)));
  });
}

/** Stops a server process (SIGTERM) and waits for it to end; one that has ended already is left alone. */
async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/**
 * Seconds a process's threads have spent runnable but waiting for a CPU (/proc/PID/task/TID/schedstat,
 * second field, ns): on a shared machine, the time the scheduler kept it from running.
 */
function runDelaySeconds(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[1]);
    } catch {
      // the thread ended
    }
  }
  return ns / 1e9;
}

/** CPU seconds and run-queue wait of one thread (the main thread: tid = pid). */
function threadSeconds(pid, tid) {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const wait = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[1]) / 1e9;
  return { cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK, wait };
}

/** A load process holding `count` clients; `ask` sends a command and resolves with its answer. */
function loadProcess(port, count) {
  const child = fork(LOAD, [String(port), String(count), "/stream"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const answers = [];
  const waiting = [];
  child.on("message", (m) => (waiting.length > 0 ? waiting.shift()(m) : answers.push(m)));
  const next = () =>
    new Promise((resolve) => (answers.length > 0 ? resolve(answers.shift()) : waiting.push(resolve)));
  return {
    child,
    ready: next(),
    ask: (m) => {
      child.send(m);
      return next();
    },
  };
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

/** The never-reading client alone: the server's memory while it fills, and when it is dropped. */
async function neverReading(url, pid) {
  const rssBeforeMB = processRssMB(pid);
  const paused = connect(Number(url.port), "127.0.0.1");
  paused.write("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  paused.pause();
  paused.on("error", () => undefined);
  const t0 = Date.now();
  let rssPeakMB = rssBeforeMB;
  let droppedAfterS = null;
  while (Date.now() - t0 < 60_000) {
    await sleep(250);
    rssPeakMB = Math.max(rssPeakMB, processRssMB(pid));
    if ((await metric(url, "kraken_ladder_sse_dropped_clients_total")) >= 1) {
      droppedAfterS = (Date.now() - t0) / 1000;
      break;
    }
  }
  await sleep(1000);
  const rssAfterMB = processRssMB(pid);
  paused.destroy();
  return { rssBeforeMB, rssPeakMB, rssAfterMB, droppedAfterS };
}

async function measure(url, pid, n, { warmMs, measureMs }, label = "serve") {
  const loads = [];
  for (let left = n; left > 0; left -= PER_PROCESS)
    loads.push(loadProcess(Number(url.port), Math.min(left, PER_PROCESS)));
  await Promise.all(loads.map((l) => l.ready));
  for (let i = 0; i < 120 && (await metric(url, "kraken_ladder_sse_clients")) < n; i++) await sleep(250);
  await sleep(warmMs);
  const clientsSeen = await metric(url, "kraken_ladder_sse_clients");
  const dropped0 = await metric(url, "kraken_ladder_sse_dropped_clients_total");
  await Promise.all(loads.map((l) => l.ask({ cmd: "start" })));
  const pids = loads.map((l) => l.child.pid);
  const sum = (f) => pids.reduce((a, p) => a + f(p), 0);
  const main0 = threadSeconds(pid, pid);
  const cpu0 = processCpuSeconds(pid);
  const wait0 = runDelaySeconds(pid);
  const loadCpu0 = sum(processCpuSeconds);
  const loadWait0 = sum(runDelaySeconds);
  const t0 = performance.timeOrigin + performance.now();
  const load1Start = load1();
  await sleep(measureMs);
  const wallS = (performance.timeOrigin + performance.now() - t0) / 1000;
  const cpuPercent = ((processCpuSeconds(pid) - cpu0) / wallS) * 100;
  const waitPercent = ((runDelaySeconds(pid) - wait0) / wallS) * 100;
  const main1 = threadSeconds(pid, pid);
  const mainCpuPercent = ((main1.cpu - main0.cpu) / wallS) * 100;
  const mainWaitPercent = ((main1.wait - main0.wait) / wallS) * 100;
  const loadCpuPercent = ((sum(processCpuSeconds) - loadCpu0) / wallS) * 100;
  const loadWaitPercent = ((sum(runDelaySeconds) - loadWait0) / wallS) * 100;
  const rssMB = processRssMB(pid);
  const droppedDuring = (await metric(url, "kraken_ladder_sse_dropped_clients_total")) - dropped0;
  const stopped = await Promise.all(loads.map((l) => l.ask({ cmd: "stop" })));
  const t1 = performance.timeOrigin + performance.now();
  const firsts = new Map();
  let events = 0;
  let bytes = 0;
  let trades = 0;
  for (const s of stopped) {
    events += s.events;
    bytes += s.bytes;
    trades += s.trades;
    for (const [id, at] of s.firsts) if (!(firsts.get(id) <= at)) firsts.set(id, at);
  }
  // Views first seen in the window, less its last second (every client has had a second to catch up).
  const judged = await Promise.all(
    loads.map((l) => l.ask({ cmd: "judge", firsts: [...firsts], from: t0, to: t1 - 1000 })),
  );
  const delays = judged.flatMap((j) => j.delays);
  const ages = judged.flatMap((j) => j.ages);
  const never = judged.reduce((a, j) => a + j.never, 0);
  for (const l of loads) l.child.send({ cmd: "exit" });
  await Promise.all(loads.map((l) => new Promise((resolve) => l.child.once("exit", resolve))));
  const views = [...firsts.values()].filter((at) => at >= t0 && at <= t1 - 1000).length;
  const run = {
    clients: n,
    clientsConnected: clientsSeen,
    droppedDuring,
    loadProcesses: loads.length,
    cpuPercent,
    waitPercent,
    mainCpuPercent,
    mainWaitPercent,
    loadCpuPercent,
    loadWaitPercent,
    viewsPerSecond: views / ((t1 - 1000 - t0) / 1000),
    eventsPerClientPerSecond: events / n / wallS,
    tradesPerClientPerSecond: trades / n / wallS,
    mbPerSecond: bytes / 1e6 / wallS,
    catchUpMs: {
      p50: percentile(delays, 0.5),
      p99: percentile(delays, 0.99),
      max: delays.reduce((a, d) => Math.max(a, d), 0),
    },
    neverCaughtUp: never,
    ageMs: { p50: percentile(ages, 0.5), p99: percentile(ages, 0.99) },
    rssMB,
    load1: [load1Start, load1()],
  };
  log(
    `bench ${label}: ${n} clients: CPU ${cpuPercent.toFixed(1)}% (waited ${waitPercent.toFixed(1)}%; main thread ${mainCpuPercent.toFixed(1)}%, waited ${mainWaitPercent.toFixed(1)}%; load processes ${loadCpuPercent.toFixed(1)}%, waited ${loadWaitPercent.toFixed(1)}%), catch-up p99 ${run.catchUpMs.p99?.toFixed(1)} ms, ` +
      `age p99 ${run.ageMs.p99?.toFixed(1)} ms, ${run.eventsPerClientPerSecond.toFixed(1)} events/client/s, load ${run.load1.join("→")}`,
  );
  return run;
}

export async function runServe({ quick }) {
  const timing = quick ? { warmMs: 1500, measureMs: 4000 } : { warmMs: 3000, measureMs: 10_000 };
  const { child, url } = await startServe();
  const runs = [];
  try {
    await sleep(2000);
    const paused = await neverReading(url, child.pid);
    log(`bench serve: never-reading client: ${JSON.stringify(paused)}`);
    for (const n of [1, 100, 1000]) {
      runs.push(await measure(url, child.pid, n, timing));
      await sleep(1000);
    }
    const one = runs[0];
    const thousand = runs[2];
    await stopServer(child);
    // What serve wrote to its one client per frame: the floor writes that much, as often.
    const floorBytes = Math.round((one.mbPerSecond * 1e6) / FPS);
    const floor = await startServer([FLOOR, String(floorBytes), String(FPS)]);
    const floorRuns = [];
    try {
      for (const n of [1, 1000]) {
        floorRuns.push(await measure(floor.url, floor.child.pid, n, timing, "serve floor"));
        await sleep(1000);
      }
    } finally {
      await stopServer(floor.child);
    }
    return {
      description:
        `\`serve --demo --rate 100 --fps ${FPS}\` (5 symbols × 100 msg/s), reading SSE clients on /stream in separate load processes ` +
        `(at most ${PER_PROCESS} sockets each), plus one client that never reads (alone, before the runs; --client-timeout ${CLIENT_TIMEOUT_S}).`,
      runs,
      frameMs: FRAME_MS,
      neverReading: paused,
      floor: { bytesPerWrite: floorBytes, writesPerSecond: FPS, runs: floorRuns },
      ratios: {
        cpu1000vs1: thousand.cpuPercent / one.cpuPercent,
        floor1000vsServe1: floorRuns[1].cpuPercent / one.cpuPercent,
        serve1000vsFloor1000: thousand.cpuPercent / floorRuns[1].cpuPercent,
        catchUpP99Frames: Math.max(...runs.map((r) => r.catchUpMs.p99 ?? 0)) / FRAME_MS,
        catchUpP99Frames1000: (thousand.catchUpMs.p99 ?? 0) / FRAME_MS,
      },
      targets: { cpu1000vs1: 3, catchUpP99Frames: 1 },
    };
  } finally {
    await stopServer(child);
  }
}
