// Child process for heap.test.ts: a busy app's allocation pattern in miniature. Frames of small objects
// are made fast and each stays alive for a while (a ring of 1,000 frames, ~16 MB live), so garbage
// reaches the old generation, where V8's sizing heuristics decide how big the heap grows.
// `node heap-probe.mjs small|default` prints the peak total heap size in bytes.
import { getHeapStatistics } from "node:v8";

if (process.argv[2] === "small") (await import("../../../dist/app/heap.js")).preferSmallHeap();
const ring = new Array(1000).fill(null);
let peak = 0;
for (let i = 0; i < 15_000; i++) {
  const frame = [];
  for (let r = 0; r < 60; r++) frame.push({ text: `row ${i} ${r}`, cells: new Array(20).fill(r) });
  ring[i % ring.length] = frame;
  if (i % 100 === 0) peak = Math.max(peak, getHeapStatistics().total_heap_size);
}
process.stdout.write(`${peak}\n`);
