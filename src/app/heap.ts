import { setFlagsFromString } from "node:v8";

/** The V8 flag that makes the heap favour memory over speed. */
export const SMALL_HEAP_FLAG = "--optimize-for-size";

/**
 * Asks V8 to keep the heap small, for the app: a process meant to stay open all day in a terminal pane.
 *
 * Under a busy feed the ladder's thread allocates fast (a frame is built every 33 ms); with V8's default
 * heuristics its heap grew to ~110 MB, mostly garbage waiting for the next full collection, and the
 * process to ~220 MB resident (measured at 5 pairs × 1,000 msg/s, 200×60). With this flag V8 sizes the
 * heap for memory instead of speed and the same run stays at ~130 MB, for no measurable CPU on the
 * ladder's thread (see BENCHMARKS.md, soak). The flag is read by the heap's sizing heuristics as they
 * run, so it takes effect when set at run time; `verify`, whose throughput matters more than its
 * memory, never sets it.
 */
export function preferSmallHeap(): void {
  setFlagsFromString(SMALL_HEAP_FLAG);
}
