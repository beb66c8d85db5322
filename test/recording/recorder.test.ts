import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Recorder } from "../../src/recording/recorder.js";
import type { WriteBytes } from "../../src/recording/recorder.js";
import { feedOptions, harness } from "../feed/support/feed-harness.js";
import type { Harness } from "../feed/support/feed-harness.js";
import { ScriptedServer } from "../feed/support/scripted-server.js";
import { BIN } from "../helpers/run-cli.js";

let server: ScriptedServer | undefined;
let h: Harness | undefined;
const dir = mkdtempSync(join(tmpdir(), "kl-record-"));
afterEach(async () => {
  await h?.feed.stop();
  await server?.close();
  h = undefined;
  server = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--record", () => {
  it("appends every raw frame exactly as received; verify reproduces every checksum the app saw, the corrupted one included", async () => {
    const path = join(dir, "session.jsonl");
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url, { symbols: ["BTC/USD", "ETH/USD"], recordPath: path }));
    await h.until(() => (h!.book("ETH/USD")?.checksums.ok ?? 0) >= 20, "20 ETH checksums");
    server.corruptNext("BTC/USD");
    await h.until(
      () => h!.book("BTC/USD")?.resyncs === 1 && h!.book("BTC/USD")?.state === "live",
      "resynced",
    );
    await h.feed.stop();
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toEqual(server.sent.slice(0, lines.length));
    // Everything sent before the close reached the file.
    expect(lines.length).toBeGreaterThanOrEqual(server.sent.length - 2);

    const verify = spawnSync(process.execPath, [BIN, "verify", "--json", path], { encoding: "utf8" });
    const report = JSON.parse(verify.stdout) as { checksums: { ok: number; failed: number } };
    // The one deliberately corrupted update is the only mismatch, exactly as the live app saw it.
    expect(report.checksums.failed).toBe(1);
    expect(report.checksums.ok).toBeGreaterThan(40);
    expect(verify.status).toBe(1);
  });

  it("a clean session verifies with exit code 0", async () => {
    const path = join(dir, "clean.jsonl");
    server = await ScriptedServer.start();
    h = harness(feedOptions(server.url, { recordPath: path }));
    await h.until(() => (h!.book("BTC/USD")?.checksums.ok ?? 0) >= 20, "20 checksums");
    await h.feed.stop();
    const verify = spawnSync(process.execPath, [BIN, "verify", "--json", path], { encoding: "utf8" });
    expect(verify.status).toBe(0);
    expect((JSON.parse(verify.stdout) as { checksums: { failed: number } }).checksums.failed).toBe(0);
  });

  it("appends to an existing file, one line per frame even if a frame holds a line break", () => {
    const path = join(dir, "append.jsonl");
    const a = new Recorder(path);
    a.write('{"channel":"heartbeat"}');
    a.close();
    const b = new Recorder(path);
    b.write('{"channel":\n"heartbeat"}');
    b.close();
    expect(readFileSync(path, "utf8")).toBe('{"channel":"heartbeat"}\n{"channel": "heartbeat"}\n');
  });

  /**
   * A disk that fills up, as the kernel answers: this write function writes at most `room` more bytes
   * for real (the rest of the file system is real); a write it can take only part of is short, and the
   * next one fails with ENOSPC. (test/app/recording.test.ts forces the real thing with `ulimit -f`.)
   */
  const fillingDisk = (room: number): WriteBytes => {
    return (fd, bytes, offset, length) => {
      if (room === 0)
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      const n = Math.min(room, length);
      room -= n;
      return writeSync(fd, bytes, offset, n);
    };
  };

  it("a disk filling up: the short write's rest fails, the line is cut back and recording stops with the reason", () => {
    const path = join(dir, "short.jsonl");
    const before = '{"channel":"heartbeat"}\n';
    const a = new Recorder(path);
    a.write('{"channel":"heartbeat"}');
    a.close();
    const frame = '{"channel":"book","type":"update","data":[]}';
    const r = new Recorder(path, { writeBytes: fillingDisk(frame.length + 1 + 10) });
    expect(r.write(frame)).toBeUndefined();
    expect(r.write(frame)).toBe("ENOSPC: no space left on device");
    // What the write managed is gone again: the file ends with the last whole line.
    expect(readFileSync(path, "utf8")).toBe(`${before}${frame}\n`);
    // Recording has stopped: later frames are not written, and nothing more is reported.
    expect(r.write(frame)).toBeUndefined();
    expect(readFileSync(path, "utf8")).toBe(`${before}${frame}\n`);
  });

  it("a short write that is not a full disk: the rest is written, and recording goes on", () => {
    const path = join(dir, "partial.jsonl");
    // The kernel takes at most 7 bytes a call (as a write interrupted by a signal may be cut short).
    const r = new Recorder(path, {
      writeBytes: (fd, bytes, offset, length) => writeSync(fd, bytes, offset, Math.min(7, length)),
    });
    const frame = '{"channel":"book","type":"update","data":[{"symbol":"ΔBTC/USD"}]}';
    expect(r.write(frame)).toBeUndefined();
    expect(r.write(frame)).toBeUndefined();
    r.close();
    expect(readFileSync(path, "utf8")).toBe(`${frame}\n${frame}\n`);
  });

  it("a write that takes nothing and says nothing stops recording as a short write", () => {
    const path = join(dir, "zero.jsonl");
    // The first call takes 10 bytes; every later one takes none.
    const r = new Recorder(path, {
      writeBytes: (fd, bytes, offset) => (offset === 0 ? writeSync(fd, bytes, offset, 10) : 0),
    });
    const frame = '{"channel":"heartbeat"}';
    expect(r.write(frame)).toBe(`short write (10 of ${frame.length + 1} bytes)`);
    expect(readFileSync(path, "utf8")).toBe("");
  });

  it("a write that fails (ENOSPC from /dev/full) stops recording with the file system's message", () => {
    const r = new Recorder("/dev/full");
    expect(r.write('{"channel":"heartbeat"}')).toMatch(/^ENOSPC: no space left on device/);
    expect(r.write('{"channel":"heartbeat"}')).toBeUndefined();
  });
});
