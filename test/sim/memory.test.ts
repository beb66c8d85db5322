import { execFile, spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers/run-cli.js";
import { CATALOGUE } from "../../src/sim/catalogue.js";
import { TestClient, isBookOf } from "./kraken-client.js";
import { NeverReadingClient } from "./raw-client.js";

/**
 * The simulator's memory under clients that never read, measured as the resident set of a real
 * `kraken-ladder simulate` child process with its default bounds (a fast market, so quiet spells
 * stay short). Without the bounds each scenario grew it by about 70 MB in its few seconds, and it
 * kept growing for as long as the client stayed; with them the growth is about 30 and 8 MB.
 */

const run = promisify(execFile);
const PAIRS = CATALOGUE.map((p) => p.symbol);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Sim = { readonly child: ChildProcessWithoutNullStreams; readonly url: string; stderr(): string };

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

function simulate(args: readonly string[]): Promise<Sim> {
  const child = spawn(process.execPath, [BIN, "simulate", "--seed", "8", ...args], {
    cwd: ROOT,
    stdio: "pipe",
  });
  cleanup.push(() => child.kill("SIGKILL"));
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve({ child, url: out.slice(0, nl), stderr: () => err });
    });
    child.on("close", (code) => reject(new Error(`simulate exited (${code}): ${err}`)));
  });
}

/** Resident set of a process in MiB. */
async function rssMiB(pid: number): Promise<number> {
  const { stdout } = await run("ps", ["-o", "rss=", "-p", String(pid)]);
  return Number(stdout.trim()) / 1024;
}

async function reader(url: string): Promise<TestClient> {
  const c = await TestClient.connect(url);
  cleanup.push(() => c.close());
  c.subscribe(["BTC/USD"], 10);
  await c.waitFor(isBookOf("BTC/USD"));
  return c;
}

async function neverReader(url: string): Promise<NeverReadingClient> {
  const c = await NeverReadingClient.connect(url);
  cleanup.push(() => c.close());
  return c;
}

type Samples = { readonly baseline: number; readonly peak: number; readonly afterDrop: number[] };

/**
 * Samples the child's RSS every 200 ms for `ms` while `drive` runs, and records the samples taken
 * from 500 ms after `dropped()` first holds.
 */
async function watch(sim: Sim, ms: number, dropped: () => boolean): Promise<Samples> {
  const baseline = await rssMiB(sim.child.pid!);
  let peak = baseline;
  let droppedAt: number | undefined;
  const afterDrop: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await sleep(200);
    const rss = await rssMiB(sim.child.pid!);
    peak = Math.max(peak, rss);
    if (droppedAt === undefined && dropped()) droppedAt = performance.now();
    if (droppedAt !== undefined && performance.now() - droppedAt >= 500) afterDrop.push(rss);
  }
  return { baseline, peak, afterDrop };
}

describe("simulator memory under clients that never read", () => {
  it("a never-reading client re-subscribing every pair at depth 1000 within the rate is dropped (1013) and memory stays flat; a reading client keeps receiving", async () => {
    const sim = await simulate(["--rate", "100"]);
    const other = await reader(sim.url);
    const slow = await neverReader(sim.url);
    const storm = setInterval(() => {
      slow.send({ method: "unsubscribe", params: { channel: "book", symbol: PAIRS, depth: 1000 } });
      slow.send({ method: "subscribe", params: { channel: "book", symbol: PAIRS, depth: 1000 } });
    }, 100);
    cleanup.push(() => clearInterval(storm));
    const dropLine =
      /dropped connection #1 [^\n]*send buffer over 4 MiB: client not reading[^\n]*close 1013\n/;
    const samples = await watch(sim, 6000, () => dropLine.test(sim.stderr()));
    clearInterval(storm);
    expect(sim.stderr()).toMatch(dropLine);
    expect(samples.peak - samples.baseline).toBeLessThan(48);
    expect(samples.afterDrop.length).toBeGreaterThan(3);
    expect(Math.max(...samples.afterDrop) - Math.min(...samples.afterDrop)).toBeLessThan(16);
    await other.waitFor(isBookOf("BTC/USD"), { from: other.frames.length });
    expect(other.closeCode).toBeUndefined();
  });

  it("a never-reading client storming subscribe/unsubscribe as fast as it can is rate-limited, then closed 1008, and memory stays flat", async () => {
    const sim = await simulate(["--rate", "100"]);
    const other = await reader(sim.url);
    const slow = await neverReader(sim.url);
    let sent = 0;
    const storm = setInterval(() => {
      for (let i = 0; i < 50; i++, sent += 2) {
        slow.send({ method: "unsubscribe", params: { channel: "book", symbol: PAIRS, depth: 10 } });
        slow.send({ method: "subscribe", params: { channel: "book", symbol: PAIRS, depth: 10 } });
      }
    }, 10);
    cleanup.push(() => clearInterval(storm));
    const dropLine = /dropped connection #1 [^\n]*Exceeded msg rate \(over 20 requests\/s\), close 1008\n/;
    const samples = await watch(sim, 4000, () => dropLine.test(sim.stderr()));
    clearInterval(storm);
    expect(sim.stderr()).toMatch(dropLine);
    expect(sent).toBeGreaterThan(1000);
    expect(samples.peak - samples.baseline).toBeLessThan(48);
    expect(Math.max(...samples.afterDrop) - Math.min(...samples.afterDrop)).toBeLessThan(16);
    await other.waitFor(isBookOf("BTC/USD"), { from: other.frames.length });
    expect(other.closeCode).toBeUndefined();
  });
});
