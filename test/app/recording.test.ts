import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { mkfifo } from "../helpers/fifo.js";
import { ScriptedServer } from "../feed/support/scripted-server.js";
import { reap, runBin, until } from "./support/run-bin.js";
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
