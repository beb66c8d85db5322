// The whole app in a real terminal for the app and soak benchmarks: `kraken-ladder simulate --rate 1000`
// on 127.0.0.1, and the ladder for 5 symbols in a private tmux server at 200×60, with frame tracing on
// (KRAKEN_LADDER_TRACE, see src/ui/trace.ts).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { performance } from "node:perf_hooks";
import { join } from "node:path";
import { BIN, log, sleep, SYMBOLS } from "./util.mjs";

export const COLUMNS = 200;
export const ROWS = 60;
export const RATE = 1000;
export const FPS = 30;
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/**
 * The fields of a /proc stat line after the command name (in parentheses, it may hold spaces): the state
 * (field 3, 1-based in proc(5)) comes first.
 */
const statFields = (statText) => statText.slice(statText.lastIndexOf(")") + 2).split(" ");

/** utime + stime in seconds from a /proc stat line: fields 14 and 15. */
function cpuSeconds(statText) {
  const fields = statFields(statText);
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function readOr(path, fallback) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

/**
 * Whether a process still runs: it has ended once it is gone or a zombie (state Z). tmux reaps the pane's
 * process only a second or two after it exits, so the zombie is what tells when the app quit.
 */
function running(pid) {
  const stat = readOr(`/proc/${pid}/stat`, "");
  return stat !== "" && statFields(stat)[0] !== "Z";
}

const shellQuote = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;

export class AppSession {
  dir = mkdtempSync(join(tmpdir(), "kl-bench-app-"));
  trace = join(this.dir, "trace.txt");
  socket = `kl-bench-${process.pid}-${Date.now()}`;
  server = undefined;
  url = undefined;
  appPid = undefined;
  threads = {};

  /** `env`: extra environment for the app; `nodeArgs`: options for its node, e.g. --cpu-prof. */
  constructor({ env = {}, nodeArgs = [], fps = FPS } = {}) {
    this.env = env;
    this.nodeArgs = nodeArgs;
    this.fps = fps;
  }

  tmux(...args) {
    return execFileSync("tmux", ["-u", "-L", this.socket, "-f", "/dev/null", ...args], {
      encoding: "utf8",
      env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
    });
  }

  async start() {
    this.server = spawn(
      process.execPath,
      [BIN, "simulate", "--rate", String(RATE), "--seed", "1", "--port", "0"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.server.stderr.resume();
    this.url = await new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("simulate did not print its URL")), 15_000);
      this.server.stdout.on("data", (d) => {
        out += d;
        const nl = out.indexOf("\n");
        if (nl >= 0) {
          clearTimeout(timer);
          resolve(out.slice(0, nl).trim());
        }
      });
      this.server.once("exit", (code) => reject(new Error(`simulate exited ${code}`)));
    });
    this.server.stdout.resume();
    const command = [
      "exec env",
      `KRAKEN_LADDER_TRACE=${shellQuote(this.trace)}`,
      ...Object.entries(this.env).map(([k, v]) => `${k}=${shellQuote(v)}`),
      shellQuote(process.execPath),
      ...this.nodeArgs.map(shellQuote),
      shellQuote(BIN),
      "--url",
      shellQuote(this.url),
      "--fps",
      String(this.fps),
      ...SYMBOLS.map(shellQuote),
      `2>${shellQuote(join(this.dir, "stderr.txt"))}`,
    ].join(" ");
    this.tmux("new-session", "-d", "-s", "app", "-x", String(COLUMNS), "-y", String(ROWS), command);
    this.appPid = Number(this.tmux("display-message", "-p", "-t", "app", "#{pane_pid}").trim());
    // Live: the worker named its thread and frames with data are being drawn.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const t = readOr(this.trace, "");
      for (const m of t.matchAll(/^thread (\S+) (\d+)$/gm)) this.threads[m[1]] = Number(m[2]);
      const dataFrames = t.split("\n").filter((l) => /^\d/.test(l)).length;
      if (
        this.threads["feed-worker"] !== undefined &&
        dataFrames > 10 &&
        /LIVE|live/.test(this.screen().join("\n"))
      ) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the app did not come up: ${this.screen().join("\n")}\n${readOr(join(this.dir, "stderr.txt"), "")}`,
        );
      }
      await sleep(250);
    }
    log(
      `  app: pid ${this.appPid}, worker thread ${this.threads["feed-worker"]}, server pid ${this.server.pid}, ${this.url}`,
    );
  }

  screen() {
    try {
      return this.tmux("capture-pane", "-p", "-t", "app").split("\n");
    } catch {
      return [];
    }
  }

  /** CPU seconds so far: per thread of the app, the app process, the server process. */
  cpu() {
    const tasks = {};
    const dir = `/proc/${this.appPid}/task`;
    for (const tid of existsSync(dir) ? readdirSync(dir) : []) {
      const stat = readOr(`${dir}/${tid}/stat`, undefined);
      if (stat !== undefined) tasks[tid] = cpuSeconds(stat);
    }
    return {
      at: performance.now(),
      tasks,
      process: cpuSeconds(readFileSync(`/proc/${this.appPid}/stat`, "utf8")),
      server: cpuSeconds(readFileSync(`/proc/${this.server.pid}/stat`, "utf8")),
    };
  }

  /** Resident memory of the app process (all threads), MB (10^6 bytes). */
  rssMB() {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.appPid}/status`, "utf8"));
    return m ? (Number(m[1]) * 1024) / 1e6 : NaN;
  }

  /** Trace lines: {newest, oldest, written} for frames with new data, {written} for clock-only frames. */
  frames() {
    const out = [];
    for (const line of readOr(this.trace, "").split("\n")) {
      const p = line.split(" ");
      if (p.length < 3 || p[0] === "thread") continue;
      out.push(
        p[0] === "-"
          ? { written: Number(p[2]), bytes: Number(p[3] ?? 0) }
          : { newest: Number(p[0]), oldest: Number(p[1]), written: Number(p[2]), bytes: Number(p[3] ?? 0) },
      );
    }
    return out;
  }

  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    try {
      const t0 = Date.now();
      this.tmux("send-keys", "-t", "app", "q");
      while (Date.now() - t0 < 10_000 && running(this.appPid)) await sleep(10);
      this.quitMs = running(this.appPid) ? null : Date.now() - t0;
      // A backlogged app may not see the key for a long time: TERM, then KILL (it is our own child).
      for (const signal of ["SIGTERM", "SIGKILL"]) {
        if (!running(this.appPid)) break;
        process.kill(this.appPid, signal);
        for (let i = 0; i < 50 && running(this.appPid); i++) await sleep(100);
      }
    } catch {
      // already gone
    }
    try {
      this.tmux("kill-server");
    } catch {
      // the session ended with the app, and the server with it
    }
    if (this.server !== undefined && this.server.exitCode === null) {
      const exited = new Promise((r) => this.server.once("exit", r));
      this.server.kill("SIGTERM");
      await Promise.race([exited, sleep(3000)]);
      if (this.server.exitCode === null) this.server.kill("SIGKILL");
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** CPU % of a core between two cpu() samples, per role. */
export function cpuPercent(a, b, threads) {
  const wall = (b.at - a.at) / 1000;
  const pct = (x) => (100 * x) / wall;
  const main = String(threads.main);
  const worker = String(threads["feed-worker"]);
  const d = (tid) => (b.tasks[tid] ?? 0) - (a.tasks[tid] ?? 0);
  let others = 0;
  const otherThreads = [];
  for (const tid of new Set([...Object.keys(a.tasks), ...Object.keys(b.tasks)])) {
    if (tid === main || tid === worker) continue;
    others += d(tid);
    if (d(tid) > 0) otherThreads.push({ tid: Number(tid), percent: pct(d(tid)) });
  }
  return {
    seconds: wall,
    mainPercent: pct(d(main)),
    workerPercent: pct(d(worker)),
    otherPercent: pct(others),
    otherThreads: otherThreads.sort((x, y) => y.percent - x.percent),
    processPercent: pct(b.process - a.process),
    serverPercent: pct(b.server - a.server),
    /** Threads summed against the process total (threads that ended in between make the total larger). */
    threadsSumPercent: pct(d(main) + d(worker) + others),
  };
}
