import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

/** The nice value given to the helper threads: the lowest priority there is. */
export const HELPER_NICE = 19;

/**
 * Lowers the scheduling priority of the threads Node has started so far, all but the main thread: V8's
 * platform workers (concurrent marking, parallel scavenges, the optimizing compiler) and libuv's pool. Call
 * it before the app starts threads of its own; threads started later (the feed worker, the loader hooks'
 * thread) take the priority of the thread that starts them, the main thread's.
 *
 * Why: on a machine with few cores, a helper woken by the main thread's own GC or compiler work was often
 * queued on the main thread's core and ran there for 1–4 ms while the main thread, halfway through a frame,
 * waited for it (measured per frame with the kernel's schedstat: in the slowest frames, exactly one helper
 * ran for as long as the main thread waited). At the lowest priority a helper runs when a core is free and
 * no longer takes the main thread's (render benchmark, BENCHMARKS.md). The helpers' work still gets done:
 * two cores are mostly idle under the ladder.
 *
 * Linux only: there, a thread id given to setpriority(2) names that thread alone (elsewhere it would name
 * the whole process, so nothing is done). Best effort: a thread that has gone is skipped.
 */
export function lowerHelperThreadPriority(): void {
  if (process.platform !== "linux") return;
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return;
  }
  for (const task of tasks) {
    const tid = Number(task);
    if (tid === process.pid) continue;
    try {
      setPriority(tid, HELPER_NICE);
    } catch {
      // The thread ended meanwhile.
    }
  }
}
