// Benchmark "market": a whole market on one connection. One `kraken-ladder simulate --pairs N` serves 500
// online pairs (the 9 built-in ones and synthetic ones, whose rates vary from 1 to 40 parts) at an aggregate
// 2,000 book messages a second; every run below watches all of them with `--all` at depth 10, side by side
// over the same seconds so that the shared machine's load weighs on all alike:
//   json            `kraken-ladder --url … --all --json`, stdout to a file;
//   json-analytics  the same with `--analytics` (liquidity, cost and imbalance on every book line);
//   board           the ladder on a terminal (a private tmux server, 160×50) with `--all --board`: the board
//                   of all 500, every level of each book published for its figures;
//   ladder-5        the ladder on a terminal for 5 symbols at depth 10 (the resident-memory reference).
// After the measured seconds, the board's key latency: `o` sent with tmux, timed until the app has written
// the title naming the new sort (see keyLatencies).
// CPU is utime+stime of each whole process (all threads) from /proc; resident memory is sampled every
// 500 ms. More runs (the board, in tmux, as bench/realistic.mjs runs the ladder) are one entry of RUNS.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { meter, startSimulator, stopChild } from "./lib/proc.mjs";
import { BIN, dist, load1, log, sleep, stealMeter } from "./lib/util.mjs";

export const SYMBOLS = 500;
export const AGGREGATE_RATE = 2000;
const DEPTH = 10;
const SEED = 1;
const WARMUP_MS = 8000;
const SAMPLE_MS = 500;

/**
 * The runs measured side by side: a name, the arguments after `--url URL --all --depth 10`. Each writes
 * NDJSON to a file (`file: true`) or is started by `start(url, dir)` returning its pid (for a run on a
 * terminal, e.g. the board in tmux) and `stop()`.
 */
const RUNS = [
  { name: "json", args: ["--json"] },
  { name: "json-analytics", args: ["--json", "--analytics"] },
  { name: "board", terminal: true, args: ["--all", "--depth", String(DEPTH), "--board"] },
  {
    name: "ladder-5",
    terminal: true,
    args: ["--depth", String(DEPTH), "BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "DOGE/USD"],
  },
];

const TERM_COLUMNS = 160;
const TERM_ROWS = 50;
const shellQuote = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;

/** The ladder in a private tmux server: `exec`ed, so the pane's process is the app's. */
class TerminalRun {
  socket = `kl-bench-market-${process.pid}-${Math.random().toString(36).slice(2)}`;

  tmux(...args) {
    return execFileSync("tmux", ["-u", "-L", this.socket, "-f", "/dev/null", ...args], {
      encoding: "utf8",
      env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
    });
  }

  start(url, args) {
    const command = `exec env CI=true ${shellQuote(process.execPath)} ${shellQuote(BIN)} --url ${shellQuote(url)} ${args.map(shellQuote).join(" ")}`;
    this.tmux("new-session", "-d", "-s", "app", "-x", String(TERM_COLUMNS), "-y", String(TERM_ROWS), command);
    this.pid = Number(this.tmux("display-message", "-p", "-t", "app", "#{pane_pid}").trim());
    return this.pid;
  }

  capture() {
    try {
      return this.tmux("capture-pane", "-p", "-t", "app").split("\n");
    } catch {
      return [];
    }
  }

  keys(...keys) {
    this.tmux("send-keys", "-t", "app", ...keys);
  }

  stop() {
    try {
      this.tmux("kill-server");
    } catch {
      // already gone
    }
  }
}

/**
 * A terminal run is ready when its screen shows the books verified: every board row shown live (or stale: a
 * quiet synthetic pair), or the 5 header tabs live.
 */
function terminalReady(run, online) {
  const lines = run.terminal.capture();
  if (run.args.includes("--board")) {
    const title = lines.find((l) => l.includes("BOARD ·")) ?? "";
    const rows = lines.filter((l) => /^[▶ ][A-Z0-9]+\/[A-Z0-9]+ /.test(l));
    return title.includes(`of ${online}`) && rows.length > 10 && rows.every((l) => /● live|◐ stale/.test(l));
  }
  return lines.join("\n").match(/● live/g)?.length >= 5;
}

/** What the board's title says of each sort, in the order `o` cycles through them (ui/view-model/board.ts). */
const SORT_WORDS = ["spread", "liquidity", "cost", "symbol"];

/**
 * Key press to screen: `o` on the board, timed from just before `tmux send-keys` until the app has written
 * the title's word for the next sort (the part of it that changed), as tmux receives it (`pipe-pane` into a file, polled every millisecond).
 * capture-pane is not polled for it: one call costs 10–20 ms here, as much as what is measured. The time
 * still includes starting the tmux client that sends the key.
 */
async function keyLatencies(term, presses, dir) {
  const file = join(dir, "board-pane.out");
  closeSync(openSync(file, "w"));
  term.tmux("pipe-pane", "-t", "app", "-o", `cat >> ${shellQuote(file)}`);
  const fd = openSync(file, "r");
  const out = [];
  try {
    const title = term.capture().find((l) => l.includes("BOARD ·")) ?? "";
    let sort = SORT_WORDS.findIndex((w) => title.includes(`sorted by ${w}`));
    if (sort < 0) throw new Error(`board title names no sort: ${title}`);
    const buffer = Buffer.alloc(1 << 20);
    for (let i = 0; i < presses; i++) {
      await sleep(300);
      const before = SORT_WORDS[sort];
      sort = (sort + 1) % SORT_WORDS.length;
      // Only the cells that changed are written (src/ui/line-update.ts): the new word from its first
      // letter that differs from the old one's ("pread" after "symbol").
      let same = 0;
      while (before[same] === SORT_WORDS[sort][same]) same++;
      const wanted = SORT_WORDS[sort].slice(same);
      let offset = fstatSync(fd).size;
      let tail = "";
      const t0 = performance.now();
      term.keys("o");
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, offset);
        offset += n;
        const text = tail + buffer.toString("utf8", 0, n);
        if (text.includes(wanted)) break;
        // The words may arrive split across two reads.
        tail = text.slice(-wanted.length);
        if (performance.now() - t0 > 5000) {
          throw new Error(`the board did not show "${SORT_WORDS[sort]}" within 5 s`);
        }
        if (n === 0) await sleep(1);
      }
      out.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    term.tmux("pipe-pane", "-t", "app");
  }
  return out.sort((a, b) => a - b);
}

/** The synthetic count that makes exactly `SYMBOLS` pairs online, and the --rate giving `AGGREGATE_RATE` over them. */
async function catalogue() {
  const { catalogueWith } = await dist("sim/synthetic.js");
  for (let n = SYMBOLS - 9; n < SYMBOLS * 2; n++) {
    const online = catalogueWith(n, SEED).filter((p) => (p.status ?? "online") === "online");
    if (online.length < SYMBOLS) continue;
    const parts = online.reduce((sum, p) => sum + (p.rateFactor ?? 1), 0);
    return { pairs: n, online: online.length, rate: AGGREGATE_RATE / parts };
  }
  throw new Error("no catalogue size gives the wanted number of online pairs");
}

/** Book lines in an NDJSON file: how many, and which symbols were live. */
function bookStats(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { lines: 0, live: new Set(), failed: 0 };
  }
  const live = new Set();
  let lines = 0;
  let failed = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith('{"type":"book"')) continue;
    lines++;
    const o = JSON.parse(line);
    if (o.state === "live") live.add(o.symbol);
    failed = Math.max(failed, o.checksums.failed);
  }
  return { lines, live, failed };
}

export async function runMarket({ quick }) {
  const seconds = quick ? 15 : 40;
  const dir = mkdtempSync(join(tmpdir(), "kl-bench-market-"));
  const { pairs, online, rate } = await catalogue();
  let server;
  const children = [];
  const terminals = [];
  try {
    const started = await startSimulator(BIN, [
      "--pairs",
      String(pairs),
      "--rate",
      String(rate),
      "--seed",
      String(SEED),
    ]);
    server = started.server;
    const runs = RUNS.map((run) => {
      if (run.terminal) {
        const terminal = new TerminalRun();
        terminals.push(terminal);
        const pid = terminal.start(started.url, run.args);
        return { ...run, terminal, pid };
      }
      const file = join(dir, `${run.name}.ndjson`);
      const out = openSync(file, "w");
      const child = spawn(
        process.execPath,
        [BIN, "--url", started.url, "--all", "--depth", String(DEPTH), ...run.args],
        {
          stdio: ["ignore", out, "pipe"],
        },
      );
      closeSync(out);
      child.stderr.resume();
      children.push(child);
      return { ...run, file, child, pid: child.pid };
    });

    const deadline = Date.now() + 60_000;
    while (
      runs.some((r) => (r.terminal ? !terminalReady(r, online) : bookStats(r.file).live.size < online))
    ) {
      if (Date.now() > deadline) throw new Error(`not every book came live within 60 s`);
      await sleep(1000);
    }
    await sleep(WARMUP_MS);

    log(`  market: ${online} pairs at ${AGGREGATE_RATE} msg/s in all; measuring ${seconds} s …`);
    const meters = Object.fromEntries([
      ...runs.map((r) => [r.name, meter(r.pid)]),
      ["simulate", meter(server.pid)],
    ]);
    const linesBefore = Object.fromEntries(
      runs.filter((r) => !r.terminal).map((r) => [r.name, bookStats(r.file).lines]),
    );
    const loadBefore = load1();
    const stolen = stealMeter();
    for (const m of Object.values(meters)) m.start();
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      await sleep(Math.min(SAMPLE_MS, end - Date.now()));
      for (const m of Object.values(meters)) m.sample();
    }
    const processes = Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m.result()]));
    const loadAfter = load1();
    const stolenPercent = stolen();
    // The key latency is the board's own, under the market's load but not the other runs' (which would
    // take about a core of the two here).
    for (const r of runs) {
      if (r.name === "board") continue;
      if (r.terminal) r.terminal.stop();
      else await stopChild(r.child);
    }
    const board = runs.find((r) => r.name === "board");
    const latencies = await keyLatencies(board.terminal, 8, dir);
    for (const r of runs) {
      if (r.terminal) continue;
      const s = bookStats(r.file);
      processes[r.name].bookLinesPerSecond = (s.lines - linesBefore[r.name]) / seconds;
      processes[r.name].booksLive = s.live.size;
      processes[r.name].checksumsFailed = s.failed;
    }
    return {
      description: `\`kraken-ladder simulate --pairs ${pairs} --rate ${rate.toFixed(3)} --seed ${SEED}\`: ${online} online pairs (9 built-in, the rest synthetic with rates of 1–40 parts) at ${AGGREGATE_RATE} book messages/s in all, each client on one connection, measured side by side over the same ${seconds} s after every book was live and ${WARMUP_MS / 1000} s more: ${runs.map((r) => `**${r.name}** (\`${(r.terminal ? r.args : ["--all", "--depth", String(DEPTH), ...r.args]).join(" ")}\`${r.terminal ? `, on a terminal: tmux ${TERM_COLUMNS}×${TERM_ROWS}` : ", stdout to a file"})`).join(", ")}; each with \`--url\` to the simulator. Key latency: after the measured seconds and with the other runs stopped, \`o\` sent to the board ${latencies.length} times with tmux send-keys, timed until the app has written the title naming the new sort, as tmux's \`pipe-pane\` passes it on (starting the tmux client that sends the key included). CPU: utime+stime of each whole process (all threads) from /proc, in % of one core. Resident memory: VmRSS sampled every ${SAMPLE_MS} ms, 1 MB = 10^6 bytes. The simulator's own figures are for reference.`,
      symbols: online,
      aggregateRate: AGGREGATE_RATE,
      measuredSeconds: seconds,
      processes,
      ratios: {
        analyticsCpu: processes["json-analytics"].cpuPercent / processes.json.cpuPercent,
        boardCpu: processes.board.cpuPercent / processes.json.cpuPercent,
        boardRssMean: processes.board.rssMeanMB / processes["ladder-5"].rssMeanMB,
        boardRssPeak: processes.board.rssPeakMB / processes["ladder-5"].rssPeakMB,
      },
      keyLatencyMs: {
        median: latencies[Math.floor(latencies.length / 2)],
        max: latencies.at(-1),
        presses: latencies.length,
      },
      loadAverage: [loadBefore, loadAfter],
      stolenPercent,
    };
  } finally {
    for (const c of children) await stopChild(c);
    for (const r of terminals) r.stop();
    await stopChild(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
