// Benchmark "realistic": the app at a busy but real Kraken rate. One `kraken-ladder simulate --rate 20`
// (5 symbols × 20 update messages/s) serves three clients at once, measured side by side over the same
// seconds so that the shared machine's load weighs on all three alike:
//   ladder  the full-screen ladder in a private tmux server at 200×60 (colour), as users run it;
//   json    the same command with --json, stdout to a file;
//   floor   bench/floor-client.mjs: a bare `ws` client subscribed to the same channels (book, trade, ticker, instrument) and symbols
//           that JSON.parses every frame and does nothing else.
// CPU is utime+stime of each whole process (all threads) from /proc; resident memory is sampled every
// 500 ms (peak and mean over the measurement). Targets are ratios within this one run.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { meter, startSimulator, stopChild } from "./lib/proc.mjs";
import { BIN, load1, log, sleep, stealMeter, SYMBOLS } from "./lib/util.mjs";

export const RATE = 20;
const COLUMNS = 200;
const ROWS = 60;
const WARMUP_MS = 5000;
const SAMPLE_MS = 500;
const FLOOR = fileURLToPath(new URL("./floor-client.mjs", import.meta.url));

/** The targets, each a ratio of two figures of this run. */
export const TARGETS = { ladderCpu: 2, jsonCpu: 1.5, ladderRss: 1.2 };

const shellQuote = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;

function readOr(path, fallback) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

export async function runRealistic({ quick }) {
  const seconds = quick ? 15 : 40;
  const dir = mkdtempSync(join(tmpdir(), "kl-bench-realistic-"));
  const socket = `kl-bench-real-${process.pid}-${Date.now()}`;
  const tmux = (...args) =>
    execFileSync("tmux", ["-u", "-L", socket, "-f", "/dev/null", ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
    });
  const screen = () => {
    try {
      return tmux("capture-pane", "-p", "-t", "app").split("\n");
    } catch {
      return [];
    }
  };
  const jsonOut = join(dir, "json.ndjson");
  let server;
  let json;
  let floor;
  let tmuxUp = false;
  try {
    const started = await startSimulator(BIN, ["--rate", String(RATE), "--seed", "1"]);
    server = started.server;
    const { url } = started;

    const command = [
      "exec",
      shellQuote(process.execPath),
      shellQuote(BIN),
      "--url",
      shellQuote(url),
      ...SYMBOLS.map(shellQuote),
      `2>${shellQuote(join(dir, "ladder-stderr.txt"))}`,
    ].join(" ");
    tmux("new-session", "-d", "-s", "app", "-x", String(COLUMNS), "-y", String(ROWS), command);
    tmuxUp = true;
    const ladderPid = Number(tmux("display-message", "-p", "-t", "app", "#{pane_pid}").trim());
    // The terminal the ladder draws on: tmux's server process, which parses every byte the ladder writes.
    const terminalPid = Number(tmux("display-message", "-p", "#{pid}").trim());

    const out = openSync(jsonOut, "w");
    json = spawn(process.execPath, [BIN, "--url", url, "--json", ...SYMBOLS], {
      stdio: ["ignore", out, "pipe"],
    });
    closeSync(out);
    json.stderr.resume();
    floor = spawn(process.execPath, [FLOOR, url, ...SYMBOLS], { stdio: ["ignore", "pipe", "pipe"] });
    floor.stderr.resume();
    let floorOut = "";
    floor.stdout.on("data", (d) => (floorOut += d));

    const deadline = Date.now() + 30_000;
    while (!/live/i.test(screen().join("\n")) || !/"state":"live"/.test(readOr(jsonOut, ""))) {
      if (Date.now() > deadline) {
        throw new Error(
          `the ladder or --json did not come live:\n${screen().join("\n")}\n${readOr(join(dir, "ladder-stderr.txt"), "")}`,
        );
      }
      await sleep(250);
    }
    await sleep(WARMUP_MS);

    log(
      `  realistic: ladder pid ${ladderPid}, --json pid ${json.pid}, floor pid ${floor.pid}; measuring ${seconds} s …`,
    );
    const meters = {
      ladder: meter(ladderPid),
      json: meter(json.pid),
      floor: meter(floor.pid),
      terminal: meter(terminalPid),
    };
    const loadBefore = load1();
    const stolen = stealMeter();
    const jsonLinesBefore = readOr(jsonOut, "").split("\n").length;
    for (const m of Object.values(meters)) m.start();
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      await sleep(Math.min(SAMPLE_MS, end - Date.now()));
      for (const m of Object.values(meters)) m.sample();
    }
    const runs = Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m.result()]));
    const jsonLines = readOr(jsonOut, "").split("\n").length - jsonLinesBefore;
    const statusLine =
      screen()
        .filter((l) => /msg\/s/.test(l))
        .at(-1) ?? "";
    const loadAfter = load1();
    const stolenPercent = stolen();

    await stopChild(floor);
    const floorCounts = floorOut.trim() === "" ? undefined : JSON.parse(floorOut.trim());

    const ratios = {
      ladderCpu: runs.ladder.cpuPercent / runs.floor.cpuPercent,
      jsonCpu: runs.json.cpuPercent / runs.floor.cpuPercent,
      ladderRssMean: runs.ladder.rssMeanMB / runs.json.rssMeanMB,
      ladderRssPeak: runs.ladder.rssPeakMB / runs.json.rssPeakMB,
    };
    return {
      description: `\`kraken-ladder simulate --rate ${RATE}\` (${SYMBOLS.length} symbols × ${RATE} update messages/s) serving three clients at once, measured over the same ${seconds} s after ${WARMUP_MS / 1000} s of warm-up: the ladder (\`kraken-ladder --url ws://127.0.0.1:… ${SYMBOLS.join(" ")}\`, default --fps and depth) in tmux at ${COLUMNS}×${ROWS}; the same with \`--json\`, stdout to a file; and the floor, \`bench/floor-client.mjs\`: a bare \`ws\` client subscribed to the same channels as the app (book, trade, ticker, instrument) that \`JSON.parse\`s every frame. CPU: utime+stime of each whole process (all threads) from /proc, in % of one core. Resident memory: VmRSS sampled every ${SAMPLE_MS} ms, 1 MB = 10^6 bytes. Written: bytes each process wrote (\`wchar\` of /proc/PID/io), the ladder's to its terminal, \`--json\`'s to its file. The terminal: the tmux server the ladder draws in, which parses every byte it writes (not part of any ratio).`,
      rate: RATE,
      measuredSeconds: seconds,
      processes: runs,
      ratios,
      targets: TARGETS,
      jsonLinesPerSecond: jsonLines / seconds,
      floorFrames: floorCounts,
      statusLine: statusLine.trim(),
      loadAverage: [loadBefore, loadAfter],
      stolenPercent,
    };
  } finally {
    if (tmuxUp) {
      try {
        tmux("send-keys", "-t", "app", "q");
        await sleep(500);
        tmux("kill-server");
      } catch {
        // the session ended with the app, and the tmux server with it
      }
    }
    await stopChild(floor);
    await stopChild(json);
    await stopChild(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
