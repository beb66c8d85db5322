import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HELPER_NICE } from "../../src/app/priority.js";

const PROBE = fileURLToPath(new URL("./support/priority-probe.mjs", import.meta.url));

describe.runIf(process.platform === "linux")("lowerHelperThreadPriority", () => {
  it("lowers every thread Node started but the main thread, and not the threads started after it", () => {
    const seen = JSON.parse(execFileSync(process.execPath, [PROBE], { encoding: "utf8" })) as {
      main: number;
      worker: number;
      helpers: number;
      before: number[];
    };
    expect(seen.main).toBeLessThan(HELPER_NICE);
    expect(seen.helpers).toBeGreaterThan(0);
    expect(seen.before).toEqual(new Array(seen.helpers).fill(HELPER_NICE));
    // The feed worker is started after the call: it keeps the main thread's priority.
    expect(seen.worker).toBe(seen.main);
  }, 30_000);
});
