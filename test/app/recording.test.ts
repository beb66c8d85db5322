import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { mkfifo } from "../helpers/fifo.js";
import { ScriptedServer } from "../feed/support/scripted-server.js";
import { BIN, reap, runBin, until } from "./support/run-bin.js";
import type { Run } from "./support/run-bin.js";

let server: ScriptedServer | undefined;
let run: Run | undefined;
afterEach(async () => {
  reap(run);
  await server?.close();
  run = undefined;
  server = undefined;
});

describe("--record onto a full disk (/dev/full: opens, every write fails with ENOSPC), NDJSON", () => {
  it("prints one error line, keeps the books streaming, and ends with exit 1 saying the recording is incomplete", async () => {
    server = await ScriptedServer.start();
    run = runBin(["--url", server.url, "--record", "/dev/full", "--duration", "2", "BTC/USD"]);
    const { code } = await run.exit;
    expect(code).toBe(1);
    const lines = run.lines();
    const errors = lines.filter((l) => l["type"] === "error");
    expect(errors).toEqual([
      {
        type: "error",
        message: expect.stringMatching(
          /^recording to \/dev\/full stopped: ENOSPC: no space left on device; the recording is incomplete$/,
        ) as unknown,
      },
    ]);
    // The feed carries on: the book went live after the recording stopped.
    const failedAt = lines.findIndex((l) => l["type"] === "error");
    expect(lines.slice(failedAt).some((l) => l["type"] === "book" && l["state"] === "live")).toBe(true);
    expect(lines.at(-1)).toEqual({ type: "connection", state: "stopped" });
    expect(run.stderr()).toMatch(
      /^kraken-ladder: the recording \/dev\/full is incomplete: ENOSPC: no space left on device\n$/,
    );
  });

  it("a recording that works ends the same run with exit 0", async () => {
    server = await ScriptedServer.start();
    run = runBin(["--url", server.url, "--record", "/dev/null", "--duration", "2", "BTC/USD"]);
    expect((await run.exit).code).toBe(0);
    expect(run.lines().some((l) => l["type"] === "book" && l["state"] === "live")).toBe(true);
    expect(run.lines().filter((l) => l["type"] === "error")).toEqual([]);
    expect(run.stderr()).toBe("");
  });
});

describe("--record past a file-size limit (a real short write, then EFBIG)", () => {
  it("writes the rest of a short write, so the file system's reason is reported, and leaves whole lines only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kl-fsize-"));
    try {
      const file = join(dir, "rec.jsonl");
      server = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 20 });
      run = runBin(["--url", server.url, "--record", file, "--duration", "2", "BTC/USD"], {
        fileSizeLimitKiB: 4,
      });
      expect((await run.exit).code).toBe(1);
      const errors = run.lines().filter((l) => l["type"] === "error");
      expect(errors).toEqual([
        {
          type: "error",
          message: `recording to ${file} stopped: EFBIG: file too large; the recording is incomplete`,
        },
      ]);
      // The line the limit cut is gone: what is left is whole frames, each a line.
      const text = readFileSync(file, "utf8");
      expect(text.length).toBeGreaterThan(0);
      expect(text.length).toBeLessThanOrEqual(4096);
      expect(text.endsWith("\n")).toBe(true);
      for (const line of text.slice(0, -1).split("\n"))
        expect(() => JSON.parse(line) as unknown).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("--record to a named pipe nobody reads", () => {
  it("exits 1 at once saying so, instead of waiting without a word for a reader", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kl-fifo-"));
    try {
      const fifo = join(dir, "record.fifo");
      mkfifo(fifo);
      run = runBin(["--demo", "--record", fifo, "--duration", "5", "BTC/USD"]);
      const { code } = await run.exit;
      expect(code).toBe(1);
      expect(run.stderr()).toBe(
        `kraken-ladder: cannot record to ${fifo}: it is a named pipe that nobody is reading (start the reader first)\n`,
      );
      expect(run.stdout()).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("--record to a named pipe whose reader is already there", () => {
  it("writes the whole recording to a reader that waits in open() for a writer (cat fifo, gzip < fifo)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kl-fifo-"));
    try {
      const fifo = join(dir, "record.fifo");
      mkfifo(fifo);
      const reader = spawn("cat", [fifo], { stdio: ["ignore", "pipe", "inherit"] });
      let read = "";
      reader.stdout.setEncoding("utf8").on("data", (chunk: string) => (read += chunk));
      const readerExit = new Promise<number | null>((resolve) => reader.on("exit", resolve));
      // The reader is blocked in open() until a writer comes (its kernel wait says so).
      await until(() => {
        try {
          return readFileSync(`/proc/${reader.pid}/wchan`, "utf8") === "wait_for_partner";
        } catch {
          return false;
        }
      }, "the reader waiting for a writer");
      server = await ScriptedServer.start();
      run = runBin(["--url", server.url, "--record", fifo, "--duration", "2", "BTC/USD"]);
      const { code } = await run.exit;
      expect(run.stderr()).toBe("");
      expect(code).toBe(0);
      // The reader read until the app closed the pipe: every frame, the book's snapshot among them.
      expect(await readerExit).toBe(0);
      const lines = read.split("\n").filter((l) => l !== "");
      expect(lines.length).toBeGreaterThan(5);
      expect(lines.some((l) => l.includes('"channel":"book"') && l.includes('"type":"snapshot"'))).toBe(true);
      expect(run.lines().some((l) => l["type"] === "book" && l["state"] === "live")).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("- as the --record or --replay file", () => {
  it("is a usage error (exit 2) that leaves no file named -: stdout is the screen or the stream, a replay reads a file; ./- names that file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kl-dash-"));
    const recording = readFileSync(
      fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url)),
      "utf8",
    );
    const cli = (args: readonly string[]) =>
      spawnSync(process.execPath, [BIN, ...args], {
        cwd: dir,
        input: recording,
        encoding: "utf8",
        timeout: 15_000,
      });
    try {
      const record =
        "- would be stdout, which the command writes itself (the ladder, NDJSON, serve's URL): record to a " +
        "file, or to a named pipe another program reads " +
        "(mkfifo rec; gzip < rec > rec.jsonl.gz & kraken-ladder --record rec …); ./- names a file called -.";
      const replay =
        "a replay reads a file, not stdin: give the recording's path (decompress a compressed one to a file first); ./- names a file called -.";
      for (const [args, flag, why] of [
        [["--demo", "BTC/USD", "--duration", "1", "--record", "-"], "--record", record],
        [["serve", "--demo", "--duration", "1", "--record", "-"], "--record", record],
        [["--replay", "-", "--json", "--duration", "1"], "--replay", replay],
        [["simulate", "--replay", "-"], "--replay", replay],
      ] as const) {
        const r = cli(args);
        expect(r.status, args.join(" ")).toBe(2);
        expect(r.stdout, args.join(" ")).toBe("");
        expect(r.stderr.split("\n")[0], args.join(" ")).toBe(
          `error: option '${flag} <file>' argument '-' is invalid. ${why}`,
        );
        expect(readdirSync(dir), args.join(" ")).toEqual([]);
      }
      const r = cli(["--demo", "BTC/USD", "--json", "--duration", "0.5", "--record", "./-"]);
      expect(r.status).toBe(0);
      expect(readFileSync(join(dir, "-"), "utf8")).toMatch(/^\{"channel":"status"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
