import { setFlagsFromString } from "node:v8";

/**
 * V8 flags that keep the heap small: size it for memory rather than speed, and keep the young generation
 * at the size it starts with instead of letting it double up to 32 MB.
 */
export const SMALL_HEAP_FLAGS = ["--optimize-for-size", "--semi-space-growth-factor=1"] as const;

/**
 * Asks V8 to keep the heap small, for the app: a process meant to stay open all day in a terminal pane.
 *
 * Under a busy feed the ladder's thread allocates fast (a frame is built every 33 ms). With V8's default
 * heuristics the main heap grew to ~110 MB, mostly garbage waiting for the next full collection, and the
 * process to ~220 MB resident (5 pairs × 1,000 msg/s, 200×60). Sized for memory, the same run stays near
 * 130 MB; keeping the young generation at its starting size takes the peaks down by another ~15 MB. No
 * difference in CPU or latency was measurable in the whole-app benchmark (see BENCHMARKS.md). Both flags
 * are read by V8's heap heuristics as they run, so they take effect when set at run time, for every
 * thread; `verify`, a batch job whose throughput matters more than its memory, never sets them.
 */
export function preferSmallHeap(): void {
  for (const flag of SMALL_HEAP_FLAGS) setFlagsFromString(flag);
}
