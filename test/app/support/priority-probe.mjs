// Child process for priority.test.ts: lowers the helper threads' priority, then starts a worker thread, and
// prints {main, worker, helpers, before}: the nice value of the main thread and of the worker, how many other
// threads existed before the call, and the nice value of each of them after it.
import { readdirSync, readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";

const nice = (tid) => {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
  // Fields after the command name in parentheses: nice is field 19 (1-based in proc(5)), the 17th after it.
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
};
const before = readdirSync("/proc/self/task").map(Number);
(await import("../../../dist/app/priority.js")).lowerHelperThreadPriority();
const worker = new Worker(
  `const { parentPort } = require("node:worker_threads");
   parentPort.postMessage(Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").at(-1)));
   setTimeout(() => {}, 60_000);`,
  { eval: true },
);
const workerTid = await new Promise((resolve) => worker.once("message", resolve));
const others = before.filter((tid) => tid !== process.pid);
process.stdout.write(
  JSON.stringify({
    main: nice(process.pid),
    worker: nice(workerTid),
    helpers: others.length,
    before: others.map(nice),
  }) + "\n",
);
process.exit(0);
