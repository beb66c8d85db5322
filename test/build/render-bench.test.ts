import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../build/options.mjs";

const run = promisify(execFile);
const CHILD = join(ROOT, "bench", "render-child.mjs");

type ChildReport = {
  mode: string;
  render: number[];
  build: number[];
  writes: number;
  missed: number;
  live: number;
};

/** bench/render-child.mjs run for `frames` views after `warmup`, its report parsed. */
async function renderChild(mode: "live" | "string", frames: number, warmup: number): Promise<ChildReport> {
  const { stdout } = await run(process.execPath, [CHILD, mode, String(frames), String(warmup)], {
    cwd: ROOT,
    timeout: 50_000,
  });
  return JSON.parse(stdout) as ChildReport;
}

// The benchmarks are not run by the tests: this keeps the render benchmark's child, which mounts the
// bundle's App on a fake terminal, from rotting unseen as the bundle changes (it once hung on the stock
// Ink of node_modules, and then counted one frame in thirty).
describe("the render benchmark's child process (bench/render-child.mjs)", () => {
  it("draws every view as the app does, one frame written per view, with all five books live", async () => {
    const report = await renderChild("live", 30, 10);
    expect(report.live).toBe(5);
    expect(report.missed).toBe(0);
    expect(report.render).toHaveLength(30);
    expect(report.writes).toBeGreaterThanOrEqual(40);
    expect(report.render.every((ms) => ms > 0)).toBe(true);
  }, 60_000);

  it("renders each view to a string and times the view-model, the books still live after 20 s of views", async () => {
    // 600 views at 30 a second: a virtual clock of the child's own drifted from the generator's stamps
    // by more than --max-lag's 3 s in that time, and every book turned lagging.
    const report = await renderChild("string", 500, 100);
    expect(report.render).toHaveLength(500);
    expect(report.build).toHaveLength(500);
    expect(report.live).toBe(5);
  }, 60_000);
});
