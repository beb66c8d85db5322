import { appendFileSync, readlinkSync } from "node:fs";

/**
 * With `KRAKEN_LADDER_TRACE=FILE` set, appends `thread NAME TID` to FILE: this thread's Linux thread id (from
 * /proc/thread-self), so the benchmark can read each thread's CPU time in /proc/PID/task/TID/stat. Does
 * nothing without the variable or where /proc/thread-self does not exist.
 */
export function traceThread(name: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env["KRAKEN_LADDER_TRACE"];
  if (file === undefined || file === "") return;
  try {
    const tid = readlinkSync("/proc/thread-self").split("/").at(-1);
    appendFileSync(file, `thread ${name} ${tid}\n`);
  } catch {
    // Not Linux: the benchmark tells the threads apart another way.
  }
}
