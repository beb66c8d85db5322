// Time from launch to the first thing on screen, in tmux: the ladder (`--demo BTC/USD`) to its first screen
// and to its first full frame, against the same run with `--json` to its first NDJSON line. Each run starts
// a fresh tmux server and polls capture-pane; both modes are measured the same way, alternating, so the
// ratio is what matters. Usage (after npm run build): node bench/first-screen.mjs [runs=5]
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { BIN, summary } from "./lib/util.mjs";

const runs = Number(process.argv[2] ?? 5);
const tmux = (socket, ...args) =>
  execFileSync("tmux", ["-u", "-L", socket, "-f", "/dev/null", ...args], {
    encoding: "utf8",
    env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
  });

/** ms from starting the pane to each named screen test passing (in order). */
async function measure(args, marks) {
  const socket = `kl-first-screen-${process.pid}-${Date.now()}`;
  const started = performance.now();
  tmux(
    socket,
    "new-session",
    "-d",
    "-s",
    "b",
    "-x",
    "200",
    "-y",
    "60",
    `${process.execPath} ${BIN} ${args}; sleep 60`,
  );
  const found = {};
  try {
    for (const [name, test] of marks) {
      for (;;) {
        const screen = tmux(socket, "capture-pane", "-p", "-t", "b");
        if (test(screen)) break;
        if (performance.now() - started > 30_000) throw new Error(`no ${name} within 30 s:\n${screen}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      found[name] = performance.now() - started;
    }
  } finally {
    tmux(socket, "kill-server");
  }
  return found;
}

const ladder = { first: [], frame: [] };
const json = [];
for (let i = 0; i < runs; i++) {
  const l = await measure("--demo BTC/USD", [
    ["first screen", (s) => s.includes("connecting…") || s.includes("BTC/USD ●") || s.includes("BTC/USD ◌")],
    ["ladder frame", (s) => /─ spread \S+ · \S+ bps · mid \S+ ─/.test(s)],
  ]);
  ladder.first.push(l["first screen"]);
  ladder.frame.push(l["ladder frame"]);
  const j = await measure("--demo --json BTC/USD", [["first line", (s) => s.includes('{"type":')]]);
  json.push(j["first line"]);
}
const round = (s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.round(v)]));
const result = {
  ladderFirstScreenMs: round(summary(ladder.first)),
  ladderFirstFrameMs: round(summary(ladder.frame)),
  jsonFirstLineMs: round(summary(json)),
  ratioFirstScreenToJson: Number((summary(ladder.first).median / summary(json).median).toFixed(2)),
};
process.stdout.write(JSON.stringify(result, null, 2) + "\n");
