import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, reap, runBin, until } from "./support/run-bin.js";
import type { Run } from "./support/run-bin.js";

/**
 * The app stopped (Ctrl-Z, SIGSTOP) while the exchange goes on: on SIGCONT its feed worker's timers, due
 * long ago, fire before the socket's backlog is read. No book may be published live then: its newest
 * update is as old as the stop.
 */

let run: Run | undefined;
let sim: ChildProcess | undefined;
afterEach(() => {
  if (run?.child.pid !== undefined && run.child.exitCode === null) run.child.kill("SIGCONT");
  reap(run);
  sim?.kill("SIGKILL");
});

function simulate(): Promise<string> {
  sim = spawn(process.execPath, [BIN, "simulate", "--port", "0", "--rate", "20", "--seed", "3"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  return new Promise((resolve) =>
    sim!.stdout!.setEncoding("utf8").once("data", (d: string) => resolve(d.split("\n")[0]!)),
  );
}

const books = (lines: readonly Record<string, unknown>[]) => lines.filter((l) => l["type"] === "book");

describe("NDJSON across a stop of the process", () => {
  it("publishes no book live after SIGCONT until what came meanwhile is read: lagging first, by the stop", async () => {
    const url = await simulate();
    run = runBin(["--url", url, "--depth", "10", "BTC/USD", "ETH/USD"]);
    await until(() => books(run!.lines()).filter((b) => b["state"] === "live").length >= 10, "live books");
    run.child.kill("SIGSTOP");
    // What was written before the stop reaches this reader meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const before = run.lines().length;
    run.child.kill("SIGCONT");
    await until(
      () => books(run!.lines().slice(before)).some((b) => b["state"] === "live"),
      "the books live again",
    );
    const after = books(run.lines().slice(before));
    // Every book says first that it is behind, by about the stop, before any is live again.
    const firstLive = after.findIndex((b) => b["state"] === "live");
    expect(firstLive).toBeGreaterThan(0);
    const first = new Map<unknown, Record<string, unknown>>();
    for (const b of after.slice(0, firstLive)) if (!first.has(b["symbol"])) first.set(b["symbol"], b);
    for (const b of first.values()) {
      expect(b["state"]).toBe("lagging");
      expect(b["lagMs"] as number).toBeGreaterThanOrEqual(3000);
    }
    run.child.kill("SIGTERM");
    expect((await run.exit).code).toBe(0);
  }, 40_000);
});
