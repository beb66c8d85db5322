import type { Worker } from "node:worker_threads";

/**
 * Feed workers that did not end when stopped, even when terminated: a thread blocked in a system call (a
 * write to a pipe nobody reads, a hung disk) cannot be, and no Node process with such a thread can exit by
 * itself (`process.exit` waits for it too). The command line ends its process hard when one is left (see
 * main.ts); a library's host decides for itself. Kept apart from client.ts so main.ts can ask without
 * loading the feed.
 */
export const stuckWorkers = new Set<Worker>();

export const STUCK_MESSAGE =
  "the feed worker did not stop: it is blocked in a system call (a write to a pipe nobody reads, or a hung disk?)";
