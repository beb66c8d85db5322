import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";
import type { CliResult } from "../helpers/run-cli.js";

const CAPTURE = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../fixtures/kraken-docs-v2-example.jsonl", import.meta.url));
const captureLines = readFileSync(CAPTURE, "utf8").split("\n").slice(0, -1);
const VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kraken-ladder-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, lines: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, lines.map((l) => l + "\n").join(""));
  return path;
}

/** Bad usage: exit 2, nothing on stdout, a one-line `error:` then a `Usage:` line on stderr. */
function expectUsageError(r: CliResult, usage: string, error: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(error);
  expect(lines[1]).toMatch(new RegExp(`^Usage: ${usage} `));
}

const captureReport = {
  frames: 377,
  checksums: { ok: 301, failed: 0 },
  symbols: { "BTC/USD": { snapshots: 5, updates: 296, skipped: 0, ok: 301, failed: 0, crossed: 0 } },
  invalidLines: 0,
  errors: [],
  trades: {},
  unverified: [],
};

describe.concurrent("kraken-ladder", () => {
  it("--help lists the options and the verify command, exit 0", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: kraken-ladder /);
    expect(r.stdout).toMatch(/^\s+verify \[options\] <files\.\.\.>/m);
    expect(r.stdout).toContain("--depth <n>");
    expect(r.stdout).toContain("--subscribe-timeout <s>");
    expect(r.stderr).toBe("");
  });

  it("verify --help lists --depth and --json, exit 0", async () => {
    const r = await runCli(["verify", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: kraken-ladder verify \[options\] <files\.\.\.>/);
    expect(r.stdout).toContain("--depth <n>");
    expect(r.stdout).toContain("--json");
  });

  it("every command words its own -h the same way", async () => {
    for (const command of [[], ["verify"], ["simulate"], ["serve"], ["config"]]) {
      const r = await runCli([...command, "-h"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^ {2}-h, --help +show this help$/m);
    }
  });

  it("help, and help COMMAND, print the help --help prints", async () => {
    for (const command of [[], ["serve"], ["verify"]]) {
      const [viaHelp, viaFlag] = await Promise.all([
        runCli(["help", ...command]),
        runCli([...command, "--help"]),
      ]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
    }
  });

  it("--version and -V print package.json's version", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
    }
  });

  it("rejects an unknown flag, a bad --depth and a bad --fps with exit 2, one error line and usage", async () => {
    expectUsageError(await runCli(["--bogus"]), "kraken-ladder", /unknown option '--bogus'/);
    expectUsageError(await runCli(["--depth", "7"]), "kraken-ladder", /depth/);
    expectUsageError(await runCli(["--fps", "x"]), "kraken-ladder", /--fps/);
  });

  it("a flag of the ladder with NDJSON (stdout not a terminal, or --json) does nothing: exit 2 naming it", async () => {
    const piped = "NDJSON \\(stdout is not a terminal\\)";
    expectUsageError(
      await runCli(["--demo", "--board"]),
      "kraken-ladder",
      new RegExp(`^error: --board starts the ladder on the board; it does nothing with ${piped}$`),
    );
    expectUsageError(
      await runCli(["--demo", "--json", "--vap-window", "60"]),
      "kraken-ladder",
      /^error: --vap-window is the ladder's volume column; it does nothing with --json$/,
    );
    expectUsageError(
      await runCli(["--demo", "--bps", "5"]),
      "kraken-ladder",
      new RegExp(
        `^error: --bps is for --analytics and the board; it does nothing with ${piped} without --analytics$`,
      ),
    );
    expectUsageError(
      await runCli(["--demo", "--json", "--notional", "500"]),
      "kraken-ladder",
      /^error: --notional is for --analytics/,
    );
  });

  it("says what is wrong with a number of seconds: not a number, negative, zero, under a millisecond", async () => {
    const wrong = async (flag: string, value: string, why: string): Promise<void> =>
      expectUsageError(
        await runCli([flag, value]),
        "kraken-ladder",
        new RegExp(`option '${flag} <s>' argument '${value}' is invalid\\. ${why}$`),
      );
    await wrong("--duration", "soon", "expected a number of seconds, e\\.g\\. 10 or 0\\.5\\.");
    await wrong("--duration", "-1", "expected more than 0 seconds\\.");
    await wrong("--duration", "0", "expected more than 0 seconds\\.");
    await wrong("--duration", "0.0001", "expected at least 0\\.001 seconds \\(one millisecond\\)\\.");
    await wrong("--backoff-reset", "-2", "expected 0 seconds or more\\.");
    // Longer than a timer holds: Node would fire it after 1 ms (a --duration of 35 days stopped at once,
    // a --ping-interval of 35 days pinged every millisecond).
    const tooLong = "expected at most 2147483 seconds \\(about 24 days, the longest a timer waits\\)\\.";
    await wrong("--duration", "3000000", tooLong);
    await wrong("--ping-interval", "3000000", tooLong);
    await wrong("--backoff-reset", "1e9", tooLong);
    // The longest is taken: the error is the bad depth's (a run that starts would stop only in 24 days).
    expectUsageError(await runCli(["--duration", "2147483", "--depth", "7"]), "kraken-ladder", /depth/);
  });
});

describe.concurrent("kraken-ladder verify", () => {
  it("verifies the real capture: table on stdout, exit 0", async () => {
    const r = await runCli(["verify", CAPTURE]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`${CAPTURE}: 377 frames`);
    expect(r.stdout).toMatch(/^symbol\s+snapshots\s+updates\s+skipped\s+ok\s+failed\s+crossed$/m);
    expect(r.stdout).toMatch(/^BTC\/USD\s+5\s+296\s+0\s+301\s+0\s+0$/m);
    expect(r.stdout).toMatch(/^checksums: 301 ok, 0 failed$/m);
  });

  it("--json prints exactly one JSON object of the documented shape, flag before or after the file", async () => {
    for (const args of [
      ["verify", "--json", CAPTURE],
      ["verify", CAPTURE, "--json"],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout.endsWith("\n")).toBe(true);
      expect(r.stdout.trimEnd()).not.toContain("\n");
      expect(JSON.parse(r.stdout)).toEqual(captureReport);
    }
  });

  it("exits 1 on float-formatted frames, reporting the mismatch", async () => {
    const path = await file(
      "floats.jsonl",
      captureLines.map((l) => JSON.stringify(JSON.parse(l))),
    );
    const text = await runCli(["verify", path]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^checksums: 0 ok, 5 failed {2}\(MISMATCH\)$/m);
    const json = await runCli(["verify", "--json", path]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ checksums: { ok: 0, failed: 5 } });
  });

  it("uses --depth when the recording has no acks: 1000 skips truncation and fails, 10 passes", async () => {
    const path = await file(
      "no-acks.jsonl",
      captureLines.filter((l) => !l.startsWith('{"method"')),
    );
    const deep = await runCli(["verify", "--depth", "1000", path, "--json"]);
    expect(deep.code).toBe(1);
    expect((JSON.parse(deep.stdout) as typeof captureReport).checksums.failed).toBeGreaterThan(0);
    const right = await runCli(["verify", path, "--depth", "10"]);
    expect(right.code).toBe(0);
  });

  it("exits 1 when one checksum is corrupted mid-file", async () => {
    const lines = [...captureLines];
    lines[30] = lines[30]!.replace(
      /"checksum":(\d+)/,
      (_, n: string) => `"checksum":${(Number(n) + 7) % 2 ** 32}`,
    );
    const r = await runCli(["verify", "--json", await file("corrupt.jsonl", lines)]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as typeof captureReport;
    expect(report.checksums.failed).toBe(1);
    expect(report.symbols["BTC/USD"].skipped).toBeGreaterThan(0);
  });

  it("reports invalid lines with their line numbers and is not stopped by them", async () => {
    const path = await file("invalid.jsonl", [
      captureLines[0]!,
      "",
      "garbage",
      captureLines[2]!.slice(0, 80),
      ...captureLines.slice(1),
    ]);
    const text = await runCli(["verify", path]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^checksums: 301 ok, 0 failed$/m);
    expect(text.stdout).toMatch(/^2 invalid lines:$/m);
    expect(text.stdout).toContain(`  ${path}:3: `);
    expect(text.stdout).toContain(`  ${path}:4: `);
    const json = JSON.parse((await runCli(["verify", "--json", path])).stdout) as {
      frames: number;
      invalidLines: number;
      errors: { file: string; line: number; message: string }[];
    };
    expect(json.frames).toBe(379);
    expect(json.invalidLines).toBe(2);
    expect(json.errors.map((e) => [e.file, e.line])).toEqual([
      [path, 3],
      [path, 4],
    ]);
  });

  it("totals several files", async () => {
    const text = await runCli(["verify", CAPTURE, EXAMPLE]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("2 files: 378 frames");
    const r = await runCli(["verify", "--json", CAPTURE, EXAMPLE]);
    expect(JSON.parse(r.stdout)).toEqual({
      frames: 378,
      checksums: { ok: 302, failed: 0 },
      symbols: { "BTC/USD": { snapshots: 6, updates: 296, skipped: 0, ok: 302, failed: 0, crossed: 0 } },
      invalidLines: 0,
      errors: [],
      trades: {},
      unverified: [],
    });
  });

  it("reads CRLF line endings and a last line without a newline", async () => {
    const path = join(dir, "crlf.jsonl");
    await writeFile(path, captureLines.join("\r\n"));
    const r = await runCli(["verify", "--json", path]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(captureReport);
  });

  it("exits 2 on a missing or unreadable file, no file, or a bad --depth", async () => {
    const missing = join(dir, "missing.jsonl");
    const r = await runCli(["verify", CAPTURE, missing]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(missing);
    const directory = await runCli(["verify", dir]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain(dir);
    expectUsageError(await runCli(["verify"]), "kraken-ladder verify", /missing required argument/);
    expectUsageError(await runCli(["verify", "--depth", "7", CAPTURE]), "kraken-ladder verify", /depth/);
    expectUsageError(await runCli(["verify", "--bogus", CAPTURE]), "kraken-ladder verify", /--bogus/);
  });
});
