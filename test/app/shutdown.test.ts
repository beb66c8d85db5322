import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/run-cli.js";

/**
 * A child process that creates a shutdown, registers three cleanup steps (the second throws), prints
 * "ready", waits for the first reason to stop, runs the shutdown twice, and prints what happened.
 */
const CHILD = `
import { createShutdown } from "./dist/app/shutdown.js";
const ran = [];
const alive = setInterval(() => undefined, 1000); // a command's server or feed keeps it running
const shutdown = createShutdown({ report: (m) => ran.push("report: " + m) });
shutdown.onCleanup(() => void ran.push("first"));
shutdown.onCleanup(() => { throw new Error("boom"); });
shutdown.onCleanup(async () => {
  ran.push("last");
  process.kill(process.pid, "SIGINT"); // a second signal while stopping: neither kills nor re-runs
  await new Promise((r) => setTimeout(r, 50));
});
const request = process.argv[1];
console.log("ready");
if (request !== undefined) setTimeout(() => shutdown.request(Number(request)), 10);
const reason = await shutdown.requested;
const [a, b] = await Promise.all([shutdown.run(0), shutdown.run(0)]);
clearInterval(alive);
console.log(JSON.stringify({ reason, ran, a, b, listeners: process.listenerCount("SIGTERM") }));
`;

type Outcome = { reason: unknown; ran: string[]; a: number; b: number; listeners: number };

async function runChild(
  signal: NodeJS.Signals | undefined,
  request?: number,
): Promise<[Outcome, number | null]> {
  const args = ["--input-type=module", "-e", CHILD, ...(request === undefined ? [] : [String(request)])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    out += chunk;
    if (signal !== undefined && out.startsWith("ready\n") && out.length === 6) child.kill(signal);
  });
  const [code] = (await once(child, "exit")) as [number | null];
  const last = out.trim().split("\n").at(-1)!;
  return [JSON.parse(last) as Outcome, code];
}

describe("shutdown: one way out for every command", () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`on ${signal} runs every cleanup step once, last registered first, and a step that threw makes it exit 1`, async () => {
      const [outcome, code] = await runChild(signal);
      expect(outcome.reason).toEqual({ kind: "signal", signal });
      expect(outcome.ran).toEqual(["last", "report: while stopping: boom", "first"]);
      expect([outcome.a, outcome.b]).toEqual([1, 1]);
      expect(outcome.listeners).toBe(0);
      expect(code).toBe(0);
    });
  }

  it("a request's code is kept when it is worse than the run's own", async () => {
    const [outcome] = await runChild(undefined, 2);
    expect(outcome.reason).toEqual({ kind: "request", code: 2 });
    expect([outcome.a, outcome.b]).toEqual([2, 2]);
  });
});
