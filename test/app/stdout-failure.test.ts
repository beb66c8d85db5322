import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers/run-cli.js";

/**
 * Every command of the installed binary with a stdout it cannot write to: a full disk (/dev/full fails
 * every write with ENOSPC) and a pipe whose reader has gone (EPIPE). No stack trace, no silent exit 0.
 */

const CAPTURE = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));

type Ended = { code: number | null; stderr: string; out: string };

/** Runs the binary with `stdout` as its stdout ("pipe": a pipe this test may close). */
function run(
  args: readonly string[],
  stdout: number | "pipe",
  onOut?: (text: string, close: () => void) => void,
): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", stdout, "pipe"] });
    let stderr = "";
    let out = "";
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      onOut?.(out, () => child.stdout!.destroy());
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, out });
    });
  });
}

const COMMANDS: readonly (readonly string[])[] = [
  ["verify", CAPTURE],
  ["verify", "--json", CAPTURE],
  ["config"],
  ["--help"],
  ["--version"],
  ["--demo", "--json", "BTC/USD"],
  ["simulate"],
  ["serve", "--demo", "--port", "0"],
];

describe.concurrent("stdout on a full disk", () => {
  for (const args of COMMANDS) {
    it(`${args.join(" ").replace(CAPTURE, "FILE")}: says so once on stderr and exits 1`, async () => {
      const full = openSync("/dev/full", "w");
      try {
        const r = await run(args, full);
        expect(r.code).toBe(1);
        const said = r.stderr.split("\n").filter((l) => l.includes("stdout"));
        expect(said).toEqual(["kraken-ladder: cannot write to stdout: ENOSPC: no space left on device"]);
        expect(r.stderr).not.toMatch(/^\s+at |node:events/m);
      } finally {
        closeSync(full);
      }
    });
  }
});

describe.concurrent("stdout a pipe whose reader has gone", () => {
  it("NDJSON ends by itself with 0 once the reader closes, saying nothing", async () => {
    let closed = false;
    const r = await run(["--demo", "--json", "BTC/USD"], "pipe", (_out, close) => {
      if (closed) return;
      closed = true;
      close();
    });
    expect(r.out.length).toBeGreaterThan(0);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });

  for (const args of [["verify", CAPTURE], ["config"], ["--help"]]) {
    it(`${args.join(" ").replace(CAPTURE, "FILE")}: its own exit code, no stack trace`, async () => {
      // Closed before the command writes: its first write fails with EPIPE.
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.destroy();
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(stderr).toBe("");
      expect(code).toBe(0);
    });
  }
});

describe.concurrent("stderr on a full disk", () => {
  const cases: [readonly string[], number][] = [
    [["--bogus"], 2],
    [["--depth", "7", "--demo"], 2],
    [["verify", "/nonexistent/recording.jsonl"], 2],
    [["verify", CAPTURE], 0],
  ];
  for (const [args, code] of cases) {
    it(`${args.join(" ").replace(CAPTURE, "FILE")}: its message lost, its exit code ${code} kept`, async () => {
      const full = openSync("/dev/full", "w");
      try {
        const child = spawn(process.execPath, [BIN, ...args], {
          cwd: ROOT,
          stdio: ["ignore", "ignore", full],
        });
        expect(await new Promise<number | null>((resolve) => child.on("close", resolve))).toBe(code);
      } finally {
        closeSync(full);
      }
    });
  }
});
