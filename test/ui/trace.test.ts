import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FeedView } from "../../src/feed/types.js";
import { traceThread } from "../../src/feed/trace-thread.js";
import { traceFrames } from "../../src/ui/trace.js";

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function traceFile(): string {
  dir = mkdtempSync(join(tmpdir(), "kl-trace-"));
  return join(dir, "trace.txt");
}

/** A stand-in terminal that records writes, a store that can announce a new screen, a feed with a view. */
function setup() {
  const written: string[] = [];
  const stdout = {
    columns: 200,
    write: (chunk: string) => written.push(chunk) > 0,
  } as unknown as NodeJS.WriteStream;
  const listeners: (() => void)[] = [];
  const store = {
    subscribe: (l: () => void) => {
      listeners.push(l);
      return () => undefined;
    },
  };
  let view: FeedView | undefined;
  const feed = { latest: () => view };
  const show = (receivedAt: number) => {
    view = { connection: { state: "live" }, books: [], publishedAt: receivedAt, receivedAt, malformed: 0 };
    for (const l of listeners) l();
  };
  return { written, stdout, store, feed, show };
}

describe("frame trace (KRAKEN_LADDER_TRACE)", () => {
  it("is off without the variable: the same stream, nothing written anywhere", () => {
    const { stdout, store, feed } = setup();
    expect(traceFrames(stdout, store, feed, {})).toBe(stdout);
  });

  it("logs each frame showing newer data with its receive times, other writes as '-', and skips Ink's sync marks", () => {
    const file = traceFile();
    const { written, stdout, store, feed, show } = setup();
    const traced = traceFrames(stdout, store, feed, { KRAKEN_LADDER_TRACE: file });
    expect(traced.columns).toBe(200);
    show(1000);
    traced.write("\u001b[?2026h");
    traced.write("frame one");
    traced.write("\u001b[?2026l");
    traced.write("clock only");
    show(1010);
    show(1020);
    traced.write("frame two");
    expect(written).toEqual(["\u001b[?2026h", "frame one", "\u001b[?2026l", "clock only", "frame two"]);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines[0]).toMatch(/^thread main \d+$/);
    const frames = lines.slice(1).map((l) => l.split(" "));
    expect(frames).toHaveLength(3);
    expect(frames[0]!.slice(0, 2)).toEqual(["1000", "1000"]);
    expect(frames[0]![3]).toBe(String("frame one".length));
    expect(frames[1]!.slice(0, 2)).toEqual(["-", "-"]);
    // The newest data shown, and the previous frame's: every message new in this frame came after 1000.
    expect(frames[2]!.slice(0, 2)).toEqual(["1020", "1000"]);
    for (const f of frames) expect(Number(f[2])).toBeGreaterThan(1_700_000_000_000);
  });

  it("traceThread writes this thread's Linux id", () => {
    const file = traceFile();
    traceThread("feed-worker", { KRAKEN_LADDER_TRACE: file });
    traceThread("ignored", {});
    expect(readFileSync(file, "utf8")).toBe(`thread feed-worker ${process.pid}\n`);
  });
});
