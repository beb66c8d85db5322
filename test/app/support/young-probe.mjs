// Child process for heap.test.ts: how large V8 lets the main thread's young generation grow while it
// allocates short-lived objects, some of which survive a scavenge or two (what makes V8 grow it).
//   node young-probe.mjs default|small|small-then-thread|small-thread-small
// small: preferSmallHeap() first; -then-thread: a worker thread started (and running) after it;
// -thread-small: preferSmallHeap() again once that thread runs, as the app does. Prints the peak size of
// the young generation (new space) in bytes.
import { getHeapSpaceStatistics } from "node:v8";
import { Worker } from "node:worker_threads";

const mode = process.argv[2];
const { preferSmallHeap } = await import("../../../dist/app/heap.js");
if (mode !== "default") preferSmallHeap();
if (mode === "small-then-thread" || mode === "small-thread-small") {
  const worker = new Worker("setTimeout(() => {}, 60_000)", { eval: true });
  await new Promise((resolve) => worker.once("online", resolve));
  if (mode === "small-thread-small") preferSmallHeap();
  worker.unref();
}
const youngSize = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0;
const kept = [];
let peak = youngSize();
let sink;
for (let i = 0; i < 3_000_000; i++) {
  sink = { i, text: `row ${i}` };
  if (i % 50 === 0) kept.push(sink);
  if (kept.length > 20_000) kept.splice(0, 10_000);
  if (i % 50_000 === 0) peak = Math.max(peak, youngSize());
}
process.stdout.write(`${peak}\n`);
