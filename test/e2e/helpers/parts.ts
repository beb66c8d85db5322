import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { afterEach, beforeAll } from "vitest";
import { BIN } from "../../helpers/run-cli.js";
import { hasTmux, TmuxSession } from "./tmux.js";

/** What an end-to-end test starts: tmux sessions, and `kraken-ladder simulate` processes. */
export type EndToEnd = {
  /** A new tmux session (its own server), killed after the test. */
  tmux(): TmuxSession;
  /** The installed binary's `simulate` with `args`, stopped after the test; resolves to its URL. */
  simulate(...args: string[]): Promise<string>;
  /** As `simulate`, with the simulator's pid too (to stop it with SIGSTOP: continue it before the test ends). */
  simulator(...args: string[]): Promise<{ url: string; pid: number }>;
};

/**
 * The parts of a test file's end-to-end tests, each ended after the test that started it (a simulator by
 * SIGTERM, waited for). Call once, at the top of the file: it registers the hooks, and the file fails at
 * once where there is no tmux.
 */
export function endToEnd(): EndToEnd {
  const sessions: TmuxSession[] = [];
  const servers: ChildProcess[] = [];
  beforeAll(() => {
    if (!hasTmux()) throw new Error("tmux is needed for the end-to-end tests: apt-get install tmux");
  });
  afterEach(async () => {
    for (const t of sessions.splice(0)) t.close();
    for (const sim of servers.splice(0)) {
      if (sim.exitCode !== null || sim.signalCode !== null) continue;
      const exited = new Promise((resolve) => sim.once("exit", resolve));
      sim.kill("SIGTERM");
      await exited;
    }
  });
  return {
    tmux() {
      const t = new TmuxSession();
      sessions.push(t);
      return t;
    },
    async simulate(...args) {
      return (await this.simulator(...args)).url;
    },
    simulator(...args) {
      const sim = spawn(process.execPath, [BIN, "simulate", ...args], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      servers.push(sim);
      return new Promise((resolve) =>
        sim.stdout
          .setEncoding("utf8")
          .once("data", (d: string) => resolve({ url: d.split("\n")[0]!, pid: sim.pid! })),
      );
    },
  };
}
