#!/usr/bin/env node
// One render measurement in a fresh process: `node bench/render-child.mjs FRAMES WARMUP`, with React and
// Ink loaded the way the app loads them (src/ui/load-ladder.ts).
// A real feed session (src/feed/session.ts) and publisher (src/feed/publisher.ts) are fed generated frames for
// 5 pairs at depth 25 (the app's default) on a virtual clock of 5 × 1,000 messages a second; at every
// publisher tick (30 a second) the view it publishes is rendered with src/ui/render-frame.tsx at 200×60,
// the selected symbol moving on every 30 frames. Prints {render: [ms...], build: [ms...]} as JSON.
import { performance } from "node:perf_hooks";
import { generateFrames } from "../dist/sim/generate.js";
import { parseFrame } from "../dist/protocol/parse.js";
import { Session } from "../dist/feed/session.js";
import { Publisher } from "../dist/feed/publisher.js";
import { loadLadder } from "../dist/ui/load-ladder.js";

// Prepared exactly as the app prepares Ink and React (React's build from NODE_ENV, production unless set;
// Ink's measure cache bounded), before either is loaded.
await loadLadder();
const { COLOR_THEME } = await import("../dist/ui/colors.js");
const { buildFrame, renderFrame } = await import("../dist/ui/render-frame.js");

const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "DOGE/USD"];
const COLUMNS = 200;
const ROWS = 60;
const FPS = 30;
const RATE = 1000;
const [framesArg = "2000", warmupArg = "300"] = process.argv.slice(2);
const frames = Number(framesArg);
const warmup = Number(warmupArg);

const startMs = Date.UTC(2026, 0, 1);
const session = new Session(
  { symbols: SYMBOLS, depth: 25, retryBaseMs: 250, retryCapMs: 30_000 },
  { send: () => undefined, event: () => undefined, slowDown: () => undefined },
);
session.opened();
let view;
const publisher = new Publisher(
  session,
  () => ({ state: "live" }),
  (v) => (view = v),
  {
    fps: FPS,
    levels: 25,
    staleAfterMs: 60_000,
  },
);

const perTick = (SYMBOLS.length * RATE) / FPS;
const source = generateFrames({
  symbols: SYMBOLS,
  depth: 25,
  seed: 7,
  messages: Math.ceil((frames + warmup + 10) * perTick),
  rate: RATE,
  startMicros: startMs * 1000,
});

let now = startMs;
let fed = 0;
/** Feeds one publisher interval of messages and returns the view published at its end. */
function nextView() {
  const until = (fed + 1) * perTick;
  let i = fed * perTick;
  for (const raw of source) {
    now += 1000 / (SYMBOLS.length * RATE);
    session.handle(parseFrame(raw), Math.round(now));
    if (++i >= until) break;
  }
  fed++;
  view = undefined;
  publisher.tick(Math.round(now));
  return view;
}

const render = [];
const build = [];
let chars = 0;
for (let f = 0; f < warmup + frames; f++) {
  const v = nextView();
  if (v === undefined) continue;
  const options = {
    symbols: SYMBOLS,
    columns: COLUMNS,
    rows: ROWS,
    selected: Math.floor(f / 30) % 5,
    theme: COLOR_THEME,
    now: v.publishedAt,
  };
  let t0 = performance.now();
  const text = renderFrame(v, options);
  const r = performance.now() - t0;
  t0 = performance.now();
  buildFrame(v, options);
  const b = performance.now() - t0;
  chars += text.length;
  if (f >= warmup) {
    render.push(r);
    build.push(b);
  }
}
const lines = renderFrame(view ?? nextView(), {
  symbols: SYMBOLS,
  columns: COLUMNS,
  rows: ROWS,
  theme: COLOR_THEME,
}).split("\n");
process.stdout.write(
  JSON.stringify({
    render,
    build,
    chars,
    lastFrameLines: lines.length,
    live: view?.books.filter((b) => b.state === "live").length,
  }) + "\n",
);
