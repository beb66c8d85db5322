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
 * 130 MB, with peaks of ~150 MB while the main thread's young generation has doubled up to 32 MB; kept at
 * its starting size it stays near 117 MB, peaking at ~122 MB, for about one point of a core more on the
 * main thread (smaller, more frequent scavenges; see BENCHMARKS.md). Both flags are read by V8's heap
 * heuristics as they run, so they take effect when set at run time, for every thread; `verify`, a batch
 * job whose throughput matters more than its memory, never sets them.
 *
 * Call it again once every thread the process starts is running: V8 raises the growth factor back to 2
 * (its smallest supported value) whenever it sets up a new isolate's heap (`Heap::ConfigureHeap`), for
 * the whole process, so a Worker or the module-loader hooks' thread started after the first call undoes
 * it (this went unnoticed for a while: the soak benchmark's peaks were those of a doubling young generation).
 */
export function preferSmallHeap(): void {
  for (const flag of SMALL_HEAP_FLAGS) setFlagsFromString(flag);
}
